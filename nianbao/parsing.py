"""The worker's side of parsing: one document's bytes in, a checked report (or why there is none)
out — pure, no database — and the setup of a worker process.

Parse workers are spawned fresh; this module imports only the parsers and the checks, so a worker
is ready in a fraction of the time the crawl's or the storage's modules would take it.
"""

from __future__ import annotations

import ctypes
import logging
import resource
import signal
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


def die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no worker outlives the crawl
    except OSError:  # not Linux: the pool's own shutdown still ends the workers
        pass


def worker_setup(memory_mb: int, logging_setup: tuple[int, str] = (logging.WARNING, "text")) -> None:
    """A parse worker: dies with its parent, ignores Ctrl-C (the parent decides when parsing stops),
    may not use more than `memory_mb` of address space, and logs as its parent does (a spawned
    process starts with no handler: Python's last resort would print the PDF libraries' warnings)."""
    from nianbao import logs

    die_with_parent()
    logs.configure_level(*logging_setup)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
