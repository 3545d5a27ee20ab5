"""Read-only queries behind `nianbao export` and `nianbao bulletin`: every number of the current
reports in long form, a year's findings with their lifecycle, and the last evaluation.  None writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from nianbao.core.findings import StoredFinding
from storage.findings import as_stored

Row = dict[str, Any]


def current_cells(db: sqlite_utils.Database, *, year: int | None = None) -> Iterator[Row]:
    """Every number of every current report, under the watched agency the last check mapped its name
    to (a report that could be two agencies' is left out, as on the site), with whether its row was
    read with certainty (1, 0, or None when no reading was kept); ordered by agency, year and report.
    Streams: a province holds millions of cells."""
    sql = (
        "SELECT coalesce(m.agency, r.agency) AS agency, r.year, r.id AS report_id, c.part, c.row_key, "
        "c.column_key, c.value, (SELECT w.certain FROM report_rows w WHERE w.report_id = c.report_id "
        "AND w.part = c.part AND w.row_key = c.row_key ORDER BY w.rowid LIMIT 1) AS certain "
        "FROM report_cells c JOIN reports r ON r.id = c.report_id LEFT JOIN agency_matches m ON m.report_id = r.id "
        "WHERE r.is_current = 1 AND r.agency IS NOT NULL AND r.year IS NOT NULL AND m.how IS NOT 'ambiguous'"
    )
    params: list[Any] = []
    if year is not None:
        sql += " AND r.year = ?"
        params.append(year)
    yield from db.query(sql + " ORDER BY 1, r.year, r.id", params)


def findings_of_year(db: sqlite_utils.Database, year: int) -> list[StoredFinding]:
    """The findings about agencies' reports of `year` that are not resolved, dismissed ones included
    (the caller says what it leaves out), oldest first."""
    rows = db.query(
        "SELECT * FROM findings WHERE year = ? AND agency IS NOT NULL AND resolved_at IS NULL ORDER BY id", [year]
    )
    return [as_stored(row) for row in rows]


def last_check(db: sqlite_utils.Database) -> Row | None:
    """The last evaluation (`check_runs`): when, as of which day, and how many pairs got a verdict."""
    if not db["check_runs"].exists():
        return None
    return next(iter(db.query("SELECT * FROM check_runs ORDER BY id DESC LIMIT 1")), None)
