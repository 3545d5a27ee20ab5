"""End to end: sample portals + a real SMTP server; the digest names exactly the planted cases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from nianbao.core.config import Config, EmailSettings
from nianbao.demo import MISSING, demo_plan, missing_agency
from nianbao.pipeline import run_once
from nianbao.sample.portal import Planned, SamplePortal
from nianbao.sample.reports import SampleReport, balanced
from storage.db import open_db
from tests.mail import decoded
from tests.monitoring.conftest import Collector, free_port


@pytest.fixture()
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(demo_plan(), failing_links=False) as running:
        yield running


def _config(portal: SamplePortal, tmp_path: Path, port: int, language: str = "en") -> Config:
    """The sample's configuration, digests in English (their wording is asserted here; the Chinese
    digest has its golden file in test_language.py)."""
    base = portal.config(str(tmp_path / "n.db"))
    return replace(base, agencies=base.agencies + (missing_agency(),)).with_notify(
        email=EmailSettings(
            smtp_host="127.0.0.1", smtp_port=port, sender="nianbao@example.org", to=("watch@example.org",), timeout=5
        ),
        language=language,
    )


def _open_kinds(db: sqlite_utils.Database) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for row in db.query(
        "SELECT kind, coalesce(agency, portal) AS who FROM findings WHERE resolved_at IS NULL "
        "AND kind != 'not_assessable'"
    ):
        kinds.setdefault(row["kind"], set()).add(row["who"])
    return kinds


@pytest.mark.slow
def test_first_digest_names_exactly_the_planted_cases(
    portal: SamplePortal, smtp: tuple[Collector, int], tmp_path: Path
) -> None:
    collector, port = smtp
    config = _config(portal, tmp_path, port)
    db = open_db(config.db_path)
    run_once(config, db, as_of=date(2026, 4, 15))
    assert len(collector.messages) == 1
    assert _open_kinds(db) == {
        "missing": {MISSING},
        "late": {"某某县恭门镇人民政府"},
        "inconsistent": {"某某县龙山镇人民政府"},
        "unreachable": {"某某省人民政府"},
    }
    text = collector.texts()[0]
    assert f"  {MISSING}\n    MISSING 2025" in text
    assert re.search(r"  某某县恭门镇人民政府\n    LATE 2025 #\d+: published 2026-02-20", text)
    assert "  某某县龙山镇人民政府\n    INCONSISTENT 2025 [applications.outcome_total]" in text
    assert re.search(
        r"PORTAL UNREACHABLE #\d+: portal 某某省人民政府 answered with an anti-bot challenge \(blocked\)", text
    )
    clean = [
        p.sample.agency for p in portal.plan if p.sample.agency not in ("某某县恭门镇人民政府", "某某县龙山镇人民政府")
    ]  # 刘堡镇 publishes a PDF only: read, on time
    assert all(f"\n  {agency}\n" not in text for agency in clean)  # the county's 15 March report is on time
    assert collector.messages[0]["To"] == "watch@example.org"
    assert collector.messages[0]["From"] == "nianbao@example.org"  # the configured sender, not a default
    html = [p for p in collector.messages[0].walk() if p.get_content_type() == "text/html"]
    assert html and "<a href='http://127.0.0.1" in decoded(html[0])

    run_once(config, db, as_of=date(2026, 4, 16))
    assert len(collector.messages) == 1  # nothing new: nothing sent

    plan = portal.plan + [
        Planned(
            SampleReport(agency=MISSING, year=2025, applications=balanced(1)),
            "township",
            "county",
            pub="2026-04-16 09:00",
        )
    ]
    portal.republish(plan)
    run_once(config, db, as_of=date(2026, 4, 17))
    assert len(collector.messages) == 2
    resolved = collector.texts()[1]
    assert "Resolved since the last digest (1)" in resolved and MISSING in resolved
    assert re.search(
        r"  某某县红旗乡人民政府\n    LATE 2025 #\d+: published 2026-04-16", resolved
    )  # it did appear, late
    run_once(config, db, as_of=date(2026, 4, 18))
    assert len(collector.messages) == 2


@pytest.mark.slow
def test_mail_server_down_then_sent_once(portal: SamplePortal, smtp: tuple[Collector, int], tmp_path: Path) -> None:
    collector, port = smtp
    down = _config(portal, tmp_path, free_port())  # nothing listens there
    db = open_db(down.db_path)
    result = run_once(down, db, as_of=date(2026, 4, 15))
    assert result.delivery and result.delivery.failed == 1 and result.delivery.sent == 0
    assert db.execute("SELECT count(*) FROM findings WHERE notified_at IS NOT NULL").fetchone()[0] == 0
    pending = db.execute("SELECT count(*) FROM notifications WHERE sent_at IS NULL").fetchone()[0]
    assert pending == 1
    assert down.email is not None
    up = down.with_notify(email=replace(down.email, smtp_port=port))
    run_once(up, db, as_of=date(2026, 4, 16))
    assert len(collector.messages) == 1 and "MISSING 2025" in collector.texts()[0]
    run_once(up, db, as_of=date(2026, 4, 17))
    assert len(collector.messages) == 1


@pytest.mark.slow
def test_dismissed_finding_is_not_notified(portal: SamplePortal, smtp: tuple[Collector, int], tmp_path: Path) -> None:
    from checks.run import run_checks
    from nianbao.crawl_runner import crawl_all
    from notify.outbox import notify
    from storage.findings import dismiss

    collector, port = smtp
    config = _config(portal, tmp_path, port)
    db = open_db(config.db_path)
    crawl_all(config, db, now="2026-04-15T12:00:00+00:00")
    run_checks(db, config, as_of=date(2026, 4, 15), now="2026-04-15T12:00:00+00:00")
    late = db.execute("SELECT id FROM findings WHERE kind = 'late'").fetchone()[0]
    dismiss(db, late, reason="the portal's PubDate is a re-upload date", now="2026-04-15T12:00:00+00:00")
    notify(db, config, now="2026-04-15T12:00:00+00:00", today=date(2026, 4, 15))
    assert "LATE" not in collector.texts()[0] and "MISSING" in collector.texts()[0]
