"""Whose report each stored report is (`agency_matches`): written by `check`, which maps the name
a report gives to a watched agency (nianbao.core.agencies), and read by `status`, the site and the
`status_by_agency_year` view.  Only names that are not a watched agency's as written get a row: the
watched agency they map to, or none — "unmatched" (the report keeps its own name) or "ambiguous"
(it could be two watched agencies, and counts for neither) — listed so a person can add an alias."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from storage.db import insert_rows

Row = dict[str, Any]


def report_names(db: sqlite_utils.Database) -> list[Row]:
    """Every stored report (each version) as (id, agency, portal, year, url, is_current): the
    names to map, earlier versions included, so an agency's page shows them too."""
    return list(db.query("SELECT id, agency, portal, year, url, is_current FROM reports"))


def record_matches(db: sqlite_utils.Database, rows: Iterable[Row]) -> None:
    """Replace what the last check decided with `rows` (report_id, url, portal, written, year,
    agency, how, candidates): the configuration may have changed since, so nothing is kept."""
    with db.atomic():
        db.execute("DELETE FROM agency_matches")
        insert_rows(
            db,
            "agency_matches",
            ({**row, "candidates": json.dumps(list(row["candidates"]), ensure_ascii=False)} for row in rows),
        )


def unmatched(db: sqlite_utils.Database, *, portal: str | None = None) -> list[Row]:
    """Current reports and unreadable documents whose name is no watched agency's (or could be two):
    portal, the name as written, year, URL, how (unmatched or ambiguous) and the candidates."""
    if not db["agency_matches"].exists():
        return []
    sql = (
        "SELECT m.portal, m.written, m.year, m.url, m.how, m.candidates FROM agency_matches m "
        "LEFT JOIN reports r ON r.id = m.report_id "
        "WHERE m.agency IS NULL AND (m.report_id IS NULL OR r.is_current = 1)"
    )
    params: list[Any] = []
    if portal is not None:
        sql += " AND m.portal = ?"
        params.append(portal)
    rows = list(db.query(sql + " ORDER BY m.portal, m.written, m.year, m.url", params))
    return [{**row, "candidates": json.loads(row["candidates"] or "[]")} for row in rows]
