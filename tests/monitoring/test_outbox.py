"""What the outbox queues, read back from the database: the digest's sender, recipients and
subject; its HTML part with the offending cells of the report's table; links to the site; and
nothing queued when there is nothing new."""

from __future__ import annotations

import email
from dataclasses import replace
from datetime import date
from email.header import decode_header, make_header
from pathlib import Path

import sqlite_utils

from checks.run import run_checks
from crawler.sink import Document
from nianbao.core.config import Agency, Config, EmailSettings, Portal, Site
from nianbao.ingest import ingest
from nianbao.sample.reports import SampleReport, balanced, report_text
from notify.outbox import queue_digests
from storage.db import open_db
from storage.notifications import unsent
from tests.mail import decoded

AGENCY = "某某县龙山镇人民政府"


def _config(**notify: object) -> Config:
    config = Config(
        portals=(Portal("县", ("http://127.0.0.1/nb.htm",)),),
        agencies=(Agency(AGENCY, "township", "县"),),
        site=Site(base_url="https://watch.example.org/site/"),
    )
    return config.with_notify(
        email=EmailSettings(
            smtp_host="127.0.0.1", sender="bot@watch.example.org", to=("a@example.org", "b@example.org")
        ),
        **notify,
    )


def _broken_report(db: sqlite_utils.Database) -> None:
    apps = balanced(3)
    apps["granted"] = [2, 0, 0, 0, 0, 0, 2]  # the outcome rows add up to 2; (七)总计 says 3
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


def test_the_queued_digest_is_addressed_and_shows_the_cells(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    _broken_report(db)
    config = _config()
    run_checks(db, config, as_of=date(2026, 2, 15), now="2026-02-15T00:00:00")
    assert queue_digests(db, config, now="2026-02-15T00:00:00+00:00", today=date(2026, 2, 15)) == 1
    [outgoing] = unsent(db)
    message = email.message_from_string(outgoing.message)
    subject = str(make_header(decode_header(message["Subject"])))
    assert message["From"] == "bot@watch.example.org" and message["To"] == "a@example.org, b@example.org"
    stored = db.execute("SELECT subject, recipients FROM notifications").fetchone()
    assert stored[0] == subject == "nianbao 年报监测：2个数据不一致"
    assert "a@example.org" in stored[1] and "b@example.org" in stored[1]
    [html] = [p for p in message.walk() if p.get_content_type() == "text/html"]
    page = decoded(html)
    assert page.count('class="offending"') == 2 and "办理结果各项之和为2，但（七）总计为3" in page
    assert "https://watch.example.org/site/agency/agency-" in page  # the agency's page on the site
    [text] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    assert "（七）总计 · 自然人 = 3" in decoded(text)
    # nothing new since: nothing queued
    assert queue_digests(db, config, now="2026-02-16T00:00:00+00:00", today=date(2026, 2, 16)) == 0


def test_without_email_settings_the_digest_comes_from_nianbao_localhost(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    _broken_report(db)
    config = replace(_config(), notify=replace(_config().notify, email=None, outbox_dir=str(tmp_path / "out")))
    run_checks(db, config, as_of=date(2026, 2, 15), now="2026-02-15T00:00:00")
    assert queue_digests(db, config, now="2026-02-15T00:00:00+00:00", today=date(2026, 2, 15)) == 1
    [outgoing] = unsent(db)
    assert email.message_from_string(outgoing.message)["From"] == "nianbao@localhost"
