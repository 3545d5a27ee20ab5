"""The worker's side of parsing: one document's bytes in, a checked report (or why there is none)
out — pure, no database.  (A worker process's setup is `nianbao.procs.worker_setup`.)

Parse workers are spawned fresh; this module imports only the parsers and the checks, so a worker
is ready in a fraction of the time the crawl's or the storage's modules would take it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from checks.registry import check_report
from nianbao.core.errors import ParseError
from nianbao.core.report import Finding, Report
from parsers import parse_bytes

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What parsing one document gave: a checked report, or why there is none.  Picklable, so the
    parsing can run in a worker process."""

    report: Report | None
    findings: tuple[Finding, ...] = ()
    error: str | None = None


def parse_document(content: bytes, *, url: str, content_type: str | None = None, max_pages: int = 300) -> Parsed:
    """Parse and check one document (pure: no database); whatever happens, a Parsed comes back."""
    try:
        report = parse_bytes(content, source=url, content_type=content_type, max_pages=max_pages)
        return Parsed(report, tuple(check_report(report)))
    except ParseError as exc:
        return Parsed(None, (), str(exc))
    except MemoryError:
        return Parsed(None, (), f"{url}: parsing needed more memory than a document may use; stopped")
    except RecursionError:
        return Parsed(None, (), f"{url}: the document is nested too deeply to read; stopped")
    except Exception as exc:  # a bug of nianbao's: named as such, and the document is still stored
        logger.exception("parser bug on %s", url)
        return Parsed(None, (), f"{url}: nianbao could not parse this document (a bug: {type(exc).__name__}: {exc})")
