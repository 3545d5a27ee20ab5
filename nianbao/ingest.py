"""One document in: store its bytes, parse it, check it, store the report — each step isolated.

A document that cannot be parsed is still stored (so a later parser can retry it) and the reason
is recorded on its URL; nothing already stored is lost.  A report that lost parts its current
version has is a fetch cut short: recorded as a failed fetch of its URL, never a new version.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import sqlite_utils

from crawler.sink import Document
from nianbao.core.report import PART_TITLES, Report
from nianbao.parsing import Job, Parsed, parse_document
from parsers.metadata import find_title
from storage.content import StoredForm
from storage.documents import (
    document_content,
    documents_to_reparse,
    record_parse,
    record_unfetched,
    save_document,
    sha256_of,
)
from storage.reports import PARSER_VERSION, add_url, parsed_before, replaces, save_report

if TYPE_CHECKING:
    from nianbao.workers import ParsePool

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Ingested:
    sha256: str
    report_id: int | None
    error: str | None = None


def ingest(
    db: sqlite_utils.Database,
    document: Document,
    *,
    now: str,
    parsed: Parsed | None = None,
    sha256: str | None = None,
    fetched: bool = True,
) -> Ingested:
    """Store one fetched document, parse and check it (unless `parsed` says what that gave), and store
    the report, in one transaction.  `sha256`: the content's digest, when the caller has it.

    A fetched report that would become a new version of its agency's report for the year while
    having fewer of the six parts than the current version is a fetch cut short (a connection closed
    early, with no Content-Length to tell): it is recorded as a failed fetch of its URL and not
    stored, so the current version stays current and no `changed` or `inconsistent` comes of it.
    `fetched=False` (a re-parse of bytes stored long ago) skips that test: no fetch can cut those."""
    if parsed is None:
        parsed = parse_document(document.content, url=document.url, content_type=document.content_type)
    url = document.url
    digest = sha256 or sha256_of(document.content)
    with db.atomic():
        if parsed.report is None:
            _save(db, document, now=now, sha256=digest)
            # the list's title still says whose report this is: "found but unreadable", never "missing"
            title = document.list_title
            _, agency, year = find_title((title,), title) if title else (None, None, None)
            record_parse(db, url, error=parsed.error, agency=agency, year=year)
            logger.info("not parsed: %s", parsed.error)
            return Ingested(digest, None, parsed.error)
        report = _with_list_title(parsed.report, document.list_title)
        source = "page" if report.published_at else None
        if report.published_at is None and document.list_date:
            report, source = replace(report, published_at=document.list_date), "list"
        cut = lost_parts(db, report, sha256=digest, form=parsed.form) if fetched else None
        if cut is not None:
            record_unfetched(
                db,
                url,
                portal=document.portal,
                title=document.list_title,
                date=document.list_date,
                error=cut,
                now=now,
                agency=report.agency,
                year=report.year,
            )
            logger.info("not stored: %s: %s", url, cut)
            return Ingested(digest, None, cut)
        _save(db, document, now=now, sha256=digest)
        report_id = save_report(
            db,
            report,
            list(parsed.findings),
            sha256=digest,
            now=now,
            url=url,
            portal=document.portal,
            published_source=source,
            form=parsed.form,
        )
        record_parse(db, url, error=None, agency=report.agency, year=report.year)
    return Ingested(digest, report_id)


def lost_parts(db: sqlite_utils.Database, report: Report, *, sha256: str, form: StoredForm | None = None) -> str | None:
    """ "truncated: …" when `report` would replace the current version of its report with fewer of
    the six parts: a cut copy, not an edit (an edit changes numbers or sentences and keeps its
    parts).  Legacy reports (before the 2019 format) are not counted in six parts."""
    current = replaces(db, report, sha256=sha256, form=form)
    if current is None or current.parts is None or report.format == "legacy":
        return None
    have = set(report.parts) & set(PART_TITLES)
    if len(have) >= len(current.parts):
        return None
    lost = [part for part in PART_TITLES if part in current.parts and part not in have]
    return (
        f"truncated: {len(have)} of the six parts found, where the current version ({current.version}, "
        f"{current.url}) has {len(current.parts)}; not found: {', '.join(lost)}"
    )


def ingest_known(
    db: sqlite_utils.Database, document: Document, *, now: str, sha256: str | None = None
) -> Ingested | None:
    """Store a document whose exact bytes this parser has already read (a daily re-crawl of a
    portal without ETags, an attachment reached from two columns): its URL joins that report, with
    no second parse.  None when the bytes are new and must be parsed."""
    known = parsed_before(db, sha256 or sha256_of(document.content))
    if known is None:
        return None
    report_id, agency, year = known
    with db.atomic():
        digest = _save(db, document, now=now, sha256=sha256)
        add_url(db, report_id, url=document.url, sha256=digest, now=now)
        record_parse(db, document.url, error=None, agency=agency, year=year)
    return Ingested(digest, report_id)


def _save(db: sqlite_utils.Database, document: Document, *, now: str, sha256: str | None) -> str:
    return save_document(
        db,
        document.content,
        sha256=sha256,
        url=document.url,
        now=now,
        content_type=document.content_type,
        portal=document.portal,
        list_title=document.list_title,
        list_date=document.list_date,
        etag=document.etag,
        last_modified=document.last_modified,
        filename=document.filename,
    )


def _with_list_title(report: Report, list_title: str | None) -> Report:
    """Where the page names no agency or year, the list entry's title may (titles there are cut, so
    only a complete one counts)."""
    if (report.agency and report.year) or not list_title or "…" in list_title or "..." in list_title:
        return report
    _, agency, year = find_title((list_title,), list_title)
    return replace(report, agency=report.agency or agency, year=report.year or year, title=report.title or list_title)


def reparse(db: sqlite_utils.Database, *, now: str, pool: ParsePool | None = None) -> tuple[int, int]:
    """Re-parse every stored document with the current parser; returns (reports stored, failures).
    The stored bytes are streamed in batches to `pool`'s workers (a pool of one worker when none is
    given), within its limits, as a crawl's documents are; each is stored in the order listed."""
    from nianbao.core.config import ParseLimits
    from nianbao.workers import ParsePool

    own = pool is None
    work = pool or ParsePool(ParseLimits(workers=1))
    try:
        return asyncio.run(_reparse(db, now=now, pool=work))
    finally:
        if own:
            work.close()


async def _reparse(db: sqlite_utils.Database, *, now: str, pool: ParsePool) -> tuple[int, int]:
    from nianbao.workers import batch_size

    rows = documents_to_reparse(db, PARSER_VERSION)

    async def documents() -> AsyncIterator[tuple[Document, Job]]:
        for row in rows:
            document = _stored(db, row)
            yield document, Job(document.content, document.url, document.content_type)

    stored = failed = 0
    async for batch in pool.stream(documents(), batch=batch_size(len(rows), pool.limits.workers)):
        for document, parsed in batch:
            result = ingest(db, document, now=now, parsed=parsed, fetched=False)  # stored bytes: no fetch cut them
            stored += result.report_id is not None
            failed += result.error is not None
    return stored, failed


def _stored(db: sqlite_utils.Database, row: dict[str, Any]) -> Document:
    content, content_type = document_content(db, row["sha256"])
    return Document(
        row["url"], content, content_type, row["portal"], row["list_title"], row["list_date"], filename=row["filename"]
    )
