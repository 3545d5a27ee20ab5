"""The worker's side of parsing: one document's bytes in, a checked report (or why there is none)
out — pure, no database.  (A worker process's setup is `nianbao.procs.worker_setup`.)

Parse workers are spawned fresh; this module imports only the parsers and the checks, so a worker
is ready in a fraction of the time the crawl's or the storage's modules would take it.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, overload

from checks.registry import check_report
from nianbao.core.errors import ParseError
from nianbao.core.report import APPLICANT_COLUMNS, REVIEW_FIELDS, Finding, Report
from parsers import OCR, NeedsOcr, OcrLimits, parse_bytes
from storage.content import StoredForm, stored_form

logger = logging.getLogger(__name__)
PICTURES = b'src="data:image/'  # pictures written into an article page (crawler.images): read by OCR
MAX_PICTURED_PAGE = 64 * 1024 * 1024
COLUMNS = {"applications": APPLICANT_COLUMNS, "review_litigation": REVIEW_FIELDS}


@dataclass(frozen=True, slots=True)
class Parsed:
    """What parsing one document gave: a checked report, or why there is none.  Picklable, so the
    parsing can run in a worker process."""

    report: Report | None
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    needs_ocr: bool = False  # a scan met without OCR: worth reading again with it
    form: StoredForm | None = None  # what storing the report computes from it (`to_store`)


def parse_document(
    content: bytes,
    *,
    url: str,
    content_type: str | None = None,
    max_pages: int = 300,
    ocr: OcrLimits | None = OCR,
    to_store: bool = False,
) -> Parsed:
    """Parse and check one document (pure: no database); whatever happens, a Parsed comes back.
    A scan's cell crops are kept only where a reader will look: uncertain cells, and the cells of
    the sums that found something.  `to_store`: the report is for storing, so what storing computes
    from it alone (its content identity, its compressed body) is computed here, in the parse
    worker, and the one writer only writes."""
    try:
        if ocr is not None:
            allow_ocr_memory()
        report = parse_bytes(content, source=url, content_type=content_type, max_pages=max_pages, ocr=ocr)
        findings = tuple(check_report(report))
        kept = keep_crops(report, findings)
        return Parsed(kept, findings, form=stored_form(kept) if to_store else None)
    except NeedsOcr as exc:
        return Parsed(None, (), str(exc), needs_ocr=True)
    except ParseError as exc:
        return Parsed(None, (), str(exc))
    except MemoryError:
        return Parsed(None, (), f"{url}: parsing needed more memory than a document may use; stopped")
    except RecursionError:
        return Parsed(None, (), f"{url}: the document is nested too deeply to read; stopped")
    except Exception as exc:  # a bug of nianbao's: named as such, and the document is still stored
        logger.exception("parser bug on %s", url)
        return Parsed(None, (), f"{url}: nianbao could not parse this document (a bug: {type(exc).__name__}: {exc})")


def keep_crops(report: Report, findings: tuple[Finding, ...]) -> Report:
    """The report with the crops of a scan's cells that nobody needs to see dropped."""
    if report.kind != "scan":
        return report
    wanted = {c for f in findings if f.severity != "info" for c in (*f.cells, *f.used)}
    readings = []
    for row in report.readings:
        if not row.ocr:
            readings.append(row)
            continue
        columns = COLUMNS.get(row.part, ())
        kept = tuple(
            cell
            if cell is None or not cell.certain or (i < len(columns) and f"{row.part}.{row.key}.{columns[i]}" in wanted)
            else replace(cell, crop=None)
            for i, cell in enumerate(row.ocr)
        )
        readings.append(replace(row, ocr=kept))
    return replace(report, readings=tuple(readings))


