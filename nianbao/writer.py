"""The writer: the one process that writes the database during a crawl, and the parent of the
bounded parse workers.  The crawling process only fetches; everything it hands over comes here
through one pipe, in order, and is parsed (in the workers) and stored (here).

A portal's pass is closed only after every document it handed over is parsed and stored; if any
write failed, the pass is recorded partial with the reason — never complete.  The writer ignores
SIGINT/SIGTERM (the crawling process decides when it stops) and dies with its parent
(`nianbao.procs`).

The inbox and the replies are pipes, each end held by one process only: when either process dies,
the other reads the end of the pipe (or fails to write) at once — nothing waits on a dead process,
and no queue's feeder thread keeps a process from exiting.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import signal
from collections import defaultdict
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

import sqlite_utils

from crawler.sink import Document
from nianbao import logs, procs
from nianbao.ingest import ingest, ingest_known
from nianbao.ledger import complete_ledger, title_names
from nianbao.parsing import Parsed
from nianbao.workers import Limits, ParsePool
from nianbao.writes import (
    Done,
    Finished,
    FinishPass,
    Message,
    RecordFetch,
    Reply,
    SaveDocument,
    SaveFailure,
    SavePage,
    Stop,
    Write,
    portal_of,
    what,
)
from storage.db import open_db
from storage.documents import record_unfetched, save_document, sha256_of
from storage.runs import finish_run, record_fetch

logger = logging.getLogger(__name__)
STOP = Stop()
BATCH = 256  # writes stored in one transaction, at most
STORE_AFTER = 0.05  # seconds: the parses back within this long of each other are stored together
STORE_SLICE = 4  # parses stored in one transaction, one turn of the event loop (some 3 ms each)


@dataclass
class Writing:
    """The writer's state: its connection, its parse workers, what each portal still has in flight."""

    db: sqlite_utils.Database
    pool: ParsePool
    replies: Connection | None  # the pipe back to the crawling process
    ocr: dict[str, bool] = field(default_factory=dict)  # portals whose own switch says whether scans are read
    pending: dict[str, set[asyncio.Task[None]]] = field(default_factory=lambda: defaultdict(set))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # per portal: URL -> (its list title, why, kind) of each document that could not be stored ("lost")
    # or was found cut short when parsed ("truncated")
    lost: dict[str, dict[str, tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(dict))
    # by sha256, from the start of its parse until it is stored: the parse, and the URL it was started for
    parsing: dict[str, tuple[asyncio.Future[Parsed], str]] = field(default_factory=dict)
    # parses back from the workers, stored together STORE_AFTER after the first of them came back
    parsed: list[tuple[SaveDocument, str, Parsed]] = field(default_factory=list)
    stored: asyncio.Future[None] | None = None  # done when `parsed` is stored
    # portals whose pass is closing, waiting for its last documents: theirs are stored as they come back
    closing: set[str] = field(default_factory=set)

    def write_all(self, items: list[Write]) -> None:
        """Writes that need no parse, in one transaction (a batch costs one commit, not one per row);
        each in its own savepoint, so a failing item costs that item.  If the commit itself fails
        (disk full …), every item of the batch is counted lost for its portal."""
        if not items:
            return
        try:
            with self.db.atomic():
                for item in items:
                    if isinstance(item, SaveDocument):
                        self.document(item)
                    else:
                        self.apply(item)
        except Exception as exc:
            for item in items:
                document = item.document if isinstance(item, SaveDocument) else None
                self._failed(portal_of(item), what(item), exc, document)

    def apply(self, item: Write) -> None:
        """A write that needs no parsing, done at once; a failure costs that item and is counted
        (each is one statement, or its own savepoint)."""
        try:
            if isinstance(item, SavePage):
                save_document(
                    self.db,
                    item.content,
                    url=item.url,
                    now=item.now,
                    content_type=item.content_type,
                    portal=item.portal,
                    etag=item.etag,
                    last_modified=item.last_modified,
                    kind="list",
                )
            elif isinstance(item, SaveFailure):
                agency, year = title_names(item.title)
                with self.db.atomic():
                    record_unfetched(
                        self.db,
                        item.url,
                        portal=item.portal,
                        title=item.title,
                        date=item.date,
                        error=item.error,
                        now=item.now,
                        agency=agency,
                        year=year,
                    )
            elif isinstance(item, RecordFetch):
                record_fetch(self.db, item.row)
        except Exception as exc:
            self._failed(portal_of(item), what(item), exc)

    def _failed(self, portal: str | None, what: str, exc: Exception, document: Document | None = None) -> None:
        logger.info("could not store %s: %s", what, exc)  # the crawl ends with one line that sums them up
        self.failures[portal or ""].append(f"{type(exc).__name__}: {exc}")
        if document is not None:  # its list entry (or the entry it is an attachment of) failed
            self.lost[portal or ""][document.url] = (document.list_title or "", f"{type(exc).__name__}: {exc}", "lost")

    def document(self, item: SaveDocument) -> None:
        """Bytes this parser has read before join their report at once; new bytes are parsed in a
        worker and stored when the parse is back."""
        document = item.document
        digest = sha256_of(document.content)  # once: the parse and the stores use it
        try:
            if ingest_known(self.db, document, now=item.now, sha256=digest) is not None:
                return  # bytes already read by this parser: one more URL of their report
        except Exception as exc:
            self._failed(document.portal, document.url, exc, document)
            return
        task = asyncio.get_running_loop().create_task(self._parse_and_store(item, digest))
        self.pending[document.portal or ""].add(task)
        task.add_done_callback(self.pending[document.portal or ""].discard)

    async def _parse_and_store(self, item: SaveDocument, digest: str) -> None:
        parsed = await self._parse(item.document, digest)
        self.parsed.append((item, digest, parsed))
        if self.stored is None:  # the first back: the others coming back meanwhile share its commit
            loop = asyncio.get_running_loop()
            self.stored = loop.create_future()
            loop.call_later(STORE_AFTER, self._store_parsed)
        stored = self.stored
        if (item.document.portal or "") in self.closing:  # a pass waits for it: no time to gather others
            self._store_parsed()
        await asyncio.shield(stored)

    def _store_parsed(self) -> None:
        """Store the parses that are back, STORE_SLICE to a transaction (one commit, not one per
        document), a slice per turn of the event loop: documents arriving meanwhile go to the
        workers between two slices, not after all of them.  Each in its own savepoint, so a failing
        document costs that document; if the commit itself fails, each document of the slice is
        counted lost for its portal.  (A pass's end may have stored them before their timer: then
        there is nothing to do, or the next batch goes early.)"""
        if not self.parsed:
            return
        batch, self.parsed = self.parsed[:STORE_SLICE], self.parsed[STORE_SLICE:]
        try:
            with self.db.atomic():
                for item, digest, parsed in batch:
                    self._store(item, digest, parsed)
        except Exception as exc:
            for item, _, _ in batch:
                self._failed(item.document.portal, item.document.url, exc, item.document)
        finally:
            for _, digest, _ in batch:  # stored (or failed): the same bytes arriving now are known, or parsed anew
                self.parsing.pop(digest, None)
            if self.parsed:
                asyncio.get_running_loop().call_soon(self._store_parsed)
            elif self.stored is not None:
                self.stored.set_result(None)
                self.stored = None

    def _store(self, item: SaveDocument, digest: str, parsed: Parsed) -> None:
        document = item.document
        try:
            # the same bytes came twice while in a worker (two portals serving one file): the first
            # copy stored its report, the second joins it as a known document does
            stored = ingest_known(self.db, document, now=item.now, sha256=digest) or ingest(
                self.db, document, now=item.now, parsed=parsed, sha256=digest
            )
        except Exception as exc:
            self._failed(document.portal, document.url, exc, document)
            return
        if stored.error and stored.error.startswith("truncated:"):  # a cut copy: a failed fetch of its entry
            self.lost[document.portal or ""][document.url] = (document.list_title or "", stored.error, "truncated")

    async def _parse(self, document: Document, digest: str) -> Parsed:
        """Parse in a worker; the same bytes arriving while they are being parsed (portals that serve
        one attachment, two columns listing one report) wait for that parse instead of starting another."""
        if digest not in self.parsing:
            started: asyncio.Future[Parsed] = asyncio.ensure_future(
                self.pool.parse(
                    document.content,
                    url=document.url,
                    content_type=document.content_type,
                    ocr=self.ocr.get(document.portal or ""),
                )
            )
            self.parsing[digest] = (started, document.url)
            started.add_done_callback(lambda done: self._forget_failed(digest, done))
        running, first = self.parsing[digest]
        parsed = await asyncio.shield(running)
        if parsed.error and first != document.url:  # the reason names the URL it is recorded for
            parsed = replace(parsed, error=parsed.error.replace(first, document.url))
        return parsed

    def _forget_failed(self, digest: str, parse: asyncio.Future[Parsed]) -> None:
        """A parse that raised (a bug, not a document's doing) is no parse to wait for: the next
        copy of the bytes tries again.  A parse that came back stays until it is stored."""
        if parse.cancelled() or parse.exception() is not None:
            self.parsing.pop(digest, None)

    async def finish(self, item: FinishPass) -> None:
        """Close a portal's pass once its documents are stored; a pass that lost writes is partial."""
        portal = item.portal
        if self.pending[portal]:
            if self.parsed:  # the parses back are stored now: the pass need not wait for STORE_AFTER
                self._store_parsed()
            self.closing.add(portal)  # nor need those still in a worker
            try:
                await asyncio.gather(*list(self.pending[portal]), return_exceptions=True)
            finally:
                self.closing.discard(portal)
        values = dict(item.values)
        lost = self.failures.get(portal)
        if lost:
            values["detail"] = f"{len(lost)} write(s) failed: {lost[0]}; " + values["detail"]
        stored_lost = [url for url, (_, _, kind) in self.lost.get(portal, {}).items() if kind == "lost"]
        if lost and values["outcome"] == "complete" and len(stored_lost) < len(lost):
            values["outcome"] = "partial"  # a write that belongs to no document (a list page, a fetch row)
        if "entries" in values:  # the ledger: names from titles, lost writes settled, doubts scoped
            values["entries"], values["doubts"], values["evidence"] = complete_ledger(
                values["entries"], values.pop("attachment_failures", []), values["evidence"], self.lost.get(portal, {})
            )
        try:
            finish_run(self.db, item.run_id, portal=portal, now=item.now, values=values)
        except Exception as exc:
            self._failed(portal, what(item), exc)
            values["outcome"] = "partial"  # its own row is lost: the pass proves nothing
        _tell(self.replies, Finished(portal, values["outcome"], lost or []))


def _tell(replies: Connection | None, reply: Reply) -> None:
    """A reply to the crawling process; when it is gone there is nobody to tell (this process ends
    with it)."""
    if replies is None:
        return
    try:
        replies.send(reply)
    except OSError:
        pass


async def _serve(
    path: str, inbox: Connection, replies: Connection, limits: Limits, max_size_mb: int | None, ocr: dict[str, bool]
) -> None:
    writing = Writing(open_db(path, max_size_mb=max_size_mb), ParsePool(limits, to_store=True), replies, ocr=ocr)
    gc.freeze()  # what is loaded by now lives as long as this process: no collection need walk it
    loop = asyncio.get_running_loop()
    # passes closing, each waiting for its own last documents: side by side, not one behind another
    finishing: list[asyncio.Task[None]] = []
    try:
        stopped = False
        while not stopped:
            writes: list[Write] = []
            for item in await loop.run_in_executor(None, _take, inbox):
                if isinstance(item, Stop):
                    stopped = True
                    break
                if isinstance(item, FinishPass):  # the pass's earlier writes first, then its closing
                    writing.write_all(writes)
                    writes = []
                    finishing.append(loop.create_task(writing.finish(item)))
                else:
                    writes.append(item)
            writing.write_all(writes)
        await asyncio.gather(*finishing)  # a bug in a closing pass is raised here
        for tasks in list(writing.pending.values()):
            await asyncio.gather(*list(tasks), return_exceptions=True)
    finally:
        writing.db.close()  # nothing is written after "done": the crawl goes on without waiting for us
        _tell(replies, Done(dict(writing.failures), writing.pool.replaced))
        writing.pool.close()


def _take(inbox: Connection) -> list[Message]:
    """The next item (waiting for it), and those already sent behind it, up to BATCH.  The end of
    the pipe (the crawling process ended without saying stop) is a stop: what came is stored."""
    items: list[Message] = []
    try:
        items.append(inbox.recv())
        while len(items) < BATCH and not isinstance(items[-1], Stop) and inbox.poll():
            items.append(inbox.recv())
    except (EOFError, OSError):
        items.append(STOP)
    return items


def main(
    path: str,
    inbox: Connection,
    replies: Connection,
    limits: Limits,
    max_size_mb: int | None,
    logging_setup: tuple[int, str],
    ocr: dict[str, bool] | None = None,
) -> None:
    """The writer process's entry point."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logs.configure_level(*logging_setup)
    asyncio.run(_serve(path, inbox, replies, limits, max_size_mb, ocr or {}))


def start(
    path: str, limits: Limits, max_size_mb: int | None = None, ocr: dict[str, bool] | None = None
) -> tuple[multiprocessing.process.BaseProcess, Connection, Connection]:
    """The writer process, the end of its inbox to send on, and the end of its replies to receive
    from; `ocr`: the portals' own OCR switches.  The other ends are closed here once the writer has them."""
    inbox_out, inbox = procs.CONTEXT.Pipe(duplex=False)
    replies, replies_in = procs.CONTEXT.Pipe(duplex=False)
    process = procs.CONTEXT.Process(  # spawned, tied to this process from its start
        target=main,
        args=(path, inbox_out, replies_in, limits, max_size_mb, logs.current(), ocr or {}),
        name="nianbao-writer",
        daemon=False,
    )
    try:
        process.start()
    finally:
        inbox_out.close()
        replies_in.close()
    procs.give_way(process.pid)  # before its imports: they are the heaviest work of a short crawl's start
    return process, inbox, replies
