"""Channels: the digest's summary to 钉钉, 企业微信 and 飞书 group robots (and a plain JSON webhook)
through the outbox, each delivered once to its loopback stand-in; a failing robot retried alone;
townships' findings routed to the township group; no token in logs, the database or error lines."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from nianbao.core.config import Channel, Config, EmailSettings, Site
from nianbao.demo import MISSING, demo_plan, missing_agency
from nianbao.pipeline import run_once
from nianbao.sample.portal import SamplePortal
from nianbao.sample.server import Answer
from nianbao.sample.server import Site as HttpSite
from nianbao.sample.server import start as start_sites
from nianbao.sample.server import stop as stop_sites
from storage.db import open_db
from tests.monitoring.conftest import Collector, free_port
from tests.monitoring.robots import SIGNED, TOKENS, URLS, Robots

SITE = "https://watch.example.org/nianbao/"
LATE, INCONSISTENT, PROVINCE = "某某县恭门镇人民政府", "某某县龙山镇人民政府", "某某省人民政府"
ROBOTS = (
    Channel("钉钉工作群", URLS["dingtalk"]),
    Channel("企业微信群", URLS["wecom"]),
    Channel("飞书群", URLS["feishu"]),
)


@pytest.fixture()
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(demo_plan(), failing_links=False) as running:
        yield running


@pytest.fixture()
def hook() -> Iterator[HttpSite]:
    """A plain webhook (Apprise's json://) on loopback: what a self-hosted service would be."""
    site = HttpSite("hook", validators=False)
    site.add("/hook", Answer(200, b"{}", {"Content-Type": "application/json"}))
    start_sites([site])
    yield site
    stop_sites([site])


def _config(portal: SamplePortal, tmp_path: Path, port: int, channels: tuple[Channel, ...]) -> Config:
    base = portal.config(str(tmp_path / "n.db"))
    return replace(base, agencies=base.agencies + (missing_agency(),), site=Site(base_url=SITE)).with_notify(
        email=EmailSettings(smtp_host="127.0.0.1", smtp_port=port, to=("watch@example.org",), timeout=5),
        channels=channels,
    )


def _text(vendor: str, payload: dict[str, Any]) -> str:
    """The message's text as each vendor's API carries it."""
    if vendor == "feishu":
        return str(payload["content"]["text"])
    return str(payload["text"]["content"])


def _outbox(db_path: str) -> list[tuple[str | None, str | None, int, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT channel, sent_at, attempts, last_error FROM notifications ORDER BY id").fetchall()


@pytest.mark.slow
def test_each_robot_gets_the_summary_once_through_the_outbox(
    portal: SamplePortal, smtp: tuple[Collector, int], robots: Robots, hook: HttpSite, tmp_path: Path
) -> None:
    collector, port = smtp
    channels = (*ROBOTS, Channel("自建服务", f"json://{hook.base.removeprefix('http://')}/hook"))
    config = _config(portal, tmp_path, port, channels)
    db = open_db(config.db_path)
    result = run_once(config, db, as_of=date(2026, 4, 15))
    assert result.delivery and (result.delivery.queued, result.delivery.sent, result.delivery.failed) == (5, 5, 0)
    assert len(collector.messages) == 1
    for vendor in ("dingtalk", "wecom", "feishu"):
        [post] = robots.posts(vendor)
        assert post.headers["host"] == {"dingtalk": "oapi.dingtalk.com", "wecom": "qyapi.weixin.qq.com"}.get(
            vendor, "open.feishu.cn"
        )
        [payload] = robots.payloads(vendor)
        text = _text(vendor, payload)
        assert text.startswith("nianbao 年报监测：")
        assert f"未公开1项：{MISSING}" in text and f"逾期公开1项：{LATE}" in text
        assert f"数据不一致2项：{INCONSISTENT}" in text and f"网站无法读取1项：{PROVINCE}" in text
        assert text.endswith(f"详情：{SITE}")
        assert "MISSING" not in text and "published" not in text  # a summary, in Chinese; the detail is the email's
    # each vendor's own form: 钉钉 the robot's token, 企业微信 its key, 飞书 its hook
    [ding] = robots.posts("dingtalk")
    assert parse_qs(urlsplit(ding.path).query)["access_token"] == [TOKENS["NIANBAO_DINGTALK_TOKEN"]]
    assert robots.payloads("dingtalk")[0]["msgtype"] == "text"
    [wecom] = robots.posts("wecom")
    assert parse_qs(urlsplit(wecom.path).query)["key"] == [TOKENS["NIANBAO_WECOM_KEY"]]
    assert robots.payloads("wecom")[0]["msgtype"] == "text"
    [feishu] = robots.posts("feishu")
    assert feishu.path == f"/open-apis/bot/v2/hook/{TOKENS['NIANBAO_FEISHU_TOKEN']}/"
    assert robots.payloads("feishu")[0]["msg_type"] == "text"
    [generic] = hook.requested("/hook")
    assert json.loads(generic.body)["title"].startswith("nianbao 年报监测：")
    assert f"未公开1项：{MISSING}" in json.loads(generic.body)["message"]

    outbox = _outbox(config.db_path)
    assert sorted(c or "(email)" for c, *_ in outbox) == sorted(["(email)", *(c.name for c in channels)])
    assert all(sent and attempts == 1 and error is None for _, sent, attempts, error in outbox)
    for day in (16, 17):  # nothing new: nothing sent again, anywhere
        run_once(config, db, as_of=date(2026, 4, day))
    assert [len(robots.posts(v)) for v in ("dingtalk", "wecom", "feishu")] == [1, 1, 1]
    assert len(hook.requested("/hook")) == 1 and len(collector.messages) == 1


@pytest.mark.slow
def test_a_failing_robot_is_retried_alone_without_duplicates(
    portal: SamplePortal, smtp: tuple[Collector, int], robots: Robots, hook: HttpSite, tmp_path: Path
) -> None:
    collector, port = smtp
    robots.answer("dingtalk", Answer(500, b"busy"))
    nobody = free_port()  # nothing listens there: connection refused
    channels = (*ROBOTS, Channel("自建服务", f"json://127.0.0.1:{nobody}/hook"))
    config = _config(portal, tmp_path, port, channels)
    db = open_db(config.db_path)
    first = run_once(config, db, as_of=date(2026, 4, 15))
    assert first.delivery and (first.delivery.sent, first.delivery.failed) == (3, 2)
    assert len(collector.messages) == 1 and [len(robots.posts(v)) for v in ("wecom", "feishu")] == [1, 1]
    assert len(robots.posts("dingtalk")) == 1  # tried, answered 500
    errors = {c: e for c, sent, _, e in _outbox(config.db_path) if not sent}
    assert set(errors) == {"钉钉工作群", "自建服务"}
    dingtalk, own = errors["钉钉工作群"], errors["自建服务"]
    assert dingtalk is not None and dingtalk.startswith("channel 钉钉工作群: ") and "500" in dingtalk
    assert own is not None and own.startswith("channel 自建服务: ")
    # the findings were told (the email was accepted): the next run queues nothing new
    assert db.execute("SELECT count(*) FROM findings WHERE notified_at IS NULL AND kind = 'missing'").fetchone()[0] == 0

    robots.answer("dingtalk")  # the robot is back; the self-hosted service moved to where it listens
    moved = replace(
        config, notify=replace(config.notify, channels=(*ROBOTS, Channel("自建服务", f"json://{hook.base[7:]}/hook")))
    )
    second = run_once(moved, db, as_of=date(2026, 4, 16))
    assert second.delivery and (second.delivery.queued, second.delivery.sent, second.delivery.failed) == (0, 2, 0)
    assert len(robots.posts("dingtalk")) == 2 and len(hook.requested("/hook")) == 1
    assert f"未公开1项：{MISSING}" in _text("dingtalk", robots.payloads("dingtalk")[1])  # the summary first queued
    assert len(collector.messages) == 1  # the email is not sent again
    assert [len(robots.posts(v)) for v in ("wecom", "feishu")] == [1, 1]  # nor are the robots that had it
    assert all(sent for _, sent, _, _ in _outbox(config.db_path))
    assert {c: a for c, _, a, e in _outbox(config.db_path) if c} == {
        "钉钉工作群": 2,
        "企业微信群": 1,
        "飞书群": 1,
        "自建服务": 2,
    }
    run_once(moved, db, as_of=date(2026, 4, 17))
    assert len(robots.posts("dingtalk")) == 2 and len(hook.requested("/hook")) == 1 and len(collector.messages) == 1


@pytest.mark.slow
def test_a_failing_mail_server_does_not_resend_the_robots(
    portal: SamplePortal, smtp: tuple[Collector, int], robots: Robots, tmp_path: Path
) -> None:
    collector, port = smtp
    down = _config(portal, tmp_path, free_port(), ROBOTS)
    db = open_db(down.db_path)
    first = run_once(down, db, as_of=date(2026, 4, 15))
    assert first.delivery and (first.delivery.sent, first.delivery.failed) == (3, 1)
    assert down.email is not None
    up = down.with_notify(email=replace(down.email, smtp_port=port))
    run_once(up, db, as_of=date(2026, 4, 16))
    assert len(collector.messages) == 1
    assert {c or "(email)": a for c, _, a, _ in _outbox(down.db_path)} == {
        "(email)": 2,
        "钉钉工作群": 1,
        "企业微信群": 1,
        "飞书群": 1,
    }
    assert [len(robots.posts(v)) for v in ("dingtalk", "wecom", "feishu")] == [1, 1, 1]


@pytest.mark.slow
def test_routes_send_townships_findings_only_to_the_township_group(
    portal: SamplePortal, smtp: tuple[Collector, int], robots: Robots, tmp_path: Path
) -> None:
    collector, port = smtp
    channels = (
        Channel("乡镇工作群", URLS["dingtalk"], levels=("township",)),
        Channel("省级工作群", URLS["wecom"], portals=(PROVINCE,)),
        Channel("部门工作群", URLS["feishu"], levels=("department",)),  # the demo's departments are all on time
    )
    config = _config(portal, tmp_path, port, channels)
    assert PROVINCE in [p.name for p in config.portals]
    db = open_db(config.db_path)
    run_once(config, db, as_of=date(2026, 4, 15))
    township = _text("dingtalk", robots.payloads("dingtalk")[0])
    assert MISSING in township and LATE in township and INCONSISTENT in township
    assert PROVINCE not in township and "网站无法读取" not in township
    province = _text("wecom", robots.payloads("wecom")[0])
    assert f"网站无法读取1项：{PROVINCE}" in province
    assert all(name not in province for name in (MISSING, LATE, INCONSISTENT))
    assert robots.posts("feishu") == []  # nothing for the departments' group: no entry queued
    assert sorted(c or "" for c, *_ in _outbox(config.db_path)) == ["", "乡镇工作群", "省级工作群"]
    [text] = collector.texts()  # the email still holds everything
    assert all(name in text for name in (MISSING, LATE, INCONSISTENT, PROVINCE))


AGENCY = "某某县龙山镇人民政府"


def _broken_database(path: Path) -> Config:
    """A database with one report whose tables do not add up, checked: findings waiting to be told."""
    from checks.run import run_checks
    from crawler.sink import Document
    from nianbao.core.config import from_dict
    from nianbao.ingest import ingest
    from nianbao.sample.reports import SampleReport, balanced, report_text

    config = from_dict(
        {
            "database": {"path": str(path)},
            "portals": [{"name": "县", "url": "http://127.0.0.1/nb.htm"}],
            "agencies": [{"name": AGENCY, "level": "township", "portal": "县"}],
        }
    )
    db = open_db(str(path))
    apps = balanced(3)
    apps["granted"] = [2, 0, 0, 0, 0, 0, 2]
    text = report_text(SampleReport(agency=AGENCY, year=2025, applications=apps))
    ingest(db, Document("http://127.0.0.1/a.htm", text.encode(), portal="县", list_date="2026-01-10"), now="2026-01-10")
    db.table("crawl_runs").insert(
        {
            "portal": "县",
            "started_at": "2026-02-10T00:00:00",
            "finished_at": "2026-02-10T01:00:00",
            "outcome": "complete",
        }
    )
    run_checks(db, config, as_of=date(2026, 2, 15), now="2026-02-15T00:00:00")
    db.close()
    return config


@pytest.mark.slow
def test_no_token_in_logs_the_database_or_error_lines(robots: Robots, tmp_path: Path) -> None:
    """`nianbao -vv notify` (debug logs: urllib3 logs each request line, the token in its query):
    one robot answers 500, one is refused by Apprise for a token it cannot use, one accepts."""
    _broken_database(tmp_path / "n.db")
    bad = "bad!token.7f3e9c"  # Apprise refuses it, naming it in its warning
    (tmp_path / "nianbao.toml").write_text(
        f"""
[database]
path = "{tmp_path / "n.db"}"
[[portals]]
name = "县"
url = "http://127.0.0.1/nb.htm"
[[agencies]]
name = "{AGENCY}"
portal = "县"
[notify]
outbox_dir = "{tmp_path / "outbox"}"
[[notify.channels]]
name = "钉钉工作群"
url = "{URLS["dingtalk"]}"
[[notify.channels]]
name = "企业微信群"
url = "{URLS["wecom"]}"
[[notify.channels]]
name = "飞书群"
url = "feishu://{{NIANBAO_BAD_TOKEN}}"
""",
        encoding="utf-8",
    )
    robots.answer("dingtalk", Answer(500, b"busy"))
    secrets = [*TOKENS.values(), bad, "bad%21token"]
    env = {**os.environ, **robots.environment(), "NIANBAO_BAD_TOKEN": bad}

    def notify() -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "nianbao",
            "-vv",
            "notify",
            "--config",
            "nianbao.toml",
            "--as-of",
            "2026-02-15",
        ]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    first = notify()
    assert first.returncode != 0, first.stderr
    assert "排队汇总4份，已发送2份，发件箱中等待2份" in first.stdout  # the email (to the folder), 企业微信
    assert "nianbao: not sent, kept in the outbox for the next run: channel 钉钉工作群: " in first.stderr
    assert "channel 飞书群: Apprise cannot use its URL (The Feishu token specified (***) is invalid." in first.stderr
    assert "POST /robot/send?access_token=*** HTTP/1.1" in first.stderr  # urllib3's line, hidden
    robots.answer("dingtalk")
    second = notify()
    assert second.returncode != 0 and "已发送1份，发件箱中等待1份" in second.stdout  # 钉钉 now; 飞书's token stays bad
    assert [len(robots.posts(v)) for v in ("dingtalk", "wecom", "feishu")] == [2, 1, 0]
    with sqlite3.connect(tmp_path / "n.db") as conn:
        stored = "\n".join(conn.iterdump())
        errors = [e for (e,) in conn.execute("SELECT last_error FROM notifications WHERE last_error IS NOT NULL")]
    assert errors and all(e.startswith("channel 飞书群: ") for e in errors)
    for output in (first.stdout, first.stderr, second.stdout, second.stderr, stored, *errors):
        assert all(secret not in output for secret in secrets)


def test_feishu_refusing_a_message_in_its_answer_keeps_it_in_the_outbox(
    robots: Robots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """飞书 answers a refused message (keyword missing, bad signature …) with HTTP 200 and a non-zero
    code; Apprise reads it, so the summary waits for the next run."""
    from notify.outbox import notify

    config = _broken_database(tmp_path / "n.db").with_notify(channels=(ROBOTS[2],), outbox_dir=str(tmp_path))
    robots.answer("feishu", Answer(200, b'{"code":19024,"msg":"Key Words Not Found","data":{}}'))
    db = open_db(config.db_path)
    result = notify(db, config, now="2026-02-15T00:00:00", today=date(2026, 2, 15))
    assert (result.sent, result.failed) == (1, 1) and "Key Words Not Found" in result.errors[0]
    robots.answer("feishu")
    assert notify(db, config, now="2026-02-16T00:00:00", today=date(2026, 2, 16)).sent == 1
    assert len(robots.posts("feishu")) == 2


@pytest.mark.xfail(
    strict=True,
    reason="Apprise 2.3 judges 钉钉 and 企业微信 by the HTTP status alone; both answer a refused message with 200 and "
    "an errcode (docs/server.md: Channels)",
)
@pytest.mark.parametrize("vendor", ["dingtalk", "wecom"])
def test_a_robot_refusing_a_message_in_its_answer_keeps_it_in_the_outbox(
    vendor: str, robots: Robots, tmp_path: Path
) -> None:
    from notify.outbox import notify

    channel = ROBOTS[0] if vendor == "dingtalk" else ROBOTS[1]
    config = _broken_database(tmp_path / "n.db").with_notify(channels=(channel,), outbox_dir=str(tmp_path))
    robots.answer(vendor, Answer(200, b'{"errcode":310000,"errmsg":"keywords not in content"}'))
    result = notify(open_db(config.db_path), config, now="2026-02-15T00:00:00", today=date(2026, 2, 15))
    assert result.failed == 1


@pytest.mark.xfail(
    strict=True,
    reason="Apprise 2.3 URL-encodes 钉钉's sign twice (quoted, then as a query parameter): docs/server.md: Channels",
)
def test_a_signed_dingtalk_robot_gets_its_signature_encoded_once(robots: Robots, tmp_path: Path) -> None:
    from notify.outbox import notify

    config = _broken_database(tmp_path / "n.db").with_notify(
        channels=(Channel("钉钉加签群", SIGNED),), outbox_dir=str(tmp_path)
    )
    notify(open_db(config.db_path), config, now="2026-02-15T00:00:00", today=date(2026, 2, 15))
    [post] = robots.posts("dingtalk")
    query = parse_qs(urlsplit(post.path).query)  # decoded once, as 钉钉 decodes it
    secret = TOKENS["NIANBAO_DINGTALK_SECRET"].encode()
    signed = hmac.new(secret, query["timestamp"][0].encode() + b"\n" + secret, hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(signed).decode()]


def test_the_summary_names_few_agencies_and_counts_all() -> None:
    from nianbao.core.findings import StoredFinding
    from nianbao.core.vocabulary import FindingKind
    from notify.compose import summary

    def finding(i: int, kind: FindingKind, agency: str | None, portal: str = "县") -> StoredFinding:
        return StoredFinding(
            id=i,
            kind=kind,
            agency=agency,
            year=2025,
            portal=portal,
            rule=None,
            severity="error",
            message="",
            evidence={},
            report_id=None,
            url=None,
            first_seen="2026-04-15",
        )

    towns = [f"某某县第{n}镇人民政府" for n in range(1, 8)]
    new = [finding(i, "missing", town) for i, town in enumerate(towns)] + [finding(9, "unreachable", None, PROVINCE)]
    resolved = [finding(10, "late", LATE)]
    title, body = summary(new, resolved, site_url=SITE)
    assert title == "nianbao 年报监测：7个未公开，1个网站无法读取，1个已解决"
    assert body.splitlines() == [
        "未公开7项：某某县第1镇人民政府、某某县第2镇人民政府、某某县第3镇人民政府、某某县第4镇人民政府、某某县第5镇人民政府等7个",
        f"网站无法读取1项：{PROVINCE}",
        f"已解决1项：{LATE}",
        f"详情：{SITE}",
    ]
    title, body = summary(new[:2], [], lang="en")
    assert title == "nianbao: 2 missing"
    assert body == "MISSING 2: 某某县第1镇人民政府, 某某县第2镇人民政府\nDetails in the digest email."
    _, body = summary(new, [], lang="en")
    assert "某某县第5镇人民政府 and 2 more" in body


def test_a_channel_removed_while_its_summary_waits_keeps_it_waiting(robots: Robots, tmp_path: Path) -> None:
    from notify.outbox import notify

    config = _broken_database(tmp_path / "n.db").with_notify(channels=(ROBOTS[0],), outbox_dir=str(tmp_path))
    robots.answer("dingtalk", Answer(503, b""))
    db = open_db(config.db_path)
    assert notify(db, config, now="2026-02-15T00:00:00", today=date(2026, 2, 15)).failed == 1
    gone = config.with_notify(channels=())
    result = notify(db, gone, now="2026-02-16T00:00:00", today=date(2026, 2, 16))
    assert result.failed == 1 and result.errors == (
        "channel 钉钉工作群: no longer in [[notify.channels]]; its summary waits in the outbox",
    )
    robots.answer("dingtalk")
    assert notify(db, config, now="2026-02-17T00:00:00", today=date(2026, 2, 17)).sent == 1  # back: sent, once
    assert len(robots.posts("dingtalk")) == 2


def test_with_channels_only_no_email_waits_for_a_mail_server(robots: Robots, tmp_path: Path) -> None:
    """No [notify.email] and no outbox_dir: the robots are where the digest goes, and no email is
    queued to fail on every run."""
    from notify.outbox import notify

    config = _broken_database(tmp_path / "n.db").with_notify(channels=ROBOTS[:2])
    assert config.email is None and config.outbox_dir is None
    result = notify(open_db(config.db_path), config, now="2026-02-15T00:00:00", today=date(2026, 2, 15))
    assert (result.queued, result.sent, result.failed) == (2, 2, 0)
    assert [c for c, *_ in _outbox(config.db_path)] == ["钉钉工作群", "企业微信群"]