def allow_ocr_memory() -> None:
    """Before a scan is read, the worker's address space may grow to its hard limit (the OCR budget):
    the OCR models' runtime reserves more than any other parse.  It stays so: the worker keeps the
    models loaded for the next scan."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


@dataclass(frozen=True, slots=True)
class Job:
    """One document for a batch: its bytes, the name its errors carry, its content type; or, with
    `error`, an input that could not be read (a missing file, a failed fetch) and why.  With `path`,
    a local file the worker reads itself (`content` is then empty): its bytes never pass through
    the parent, which has nothing to do with them (`nianbao parse --jsonl` without a database)."""

    content: bytes
    url: str
    content_type: str | None = None
    error: str | None = None
    path: str | None = None
    length: int = 0  # with `path`: the file's size, for batching

    @property
    def size(self) -> int:
        """The document's bytes, read or not."""
        return self.length if self.path is not None else len(self.content)


def has_pictures(content: bytes) -> bool:
    """Whether a page carries pictures written into it (to be read by OCR), looked for in its first
    MAX_PICTURED_PAGE bytes without copying them."""
    return content.find(PICTURES, 0, MAX_PICTURED_PAGE) >= 0


def read_file(name: str) -> bytes:
    """The bytes of a local file; a ParseError with a one-line reason when it cannot be read."""
    try:
        return Path(name).read_bytes()
    except FileNotFoundError:
        raise ParseError(f"{name}: no such file", source=name) from None
    except IsADirectoryError:
        raise ParseError(f"{name}: is a directory (give the files, e.g. {name}/*)", source=name) from None
    except OSError as exc:
        raise ParseError(f"{name}: cannot be read ({exc.strerror})", source=name) from None


def loaded(job: Job) -> Job:
    """The job with its bytes: a file named by `path` read here (or why it could not be)."""
    if job.path is None:
        return job
    try:
        return Job(read_file(job.path), job.url, job.content_type)
    except ParseError as exc:
        return Job(b"", job.url, job.content_type, error=str(exc))


@dataclass(frozen=True, slots=True)
class Line:
    """A document parsed and rendered in the worker (`nianbao parse --jsonl`): its JSON line, whether
    it failed, and whether it is a scan that OCR may read again (its line then says OCR was off)."""

    text: str
    failed: bool
    needs_ocr: bool = False


@overload
def parse_many(
    jobs: list[Job], *, max_pages: int, render: Literal[False], pictures_aside: bool = False
) -> list[Parsed]: ...
@overload
def parse_many(
    jobs: list[Job], *, max_pages: int, render: Literal[True], pictures_aside: bool = False
) -> list[Line]: ...
@overload
def parse_many(
    jobs: list[Job], *, max_pages: int, render: bool, pictures_aside: bool = False
) -> list[Parsed] | list[Line]: ...
def parse_many(
    jobs: list[Job], *, max_pages: int, render: bool, pictures_aside: bool = False
) -> list[Parsed] | list[Line]:
    """A batch of documents parsed one after another in one worker call, without OCR (a scan comes
    back `needs_ocr`, to be read alone under OCR's limits): one round trip for many documents.
    A job with a `path` is read here; with `pictures_aside`, a page of pictures read so comes back
    `needs_ocr` too.  `render`: each comes back as its JSON line, so the parent only writes (and a
    report is never pickled)."""
    parsed = [_parse_job(loaded(job), max_pages, pictures_aside and job.path is not None) for job in jobs]
    if not render:
        return parsed
    return [render_line(p, j.url) for p, j in zip(parsed, jobs, strict=True)]


def _parse_job(job: Job, max_pages: int, pictures_aside: bool) -> Parsed:
    if job.error is not None:
        return Parsed(None, (), job.error)
    if pictures_aside and has_pictures(job.content):
        return Parsed(None, (), f"{job.url}: a page of pictures, read with OCR", needs_ocr=True)
    return parse_document(job.content, url=job.url, content_type=job.content_type, max_pages=max_pages, ocr=None)


def render_line(parsed: Parsed, source: str) -> Line:
    """The JSON line `nianbao parse --jsonl` writes for one parsed document."""
    import json

    from nianbao.core.report import to_json

    if parsed.report is None:
        error = str(ParseError(parsed.error or f"{source}: not readable", source=source))
        return Line(json.dumps({"source": source, "error": error}, ensure_ascii=False), True, parsed.needs_ocr)
    document = {**to_json(parsed.report, parsed.findings), "source": source}
    return Line(json.dumps(document, ensure_ascii=False), False)
