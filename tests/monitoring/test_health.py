"""`nianbao health` on real databases: none, a fresh one, a healthy one (a real cycle over the
sample portal), then that one grown stale and made to fail in each way a monitor must see.

The healthy database is one crawl → check → notify of the sample's three portals "as of"
2026-04-15 (every record stamped 12:00 UTC); each test works on its own copy, and passes the
moment it asks about with --as-of."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.core.config import Config, EmailSettings
from nianbao.demo import demo_plan
from nianbao.pipeline import run_once
from nianbao.sample.portal import SamplePortal
from notify.outbox import deliver
from storage.db import open_db
from storage.notifications import queue_digest, set_message
from storage.runs import begin_run, finish_run, record_check
from tests.monitoring.conftest import free_port

COUNTY, HANWEB, TRS = "某某县人民政府", "某某县政府部门(大汉)", "某某县部门信息公开(TRS)"
RAN = "2026-04-15T12:00:00+00:00"  # when the cycle ran: every pass finished, the check made


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real cycle over the sample's county, TRS and Hanweb portals (not the province behind its
    anti-bot wall: this database is to be healthy), digests written to an outbox folder."""
    folder = tmp_path_factory.mktemp("cycle")
    with SamplePortal(demo_plan()) as portal:  # a late and an inconsistent report: one digest to send
        config = portal.config(str(folder / "n.db"))
        config = replace(config, portals=tuple(p for p in config.portals if p.name != "某某省人民政府"))
        config = config.with_notify(email=EmailSettings(smtp_host=""), outbox_dir=str(folder / "outbox"))
        db = open_db(config.db_path)
        result = run_once(config, db, as_of=date(2026, 4, 15))
        db.conn.close()
    assert {r.portal: r.outcome for r in result.crawl} == {COUNTY: "complete", TRS: "complete", HANWEB: "complete"}
    assert result.delivery is not None and result.delivery.sent == 1
    return folder / "n.db"


@pytest.fixture()
def healthy(cycle: Path, tmp_path: Path) -> Path:
    """This test's own copy of the cycle's database."""
    copy = tmp_path / "n.db"
    with sqlite3.connect(cycle) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def health(db: Path | str, *args: str) -> tuple[int, list[str]]:
    """`nianbao health` (Chinese, the default): its exit status and its lines."""
    result = CliRunner().invoke(cli, ["health", "--db", str(db), *args], catch_exceptions=False)
    return result.exit_code, result.output.splitlines()


