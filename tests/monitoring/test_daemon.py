"""`nianbao daemon` with a two-second schedule: two cycles, then a clean stop on SIGTERM."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nianbao.sample.portal import SamplePortal, default_plan


@pytest.mark.slow
def test_daemon_runs_two_cycles_and_stops_on_sigterm(tmp_path: Path) -> None:
    with SamplePortal(default_plan()[:3]) as portal:
        county = portal.sites["county"].url("/zfxxgk/zfxxgknb.htm")
        db = tmp_path / "n.db"
        (tmp_path / "nianbao.toml").write_text(
            f"""
[database]
path = "{db}"
[crawl]
interval = 0.0
[[portals]]
name = "某某县人民政府"
url = "{county}"
[notify]
outbox_dir = "{tmp_path / "outbox"}"
[schedule]
cron = "*/2 * * * * *"
""",
            encoding="utf-8",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao", "-v", "daemon", "--config", "nianbao.toml"],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            runs = 0
            while time.monotonic() < deadline and runs < 2:
                time.sleep(0.5)
                if db.exists():
                    with sqlite3.connect(db) as conn:
                        try:
                            runs = conn.execute(
                                "SELECT count(*) FROM crawl_runs WHERE finished_at IS NOT NULL"
                            ).fetchone()[0]
                        except sqlite3.OperationalError:
                            runs = 0
            assert runs >= 2
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert err.count("cycle finished") >= 2 and "daemon stopped" in err
        assert "Traceback" not in err
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
