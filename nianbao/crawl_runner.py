"""`nianbao crawl`: every configured portal in one asyncio event loop (each host on its own polite
schedule), documents parsed in bounded worker processes, and one writer thread that owns the
database connection that writes.  One crawl_runs row per portal and pass, with the evidence of
how completely each column was read.

Nothing here waits for the slowest part: fetching is I/O on one loop, parsing runs on other cores,
and the writer drains an ordered queue — a portal's documents are written before its pass is
closed, so a pass whose writes failed is never recorded complete.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlite_utils

from crawler.crawl import CrawlResult, crawl_portal
from crawler.fetch import Fetcher, FetchRecord, build_client
from crawler.politeness import HostScheduler
from crawler.scope import Scope
from crawler.sink import Document, Known
from nianbao.core.config import Config, Portal
from nianbao.ingest import Parsed, ingest
from nianbao.workers import Limits, ParsePool
from parsers.metadata import find_title
from storage.db import open_db
from storage.documents import last_stored, record_unfetched, save_document, stored_copy
from storage.runs import begin_run, finish_run, record_fetch

logger = logging.getLogger(__name__)
_STOP: tuple[str, dict[str, Any]] = ("STOP", {})
IN_FLIGHT = 64  # documents parsed at once: bounds memory however much is crawled


@dataclass
class Writer:
    """The one thread that writes: applies queued operations in order; counts failures per portal."""

    db: sqlite_utils.Database
    queue: queue.Queue[tuple[str, dict[str, Any]]] = field(default_factory=queue.Queue)
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._drain, name="nianbao-writer", daemon=True)

    def put(self, op: str, **kwargs: Any) -> None:
        self.queue.put((op, kwargs))

    def _drain(self) -> None:
        while (item := self.queue.get()) != _STOP:
            op, kwargs = item
            try:
                self._apply(op, kwargs)
            except Exception as exc:  # one failed write costs that item; the pass cannot be complete
                logger.error("could not store %s: %s", kwargs.get("url", op), exc)
                self.failures[kwargs.get("portal") or ""].append(f"{type(exc).__name__}: {exc}")

    def _apply(self, op: str, kwargs: dict[str, Any]) -> None:
        if op == "page":
            save_document(self.db, **kwargs)
        elif op == "document":
            ingest(self.db, kwargs["document"], now=kwargs["now"], parsed=kwargs["parsed"])
        elif op == "failure":
            _, agency, year = find_title((kwargs["title"],), kwargs["title"])
            record_unfetched(self.db, **kwargs, agency=agency, year=year)
        elif op == "fetch":
            record_fetch(self.db, kwargs["row"])
        elif op == "finish":
            values = dict(kwargs["values"])
            lost = self.failures.get(kwargs["portal"])
            if lost and values["outcome"] == "complete":
                values["outcome"] = "partial"
                values["detail"] = f"{len(lost)} write(s) failed: {lost[0]}; " + values["detail"]
            finish_run(self.db, kwargs["run_id"], portal=kwargs["portal"], now=kwargs["now"], values=values)

    def close(self) -> None:
        self.queue.put(_STOP)
        self.thread.join()


class StorageSink:
    """The crawler's sink backed by the database: reads from its own connection, writes queued."""

    def __init__(self, db: sqlite_utils.Database, *, now: str, pool: ParsePool) -> None:
        self.now, self.pool = now, pool
        path = db.execute("PRAGMA database_list").fetchone()[2]
        self.reader = open_db(path) if path else db
        self.writer = Writer(open_db(path) if path else db)
        self.resume_since: dict[str, str] = {}
        self.run_ids: dict[str, int] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(IN_FLIGHT)
        self.setup_db = db

    # ---- reads -------------------------------------------------------------------------------

    def known(self, url: str) -> Known | None:
        copy = stored_copy(self.reader, url)
        return Known(copy.etag, copy.last_modified, copy.content) if copy else None

    def skip(self, url: str) -> bool:
        """Resumption: a URL stored since an interrupted pass of the same portal began is not fetched again."""
        if not self.resume_since:
            return False
        portal, last_seen = last_stored(self.reader, url)
        return bool(portal in self.resume_since and last_seen and last_seen >= self.resume_since[portal])

    # ---- writes ------------------------------------------------------------------------------

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
        self.writer.put(
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
        task = asyncio.get_running_loop().create_task(self._parse_and_store(document))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _parse_and_store(self, document: Document) -> None:
        async with self.slots:
            parsed: Parsed = await self.pool.parse(
                document.content, url=document.url, content_type=document.content_type
            )
        self.writer.put("document", document=document, parsed=parsed, now=self.now, portal=document.portal)

    def save_failure(self, url: str, *, portal: str, title: str, date: str | None, error: str) -> None:
        self.writer.put("failure", url=url, portal=portal, title=title, date=date, error=error, now=self.now)

    def record_fetch(self, portal: str, record: FetchRecord) -> None:
        self.writer.put(
            "fetch",
            portal=portal,
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

    async def finish(self, result: CrawlResult) -> None:
        """Close the portal's pass once its documents are parsed and queued before it."""
        mine = [t for t in self.tasks if not t.done()]
        if mine:
            await asyncio.gather(*mine, return_exceptions=True)
        reasons = result.why_partial
        detail = "; ".join([*reasons, *(f"{u}: {r}" for u, r in result.errors[:20])])
        self.writer.put(
            "finish",
            run_id=self.run_ids[result.portal],
            portal=result.portal,
            now=self.now,
            values={
                "outcome": result.outcome,
                "pages": result.pages,
                "reports": result.candidates,
                "errors": len(result.errors),
                "detail": detail[:4000],
                "evidence": [c.evidence() for c in result.columns],
            },
        )

    # ---- lifecycle ---------------------------------------------------------------------------

    def begin(self, portals: tuple[Portal, ...]) -> None:
        """One crawl_runs row per portal; notes which portals resume an interrupted pass."""
        for portal in portals:
            run_id, resume_since = begin_run(self.setup_db, portal.name, now=self.now)
            self.run_ids[portal.name] = run_id
            if resume_since:
                self.resume_since[portal.name] = resume_since
                logger.info("resuming the pass started %s", resume_since, extra={"portal": portal.name})
        self.writer.thread.start()

    async def drain(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    def close(self) -> None:
        """Wait until everything queued is written."""
        self.writer.close()
        if self.reader is not self.setup_db:
            self.reader.close()


def crawl_all(
    config: Config,
    db: sqlite_utils.Database,
    *,
    now: str,
    progress: Callable[[str, int, int, int], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    cancel: threading.Event | None = None,
    limits: Limits | None = None,
    scheduler: HostScheduler | None = None,
) -> list[CrawlResult]:
    """One pass over every configured portal, all on one event loop, each host politely.
    When `cancel` is set, each portal stops at its next page and what was fetched is written."""
    return asyncio.run(
        _crawl_all(
            config,
            db,
            now=now,
            progress=progress,
            transport=transport,
            cancel=cancel,
            limits=limits,
            scheduler=scheduler,
        )
    )


async def _crawl_all(
    config: Config,
    db: sqlite_utils.Database,
    *,
    now: str,
    progress: Callable[[str, int, int, int], None] | None,
    transport: httpx.AsyncBaseTransport | None,
    cancel: threading.Event | None,
    limits: Limits | None,
    scheduler: HostScheduler | None,
) -> list[CrawlResult]:
    pool = ParsePool(limits)
    sink = StorageSink(db, now=now, pool=pool)
    scheduler = scheduler or HostScheduler()
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch(cancel, stop)) if cancel is not None else None
    client = build_client(config.crawl, transport=transport)

    async def one(portal: Portal) -> CrawlResult:
        fetcher = Fetcher(
            client,
            Scope.of(portal.urls, portal.allow_hosts),
            portal.crawl,
            scheduler=scheduler,
            on_fetch=lambda record: sink.record_fetch(portal.name, record),
        )
        try:
            result = await crawl_portal(portal, fetcher, sink, progress, cancel=stop)
        except Exception as exc:  # one portal's bug must not end the whole crawl; it is recorded
            logger.exception("portal=%s crawl failed", portal.name)
            result = CrawlResult(portal.name, outcome="unreachable", errors=[(portal.urls[0], f"crawler error: {exc}")])
        await sink.finish(result)
        return result

    sink.begin(config.portals)
    try:
        return list(await asyncio.gather(*(one(p) for p in config.portals)))
    finally:
        await sink.drain()
        if watcher is not None:
            watcher.cancel()
        await client.aclose()
        sink.close()
        pool.close()


async def _watch(cancel: threading.Event, stop: asyncio.Event) -> None:
    """A shutdown asked from another thread (the daemon's signal handler) reaches the event loop."""
    while not cancel.is_set():
        await asyncio.sleep(0.1)
    stop.set()
