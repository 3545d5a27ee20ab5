"""One cycle, the same for `run --once` and the daemon: crawl -> check -> notify."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlite_utils

from checks.run import run_checks
from crawler.crawl import CrawlResult
from nianbao.core.clock import now_iso, today
from nianbao.core.config import Config
from nianbao.core.errors import StorageError
from nianbao.crawl_runner import crawl_all
from notify.outbox import Delivery, notify
from views.site import Built, build_site

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CycleResult:
    crawl: tuple[CrawlResult, ...]
    findings: dict[str, int]
    delivery: Delivery | None
    site: Built | None = None


def run_once(
    config: Config,
    db: sqlite_utils.Database,
    *,
    as_of: date | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[str, int, int, int], None] | None = None,
) -> CycleResult:
    """Crawl every portal, evaluate, and send what is new; stops between stages when cancelled."""
    cancel = cancel or threading.Event()
    now = now_iso(as_of)
    results = tuple(crawl_all(config, db, now=now, progress=progress, cancel=cancel)) if config.portals else ()
    logger.info("crawl: %s", ", ".join(f"{r.portal}={r.outcome}" for r in results))
    lost = [w for r in results for w in r.lost_writes]
    if lost:  # the database is failing (full?): checking it now could only mislead
        raise StorageError(f"{len(lost)} write(s) failed ({lost[0]}); this cycle stops before check and notify")
    if cancel.is_set():
        return CycleResult(results, {}, None)
    counts = run_checks(db, config, as_of=today(as_of), now=now)
    logger.info("check: %s", counts)
    if cancel.is_set():
        return CycleResult(results, counts, None)
    delivery = notify(db, config, now=now, today=today(as_of))
    logger.info("notify: %s queued, %s sent, %s failed", delivery.queued, delivery.sent, delivery.failed)
    return CycleResult(results, counts, delivery, _site(config, db, as_of=today(as_of), now=now))


def _site(config: Config, db: sqlite_utils.Database, *, as_of: date, now: str) -> Built | None:
    """Rebuild the status site when [site] out is set; a failure is logged, the cycle's work stands."""
    if not config.site.out:
        return None
    try:
        built = build_site(
            db, Path(config.site.out), as_of=as_of, deadlines=config.deadlines, now=now, lang=config.notify.language
        )
    except OSError as exc:
        logger.error("site: not rebuilt: %s", exc)
        return None
    logger.info(
        "site: %s pages in %s (%.1f s; %s files written, %s removed)",
        built.pages,
        built.out,
        built.seconds,
        built.written,
        built.removed,
    )
    return built
