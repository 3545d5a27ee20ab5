"""Findings with a lifecycle: opened once (a stable fingerprint is UNIQUE), updated while they
hold, resolved when their cause goes away, reopened if it comes back; dismissed or snoozed by a
person with a reason, and then not notified again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from typing import Any

import sqlite_utils

from nianbao.core.errors import StorageError


def fingerprint(kind: str, agency: str | None, year: int | None, rule: str | None, key: str = "") -> str:
    """Stable identity of a finding: what kind, about whom, which year, which rule, which cells."""
    raw = "|".join(str(x) for x in (kind, agency or "", year or "", rule or "", key))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def upsert_findings(
    db: sqlite_utils.Database,
    findings: Iterable[dict[str, Any]],
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
            fp = finding["fingerprint"]
            seen.add(fp)
            row = db.execute("SELECT id, resolved_at FROM findings WHERE fingerprint = ?", [fp]).fetchone()
            values = {
                **finding,
                "evidence": json.dumps(finding.get("evidence") or {}, ensure_ascii=False),
                "last_seen": now,
            }
            if row is None:
                db.table("findings").insert({**values, "first_seen": now})
                counts["opened"] += 1
            elif row[1] is not None:  # it came back: a new cause to tell people about
                db.table("findings").update(
                    row[0],
                    {
                        **values,
                        "resolved_at": None,
                        "notified_at": None,
                        "queued_in": None,
                        "resolved_notified_at": None,
                        "resolved_queued_in": None,
                    },
                )
                counts["reopened"] += 1
            else:
                db.table("findings").update(row[0], values)
                counts["updated"] += 1
        for fid, fp, agency, year in db.execute(
            "SELECT id, fingerprint, agency, year FROM findings WHERE resolved_at IS NULL"
        ).fetchall():
            if fp in seen or (agency, year) in keep:
                continue
            db.table("findings").update(fid, {"resolved_at": now})
            counts["resolved"] += 1
    return counts


def dismiss(db: sqlite_utils.Database, finding_id: int, *, reason: str, now: str, until: str | None = None) -> None:
    """Dismiss (for good) or snooze (until a date) a finding; either way it is not notified meanwhile."""
    if db.execute("SELECT 1 FROM findings WHERE id = ?", [finding_id]).fetchone() is None:
        raise StorageError(f"no finding with id {finding_id}")
    if until:
        db.table("findings").update(finding_id, {"snoozed_until": until, "dismiss_reason": reason})
    else:
        db.table("findings").update(finding_id, {"dismissed_at": now, "dismiss_reason": reason})


def reopen(db: sqlite_utils.Database, finding_id: int) -> None:
    """Undo a dismissal or snooze."""
    if db.execute("SELECT 1 FROM findings WHERE id = ?", [finding_id]).fetchone() is None:
        raise StorageError(f"no finding with id {finding_id}")
    db.table("findings").update(finding_id, {"dismissed_at": None, "snoozed_until": None, "dismiss_reason": None})
