"""`nianbao crawl`: every configured portal in one asyncio event loop (each host on its own polite
schedule); what is fetched goes, in order, to the writer process (`nianbao.writer`), which parses
in bounded worker processes and owns the database connection that writes.  One crawl_runs row per
portal and pass, with the evidence of how completely each column was read.

The crawling process only fetches: parsing and storing run on other cores with their own GIL, so
a busy writer never delays a request.  If the writer dies (its pipes end), the crawl stops at once
with one clear error (the interrupted passes are closed as `interrupted` at the next start): nothing
fetched after that could be stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import sqlite_utils
import uvloop

from crawler.crawl import CrawlResult, crawl_portal
from crawler.fetch import Fetcher, FetchRecord, build_client, tls_context
from crawler.politeness import HostScheduler
from crawler.scope import Scope
from crawler.sink import Document, Known
from nianbao import writer
from nianbao.core.config import Config, Portal
from nianbao.core.errors import StorageError
from nianbao.core.vocabulary import Outcome
from nianbao.workers import Limits
from nianbao.writes import Done, Finished, FinishPass, RecordFetch, Reply, SaveDocument, SaveFailure, SavePage, Write
from storage.db import open_db
from storage.documents import last_stored, stored_content, validators
from storage.runs import begin_run

logger = logging.getLogger(__name__)
ACTIVE_PORTALS = 256  # portals crawled at once: memory follows this, not the watch list's length;
# the politeness bound of a pass is ACTIVE_PORTALS / interval requests a second, above what one
# process parses and stores (about 200 documents a second on two cores)
BACKLOG = 512  # documents waiting for the writer before fetching pauses: memory stays flat


class StorageSink:
    """The crawler's sink: reads from its own connection; writes go, in order, to the writer process.

    Two threads talk to the writer, so the event loop never blocks on it: the sender hands writes
    over in order (waiting while the pipe is full), the receiver takes its replies as they come
    (the writer must never wait on us).  A failed send or the end of the replies is the writer's
    death."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        now: str,
        limits: Limits | None,
        max_size_mb: int | None = None,
        ocr: dict[str, bool] | None = None,
    ) -> None:
        self.now, self.setup_db = now, db
        path = db.execute("PRAGMA database_list").fetchone()[2]
        if not path:
            raise StorageError("a crawl needs a database file (the writer is another process)")
        self.reader = open_db(path)
        self.process, self.inbox, self.replies = writer.start(path, limits or Limits(), max_size_mb, ocr)
        self.outgoing: queue.Queue[Write | None] = queue.Queue()
        self.held: dict[str, set[str]] = {}  # by origin: the URLs stored when the crawl first reached it
        self.handed: set[str] = set()  # the URLs handed to the writer since
        self.documents = 0
        self.resume_since: dict[str, str] = {}
        self.run_ids: dict[str, int] = {}
        self.outcomes: dict[str, tuple[Outcome, list[str]]] = {}
        self.done = False  # the writer said it stored everything and closed the database
        self.dead = threading.Event()  # the writer died before that
        self.writer_error = ""
        self.sender = threading.Thread(target=self._send, name="nianbao-sender", daemon=True)
        self.receiver = threading.Thread(target=self._receive, name="nianbao-receiver", daemon=True)
        self.sender.start()
        self.receiver.start()

    def _send(self) -> None:
        """Hand everything to the writer in order, then its stop; stops at the writer's death."""
        while True:
            item = self.outgoing.get()
            try:
                self.inbox.send(writer.STOP if item is None else item)
            except OSError:  # the pipe is broken: the writer is gone
                self.dead.set()
                return
            except Exception:  # a bug (it would not pickle): that write is lost, the others go on
                logger.exception("could not hand %s to the writer", type(item).__name__ if item else "the stop")
            if item is None:
                return

    def _receive(self) -> None:
        """The writer's replies: each portal's final outcome, then "done"; the end of the pipe
        before "done" is the writer's death."""
        try:
            while True:
                reply: Reply = self.replies.recv()
                if isinstance(reply, Finished):
                    self.outcomes[reply.portal] = (reply.outcome, reply.lost)
                elif isinstance(reply, Done):
                    for portal, lost in reply.failures.items():
                        outcome, known = self.outcomes.get(portal, ("partial", []))
                        self.outcomes[portal] = (outcome, known or lost)
                    self.done = True
                    return
        except (EOFError, OSError):
            self.dead.set()

    def _put(self, write: Write) -> None:
        url = _stored_url(write)
        if url is not None:
            self.handed.add(url)
        self.outgoing.put(write)

    # ---- reads -------------------------------------------------------------------------------

    def known(self, url: str) -> Known | None:
        if not self._may_hold(url):
            return None
        stored = validators(self.reader, url)  # not the bytes: a 304 is rare, the bytes are large
        return Known(*stored) if stored else None

    def stored(self, url: str) -> bytes | None:
        """The bytes the URL served last time (a list page answered 304 is walked from them)."""
        return stored_content(self.reader, url) if self._may_hold(url) else None

    def _may_hold(self, url: str) -> bool:
        """Whether the database may hold `url`: it was there when the crawl first reached its host,
        or has been handed to the writer since.  Every fetch asks for its URL, and on a first pass
        most are new: those are answered here, not by a query on the event loop."""
        if url in self.handed:
            return True
        origin = _origin(url)
        urls = self.held.get(origin)
        if urls is None:
            rows = self.reader.execute(
                "SELECT url FROM document_urls WHERE url >= ? AND url < ?", [origin, origin + "\U0010ffff"]
            )
            urls = self.held[origin] = {row[0] for row in rows}
        return url in urls

    def skip(self, url: str) -> bool:
        """Resumption: a URL stored since an interrupted pass of the same portal began is not fetched again."""
        if not self.resume_since:
            return False
        portal, last_seen = last_stored(self.reader, url)
        return bool(portal in self.resume_since and last_seen and last_seen >= self.resume_since[portal])

    async def ready(self) -> None:
        """Wait while the writer has too much to do (a slow parse must not fill memory)."""
        while self.outgoing.qsize() > BACKLOG and self.alive():
            await asyncio.sleep(0.05)

    def alive(self) -> bool:
        """The writer still runs (its pipes say so at once; its exit is a second witness)."""
        if not self.dead.is_set() and not self.process.is_alive():
            self.dead.set()
        return not self.dead.is_set()

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
        self._put(SavePage(url, content, portal, self.now, content_type, etag, last_modified))

    def save_document(self, document: Document) -> None:
        self.documents += 1
        self._put(SaveDocument(document, self.now))

    def save_failure(self, url: str, *, portal: str, title: str, date: str | None, error: str) -> None:
        self._put(SaveFailure(url, portal, title, date, error, self.now))

    def record_fetch(self, portal: str, record: FetchRecord) -> None:
        self._put(
            RecordFetch(
                portal,
                {
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
        )

    def finish(self, result: CrawlResult) -> None:
        reasons = result.why_partial
        detail = "; ".join([*reasons, *(f"{u}: {r}" for u, r in result.errors[:20])])
        self._put(
            FinishPass(
                self.run_ids[result.portal],
                result.portal,
                self.now,
                {
                    "outcome": result.outcome,
                    "cause": result.cause or None,
                    "pages": result.pages,
                    "reports": result.candidates,
                    "errors": len(result.errors),
                    "detail": detail[:4000],
                    "evidence": [c.evidence() for c in result.columns],
                    "entries": [e.record() for e in result.entries],
                    "attachment_failures": list(result.attachment_failures),
                },
            )
        )

    # ---- lifecycle ---------------------------------------------------------------------------

    def begin(self, portals: tuple[Portal, ...]) -> None:
        """One crawl_runs row per portal (in one transaction: the first requests wait for it); notes
        which portals resume an interrupted pass."""
        with self.setup_db.atomic():
            for portal in portals:
                run_id, resume_since = begin_run(self.setup_db, portal.name, now=self.now)
                self.run_ids[portal.name] = run_id
                if resume_since:
                    self.resume_since[portal.name] = resume_since
                    logger.info("resuming the pass started %s", resume_since, extra={"portal": portal.name})

    def close(self) -> dict[str, tuple[Outcome, list[str]]]:
        """Wait until everything is written; per portal, the final outcome (a pass that lost writes
        is partial) and the writes it lost.  When the writer died, `writer_error` says so."""
        self.outgoing.put(None)
        # both threads end with the writer at the latest: a send to a dead writer fails, and the
        # end of its replies is read, as soon as it has exited
        self.sender.join()
        self.receiver.join()
        if not self.done:
            self.process.join(timeout=5)  # its exit status, a moment after its pipes closed
            if self.process.is_alive():  # no pipe to it left: nothing it does can reach the database
                self.process.kill()
                self.process.join(timeout=5)
            self.writer_error = f"the writer process died (exit code {self.process.exitcode})"
        # else: the writer has stored everything and closed the database; it still stops its idle
        # parse workers and exits on its own (multiprocessing reaps it), which nobody need wait for
        self.inbox.close()
        self.replies.close()
        self.reader.close()
        return self.outcomes


def _origin(url: str) -> str:
    """ "http://host:port" of a URL: every URL of that host starts with it."""
    return "/".join(url.split("/", 3)[:3])


def _stored_url(write: Write) -> str | None:
    """The URL a write may add to `document_urls`."""
    if isinstance(write, SavePage | SaveFailure):
        return write.url
    if isinstance(write, SaveDocument):
        return write.document.url
    return None


YOUNG = 5000  # allocations between two collections of the youngest generation during a crawl


@contextlib.contextmanager
def _heap_set_aside() -> Iterator[None]:
    """The objects alive when the crawl starts (modules, the configuration, a daemon's state) are left
    out of garbage collections until it ends.  A full collection walks every object: with them, one
    took 50-70 ms, and held the event loop while every portal's next request waited.  The youngest
    generation is collected after YOUNG allocations, not 700: a crawl allocates fast and keeps little,
    and 200 portals made 560 collections (0.4 s) where 60 did (0.16 s)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


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
    """One pass over every configured portal, all on one event loop, each host politely.  When
    `cancel` is set, each portal stops at its next page and what was fetched is written.  Raises
    StorageError when the writer died (nothing written after that; the passes stay open and are
    closed as interrupted at the next start)."""
    sink = StorageSink(
        db,
        now=now,
        limits=limits or config.parse,
        max_size_mb=config.database.max_size_mb,
        ocr={p.name: p.ocr for p in config.portals if p.ocr is not None},
    )
    try:
        # libuv's loop: the same asyncio, at a third of the cost per request of the standard loop
        with _heap_set_aside(), asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            results = runner.run(
                _crawl_all(
                    config,
                    sink,
                    progress=progress,
                    transport=transport,
                    cancel=cancel,
                    scheduler=scheduler or HostScheduler(),
                )
            )
    finally:
        outcomes = sink.close()
    if sink.writer_error:
        raise StorageError(f"{sink.writer_error}: the crawl stopped; the next run resumes it")
    for result in results:
        result.outcome, result.lost_writes = outcomes.get(result.portal, (result.outcome, []))
    return results


async def _crawl_all(
    config: Config,
    sink: StorageSink,
    *,
    progress: Callable[[str, int, int, int], None] | None,
    transport: httpx.AsyncBaseTransport | None,
    cancel: threading.Event | None,
    scheduler: HostScheduler,
) -> list[CrawlResult]:
    stop = asyncio.Event()
    # a transport given (tests) is shared by one client; otherwise each portal has its own client
    shared = build_client(config.crawl, transport=transport) if transport is not None else None
    tls = tls_context() if shared is None else None

    window = asyncio.Semaphore(ACTIVE_PORTALS)

    async def one(portal: Portal) -> CrawlResult:
        async with window:
            return await client_for(portal)

    async def client_for(portal: Portal) -> CrawlResult:
        if shared is not None:
            return await crawl_one(portal, shared)
        async with build_client(config.crawl, verify=tls or True, connections=16) as client:
            return await crawl_one(portal, client)

    async def crawl_one(portal: Portal, client: httpx.AsyncClient) -> CrawlResult:
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
        sink.finish(result)
        return result

    sink.begin(config.portals)
    crawling = asyncio.gather(*(one(p) for p in config.portals))
    watcher = asyncio.create_task(_watch(cancel, stop, sink, crawling))
    try:
        return list(await crawling)
    except asyncio.CancelledError:
        if sink.alive():
            raise
        return []  # the writer died: crawl_all raises, nothing here was or will be stored
    finally:
        watcher.cancel()
        if shared is not None:
            await shared.aclose()


async def _watch(
    cancel: threading.Event | None, stop: asyncio.Event, sink: StorageSink, crawling: asyncio.Future[Any]
) -> None:
    """A shutdown asked from another thread (the daemon's signal handler) reaches the event loop:
    every portal stops at its next page, and what was fetched is written.  A dead writer stops
    every portal at once: nothing fetched from now on could be stored."""
    while sink.alive():
        if cancel is not None and cancel.is_set():
            stop.set()
        await asyncio.sleep(0.1)
    stop.set()
    crawling.cancel()
