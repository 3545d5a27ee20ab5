"""The schema, created and upgraded only here; migrations are append-only, never edited."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("nianbao")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("portals").create({"id": int, "name": str, "url": str}, pk="id", not_null={"name"})
    db.table("portals").create_index(["name"], unique=True)
    db.table("agencies").create({"id": int, "name": str, "level": str, "portal": str}, pk="id", not_null={"name"})
    db.table("agencies").create_index(["name"], unique=True)
    db.table("fetches").create(
        {
            "id": int,
            "run_id": int,
            "portal": str,
            "url": str,
            "status": int,
            "outcome": str,
            "bytes": int,
            "duration_ms": int,
            "error": str,
            "etag": str,
            "last_modified": str,
            "sha256": str,
            "fetched_at": str,
        },
        pk="id",
    )
    db.table("fetches").create_index(["url"])
    db.table("documents").create(
        {
            "sha256": str,
            "content": bytes,
            "content_type": str,
            "size": int,
            "first_url": str,
            "first_seen": str,
        },
        pk="sha256",
    )
    db.table("document_urls").create(
        {
            "url": str,
            "sha256": str,
            "portal": str,
            "list_title": str,
            "list_date": str,
            "etag": str,
            "last_modified": str,
            "first_seen": str,
            "last_seen": str,
            "parse_error": str,
            "kind": str,
            "agency": str,
            "year": int,
        },
        pk="url",
        foreign_keys=[("sha256", "documents", "sha256")],
    )
    db.table("reports").create(
        {
            "id": int,
            "agency": str,
            "year": int,
            "title": str,
            "url": str,
            "portal": str,
            "published_at": str,
            "published_source": str,
            "signed_at": str,
            "first_seen": str,
            "format": str,
            "sha256": str,
            "parser_version": str,
            "version": int,
            "is_current": int,
            "superseded_at": str,
            "findings_count": int,
        },
        pk="id",
        foreign_keys=[("sha256", "documents", "sha256")],
    )
    db.table("reports").create_index(["sha256", "parser_version"], unique=True)
    db.table("reports").create_index(["agency", "year"])
    db.table("reports").create_index(["is_current", "agency", "year"])
    # WITHOUT ROWID: the primary key is the table, which halves the size of a 100k-report database
    db.execute("""CREATE TABLE report_cells (
        report_id INTEGER NOT NULL REFERENCES reports(id), part TEXT NOT NULL, row_key TEXT NOT NULL,
        column_key TEXT NOT NULL, value FLOAT,
        PRIMARY KEY (report_id, part, row_key, column_key)) WITHOUT ROWID""")
    db.table("findings").create(
        {
            "id": int,
            "fingerprint": str,
            "agency": str,
            "year": int,
            "portal": str,
            "kind": str,
            "rule": str,
            "severity": str,
            "message": str,
            "evidence": str,
            "report_id": int,
            "url": str,
            "first_seen": str,
            "last_seen": str,
            "resolved_at": str,
            "notified_at": str,
            "resolved_notified_at": str,
            "queued_in": int,
            "resolved_queued_in": int,
            "dismissed_at": str,
            "dismiss_reason": str,
            "snoozed_until": str,
        },
        pk="id",
    )
    db.table("report_findings").create(
        {
            "report_id": int,
            "rule": str,
            "severity": str,
            "message": str,
            "cells": str,
            "raw": str,
        },
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("report_findings").create_index(["report_id"])
    db.table("findings").create_index(["fingerprint"], unique=True)
    db.table("findings").create_index(["agency", "year", "kind"])
    db.table("notifications").create(
        {
            "id": int,
            "created_at": str,
            "sent_at": str,
            "recipients": str,
            "subject": str,
            "body_text": str,
            "body_html": str,
            "finding_ids": str,
            "resolved_ids": str,
            "attempts": int,
            "last_error": str,
        },
        pk="id",
    )
    db.table("crawl_runs").create(
        {
            "id": int,
            "portal": str,
            "started_at": str,
            "finished_at": str,
            "outcome": str,
            "pages": int,
            "reports": int,
            "errors": int,
            "detail": str,
        },
        pk="id",
    )


@migrations()
def m002_views_and_search(db: sqlite_utils.Database) -> None:
    # contentless: the text is already in `documents`; the index alone answers MATCH (rowid = reports.id)
    db.execute("CREATE VIRTUAL TABLE report_search USING fts5(title, agency, body, content='', tokenize='trigram')")
    db.create_view(
        "applications_by_agency_year",
        """
        SELECT r.agency, r.year, c.row_key, c.column_key, c.value, r.id AS report_id
        FROM report_cells c JOIN reports r ON r.id = c.report_id
        WHERE r.is_current = 1 AND c.part = 'applications'""",
        replace=True,
    )
    db.create_view(
        "late_reports",
        """
        SELECT f.agency, f.year, f.message, f.url, f.first_seen, r.published_at
        FROM findings f LEFT JOIN reports r ON r.id = f.report_id
        WHERE f.kind = 'late' AND f.resolved_at IS NULL""",
        replace=True,
    )
    db.create_view(
        "status_by_agency_year",
        """
        WITH keys AS (
            SELECT agency, year FROM reports WHERE is_current = 1 AND agency IS NOT NULL AND year IS NOT NULL
            UNION SELECT agency, year FROM findings WHERE agency IS NOT NULL AND year IS NOT NULL
        ), open AS (
            SELECT agency, year, kind, count(*) AS n FROM findings
            WHERE resolved_at IS NULL AND dismissed_at IS NULL GROUP BY agency, year, kind
        ), flags AS (
            SELECT k.agency, k.year,
                (SELECT max(id) FROM reports r WHERE r.agency = k.agency AND r.year = k.year AND r.is_current = 1)
                    AS report_id,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'late'), 0) AS n_late,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'missing'), 0) AS n_missing,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'inconsistent'), 0) AS n_inconsistent,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'not_assessable'), 0) AS n_not_assessable,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'unreadable'), 0) AS n_unreadable
            FROM keys k
        )
        SELECT agency, year, report_id, (SELECT published_at FROM reports WHERE id = report_id) AS published_at,
            (report_id IS NOT NULL OR n_unreadable > 0) AS found, n_late > 0 AS late, n_missing > 0 AS missing,
            n_inconsistent AS inconsistent, n_not_assessable > 0 AS not_assessable,
            CASE
                WHEN n_missing > 0 THEN 'missing'
                WHEN n_not_assessable > 0 THEN 'not assessable'
                WHEN n_late > 0 THEN 'late'
                WHEN n_inconsistent > 0 THEN 'inconsistent'
                WHEN n_unreadable > 0 THEN 'unreadable'
                WHEN report_id IS NOT NULL THEN 'on time'
                ELSE 'not found'
            END AS status
        FROM flags ORDER BY agency, year""",
        replace=True,
    )


@migrations()
def m003_attachment_filename(db: sqlite_utils.Database) -> None:
    # the name a Content-Disposition header gives an attachment (often the report's real title)
    db.table("document_urls").add_column("filename", str)


@migrations()
def m004_readings(db: sqlite_utils.Database) -> None:
    # how each table row was read (the evidence behind every number), and whether a report finding
    # accuses the report ("inconsistent") or says what nianbao could not read ("unreadable")
    db.table("report_findings").add_column("kind", str, not_null_default="inconsistent")
    db.table("report_rows").create(
        {
            "report_id": int,
            "part": str,
            "row_key": str,
            "label": str,
            "how": str,
            "certain": int,
            "why": str,
            "cells": str,
            "page": int,
            "positions": str,
        },
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("report_rows").create_index(["report_id", "part", "row_key"])
    db.create_view(
        "status_by_agency_year",
        """
        WITH keys AS (
            SELECT agency, year FROM reports WHERE is_current = 1 AND agency IS NOT NULL AND year IS NOT NULL
            UNION SELECT agency, year FROM findings WHERE agency IS NOT NULL AND year IS NOT NULL
        ), open AS (
            SELECT agency, year, kind, count(*) AS n FROM findings
            WHERE resolved_at IS NULL AND dismissed_at IS NULL AND severity != 'info' GROUP BY agency, year, kind
        ), info AS (
            SELECT agency, year, kind, count(*) AS n FROM findings
            WHERE resolved_at IS NULL AND dismissed_at IS NULL GROUP BY agency, year, kind
        ), flags AS (
            SELECT k.agency, k.year,
                (SELECT max(id) FROM reports r WHERE r.agency = k.agency AND r.year = k.year AND r.is_current = 1)
                    AS report_id,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'late'), 0) AS n_late,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'missing'), 0) AS n_missing,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'inconsistent'), 0) AS n_inconsistent,
                coalesce((SELECT n FROM info o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'not_assessable'), 0) AS n_not_assessable,
                coalesce((SELECT n FROM info o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'unreadable'), 0) AS n_unreadable
            FROM keys k
        )
        SELECT agency, year, report_id, (SELECT published_at FROM reports WHERE id = report_id) AS published_at,
            (report_id IS NOT NULL OR n_unreadable > 0) AS found, n_late > 0 AS late, n_missing > 0 AS missing,
            n_inconsistent AS inconsistent, n_not_assessable > 0 AS not_assessable, n_unreadable AS could_not_check,
            CASE
                WHEN n_missing > 0 THEN 'missing'
                WHEN n_not_assessable > 0 THEN 'not assessable'
                WHEN n_late > 0 THEN 'late'
                WHEN n_inconsistent > 0 THEN 'inconsistent'
                WHEN n_unreadable > 0 THEN 'could not be checked'
                WHEN report_id IS NOT NULL THEN 'on time'
                ELSE 'not found'
            END AS status
        FROM flags ORDER BY agency, year""",
        replace=True,
    )


@migrations()
def m005_completeness_and_identity(db: sqlite_utils.Database) -> None:
    # per pass and per column: what the CMS declared and what was read (the evidence behind "missing")
    db.table("crawl_columns").create(
        {
            "id": int,
            "run_id": int,
            "portal": str,
            "column_url": str,
            "cms": str,
            "declared_pages": int,
            "declared_records": int,
            "declared_how": str,
            "read_pages": int,
            "read_records": int,
            "complete": int,
            "reason": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db.table("crawl_columns").create_index(["run_id"])
    # a report the list names but that could not be fetched: found, with the failure, never missing
    db.table("document_urls").add_column("fetch_error", str)
    # one report however it is reached: its identity is its content, and it may have several URLs
    db.table("reports").add_column("content_hash", str)
    db.table("reports").create_index(["agency", "year", "content_hash"])
    db.table("report_urls").create(
        {"report_id": int, "url": str, "sha256": str, "first_seen": str},
        pk=("report_id", "url"),
        foreign_keys=[("report_id", "reports", "id")],
    )


@migrations()
def m006_report_body(db: sqlite_utils.Database) -> None:
    # the normalised text of each report, compressed: to say what changed between two versions
    db.table("reports").add_column("body_z", bytes)


@migrations()
def m007_cells_used(db: sqlite_utils.Database) -> None:
    # every cell a rule read to decide, beside the cells at fault: the digest and the site show those rows
    db.table("report_findings").add_column("used", str)


@migrations()
def m008_messages_as_data(db: sqlite_utils.Database) -> None:
    # a finding's message as a template id and its parameters (JSON), so that it can be shown in any
    # language; the English `message` stays. Messages written before are read back into their template
    # (those that fit none keep `template` NULL and are shown as they were written).
    import json

    from nianbao.core.messages import parse

    for table in ("findings", "report_findings"):
        db.table(table).add_column("template", str)
        db.table(table).add_column("params", str)
        for rowid, message in db.execute(f"SELECT rowid, message FROM {table}").fetchall():
            found = parse(message or "")
            if found is not None:
                data = found.to_json()
                db.execute(
                    f"UPDATE {table} SET template = ?, params = ? WHERE rowid = ?",
                    [data["template"], json.dumps(data["params"], ensure_ascii=False), rowid],
                )


@migrations()
def m009_ledger_and_doubts(db: sqlite_utils.Database) -> None:
    # the ledger: every entry of every list page read, with its fate (stored | not_report | failed)
    db.table("list_entries").create(
        {
            "id": int,
            "run_id": int,
            "portal": str,
            "column_key": str,
            "page_url": str,
            "position": int,
            "url": str,
            "title": str,
            "list_date": str,
            "date_uncertain": int,
            "fate": str,
            "reason": str,
            "detail": str,
            "document_url": str,
            "agency": str,  # whose report the title names (None when it names none)
            "year": int,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db.table("list_entries").create_index(["run_id"])
    db.table("list_entries").create_index(["url"])
    # what withholds verdicts: each doubt of a pass covers (agency or the column's agencies) × (a year,
    # the years up to `upto`, or every year)
    db.table("crawl_doubts").create(
        {
            "id": int,
            "run_id": int,
            "portal": str,
            "column_key": str,
            "column_url": str,
            "source": str,  # entry | attachment | column
            "agency": str,  # None: every agency the column could list
            "year": int,  # None: any year (up to `upto` when that is set)
            "upto": int,
            "reason": str,
            "detail": str,
            "url": str,
            "title": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db.table("crawl_doubts").create_index(["run_id"])
    # how a pass ended, in one word (refused, dns, timeout, tls, http_5xx, challenge, robots …), and
    # whether it kept a ledger (passes before this step did not: only a complete one is evidence)
    db.table("crawl_runs").add_column("cause", str)
    db.table("crawl_runs").add_column("ledger", int)
    for name, kind in (
        ("column_key", str),
        ("listed", int),
        ("stored", int),
        ("not_report", int),
        ("failed", int),
        ("unread_upto", int),
        ("unread_order", str),
    ):
        db.table("crawl_columns").add_column(name, kind)
    # each evaluation: how many watched (agency, year) pairs past their deadline got a verdict
    db.table("check_runs").create({"id": int, "checked_at": str, "as_of": str, "due": int, "assessed": int}, pk="id")


@migrations()
def m010_agency_matches(db: sqlite_utils.Database) -> None:
    # whose report each stored report is, as the last `check` decided from its name (nianbao.core.agencies):
    # one row per report (or unreadable document) whose name is not a watched agency's as written —
    # `agency` is the watched agency it maps to, NULL when it maps to none (`how` "unmatched": it keeps
    # its own name) or could be two ("ambiguous", `candidates`: it counts for nobody); both are listed
    db.table("agency_matches").create(
        {
            "report_id": int,
            "url": str,
            "portal": str,
            "written": str,
            "year": int,
            "agency": str,
            "how": str,
            "candidates": str,
        },
    )
    db.table("agency_matches").create_index(["report_id"])
    db.table("agency_matches").create_index(["agency"])
    # the status view under the watched names: a report mapped to a watched agency counts as that
    # agency's, under its own name no more; an unmatched one keeps its own name; one that could be two
    # watched agencies ("ambiguous") counts for neither.  `keys` groups one UNION ALL, which gives each
    # (agency, year) its newest report too, with no lookup per key (measured as fast as the view before); a key
    # that only a renamed report gave (f = 0, no report left under it) is dropped at the end
    db.create_view(
        "status_by_agency_year",
        """
        WITH keys AS (
            SELECT agency, year, max(f) AS f, max(id) AS report_id FROM (
                SELECT agency, year, 0 AS f, CASE WHEN EXISTS (SELECT 1 FROM agency_matches m WHERE m.report_id = r.id
                    AND (m.agency IS NOT NULL OR m.how = 'ambiguous')) THEN NULL ELSE r.id END AS id
                    FROM reports r WHERE is_current = 1 AND agency IS NOT NULL AND year IS NOT NULL
                UNION ALL SELECT m.agency, r.year, 0, r.id FROM agency_matches m CROSS JOIN reports r ON r.id = m.report_id
                    WHERE m.agency IS NOT NULL AND r.is_current = 1 AND r.year IS NOT NULL
                UNION ALL SELECT agency, year, 1, NULL FROM findings WHERE agency IS NOT NULL AND year IS NOT NULL
            ) GROUP BY agency, year
        ), open AS (
            SELECT agency, year, kind, count(*) AS n FROM findings
            WHERE resolved_at IS NULL AND dismissed_at IS NULL AND severity != 'info' GROUP BY agency, year, kind
        ), info AS (
            SELECT agency, year, kind, count(*) AS n FROM findings
            WHERE resolved_at IS NULL AND dismissed_at IS NULL GROUP BY agency, year, kind
        ), flags AS (
            SELECT k.agency, k.year, k.f, k.report_id,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'late'), 0) AS n_late,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'missing'), 0) AS n_missing,
                coalesce((SELECT n FROM open o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'inconsistent'), 0) AS n_inconsistent,
                coalesce((SELECT n FROM info o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'not_assessable'), 0) AS n_not_assessable,
                coalesce((SELECT n FROM info o WHERE o.agency = k.agency AND o.year = k.year AND o.kind = 'unreadable'), 0) AS n_unreadable
            FROM keys k
        )
        SELECT agency, year, report_id, (SELECT published_at FROM reports WHERE id = report_id) AS published_at,
            (report_id IS NOT NULL OR n_unreadable > 0) AS found, n_late > 0 AS late, n_missing > 0 AS missing,
            n_inconsistent AS inconsistent, n_not_assessable > 0 AS not_assessable, n_unreadable AS could_not_check,
            CASE
                WHEN n_missing > 0 THEN 'missing'
                WHEN n_not_assessable > 0 THEN 'not assessable'
                WHEN n_late > 0 THEN 'late'
                WHEN n_inconsistent > 0 THEN 'inconsistent'
                WHEN n_unreadable > 0 THEN 'could not be checked'
                WHEN report_id IS NOT NULL THEN 'on time'
                ELSE 'not found'
            END AS status
        FROM flags WHERE report_id IS NOT NULL OR f = 1 ORDER BY agency, year""",
        replace=True,
    )


@migrations()
def m011_content_identity(db: sqlite_utils.Database) -> None:
    """A report's content identity now reads its cells and its prose sentences only, leaving out the
    title heading, running headers, page numbers and a page's chrome (storage.content): the article
    page and its DOCX attachment of one report are one report.  Every stored report gets the new
    identity, computed from what the database keeps of it (its cells, its body as stored, its title
    and agency): exactly what a new parse of the same document gives, so a report stored before is
    recognised when it is read again.  Recomputed rather than tolerated: two kinds of hash side by
    side would have to be compared forever.  A report stored before its body was kept (m006) keeps
    the hash it had; it is matched by its bytes, and a change to it is judged by its cells alone.
    This runs storage.content as it is when the database is upgraded: a later change to what counts
    as a report's own content needs a migration of its own that computes the identity again."""
    import zlib

    from storage.content import identity, sentences

    rows = db.execute("SELECT id, agency, year, title, body_z FROM reports WHERE body_z IS NOT NULL").fetchall()
    for report_id, agency, year, title, body_z in rows:
        cells = db.execute(
            "SELECT part, row_key, column_key, value FROM report_cells WHERE report_id = ? AND value IS NOT NULL",
            [report_id],
        ).fetchall()
        prose = sentences(zlib.decompress(body_z).decode("utf-8").split("\n"), title=title, agency=agency)
        db.execute(
            "UPDATE reports SET content_hash = ? WHERE id = ?",
            [identity(agency, year, [tuple(c) for c in cells], prose), report_id],
        )


