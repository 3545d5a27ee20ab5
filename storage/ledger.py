"""The ledger of a pass — every list entry read and its fate — and the doubts it leaves: what each
could hide, so that a doubt withholds only the verdicts it could change.

`listed = stored + not_report + failed` holds for every column of every pass (kept per column in
`crawl_columns`); the entries themselves are in `list_entries`, the doubts in `crawl_doubts`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.db import insert_rows

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Doubt:
    """What one pass could not read, and which (agency, year) pairs it could hide."""

    run_id: int
    source: str  # entry | attachment | column
    column_url: str | None
    agency: str | None  # None: any agency the column could list
    year: int | None  # None: any year, up to `upto` when set
    upto: int | None
    reason: str
    detail: str | None = None
    url: str | None = None
    title: str | None = None
    detail_said: str | None = None  # `detail` as a message (JSON), for a column

    def years(self, year: int) -> bool:
        """Whether the doubt could hide a report of `year`."""
        if self.year is not None and self.year != year:
            return False
        return self.upto is None or year <= self.upto


def write_ledger(db: sqlite_utils.Database, run_id: int, portal: str, entries: list[Row], doubts: list[Row]) -> None:
    """Store a pass's entries and doubts (inside the caller's transaction)."""
    insert_rows(  # one prepared statement: a pass closes while others still crawl
        db,
        "list_entries",
        (
            {
                "run_id": run_id,
                "portal": portal,
                "column_key": e["column"],
                "page_url": e["page"],
                "position": e["position"],
                "url": e["url"],
                "title": e["title"],
                "list_date": e["list_date"],
                "date_uncertain": int(bool(e["date_uncertain"])),
                "fate": e["fate"],
                "reason": e["reason"],
                "detail": e["detail"],
                "document_url": e["document"],
                "agency": e.get("agency"),
                "year": e.get("year"),
            }
            for e in entries
        ),
    )
    db.table("crawl_doubts").insert_all(({"run_id": run_id, "portal": portal, **d} for d in doubts), batch_size=500)


def doubts_by_run(db: sqlite_utils.Database) -> dict[int, list[Doubt]]:
    """Every pass's doubts, by pass."""
    out: dict[int, list[Doubt]] = defaultdict(list)
    if not db["crawl_doubts"].exists():
        return {}
    columns = "run_id, source, column_url, agency, year, upto, reason, detail, url, title, detail_said"
    for row in db.query(f"SELECT {columns} FROM crawl_doubts ORDER BY id"):
        out[row["run_id"]].append(Doubt(**row))
    return dict(out)


def entries_of(db: sqlite_utils.Database, run_id: int) -> list[Row]:
    """A pass's ledger, in the order the entries were read."""
    return list(db.query("SELECT * FROM list_entries WHERE run_id = ? ORDER BY id", [run_id]))


def failed_entries(db: sqlite_utils.Database, run_id: int) -> list[Row]:
    """A pass's failed entries, with the (agency, year) their titles name."""
    return list(db.query("SELECT * FROM list_entries WHERE run_id = ? AND fate = 'failed' ORDER BY id", [run_id]))


def ledger_violations(db: sqlite_utils.Database) -> list[str]:
    """Every column of every pass whose ledger does not add up (`listed = stored + not_report +
    failed`, and as many entries stored as listed); empty when all hold."""
    if not db["list_entries"].exists():
        return []
    out = []
    for row in db.query(
        "SELECT c.run_id, c.column_key, c.listed, c.stored, c.not_report, c.failed, "
        "(SELECT count(*) FROM list_entries e WHERE e.run_id = c.run_id AND e.column_key = c.column_key) AS rows "
        "FROM crawl_columns c JOIN crawl_runs r ON r.id = c.run_id WHERE r.ledger = 1"
    ):
        fates = (row["stored"] or 0) + (row["not_report"] or 0) + (row["failed"] or 0)
        if row["listed"] != fates or row["listed"] != row["rows"]:
            out.append(
                f"pass {row['run_id']}, column {row['column_key']}: listed {row['listed']}, "
                f"stored + not_report + failed = {fates}, entries stored {row['rows']}"
            )
    orphans = db.execute(
        "SELECT count(*) FROM list_entries e JOIN crawl_runs r ON r.id = e.run_id WHERE r.ledger = 1 AND NOT EXISTS "
        "(SELECT 1 FROM crawl_columns c WHERE c.run_id = e.run_id AND c.column_key = e.column_key)"
    ).fetchone()[0]
    if orphans:
        out.append(f"{orphans} entries of no column")
    return out
