"""`nianbao crawl`: every configured portal in parallel (each host still gets one polite queue),
its documents parsed and stored as they arrive, and one crawl_runs row per portal and pass.

Fetching threads never wait for parsing or writing: one writer thread owns the database
connection that writes (SQLite has one writer anyway) and drains a bounded queue, so memory
stays flat however many portals run; lookups for conditional requests use a second, read-only
connection (WAL lets it read while the writer writes).
"""

from __future__ import annotations

import logging
import queue
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
from nianbao.config import Config, Portal
from storage.db import open_db
from storage.documents import save_document
from storage.ingest import ingest

logger = logging.getLogger(__name__)
_STOP = object()


class StorageSink:
    """The crawler's sink backed by the database."""

    def __init__(self, db: sqlite_utils.Database, *, now: str, queue_size: int = 128) -> None:
        self.db, self.now = db, now
        path = db.execute("PRAGMA database_list").fetchone()[2]
        self.reader = open_db(path) if path else db
        self.read_lock = threading.Lock()
        self.resume_since: dict[str, str] = {}
        self.run_ids: dict[str, int] = {}
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self.writer = threading.Thread(target=self._drain, name="nianbao-writer", daemon=True)

    # ---- reads, from any crawling thread -----------------------------------------------------

    def known(self, url: str) -> Known | None:
        with self.read_lock:
            row = self.reader.execute(
                "SELECT u.etag, u.last_modified, d.content FROM document_urls u "
                "JOIN documents d ON d.sha256 = u.sha256 WHERE u.url = ?",
                [url],
            ).fetchone()
        return Known(row[0], row[1], row[2]) if row else None

    def skip(self, url: str) -> bool:
        """Resumption: a URL stored since an interrupted pass of the same portal began is not fetched again."""
        if not self.resume_since:
            return False
        with self.read_lock:
            row = self.reader.execute("SELECT portal, last_seen FROM document_urls WHERE url = ?", [url]).fetchone()
        return bool(row and row[0] in self.resume_since and row[1] >= self.resume_since[row[0]])

    # ---- writes, queued to the writer thread -------------------------------------------------

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
        self.queue.put(
            (
                save_document,
                (self.db, content),
                dict(
                    url=url,
                    now=self.now,
                    content_type=content_type,
                    portal=portal,
                    etag=etag,
                    last_modified=last_modified,
                    kind="list",
                ),
            )
        )

    def save_document(self, document: Document) -> None:
        self.queue.put(
            (
                ingest,
                (self.db, document.content),
                dict(
                    url=document.url,
                    now=self.now,
                    content_type=document.content_type,
                    portal=document.portal,
                    list_title=document.list_title,
                    list_date=document.list_date,
                    etag=document.etag,
                    last_modified=document.last_modified,
                ),
            )
        )

    def record_fetch(self, portal: str, record: FetchRecord) -> None:
        row = {
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
        }
        self.queue.put((self._insert_fetch, (row,), {}))

    def _insert_fetch(self, row: dict[str, Any]) -> None:
        self.db.table("fetches").insert(row)

    def finish(self, result: CrawlResult) -> None:
        self.queue.put((self._finish, (result,), {}))

    def _finish(self, result: CrawlResult) -> None:
        with self.db.atomic():
            self.db.table("crawl_runs").update(
                self.run_ids[result.portal],
                {
                    "finished_at": self.now,
                    "outcome": result.outcome,
                    "pages": result.pages,
                    "reports": result.candidates,
                    "errors": len(result.errors),
                    "detail": result.detail[:4000],
                },
            )
            # the interrupted pass this one resumed is over too
            self.db.execute(
                "UPDATE crawl_runs SET finished_at = ?, outcome = 'interrupted' WHERE portal = ? "
                "AND finished_at IS NULL",
                [self.now, result.portal],
            )

    def _drain(self) -> None:
        while (item := self.queue.get()) is not _STOP:
            func, args, kwargs = item
            try:
                func(*args, **kwargs)
            except Exception:  # one bad document must not stop the writer; it is logged
                logger.exception("could not store %s", kwargs.get("url", "a record"))

    # ---- lifecycle, from the coordinating thread ---------------------------------------------

    def begin(self, portals: tuple[Portal, ...]) -> None:
        """One crawl_runs row per portal; notes which portals resume an interrupted pass."""
        for portal in portals:
            row = self.db.execute(
                "SELECT started_at, finished_at FROM crawl_runs WHERE portal = ? ORDER BY id DESC LIMIT 1",
                [portal.name],
            ).fetchone()
            if row and row[1] is None:
                self.resume_since[portal.name] = row[0]
                logger.info("resuming the pass started %s", row[0], extra={"portal": portal.name})
            self.run_ids[portal.name] = int(
                self.db["crawl_runs"]
                .insert({"portal": portal.name, "started_at": self.now, "outcome": "running"})
                .last_pk
            )
        self.writer.start()

    def close(self) -> None:
        """Wait until everything queued is written."""
        self.queue.put(_STOP)
        self.writer.join()
        if self.reader is not self.db:
            self.reader.close()


def crawl_all(
    config: Config,
    db: sqlite_utils.Database,
    *,
    now: str,
    progress: Callable[[str, int, int, int], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    workers: int = 256,
    cancel: threading.Event | None = None,
) -> list[CrawlResult]:
    """One pass over every configured portal; portals run in parallel, each host politely.
    When `cancel` is set, each portal stops at its next page and what was fetched is written."""
    sink = StorageSink(db, now=now)
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
