"""The `findings` table: opened once (a stable fingerprint is UNIQUE), updated while they hold,
resolved when their cause goes away, reopened if it comes back; dismissed or snoozed by a person
with a reason, and then not notified again.  Every read and write of the table is here."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import fields
from datetime import date
from typing import Any

import sqlite_utils

from nianbao.core.errors import StorageError
from nianbao.core.findings import NOTIFIED_KINDS, FindingRecord, StoredFinding
from nianbao.core.messages import Said

_LIFECYCLE_RESET = {
    "resolved_at": None,
    "notified_at": None,
    "queued_in": None,
    "resolved_notified_at": None,
    "resolved_queued_in": None,
}


def _row(record: FindingRecord, now: str) -> dict[str, Any]:
    values = {f.name: getattr(record, f.name) for f in fields(record) if f.name not in ("key", "said")}
    values["evidence"] = json.dumps(record.evidence, ensure_ascii=False)
    values["template"], values["params"] = said_columns(record.said)
    return {**values, "fingerprint": record.fingerprint, "last_seen": now}


def said_columns(said: Said | None) -> tuple[str | None, str | None]:
    """A message as the columns `template` and `params` (JSON) keep it."""
    if said is None:
        return None, None
    data = said.to_json()
    return data["template"], json.dumps(data["params"], ensure_ascii=False)


def said_of(row: dict[str, Any]) -> Said | None:
    """The message of a row (of `findings` or `report_findings`) as data."""
    if not row.get("template"):
        return None
    return Said.from_json({"template": row["template"], "params": json.loads(row.get("params") or "{}")})


def upsert_findings(
    db: sqlite_utils.Database,
    findings: Iterable[FindingRecord],
    *,
    now: str,
    keep: Collection[tuple[str | None, int | None]] = (),
) -> dict[str, int]:
    """Write this evaluation's findings; resolve open ones that no longer hold, except those about
    the (agency, year) pairs in `keep` (not assessable this time: their state stands)."""
    counts = {"opened": 0, "updated": 0, "reopened": 0, "resolved": 0}
    seen: set[str] = set()
    with db.atomic():
        for finding in findings:
            values = _row(finding, now)
            seen.add(values["fingerprint"])
            row = db.execute(
                "SELECT id, resolved_at FROM findings WHERE fingerprint = ?", [values["fingerprint"]]
            ).fetchone()
            if row is None:
                db.table("findings").insert({**values, "first_seen": now})
                counts["opened"] += 1
            elif row[1] is not None:  # it came back: a new cause to tell people about
                db.table("findings").update(row[0], {**values, **_LIFECYCLE_RESET})
                counts["reopened"] += 1
            else:
                db.table("findings").update(row[0], values)
                counts["updated"] += 1
        for fid, fp, agency, year in db.execute(
            "SELECT id, fingerprint, agency, year FROM findings WHERE resolved_at IS NULL"
        ).fetchall():
            if fp not in seen and (agency, year) not in keep:
                db.table("findings").update(fid, {"resolved_at": now})
                counts["resolved"] += 1
    return counts


def as_stored(row: dict[str, Any]) -> StoredFinding:
    values: dict[str, Any] = {f.name: row.get(f.name) for f in fields(StoredFinding)}
    values["evidence"] = json.loads(row.get("evidence") or "{}")
    values["said"] = said_of(row)
    return StoredFinding(**values)


def list_findings(db: sqlite_utils.Database, *, include_closed: bool = False) -> list[StoredFinding]:
    """Open findings (or all of them), oldest first; "not assessable" only with include_closed."""
    where = "" if include_closed else "WHERE resolved_at IS NULL AND dismissed_at IS NULL AND kind != 'not_assessable'"
    return [as_stored(row) for row in db.query(f"SELECT * FROM findings {where} ORDER BY id")]


def get_finding(db: sqlite_utils.Database, finding_id: int) -> StoredFinding:
    row = next(iter(db.query("SELECT * FROM findings WHERE id = ?", [finding_id])), None)
    if row is None:
        raise StorageError(f"no finding with id {finding_id}")
    return as_stored(row)


def pending_findings(db: sqlite_utils.Database, today: date) -> tuple[list[StoredFinding], list[StoredFinding]]:
    """(new, resolved) that no digest holds yet: new ones not dismissed, not snoozed past `today`,
    not mere information; resolved ones whose opening was notified."""
    kinds = ",".join("?" * len(NOTIFIED_KINDS))
    new = db.query(
        f"""SELECT * FROM findings WHERE resolved_at IS NULL AND notified_at IS NULL
        AND queued_in IS NULL AND dismissed_at IS NULL AND (snoozed_until IS NULL OR snoozed_until < ?)
        AND severity != 'info' AND kind IN ({kinds}) ORDER BY id""",
        [today.isoformat(), *NOTIFIED_KINDS],
    )
    resolved = db.query(
        """SELECT * FROM findings WHERE resolved_at IS NOT NULL AND notified_at IS NOT NULL
        AND resolved_notified_at IS NULL AND resolved_queued_in IS NULL AND dismissed_at IS NULL ORDER BY id"""
    )
    return [as_stored(r) for r in new], [as_stored(r) for r in resolved]


def mark_queued(
    db: sqlite_utils.Database, notification_id: int, *, new: Iterable[int], resolved: Iterable[int]
) -> None:
    """The findings of a digest are in the outbox: they join no other digest."""
    for fid in new:
        db.execute("UPDATE findings SET queued_in = ? WHERE id = ?", [notification_id, fid])
    for fid in resolved:
        db.execute("UPDATE findings SET resolved_queued_in = ? WHERE id = ?", [notification_id, fid])


def mark_notified(db: sqlite_utils.Database, *, new: Iterable[int], resolved: Iterable[int], now: str) -> None:
    """The mail server accepted a digest holding these findings."""
    for fid in new:
        db.execute("UPDATE findings SET notified_at = coalesce(notified_at, ?) WHERE id = ?", [now, fid])
    for fid in resolved:
        db.execute(
            "UPDATE findings SET resolved_notified_at = coalesce(resolved_notified_at, ?) WHERE id = ?", [now, fid]
        )


def dismiss(db: sqlite_utils.Database, finding_id: int, *, reason: str, now: str, until: str | None = None) -> None:
    """Dismiss (for good) or snooze (until a date) a finding; either way it is not notified meanwhile."""
    get_finding(db, finding_id)
    if until:
        db.table("findings").update(finding_id, {"snoozed_until": until, "dismiss_reason": reason})
    else:
        db.table("findings").update(finding_id, {"dismissed_at": now, "dismiss_reason": reason})


def reopen(db: sqlite_utils.Database, finding_id: int) -> None:
    """Undo a dismissal or snooze."""
    get_finding(db, finding_id)
    db.table("findings").update(finding_id, {"dismissed_at": None, "snoozed_until": None, "dismiss_reason": None})
