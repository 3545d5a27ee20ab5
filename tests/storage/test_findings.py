"""The findings lifecycle at the storage level: each finding once, reopened findings are told
again, dismissed and snoozed ones are not, and the outbox marks exactly what the server accepted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from nianbao.core.errors import StorageError
from nianbao.core.findings import FindingRecord
from storage.db import open_db
from storage.findings import dismiss, get_finding, list_findings, mark_queued, pending_findings, reopen, upsert_findings
from storage.notifications import mark_failed, mark_sent, queue_digest, set_message, unsent

LATE = FindingRecord(
    kind="late",
    agency="某某县恭门镇人民政府",
    year=2025,
    portal="县",
    rule="deadline",
    severity="warning",
    message="late",
)
MISSING = FindingRecord(
    kind="missing",
    agency="某某县红旗乡人民政府",
    year=2025,
    portal="县",
    rule="deadline",
    severity="error",
    message="gone",
)
INFO = FindingRecord(
    kind="not_assessable",
    agency="某某县马关镇人民政府",
    year=2025,
    portal="县",
    rule="deadline",
    severity="info",
    message="?",
)


@pytest.fixture()
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_db(str(tmp_path / "n.db"))


def _notify_all(db: sqlite_utils.Database, today: date, now: str) -> list[int]:
    """What a digest run does: queue what is pending, then the server accepts it."""
    new, resolved = pending_findings(db, today)
    nid = queue_digest(db, now=now, recipients=["w@x"], new=[f.id for f in new], resolved=[f.id for f in resolved])
    set_message(db, nid, subject="s", message="m")
    mark_queued(db, nid, new=[f.id for f in new], resolved=[f.id for f in resolved])
    [outgoing] = unsent(db)
    mark_sent(db, outgoing, now=now)
    return [f.id for f in new]


def test_each_finding_is_stored_once_and_resolved_when_its_cause_goes(db: sqlite_utils.Database) -> None:
    assert upsert_findings(db, [LATE, MISSING], now="2026-04-15") == {
        "opened": 2,
        "updated": 0,
        "reopened": 0,
        "resolved": 0,
    }
    assert upsert_findings(db, [LATE, MISSING], now="2026-04-16")["updated"] == 2
    assert upsert_findings(db, [LATE], now="2026-04-17")["resolved"] == 1
    assert [f.kind for f in list_findings(db)] == ["late"]
    assert {f.kind: f.resolved_at for f in list_findings(db, include_closed=True)} == {
        "late": None,
        "missing": "2026-04-17",
    }


def test_a_finding_that_comes_back_is_told_again(db: sqlite_utils.Database) -> None:
    upsert_findings(db, [MISSING], now="2026-04-15")
    [fid] = _notify_all(db, date(2026, 4, 15), "2026-04-15")
    assert pending_findings(db, date(2026, 4, 16)) == ([], [])
    upsert_findings(db, [], now="2026-04-16")  # resolved: the report appeared
    new, resolved = pending_findings(db, date(2026, 4, 16))
    assert new == [] and [f.id for f in resolved] == [fid]  # its resolution is news too
    _notify_all(db, date(2026, 4, 16), "2026-04-16")
    assert upsert_findings(db, [MISSING], now="2026-04-20")["reopened"] == 1  # and it went away again
    reopened = get_finding(db, fid)
    assert reopened.resolved_at is None and reopened.notified_at is None
    new, _ = pending_findings(db, date(2026, 4, 20))
    assert [f.id for f in new] == [fid]


def test_snoozed_and_dismissed_findings_are_not_sent(db: sqlite_utils.Database) -> None:
    upsert_findings(db, [LATE, MISSING, INFO], now="2026-04-15")
    late, missing = (f.id for f in list_findings(db))
    dismiss(db, late, reason="published on paper first", now="2026-04-15")
    dismiss(db, missing, reason="asked the office", now="2026-04-15", until="2026-05-01")
    assert pending_findings(db, date(2026, 4, 30)) == ([], [])  # info findings are never mailed either
    new, _ = pending_findings(db, date(2026, 5, 2))
    assert [f.id for f in new] == [missing]  # the snooze is over; the dismissal is for good
    reopen(db, late)
    new, _ = pending_findings(db, date(2026, 5, 2))
    assert [f.id for f in new] == [late, missing]
    with pytest.raises(StorageError):
        dismiss(db, 999, reason="x", now="2026-04-15")


def test_a_queued_finding_joins_no_second_digest_and_a_failed_send_marks_nothing(db: sqlite_utils.Database) -> None:
    upsert_findings(db, [MISSING], now="2026-04-15")
    new, _ = pending_findings(db, date(2026, 4, 15))
    nid = queue_digest(db, now="2026-04-15", recipients=["w@x"], new=[f.id for f in new], resolved=[])
    mark_queued(db, nid, new=[f.id for f in new], resolved=[])
    assert pending_findings(db, date(2026, 4, 15)) == ([], [])
    [outgoing] = unsent(db)
    mark_failed(db, outgoing, error="connection refused")
    assert get_finding(db, new[0].id).notified_at is None
    [again] = unsent(db)
    assert again.attempts == 1
    mark_sent(db, again, now="2026-04-16")
    assert get_finding(db, new[0].id).notified_at == "2026-04-16" and unsent(db) == []


def test_a_finding_keeps_its_evidence_and_its_message_as_data(db: sqlite_utils.Database) -> None:
    """What was stored comes back as it was: the evidence, and the message as template and
    parameters (readable in the database: the Chinese is not \\u-escaped)."""
    from nianbao.core.messages import said

    message = said("applications.outcome_total", where=said("where.column", column="natural_person"), given=2, total=3)
    record = FindingRecord(
        kind="inconsistent",
        agency="某某县龙山镇人民政府",
        year=2025,
        portal="县",
        rule="applications.outcome_total",
        severity="error",
        message=message.en,
        said=message,
        evidence={"cells": "applications.total.natural_person", "raw": "（七）总计 3"},
        key="applications.total.natural_person",
    )
    upsert_findings(db, [record], now="2026-04-15T00:00:00")
    [stored] = list_findings(db)
    assert stored.evidence == record.evidence and stored.said == message
    assert stored.text("zh_CN") == "自然人一列：办理结果各项之和为2，但（七）总计为3"
    row = db.execute("SELECT evidence, template, params FROM findings").fetchone()
    assert "（七）总计 3" in row[0] and row[1] == "applications.outcome_total" and '"natural_person"' in row[2]
    assert get_finding(db, stored.id).said == message


def test_a_finding_that_holds_is_updated_and_reopenings_are_counted(db: sqlite_utils.Database) -> None:
    from dataclasses import replace

    upsert_findings(db, [LATE, MISSING], now="2026-04-15T00:00:00")
    counts = upsert_findings(db, [replace(LATE, message="late, later")], now="2026-04-16T00:00:00")
    assert counts == {"opened": 0, "updated": 1, "reopened": 0, "resolved": 1}
    assert {f.message for f in list_findings(db)} == {"late, later"}  # what it says now, not what it said
    upsert_findings(db, [], now="2026-04-17T00:00:00")
    again = upsert_findings(db, [LATE, MISSING], now="2026-04-18T00:00:00")
    assert again["reopened"] == 2
