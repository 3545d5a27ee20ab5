"""`nianbao crawl`: every configured portal in parallel (each host still gets one polite queue),
its documents parsed and stored as they arrive, and one crawl_runs row per portal and pass.

Fetching threads never wait for parsing or writing: one writer — a separate process by default,
so parsing and SQLite work neither share the fetchers' GIL nor stall them — owns the connection
that writes (SQLite has one writer anyway) and drains a bounded queue, so memory stays flat
however much is crawled; lookups for conditional requests use a second, read-only connection in
the crawling process (WAL lets it read while the writer writes).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import sqlite_utils

from crawler.crawl import CrawlResult, crawl_portal
from crawler.fetch import Fetcher, FetchRecord, build_client
from crawler.politeness import HostThrottle
from crawler.scope import Scope
from crawler.sink import Document, Known
from nianbao import logs
from nianbao.core.config import Config, Portal
from nianbao.ingest import ingest
from storage.db import open_db
from storage.documents import last_stored, save_document, stored_copy
from storage.runs import begin_run, finish_run, record_fetch

logger = logging.getLogger(__name__)
_STOP = "STOP"


class StorageSink:
    """The crawler's sink backed by the database."""

    def __init__(self, db: sqlite_utils.Database, *, now: str, queue_size: int = 128, process: bool = False) -> None:
        self.db, self.now = db, now
        path = db.execute("PRAGMA database_list").fetchone()[2]
        self.reader = open_db(path) if path else db
        self.read_lock = threading.Lock()
        self.resume_since: dict[str, str] = {}
        self.run_ids: dict[str, int] = {}
        self.queue: Any
        self.writer: threading.Thread | multiprocessing.process.BaseProcess
        if process and path:
            context = multiprocessing.get_context("spawn")
            self.queue = context.Queue(maxsize=queue_size)
            self.writer = context.Process(
                target=_drain_into, args=(path, self.queue, logs.current()), name="nianbao-writer"
            )
        else:
            self.queue = queue.Queue(maxsize=queue_size)
            self.writer = threading.Thread(target=_drain, args=(db, self.queue), name="nianbao-writer", daemon=True)

    # ---- reads, from any crawling thread -----------------------------------------------------

    def known(self, url: str) -> Known | None:
        with self.read_lock:
            copy = stored_copy(self.reader, url)
        return Known(copy.etag, copy.last_modified, copy.content) if copy else None

    def skip(self, url: str) -> bool:
        """Resumption: a URL stored since an interrupted pass of the same portal began is not fetched again."""
        if not self.resume_since:
            return False
        with self.read_lock:
            portal, last_seen = last_stored(self.reader, url)
        return bool(portal in self.resume_since and last_seen and last_seen >= self.resume_since[portal])

    # ---- writes, queued to the writer thread -------------------------------------------------

    def _put(self, op: str, **kwargs: Any) -> None:
        self.queue.put((op, kwargs))

    def save_page(
        self,
        url: str,
        content: bytes,
        *,
        portal: str,
        content_type: str | None,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        self._put(
            "page",
            content=content,
            url=url,
            now=self.now,
            content_type=content_type,
            portal=portal,
            etag=etag,
            last_modified=last_modified,
            kind="list",
        )

    def save_document(self, document: Document) -> None:
        self._put("document", document=document, now=self.now)

    def record_fetch(self, portal: str, record: FetchRecord) -> None:
        self._put(
            "fetch",
            row={
                "run_id": self.run_ids.get(portal),
                "portal": portal,
                "url": record.url,
                "status": record.status,
                "outcome": record.outcome,
                "bytes": record.bytes,
                "duration_ms": record.duration_ms,
                "error": record.error,
                "etag": record.etag,
                "last_modified": record.last_modified,
                "fetched_at": self.now,
            },
        )

    def finish(self, result: CrawlResult) -> None:
        self._put(
            "finish",
            run_id=self.run_ids[result.portal],
            portal=result.portal,
            now=self.now,
            values={
                "outcome": result.outcome,
                "pages": result.pages,
                "reports": result.candidates,
                "errors": len(result.errors),
                "detail": result.detail[:4000],
            },
        )

    # ---- lifecycle, from the coordinating thread ---------------------------------------------

    def begin(self, portals: tuple[Portal, ...]) -> None:
        """One crawl_runs row per portal; notes which portals resume an interrupted pass."""
        for portal in portals:
            run_id, resume_since = begin_run(self.db, portal.name, now=self.now)
            self.run_ids[portal.name] = run_id
            if resume_since:
                self.resume_since[portal.name] = resume_since
                logger.info("resuming the pass started %s", resume_since, extra={"portal": portal.name})
        self.writer.start()

    def close(self) -> None:
        """Wait until everything queued is written."""
        self.queue.put(_STOP)
        self.writer.join()
        if isinstance(self.writer, multiprocessing.process.BaseProcess) and self.writer.exitcode:
            logger.error("the writer process ended with status %s", self.writer.exitcode)
        if self.reader is not self.db:
            self.reader.close()


def _apply(db: sqlite_utils.Database, op: str, kwargs: dict[str, Any]) -> None:
    if op == "page":
        save_document(db, **kwargs)
    elif op == "document":
        ingest(db, **kwargs)
    elif op == "fetch":
        record_fetch(db, kwargs["row"])
    elif op == "finish":
        finish_run(db, kwargs["run_id"], portal=kwargs["portal"], now=kwargs["now"], values=kwargs["values"])


def _drain(db: sqlite_utils.Database, source: Any) -> None:
    """The writer: apply queued writes in order until told to stop; one bad item costs only itself."""
    while (item := source.get()) != "STOP":
        op, kwargs = item
        try:
            _apply(db, op, kwargs)
        except Exception:
            logger.exception("could not store %s", kwargs.get("url", op))


def _drain_into(path: str, source: Any, logging_setup: tuple[int, str]) -> None:
    """The writer as its own process (own connection, own GIL), logging as its parent does.  It
    ignores SIGINT/SIGTERM: the crawling process decides when it stops (a queued "STOP"), so a
    Ctrl-C never cuts a write."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logs.configure_level(*logging_setup)
    _drain(open_db(path), source)


def crawl_all(
    config: Config,
    db: sqlite_utils.Database,
    *,
    now: str,
    progress: Callable[[str, int, int, int], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    workers: int = 256,
    cancel: threading.Event | None = None,
    writer: str = "process",
) -> list[CrawlResult]:
    """One pass over every configured portal; portals run in parallel, each host politely.
    When `cancel` is set, each portal stops at its next page and what was fetched is written.
    `writer="process"` parses and stores in a separate process (its own core and GIL; the
    caller's main module must be import-safe, as `nianbao` itself is); "thread" keeps it here."""
    sink = StorageSink(db, now=now, process=writer == "process")
    throttle = HostThrottle()
    client = build_client(config.crawl, transport=transport)

    def one(portal: Portal) -> CrawlResult:
        fetcher = Fetcher(
            client,
            Scope.of(portal.urls, portal.allow_hosts),
            portal.crawl,
            throttle=throttle,
            on_fetch=lambda record: sink.record_fetch(portal.name, record),
        )
        try:
            result = crawl_portal(portal, fetcher, sink, progress, cancel=cancel)
        except Exception as exc:  # one portal's bug must not end the whole crawl; it is recorded
            logger.exception("portal=%s crawl failed", portal.name)
            result = CrawlResult(portal.name, outcome="unreachable", errors=[(portal.urls[0], f"crawler error: {exc}")])
        sink.finish(result)
        return result

    sink.begin(config.portals)
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(config.portals)))) as pool:
            return list(pool.map(one, config.portals))
    finally:
        sink.close()
        client.close()
