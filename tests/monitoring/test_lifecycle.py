"""Changed reports, per-portal recipients, and the one-line error when LibreOffice is missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from nianbao.core.config import EmailSettings
from nianbao.core.errors import UnsupportedFormat
from nianbao.pipeline import run_once
from nianbao.sample.portal import SamplePortal, default_plan
from nianbao.sample.reports import balanced
from storage.db import open_db
from tests.monitoring.conftest import Collector


@pytest.mark.slow
def test_changed_report_is_found_once_and_versions_kept(smtp: tuple[Collector, int], tmp_path: Path) -> None:
    collector, port = smtp
    plan = default_plan()[:4]
    with SamplePortal(plan) as portal:
        base = portal.config(str(tmp_path / "n.db"))
        config = replace(base, portals=base.portals[:1]).with_notify(
            email=EmailSettings(smtp_host="127.0.0.1", smtp_port=port, to=("watch@example.org",)), language="en"
        )
        db = open_db(config.db_path)
        run_once(config, db, as_of=date(2026, 4, 15))
        edited = [
            replace(p, sample=replace(p.sample, applications=balanced(7))) if p.sample.agency == "某某县财政局" else p
            for p in plan
        ]
        portal.republish(edited)
        run_once(config, db, as_of=date(2026, 4, 16))
        run_once(config, db, as_of=date(2026, 4, 17))
    versions = list(db.query("SELECT version, is_current FROM reports WHERE agency = '某某县财政局' ORDER BY id"))
    assert versions == [{"version": 1, "is_current": 0}, {"version": 2, "is_current": 1}]
    changed = list(db.query("SELECT agency, message FROM findings WHERE kind = 'changed'"))
    assert [c["agency"] for c in changed] == ["某某县财政局"] and "version 2" in changed[0]["message"]
    texts = collector.texts()
    assert sum("CHANGED 2025" in t for t in texts) == 1
    assert "numbers changed: applications.granted.natural_person 2 → 7;" in texts[-1]


@pytest.mark.slow
def test_portal_recipients_get_their_portals_findings(smtp: tuple[Collector, int], tmp_path: Path) -> None:
    collector, port = smtp
    with SamplePortal(default_plan()[:3]) as portal:
        base = portal.config(str(tmp_path / "n.db"))
        blocked = replace(base.portals[3], recipients=("province@example.org",), language="en")
        config = replace(base, portals=(base.portals[0], blocked)).with_notify(
            email=EmailSettings(smtp_host="127.0.0.1", smtp_port=port, to=("watch@example.org",))
        )
        run_once(config, open_db(config.db_path), as_of=date(2026, 4, 15))
    to = sorted(m["To"] for m in collector.messages)
    assert to == ["province@example.org", "watch@example.org"]
    province = next(m for m in collector.messages if m["To"] == "province@example.org")
    assert "unreachable" in province["Subject"]  # its recipients asked for English
    watch = next(m for m in collector.messages if m["To"] == "watch@example.org")
    subject = str(make_header(decode_header(watch["Subject"])))
    assert "网站无法读取" in subject  # the default recipients read Chinese ([notify] language)


def test_doc_without_libreoffice_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from parsers import office, parse_bytes

    monkeypatch.setattr(office, "soffice", lambda: None)
    with pytest.raises(UnsupportedFormat, match="needs LibreOffice"):
        parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), source="report.wps")
