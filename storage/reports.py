"""Parsed reports, their numbers in long form, and full-text search; with history.

A report edited after publication gets a new version (new content for the same agency and year);
a document re-parsed by a newer parser gets a new row for that parser version.  Only the newest row
is `is_current`; nothing is deleted.  What counts as the same content is `storage.content`'s: the
cells and the prose sentences, not the page or document around them, so an article page and its
DOCX/PDF attachment of one report are one report with two URLs (each URL keeps its document).  What a new version would
replace (`replaces`) can be asked first: a copy that lost parts the current version has is a cut
fetch, not an edit.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from nianbao.core.messages import doubts_to_json
from nianbao.core.report import (
    APPLICANT_COLUMNS,
    PART_TITLES,
    REVIEW_FIELDS,
    Finding,
    Report,
)
from storage.content import StoredForm, cell_rows, form_of, sentences
from storage.db import insert_row, insert_rows

PARSER_VERSION = "2"  # 2: rows placed by template order, readings with certainty


def save_report(
    db: sqlite_utils.Database,
    report: Report,
    findings: list[Finding],
    *,
    sha256: str,
    now: str,
    url: str | None = None,
    portal: str | None = None,
    published_source: str | None = None,
    parser_version: str = PARSER_VERSION,
    form: StoredForm | None = None,
) -> int:
    """Store one parsed report atomically.  The same document again changes nothing; the same
    report reached under another URL (the same cells and sentences in other bytes: another page's
    chrome, the article page's attachment) becomes another URL of the stored report, not a new
    version.  So does a URL that still shows the content it showed, while another URL of the report
    changed (a page left as it was beside its edited attachment): a new version needs new content
    from the URL that shows it."""
    existing = db.execute(
        "SELECT id FROM reports WHERE sha256 = ? AND parser_version = ?", [sha256, parser_version]
    ).fetchone()
    if existing:
        _link(db, int(existing[0]), url, sha256, now)
        return int(existing[0])
    cells = list(cell_rows(report))  # once: its identity and its rows read them
    form = form_of(report, form, cells)  # `form`: computed by the parse worker, when it was
    digest = form.identity
    same = _same_content(db, report, digest, url, parser_version) if report.agency and report.year else None
    if same is not None:
        _link(db, same, url, sha256, now)
        return same
    with db.atomic():
        version = _version(db, report, sha256, digest)
        first_seen = db.execute("SELECT min(first_seen) FROM reports WHERE sha256 = ?", [sha256]).fetchone()[0]
        _supersede(db, sha256=sha256, agency=report.agency, year=report.year, now=now)
        report_id = insert_row(  # a prepared statement: sqlite-utils' insert looks the table up each time
            db,
            "reports",
            {
                "agency": report.agency,
                "year": report.year,
                "title": report.title,
                "url": url,
                "portal": portal,
                "published_at": report.published_at,
                "published_source": published_source if report.published_at else None,
                "signed_at": report.signed_at,
                "first_seen": first_seen or now,
                "format": report.format,
                "sha256": sha256,
                "parser_version": parser_version,
                "version": version,
                "is_current": 1,
                "findings_count": len(findings),
                "content_hash": digest,
                "body_z": form.body_z,
                "kind": report.kind,
            },
        )
        _save_contents(db, report_id, report, findings, cells)
        _link(db, report_id, url, sha256, now)
    return report_id


def _same_content(
    db: sqlite_utils.Database, report: Report, digest: str, url: str | None, parser_version: str
) -> int | None:
    """The stored report this one is (its id), or None when it is new content: the current report
    of its agency and year with this content; else the one this URL last showed, when it shows the
    same content still."""
    current = db.execute(
        "SELECT id FROM reports WHERE agency = ? AND year = ? AND content_hash = ? AND parser_version = ? "
        "AND is_current = 1",
        [report.agency, report.year, digest, parser_version],
    ).fetchone()
    if current:
        return int(current[0])
    if url is None:
        return None
    last = db.execute(
        "SELECT r.id, r.content_hash FROM report_urls u JOIN reports r ON r.id = u.report_id "
        "WHERE u.url = ? AND r.agency = ? AND r.year = ? AND r.parser_version = ? "
        "ORDER BY u.first_seen DESC, r.id DESC LIMIT 1",
        [url, report.agency, report.year, parser_version],
    ).fetchone()
    return int(last[0]) if last and last[1] == digest else None


@dataclass(frozen=True, slots=True)
class Current:
    """The current version of a report, as a new one would replace it."""

    id: int
    version: int
    url: str | None
    parts: frozenset[str] | None  # which of the six parts it has; None for a legacy report (not six parts)


def replaces(
    db: sqlite_utils.Database,
    report: Report,
    *,
    sha256: str,
    parser_version: str = PARSER_VERSION,
    form: StoredForm | None = None,
) -> Current | None:
    """The current version that `save_report` would supersede with `report` as a new version of the
    same agency and year; None when storing it would make no new version (these bytes or this
    content are stored already, the report names no agency or year, or it is the first version)."""
    if not (report.agency and report.year):
        return None
    if db.execute("SELECT 1 FROM reports WHERE sha256 = ? AND parser_version = ?", [sha256, parser_version]).fetchone():
        return None
    row = db.execute(
        "SELECT id, version, url, format, content_hash FROM reports WHERE agency = ? AND year = ? AND is_current = 1 "
        "ORDER BY id DESC LIMIT 1",
        [report.agency, report.year],
    ).fetchone()
    if row is None or row[4] == form_of(report, form).identity:
        return None
    report_id, version, url, form, _ = row
    return Current(int(report_id), int(version), url, None if form == "legacy" else parts_of(db, int(report_id)))


def parts_of(db: sqlite_utils.Database, report_id: int) -> frozenset[str]:
    """Which of the six parts a stored report has: all but those its `report.sections` finding says
    were not found (the parser's own count, kept with the report; the text is not parsed again)."""
    missing = db.execute(
        "SELECT cells FROM report_findings WHERE report_id = ? AND rule = 'report.sections' AND "
        "(template = 'report.sections.missing' OR (template IS NULL AND message LIKE '%of the six parts not found%'))",
        [report_id],
    ).fetchone()
    lost = set((missing[0] or "").split(",")) if missing else set()
    return frozenset(part for part in PART_TITLES if part not in lost)


def parsed_before(
    db: sqlite_utils.Database, sha256: str, *, parser_version: str = PARSER_VERSION
) -> tuple[int, str | None, int | None] | None:
    """The report these exact bytes gave this parser, as (id, agency, year); None when they are new."""
    row = db.execute(
        "SELECT id, agency, year FROM reports WHERE sha256 = ? AND parser_version = ? ORDER BY id DESC LIMIT 1",
        [sha256, parser_version],
    ).fetchone()
    return (int(row[0]), row[1], row[2]) if row else None


def add_url(db: sqlite_utils.Database, report_id: int, *, url: str, sha256: str, now: str) -> None:
    """One more URL that serves a stored report."""
    _link(db, report_id, url, sha256, now)


def _link(db: sqlite_utils.Database, report_id: int, url: str | None, sha256: str, now: str) -> None:
    """One more URL that serves the report (a duplicate listing, another column, an attachment link)."""
    if url:
        insert_row(
            db, "report_urls", {"report_id": report_id, "url": url, "sha256": sha256, "first_seen": now}, ignore=True
        )


def _supersede(db: sqlite_utils.Database, *, sha256: str, agency: str | None, year: int | None, now: str) -> None:
    """The rows this one replaces stop being current: the same document parsed by an older parser,
    and the agency's earlier version for the year."""
    # two statements, not one with OR, so each uses its own index (an OR made SQLite scan every current
    # report); "+is_current" keeps the planner on the sha256 index
    db.execute(
        "UPDATE reports SET is_current = 0, superseded_at = ? WHERE sha256 = ? AND +is_current = 1", [now, sha256]
    )
    db.execute(
        "UPDATE reports SET is_current = 0, superseded_at = ? WHERE agency = ? AND year = ? AND is_current = 1",
        [now, agency, year],
    )


def _save_contents(
    db: sqlite_utils.Database, report_id: int, report: Report, findings: list[Finding], cells: list[dict[str, Any]]
) -> None:
    """Its numbers in long form (`cells`: its `cell_rows`), the parser's findings, how each
    row was read, and its text in the search index."""
    insert_rows(db, "report_cells", ({"report_id": report_id, **cell} for cell in cells))
    insert_rows(
        db,
        "report_findings",
        (
            {
                "report_id": report_id,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "cells": ",".join(f.cells) or None,
                "raw": f.raw,
                "kind": f.kind,
                "used": ",".join(f.used) or None,
                "template": f.said.template if f.said is not None else None,
                "params": json.dumps(f.said.to_json()["params"], ensure_ascii=False) if f.said is not None else None,
            }
            for f in findings
        ),
    )
    insert_rows(
        db,
        "report_rows",
        (
            {
                "report_id": report_id,
                "part": r.part,
                "row_key": r.key,
                "label": r.label,
                "how": r.how,
                "certain": int(r.certain),
                "why": r.why or None,  # the doubts' English (queries read it); `doubts` the same as data
                "doubts": json.dumps(doubts_to_json(r.doubts), ensure_ascii=False) if r.doubts else None,
                "cells": json.dumps(list(r.cells), ensure_ascii=False),
                "page": r.page,
                "positions": json.dumps([list(p) if p else None for p in r.positions]) if r.positions else None,
                "ocr": json.dumps([c.to_json() if c else None for c in r.ocr], ensure_ascii=False) if r.ocr else None,
            }
            for r in report.readings
        ),
    )
    insert_rows(db, "cell_crops", ({"report_id": report_id, **crop} for crop in _crops(report)))
    db.execute(
        "INSERT INTO report_search (rowid, title, agency, body) VALUES (?, ?, ?, ?)",
        [report_id, report.title or "", report.agency or "", report.text],
    )


_COLUMNS = {"applications": APPLICANT_COLUMNS, "review_litigation": REVIEW_FIELDS}


def _crops(report: Report) -> Iterator[dict[str, Any]]:
    """The crops a scan's parse kept (its uncertain and offending cells), by cell address."""
    seen = set()
    for row in report.readings:
        columns = _COLUMNS.get(row.part, ())
        for index, cell in enumerate(row.ocr):
            if cell is None or cell.crop is None or row.key is None or index >= len(columns):
                continue
            address = f"{row.part}.{row.key}.{columns[index]}"
            if address not in seen:
                seen.add(address)
                yield {"address": address, "png": cell.crop}


def kind_of(db: sqlite_utils.Database, report_id: int) -> str | None:
    """What the report was read from ("scan" for OCR; None for reports stored before m014)."""
    row = db.execute("SELECT kind FROM reports WHERE id = ?", [report_id]).fetchone()
    return str(row[0]) if row and row[0] is not None else None


def crops_of(db: sqlite_utils.Database, report_id: int) -> dict[str, bytes]:
    """The crops of a scanned report's cells a reader should see, by address."""
    return {
        str(address): bytes(png)
        for address, png in db.execute("SELECT address, png FROM cell_crops WHERE report_id = ?", [report_id])
    }


def _version(db: sqlite_utils.Database, report: Report, sha256: str, digest: str) -> int:
    """The same content (or the same bytes) keeps its version; new content is the next version."""
    same = (
        db.execute(
            "SELECT version FROM reports WHERE agency IS ? AND year IS ? AND content_hash = ? LIMIT 1",
            [report.agency, report.year, digest],
        ).fetchone()
        or db.execute("SELECT version FROM reports WHERE sha256 = ? LIMIT 1", [sha256]).fetchone()
    )
    if same:
        return int(same[0])
    latest = db.execute(
        "SELECT max(version) FROM reports WHERE agency = ? AND year = ?", [report.agency, report.year]
    ).fetchone()[0]
    return int(latest or 0) + 1


Cells = dict[tuple[str, str, str], float]  # (part, row, column) -> value


def current_reports(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The current version of every report (one per agency and year, and the unattributed ones)."""
    return list(db.query("SELECT * FROM reports WHERE is_current = 1"))


def cells_of(db: sqlite_utils.Database, report_id: int, *, certain_only: bool = False) -> Cells:
    """A report's numbers; with `certain_only`, those of rows read with certainty (for rules that
    may accuse: a row read with doubt, or one with no recorded reading, is left out)."""
    sql = "SELECT part, row_key, column_key, value FROM report_cells c WHERE report_id = ?"
    if certain_only:
        sql += (
            " AND EXISTS (SELECT 1 FROM report_rows r WHERE r.report_id = c.report_id AND r.part = c.part"
            " AND r.row_key = c.row_key AND r.certain = 1)"
        )
    return {(part, row, column): value for part, row, column, value in db.execute(sql, [report_id]).fetchall()}


def previous_version(db: sqlite_utils.Database, report_id: int) -> dict[str, Any] | None:
    """The report that report `report_id` replaced (the version before, under the name it was
    stored with: a check may show it under another, the watched agency's)."""
    return next(
        iter(
            db.query(
                "SELECT p.* FROM reports r JOIN reports p ON p.agency = r.agency AND p.year = r.year "
                "AND p.version = r.version - 1 WHERE r.id = ? ORDER BY p.id DESC LIMIT 1",
                [report_id],
            )
        ),
        None,
    )


def rule_findings(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """What the single-report rules found in each stored report (information left out)."""
    return list(db.query("SELECT * FROM report_findings WHERE severity != 'info'"))


def body_of(db: sqlite_utils.Database, report_id: int) -> list[str]:
    """The normalised text of a stored report, line by line (the cross-year rules compare it)."""
    row = db.execute("SELECT body_z FROM reports WHERE id = ?", [report_id]).fetchone()
    return zlib.decompress(row[0]).decode("utf-8").split("\n") if row and row[0] else []


def sentences_of(db: sqlite_utils.Database, report_id: int) -> list[str] | None:
    """The report's own prose sentences (storage.content.sentences: what its identity reads, and
    what a `changed` finding quotes); None for a report stored before its body was kept (m006)."""
    row = db.execute("SELECT body_z, title, agency FROM reports WHERE id = ?", [report_id]).fetchone()
    if not row or not row[0]:
        return None
    return sentences(zlib.decompress(row[0]).decode("utf-8").split("\n"), title=row[1], agency=row[2])


def urls_of(db: sqlite_utils.Database, report_id: int) -> list[str]:
    return [
        r[0] for r in db.execute("SELECT url FROM report_urls WHERE report_id = ? ORDER BY first_seen", [report_id])
    ]
