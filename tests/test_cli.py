"""Every command is documented (sqlite-utils' test_commands_have_help)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import cli


def test_commands_have_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help"
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.slow
def test_demo_then_status_and_findings(tmp_path: Path) -> None:
    import json

    out = tmp_path / "demo"
    demo = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert demo.exit_code == 0, demo.output
    assert "某某县红旗乡人民政府" in demo.output and "未公开" in demo.output  # Chinese by default
    assert list((out / "outbox").glob("digest-*.eml"))
    db = str(out / "nianbao.db")
    rows = json.loads(CliRunner().invoke(cli, ["status", "--db", db, "--json", "--year", "2025"]).output)
    status = {r["agency"]: r["status"] for r in rows}
    assert status["某某县人民政府"] == "on time" and status["某某县恭门镇人民政府"] == "late"
    assert status["某某县红旗乡人民政府"] == "missing" and status["某某县龙山镇人民政府"] == "inconsistent"
    portals = json.loads(CliRunner().invoke(cli, ["status", "--db", db, "--json", "--portals"]).output)
    county = next(p for p in portals if p["portal"] == "某某县人民政府")
    assert county["outcome"] == "complete" and all(c["complete"] for c in county["columns"])
    assert any("gxz.htm (vsb): 3 of 3 declared pages read" in line for line in county["read"])
    text = CliRunner().invoke(cli, ["status", "--db", db, "--lang", "en"]).output
    assert "portals (last pass: declared against read)" in text and "某某省人民政府: blocked" in text
    chinese = CliRunner().invoke(cli, ["status", "--db", db]).output
    assert "网站（最近一次读取" in chinese and "某某省人民政府：2026年4月15日读取，被拦截" in chinese
    listed = json.loads(CliRunner().invoke(cli, ["findings", "list", "--db", db, "--json"]).output)
    late = next(f for f in listed if f["kind"] == "late")
    missing = next(f for f in listed if f["kind"] == "missing")  # it quotes the complete read it rests on
    assert "(read: " in missing["message"] and any("of 3 declared pages read" in r for r in missing["evidence"]["read"])
    done = CliRunner().invoke(cli, ["findings", "dismiss", str(late["id"]), "--reason", "re-upload date", "--db", db])
    assert done.exit_code == 0
    again = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert again.exit_code == 2 and "exists already" in again.output
    bad = CliRunner().invoke(cli, ["findings", "dismiss", "99999", "--reason", "x", "--db", db])
    assert bad.exit_code == 2 and "no finding with id 99999" in bad.output


def test_check_lists_rules() -> None:
    result = CliRunner().invoke(cli, ["check", "--list-rules"])
    assert result.exit_code == 0
    for rule_id in ("applications.balance", "report.contacts", "applications.carry_over", "deadline"):
        assert rule_id in result.output


def test_bad_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('[[portals]]\nname = "x"\nurl = "ftp://nowhere"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--config", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2 and "portals[0].url" in result.output


def test_json_logs_and_progress_bars() -> None:
    import io
    import json
    import logging

    from nianbao.logs import JsonFormatter
    from nianbao.progress import TerminalProgress

    record = logging.LogRecord("crawler.crawl", logging.INFO, "", 0, "%s: %s", ("http://x", "soft404"), None)
    record.portal = "某某县人民政府"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "http://x: soft404" and line["portal"] == "某某县人民政府" and line["level"] == "info"

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Tty()
    with TerminalProgress(screen, interval=0) as progress:
        progress("某某县人民政府", 2, 10, 5)
        progress("某某县部门", 1, 4, 4)
    assert "[############............] 5/10" in screen.getvalue() and "\x1b[" in screen.getvalue()


@pytest.mark.slow
def test_the_writer_process_logs_like_its_parent_and_libraries_stay_quiet(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    from nianbao.core.config_doc import toml_value
    from nianbao.sample.portal import SamplePortal, default_plan

    with SamplePortal(default_plan()[:9]) as portal:  # the ninth has a damaged attachment
        county = portal.portals()[0]
        (tmp_path / "nianbao.toml").write_text(
            f'[database]\npath = "{tmp_path / "n.db"}"\n[crawl]\ninterval = 0.0\n'
            f"[[portals]]\nname = {toml_value(county.name)}\nurls = {toml_value(county.urls)}\n"
            f"allow_hosts = {toml_value(county.allow_hosts)}\n",
            encoding="utf-8",
        )
        proc = subprocess.run(
            [sys.executable, "-m", "nianbao", "-vv", "--log-format", "json", "crawl", "--config", "nianbao.toml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    loggers = {line["logger"] for line in lines}
    assert "nianbao.ingest" in loggers  # logged in the writer process (the damaged attachment)
    assert not [name for name in loggers if name.startswith(("pdfminer", "pdfplumber", "httpcore"))]
    assert all(line.startswith("{") for line in proc.stderr.splitlines() if line.strip())