@migrations()
def m012_channel_outbox(db: sqlite_utils.Database) -> None:
    """Each delivery of a digest is its own outbox entry: the email (channel NULL) and each
    [[notify.channels]] robot by its name, each with its own attempts, error and sent_at, so a
    robot that fails is retried alone and never resends the email."""
    db.table("notifications").add_column("channel", str)


@migrations()
def m013_reasons_as_data(db: sqlite_utils.Database) -> None:
    # why a column was not read completely, as a message (template and parameters, JSON) beside the
    # English `reason`, so that status and the site say it in the reader's language
    db.table("crawl_columns").add_column("reason_said", str)
    db.table("crawl_doubts").add_column("detail_said", str)


@migrations()
def m014_scans(db: sqlite_utils.Database) -> None:
    """Reports read from scans by OCR: `reports.kind` says what a report was read from ("scan" for
    OCR; NULL before this step), `report_rows.ocr` keeps each value cell's two readings (JSON, as
    `RowReading.to_json` gives them), and `cell_crops` the small grey PNG of each uncertain or
    offending cell of a scan, which the site shows beside its number."""
    db.execute("ALTER TABLE reports ADD COLUMN kind TEXT")
    db.execute("ALTER TABLE report_rows ADD COLUMN ocr TEXT")
    db.execute(
        "CREATE TABLE cell_crops (report_id INTEGER NOT NULL REFERENCES reports(id), address TEXT NOT NULL, "
        "png BLOB NOT NULL, PRIMARY KEY (report_id, address))"
    )


@migrations()
def m015_doubts_as_data(db: sqlite_utils.Database) -> None:
    """How a row was read, its reasons for doubt as messages: `report_rows.doubts` (JSON, a list of
    {"template", "params"}) beside the English `why`, which stays (queries read it), so that the site
    says them in the reader's language.  Rows stored before are read back from their English by
    regular expressions (`messages.doubts_of`); a reason that fits no template stays as its English."""
    import json

    from nianbao.core.messages import doubts_of, doubts_to_json

    db.execute("ALTER TABLE report_rows ADD COLUMN doubts TEXT")
    for rowid, why in db.execute("SELECT rowid, why FROM report_rows WHERE why IS NOT NULL AND why != ''").fetchall():
        data = json.dumps(doubts_to_json(doubts_of(why)), ensure_ascii=False)
        db.execute("UPDATE report_rows SET doubts = ? WHERE rowid = ?", [data, rowid])