def health_json(db: Path | str, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["health", "--db", str(db), "--json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def outbox_only(tmp_path: Path, db: Path) -> Config:
    """Digests written to a folder, as the healthy cycle had it: what a restored mail route is here."""
    return Config().with_db(str(db)).with_notify(email=EmailSettings(smtp_host=""), outbox_dir=str(tmp_path / "out"))


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "nianbao.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---- no database, a fresh one, a healthy one ---------------------------------------------------


def test_no_database_or_none_nianbao_can_read_is_failing(tmp_path: Path) -> None:
    code, lines = health(tmp_path / "none.db")
    assert code == 2
    assert lines == [f"故障：数据库无法使用：{tmp_path / 'none.db'}: no such database (run `nianbao crawl` first)"]
    assert not (tmp_path / "none.db").exists()  # read-only: nothing created
    (tmp_path / "text.db").write_text("not a database, though named like one\n" * 200, encoding="utf-8")
    code, found = health_json(tmp_path / "text.db")
    assert code == 2 and found["status"] == "failing"
    assert [p["code"] for p in found["problems"]] == ["unusable"]
    assert "cannot open the database" in found["problems"][0]["message"]
    with sqlite3.connect(tmp_path / "other.db") as other:  # a SQLite file of somebody else's
        other.execute("CREATE TABLE t (x)")
    code, lines = health(tmp_path / "other.db", "--lang", "en")
    assert code == 2 and lines[0].startswith("failing: the database cannot be used: ") and "older nianbao" in lines[0]


def test_a_fresh_database_warns_that_nothing_has_run(tmp_path: Path) -> None:
    open_db(str(tmp_path / "n.db")).conn.close()
    code, lines = health(tmp_path / "n.db", "--as-of", "2026-04-15")
    assert (code, lines) == (1, ["警告：尚未读取过任何网站（新数据库：还没有运行过一个周期）"])
    code, found = health_json(tmp_path / "n.db", "--as-of", "2026-04-15")
    assert code == 1 and [p["code"] for p in found["problems"]] == ["fresh"]
    assert found["check"] is None and found["outbox"]["waiting"] == 0 and found["last_complete_age_hours"] is None


@pytest.mark.slow
def test_a_healthy_database_says_so_in_one_line(healthy: Path) -> None:
    code, lines = health(healthy, "--as-of", "2026-04-15T18:00")
    assert (code, lines) == (
        0,
        ["正常：各网站最近一次完整读取都在6小时以内；最近一次检查在6小时前；发件箱中没有待发的摘要"],
    )
    code, found = health_json(healthy, "--as-of", "2026-04-15T18:00")
    assert code == 0 and found["status"] == "ok" and found["problems"] == []
    assert found["now"] == "2026-04-15T18:00:00+00:00"
    assert sorted(p["portal"] for p in found["portals"]) == sorted([COUNTY, HANWEB, TRS])
    assert {p["last_complete_at"] for p in found["portals"]} == {RAN}
    assert found["last_complete_age_hours"] == 6.0
    assert found["check"]["age_hours"] == 6.0 and found["check"]["due"] == found["check"]["assessed"] > 0
    assert found["outbox"] == {
        "waiting": 0,
        "refused": 0,
        "oldest_at": None,
        "oldest_age_hours": None,
        "last_error": None,
    }
    assert found["last_error"] is None and found["findings"]["waiting_for_digest"] == 0
    # a day alone means its noon (UTC), as --as-of does everywhere; a time without a zone is UTC
    assert health_json(healthy, "--as-of", "2026-04-15")[1]["check"]["age_hours"] == 0.0
    assert health_json(healthy, "--as-of", "2026-04-16T02:00+08:00")[1]["check"]["age_hours"] == 6.0


# ---- stale -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_stale_is_a_warning_past_max_age_and_failing_past_fail_age(healthy: Path, tmp_path: Path) -> None:
    assert health(healthy, "--as-of", "2026-04-17T00:00")[0] == 0  # 36 hours: not yet past max_age_hours
    code, lines = health(healthy, "--as-of", "2026-04-17T00:01")
    assert code == 1
    assert lines == [
        f"警告：{COUNTY}：最近一次完整读取在36小时前（2026年4月15日）",
        f"警告：{HANWEB}：最近一次完整读取在36小时前（2026年4月15日）",
        f"警告：{TRS}：最近一次完整读取在36小时前（2026年4月15日）",
        "警告：最近一次检查在36小时前（2026年4月15日）",
    ]
    code, lines = health(healthy, "--as-of", "2026-04-18T12:01")  # 72 hours and a minute: nothing runs
    assert code == 2
    assert lines[:2] == ["故障：所有监测的网站都已有3天没有完整读取", "故障：最近一次检查在3天前（2026年4月15日）"]
    assert len(lines) == 5 and all(line.startswith("警告：") for line in lines[2:])
    # the thresholds are the operator's: a weekly schedule warns after eight days, fails after ten
    weekly = _config(tmp_path, "[health]\nmax_age_hours = 192\nfail_age_hours = 240\n")
    assert health(healthy, "--config", weekly, "--as-of", "2026-04-18T12:01")[0] == 0
    assert health(healthy, "--config", weekly, "--as-of", "2026-04-25T12:00")[0] == 1  # ten days: not past them
    assert health(healthy, "--config", weekly, "--as-of", "2026-04-25T12:01")[0] == 2


@pytest.mark.slow
def test_a_portal_read_since_only_in_part_says_how_it_answered(healthy: Path) -> None:
    db = open_db(str(healthy))
    run, _ = begin_run(db, COUNTY, now="2026-04-16T12:00:00+00:00")
    finish_run(
        db, run, portal=COUNTY, now="2026-04-16T12:00:05+00:00", values={"outcome": "unreachable", "cause": "refused"}
    )
    db.conn.close()
    assert health(healthy, "--as-of", "2026-04-16T13:00")[0] == 0  # read completely 25 hours ago: fine
    code, lines = health(healthy, "--as-of", "2026-04-17T06:00")
    assert code == 1
    assert f"警告：{COUNTY}：最近一次完整读取在42小时前（2026年4月15日）；此后在2026年4月16日的读取中拒绝连接" in lines
    code, found = health_json(healthy, "--as-of", "2026-04-17T06:00", "--lang", "en")
    assert found["last_error"] == {
        "at": "2026-04-16T12:00:05+00:00",
        "where": COUNTY,
        "outcome": "unreachable",
        "cause": "refused",
        "error": None,
    }
    county = next(p for p in found["problems"] if p["portal"] == COUNTY)
    assert county["message"] == (
        f"{COUNTY}: last read completely 42 hours ago, on 2026-04-15; on the pass of 2026-04-16 it refused the connection"
    )


@pytest.mark.slow
def test_watched_portals_come_from_the_configuration(healthy: Path, tmp_path: Path) -> None:
    db = open_db(str(healthy))  # a portal behind an anti-bot wall, read once and never completely
    run, _ = begin_run(db, "某某省人民政府", now=RAN)
    finish_run(db, run, portal="某某省人民政府", now=RAN, values={"outcome": "blocked", "cause": "challenge"})
    db.conn.close()
    code, lines = health(healthy, "--as-of", "2026-04-15T18:00")
    assert (code, lines) == (
        1,
        ["警告：某某省人民政府：从未完整读取；在2026年4月15日的读取中以反爬虫验证拦截了nianbao"],
    )
    portals = "".join(
        f'[[portals]]\nname = "{name}"\nurl = "http://127.0.0.1/{n}"\n' for n, name in enumerate([COUNTY, TRS])
    )
    code, lines = health(healthy, "--config", _config(tmp_path, portals), "--as-of", "2026-04-15T18:00")
    assert code == 0  # the province is no longer watched, and neither is the Hanweb portal
    added = portals + '[[portals]]\nname = "某某县新网站"\nurl = "http://127.0.0.1/new"\n'
    code, lines = health(healthy, "--config", _config(tmp_path, added), "--as-of", "2026-04-15T18:00")
    assert (code, lines) == (1, ["警告：某某县新网站：从未读取"])
    # a watched portal never read completely fails once fail_age_hours have passed since its first pass
    province = '[[portals]]\nname = "某某省人民政府"\nurl = "http://127.0.0.1/p"\n'
    code, lines = health(healthy, "--config", _config(tmp_path, province), "--as-of", "2026-04-18T12:01")
    assert (code, lines[0]) == (2, "故障：所有监测的网站都已有3天没有完整读取")


# ---- failing -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_pass_whose_process_died_is_failing(healthy: Path, tmp_path: Path) -> None:
    db = open_db(str(healthy))
    begin_run(db, COUNTY, now="2026-04-15T14:00:00+00:00")  # then kill -9: the pass stays "running"
    db.conn.close()
    assert health(healthy, "--as-of", "2026-04-15T20:00")[0] == 0  # running for 6 hours: a pass may take that long
    code, lines = health(healthy, "--as-of", "2026-04-16T02:01")
    assert code == 2
    assert lines == [f"故障：{COUNTY}：一次读取开始于12小时前（2026年4月15日），至今没有结束：执行它的进程已终止或卡住"]
    patient = _config(tmp_path, "[health]\nmax_pass_hours = 24\n")
    assert health(healthy, "--config", patient, "--as-of", "2026-04-16T02:01")[0] == 0
    db = open_db(str(healthy))  # the next cycle's pass begins: the dead one is closed as interrupted
    run, resumed = begin_run(db, COUNTY, now="2026-04-16T06:00:00+00:00")
    db.conn.close()
    assert resumed == "2026-04-15T14:00:00+00:00"
    code, lines = health(healthy, "--as-of", "2026-04-16T07:00")
    assert (code, lines) == (
        2,
        [f"故障：{COUNTY}：最近一次读取（2026年4月15日开始）被中断：执行它的进程在读取完成前就终止了"],
    )
    db = open_db(str(healthy))  # that pass finishes, and its cycle checks: healthy again
    finish_run(db, run, portal=COUNTY, now="2026-04-16T07:30:00+00:00", values={"outcome": "complete"})
    record_check(db, now="2026-04-16T07:30:00+00:00", as_of="2026-04-16", due=18, assessed=18)
    db.conn.close()
    assert health(healthy, "--as-of", "2026-04-16T08:00") == (
        0,
        ["正常：各网站最近一次完整读取都在20小时以内；最近一次检查在不到1小时前；发件箱中没有待发的摘要"],
    )


@pytest.mark.slow
def test_a_digest_the_mail_server_refused_is_failing_until_it_is_sent(healthy: Path, tmp_path: Path) -> None:
    db = open_db(str(healthy))
    config = outbox_only(tmp_path, healthy)
    digest = queue_digest(db, now="2026-04-15T13:00:00+00:00", recipients=["watch@example.org"], new=[], resolved=[])
    set_message(
        db, digest, subject="年报监测", message="From: nianbao@localhost\nTo: watch@example.org\nSubject: x\n\nx\n"
    )
    nobody = config.with_notify(
        email=EmailSettings(smtp_host="127.0.0.1", smtp_port=free_port(), to=("watch@example.org",), timeout=5)
    )
    assert deliver(db, nobody, now="2026-04-15T13:00:00+00:00").failed == 1  # nothing listens there
    assert deliver(db, nobody, now="2026-04-16T06:00:00+00:00").failed == 1
    db.conn.close()
    code, lines = health(healthy, "--as-of", "2026-04-16T06:05")
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("故障：1份摘要未能发出，最早一份自2026年4月15日起等待（已尝试2次）：")
    assert "127.0.0.1" in lines[0]  # the mail server's error, as nianbao recorded it
    code, found = health_json(healthy, "--as-of", "2026-04-16T06:05")
    assert found["outbox"]["waiting"] == found["outbox"]["refused"] == 1 and found["outbox"]["oldest_age_hours"] == 17.1
    assert found["last_error"]["where"] == "outbox" and found["last_error"]["error"] == found["outbox"]["last_error"]
    db = open_db(str(healthy))  # the mail server is back: sent, and healthy again
    assert deliver(db, config, now="2026-04-16T06:10:00+00:00").sent == 1
    db.conn.close()
    assert health(healthy, "--as-of", "2026-04-16T06:15")[0] == 0


@pytest.mark.slow
def test_a_digest_never_tried_is_a_warning_after_an_hour(healthy: Path) -> None:
    db = open_db(str(healthy))  # queued, then the process stopped before it tried to send it
    queue_digest(db, now="2026-04-16T12:00:00+00:00", recipients=["watch@example.org"], new=[], resolved=[])
    db.conn.close()
    assert health(healthy, "--as-of", "2026-04-16T12:59")[0] == 0  # being sent right now, perhaps
    code, lines = health(healthy, "--as-of", "2026-04-16T13:01")
    assert (code, lines) == (1, ["警告：发件箱中有1份摘要自2026年4月16日起等待发送，尚未尝试"])


@pytest.mark.slow
def test_fewer_verdicts_than_the_check_before_is_a_warning(healthy: Path) -> None:
    db = open_db(str(healthy))
    due = int(db.execute("SELECT due FROM check_runs").fetchone()[0])
    record_check(db, now="2026-04-16T12:00:00+00:00", as_of="2026-04-16", due=due, assessed=due)
    db.conn.close()
    assert health(healthy, "--as-of", "2026-04-16T13:00")[0] == 0  # the same share: nothing to say
    db = open_db(str(healthy))
    record_check(db, now="2026-04-16T13:00:00+00:00", as_of="2026-04-16", due=due, assessed=due - 1)
    db.conn.close()
    code, lines = health(healthy, "--as-of", "2026-04-16T14:00")
    assert (code, lines) == (
        1,
        [
            f"警告：最近一次检查对已过期限的{due}个（机关，年度）中的{due - 1}个作出了判断，上一次检查为{due}个中的{due}个"
        ],
    )


# ---- how it is run ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_bad_moment_or_threshold_is_refused(healthy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["health", "--db", str(healthy), "--as-of", "yesterday"])
    assert result.exit_code == 2 and "use YYYY-MM-DD" in result.output
    backwards = _config(tmp_path, "[health]\nmax_age_hours = 48\nfail_age_hours = 24\n")
    result = CliRunner().invoke(cli, ["health", "--db", str(healthy), "--config", backwards])
    assert result.exit_code == 2
    assert "health.fail_age_hours: 24.0 is less than health.max_age_hours (48.0)" in result.output


@pytest.mark.parametrize("how", ["read-only mount", "immutable files"])
@pytest.mark.slow
def test_health_reads_a_database_on_a_read_only_medium(healthy: Path, tmp_path: Path, how: str) -> None:
    from tests.test_faults import _on_read_only_medium

    medium = tmp_path / "medium"
    medium.mkdir()
    shutil.copy(healthy, medium / "n.db")
    command = [sys.executable, "-m", "nianbao", "health", "--db", str(medium / "n.db"), "--as-of", "2026-04-15T18:00"]
    done = _on_read_only_medium(how, medium, command)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith("正常：各网站最近一次完整读取都在6小时以内")
    assert sorted(f.name for f in medium.iterdir()) == ["n.db"]  # nothing written beside it


@pytest.mark.slow
def test_the_readme_shows_what_health_says_of_the_demo(tmp_path: Path) -> None:
    """The README's `nianbao health` session on the demo's database, run again: the same lines, the same exits."""
    from nianbao.demo import run_demo

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("$ nianbao health --db nianbao-demo/nianbao.db --as-of 2026-04-15T18:00", 1)[1]
    session = ("$ nianbao health --db nianbao-demo/nianbao.db --as-of 2026-04-15T18:00" + shown).split("\n```")[0]
    config, _ = run_demo(str(tmp_path / "nianbao-demo"))
    ran = []
    for command in session.split("$ ")[1:]:
        args = command.splitlines()[0].split(";")[0].split()[1:]
        result = CliRunner().invoke(cli, [a.replace("nianbao-demo/", f"{tmp_path}/nianbao-demo/") for a in args])
        ran.append(f"$ {command.splitlines()[0]}\n{result.output}exit {result.exit_code}\n")
    assert len(ran) == 2 and "".join(ran) == session.rstrip("\n") + "\n"
