"""Read-only queries behind the status site: the agency × year grid, an agency's reports and
findings, a rule's cases, a portal's passes, and the yearly totals for the trends.  Each is one
query a SQL user could run themselves; none writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from nianbao.core.findings import StoredFinding
from storage.findings import as_stored

Row = dict[str, Any]


def configured_agencies(db: sqlite_utils.Database) -> list[Row]:
    """The configured agencies (name, level, portal), as the last `check` mirrored them."""
    if not db["agencies"].exists():
        return []
    return list(db.query("SELECT name, level, portal FROM agencies ORDER BY name"))


def configured_portals(db: sqlite_utils.Database) -> list[Row]:
    if not db["portals"].exists():
        return []
    return list(db.query("SELECT name, url FROM portals ORDER BY name"))


def status_grid(db: sqlite_utils.Database) -> list[Row]:
    """One row per agency and year with its status (the `status_by_agency_year` view), and the
    portal of its current report."""
    return list(
        db.query(
            "SELECT s.*, (SELECT portal FROM reports WHERE id = s.report_id) AS report_portal "
            "FROM status_by_agency_year s ORDER BY agency, year"
        )
    )


def all_reports(db: sqlite_utils.Database) -> Iterator[Row]:
    """Every stored version of every attributed report (no text, no bytes), newest version first,
    under the watched agency the last check mapped its name to (`agency_matches`; one that could be
    two agencies is left out: under its own name it might show on a look-alike's page).  Streamed,
    by agency (by name, as Python orders strings): the site takes them agency by agency."""
    return iter(
        db.query(
            "SELECT r.id, coalesce(m.agency, r.agency) AS agency, r.year, r.title, r.url, r.portal, r.published_at, "
            "r.published_source, r.first_seen, r.version, r.is_current, r.format, r.superseded_at, r.kind "
            "FROM reports r "
            "LEFT JOIN agency_matches m ON m.report_id = r.id WHERE r.agency IS NOT NULL AND m.how IS NOT 'ambiguous' "
            "ORDER BY 2, r.year DESC, r.version DESC, r.id DESC"
        )
    )


def current_report_urls(db: sqlite_utils.Database) -> Iterator[Row]:
    """`report_urls` of every current report that `all_reports` lists, in one query streamed in its
    order of agencies (the site shows them on agency pages): each row with its report's id and
    agency."""
    return iter(
        db.query(
            "SELECT coalesce(m.agency, r.agency) AS agency, u.report_id, u.url, d.kind, d.filename, d.list_title "
            "FROM report_urls u JOIN reports r ON r.id = u.report_id LEFT JOIN document_urls d ON d.url = u.url "
            "LEFT JOIN agency_matches m ON m.report_id = r.id "
            "WHERE r.is_current = 1 AND r.agency IS NOT NULL AND m.how IS NOT 'ambiguous' "
            "ORDER BY 1, u.report_id, u.first_seen, u.url"
        )
    )


def report_urls(db: sqlite_utils.Database, report_id: int) -> list[Row]:
    """The URLs that served the report (pages and attachments), with their file names."""
    return list(
        db.query(
            "SELECT u.url, d.kind, d.filename, d.list_title FROM report_urls u "
            "LEFT JOIN document_urls d ON d.url = u.url WHERE u.report_id = ? ORDER BY u.first_seen, u.url",
            [report_id],
        )
    )


def report_rows(db: sqlite_utils.Database, report_id: int) -> list[Row]:
    """How each row was read (label as printed, certain or not, why: `doubts` as data, `why` in English)."""
    return list(
        db.query(
            "SELECT part, row_key, label, how, certain, why, doubts FROM report_rows "
            "WHERE report_id = ? ORDER BY rowid",
            [report_id],
        )
    )


def findings_where(
    db: sqlite_utils.Database,
    *,
    agency: str | None = None,
    rule: str | None = None,
    portal: str | None = None,
    include_closed: bool = False,
) -> list[StoredFinding]:
    """Findings about an agency, of a rule, or about a portal; open ones unless `include_closed`."""
    where, params = [], []
    for column, value in (("agency", agency), ("rule", rule), ("portal", portal)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if not include_closed:
        where.append("resolved_at IS NULL AND dismissed_at IS NULL")
    sql = "SELECT * FROM findings" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY year DESC, id"
    return [as_stored(row) for row in db.query(sql, params)]


# what a page shows of a finding, and what StoredFinding needs besides (not its lifecycle: a page
# does not show it, and a province's site holds tens of thousands of these rows at once)
SHOWN_COLUMNS = (
    "id, kind, agency, year, portal, rule, severity, message, evidence, report_id, url, first_seen, template, params"
)


def open_finding_rows(db: sqlite_utils.Database) -> Iterator[Row]:
    """Every open finding as stored (`findings_where`'s rows, in its order, not yet read into
    StoredFinding: the site compares them with the last build's before it reads any), with the
    columns a page shows; streamed."""
    return iter(
        db.query(
            f"SELECT {SHOWN_COLUMNS} FROM findings WHERE resolved_at IS NULL AND dismissed_at IS NULL "
            "ORDER BY year DESC, id"
        )
    )


def open_findings(db: sqlite_utils.Database) -> list[StoredFinding]:
    """Every open finding (not resolved, not dismissed), "not assessable" included."""
    return findings_where(db)


def passes_of(db: sqlite_utils.Database, portal: str, *, limit: int = 10) -> list[Row]:
    """The portal's last passes, newest first, each with its columns (declared against read)."""
    runs = list(db.query("SELECT * FROM crawl_runs WHERE portal = ? ORDER BY id DESC LIMIT ?", [portal, limit]))
    for index, run in enumerate(runs):
        run["columns"] = list(db.query("SELECT * FROM crawl_columns WHERE run_id = ? ORDER BY id", [run["id"]]))
        # the last pass's ledger: every entry that was not stored, failures first
        run["entries"] = (
            list(
                db.query(
                    "SELECT title, url, fate, reason, detail FROM list_entries WHERE run_id = ? AND fate != 'stored' "
                    "AND reason != 'column' ORDER BY fate != 'failed', id",
                    [run["id"]],
                )
            )
            if index == 0 and run.get("ledger")
            else []
        )
    return runs


def crawled_portals(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT portal FROM crawl_runs ORDER BY portal").fetchall()]


def application_totals(
    db: sqlite_utils.Database, rows: tuple[str, ...], *, report_ids: list[int] | None = None
) -> Iterator[Row]:
    """Per year and agency (the watched agency a report maps to): the `total` column of the given
    rows of table 3, from current reports (rows read with certainty only: a doubtful row does not go
    into a trend); each with its report's id.  `report_ids`: of those reports only.  Streamed: a
    province's are a million rows, which the site only sums."""
    marks = ",".join("?" for _ in rows)
    only = f"AND c.report_id IN ({','.join('?' for _ in report_ids)}) " if report_ids is not None else ""
    return iter(
        db.query(
            "SELECT c.report_id, r.year, coalesce(m.agency, r.agency) AS agency, c.row_key, c.value "
            "FROM report_cells c JOIN reports r ON r.id = c.report_id LEFT JOIN agency_matches m ON m.report_id = r.id "
            "WHERE r.is_current = 1 AND r.year IS NOT NULL AND c.part = 'applications' AND c.column_key = 'total' "
            f"AND c.row_key IN ({marks}) {only}AND EXISTS (SELECT 1 FROM report_rows w WHERE w.report_id = c.report_id "
            "AND w.part = c.part AND w.row_key = c.row_key AND w.certain = 1)",
            [*rows, *(report_ids or [])],
        )
    )


def current_report_agencies(db: sqlite_utils.Database) -> list[Row]:
    """Every current report with a year: its id, year and the agency it counts for in the trends
    (as `application_totals` maps it)."""
    return list(
        db.query(
            "SELECT r.id, r.year, coalesce(m.agency, r.agency) AS agency FROM reports r "
            "LEFT JOIN agency_matches m ON m.report_id = r.id WHERE r.is_current = 1 AND r.year IS NOT NULL "
            "ORDER BY r.id"
        )
    )
