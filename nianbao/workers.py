"""Parsing in bounded worker processes: a document built to exhaust memory or time, or a bug,
costs that document only — its bytes are stored with a one-line `parse_error`, the report is
"found but unreadable", and a dead or stuck worker is replaced.

Each worker runs with an address-space limit (RLIMIT_AS) and dies with its parent (`nianbao.procs`);
each document has a wall-time limit, past which the workers are killed and
replaced.  When a worker dies with several documents in flight, each is tried once more on fresh
workers: the one that kills a worker twice is the culprit.

Many documents at once (`nianbao parse --jsonl`, `nianbao reparse`) are streamed to the workers in
batches (`ParsePool.stream`), one round trip for each: a batch gets the time limit of one document,
and a batch past it, or one whose worker died, is parsed again document by document as above — so
no document is called too slow, or the culprit, unless it was so alone (a hostile one costs at
most twice the limit).  The memory limit is the worker's, as for one document; the page limit is
each document's.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Literal, TypeVar, overload

from nianbao import logs, procs
from nianbao.core.config import ParseLimits
from nianbao.parsing import Job, Line, Parsed, has_pictures, loaded, parse_document, parse_many, render_line
from parsers import OcrLimits

logger = logging.getLogger(__name__)


Limits = ParseLimits  # [parse] in the configuration: defaults a real 300-page report passes easily


BATCH = 32  # documents in one worker call, at most
BATCH_BYTES = 8 * 1024 * 1024  # a batch stays far inside one document's time (8 MB of PDF: a few seconds)
MAX_WORKERS = 32  # as [parse] workers allows
K = TypeVar("K")


def cores() -> int:
    """The cores this process may run on (at most MAX_WORKERS): the default number of workers of
    the commands that parse many documents."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    return max(1, min(count, MAX_WORKERS))


def batch_size(total: int, workers: int) -> int:
    """Documents in a batch: few enough that each worker gets several (the last ones end
    together), and at most BATCH."""
    return max(1, min(BATCH, total // (4 * workers)))


class ParsePool:
    """Worker processes that parse and check documents, within `Limits`."""

    def __init__(self, limits: Limits | None = None, *, to_store: bool = False) -> None:
        """`to_store`: the parses are for storing (the writer's), so each worker also computes what
        storing a report computes from it alone (`parse_document`'s `to_store`)."""
        self.limits = limits or Limits()
        self.to_store = to_store
        self._pool: ProcessPoolExecutor | None = None
        self.generation = 0
        self.replaced = 0
        self._calls: list[asyncio.Future[Any]] = []  # in the order submitted: the order workers take them

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.limits.workers,
                mp_context=procs.CONTEXT,  # spawned, each tied to this process from its start
                initializer=procs.worker_setup,
                initargs=(
                    self.limits.memory_mb,
                    logs.current(),
                    self.limits.ocr_memory_mb if self.limits.ocr else None,
                ),
            )
            self.generation += 1
        return self._pool

    def _replace(self, generation: int) -> None:
        """Kill the workers of `generation` (if still current) and start afresh on the next document."""
        if self._pool is None or generation != self.generation:
            return
        pool, self._pool = self._pool, None
        self.replaced += 1
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    async def parse(self, content: bytes, *, url: str, content_type: str | None, ocr: bool | None = None) -> Parsed:
        """The parse of one document; never raises for what the document does to a worker.  A scan
        is first recognised without OCR, in the ordinary time limit; it is read again with OCR
        (`ocr`: its portal's switch, else [parse] ocr) under OCR's own limit: its pages times the seconds
        a page may take.  A document that is no scan never gets more time than `seconds`."""
        allowed = self.limits.ocr if ocr is None else ocr
        pictured = allowed and has_pictures(content)  # an article with its tables as pictures
        if not pictured:
            parsed = await self._parse(
                content, url=url, content_type=content_type, ocr=None, seconds=self.limits.seconds
            )
            if not (parsed.needs_ocr and allowed):
                return parsed
        return await self._with_ocr(Job(content, url, content_type))

    def _pictured(self, content: bytes) -> bool:
        return self.limits.ocr and has_pictures(content)

    async def _with_ocr(self, job: Job) -> Parsed:
        """A scan (or a page of pictures) read with OCR, under OCR's own time limit."""
        limits = OcrLimits(self.limits.ocr_pages, self.limits.ocr_page_seconds)
        seconds = self.limits.seconds + limits.pages * limits.page_seconds
        return await self._parse(job.content, url=job.url, content_type=job.content_type, ocr=limits, seconds=seconds)

    @overload
    async def parse_batch(self, jobs: Sequence[Job], *, render: Literal[False] = False) -> list[Parsed]: ...
    @overload
    async def parse_batch(self, jobs: Sequence[Job], *, render: Literal[True]) -> list[Line]: ...
    async def parse_batch(self, jobs: Sequence[Job], *, render: bool = False) -> list[Parsed] | list[Line]:
        """The parses of several documents, in their order, each as `parse` would give it: in one
        worker call per BATCH_BYTES of them (one round trip), within the time limit of one
        document; a batch past it, or whose worker died, is parsed again one document at a time.
        Scans and pages of pictures are read alone, with OCR, as `parse` reads them; a job with an
        `error` (an input that could not be read) is not parsed: that is its error.  `render`:
        each comes back as the JSON line of `nianbao parse --jsonl`, made in the worker."""
        results: list[Parsed | Line | None] = [None] * len(jobs)
        together = [i for i, job in enumerate(jobs) if job.error is None and not self._pictured(job.content)]
        start = 0
        while len(together) - start > 1:
            end, size = start, 0
            while end < len(together) and (end == start or size + jobs[together[end]].size <= BATCH_BYTES):
                size += jobs[together[end]].size
                end += 1
            chunk = together[start:end]
            if len(chunk) > 1:
                got = await self._many([jobs[i] for i in chunk], render)
                if got is not None:  # else each is parsed alone, below
                    for i, done in zip(chunk, got, strict=True):
                        results[i] = done
            start = end
        for i, (job, result) in enumerate(zip(jobs, results, strict=True)):
            if result is not None and not (result.needs_ocr and self.limits.ocr):
                continue
            job = loaded(job)  # read here when it is to be parsed alone
            if job.error is not None:
                parsed = Parsed(None, (), job.error)
            elif result is None:
                parsed = await self.parse(job.content, url=job.url, content_type=job.content_type)
            else:
                parsed = await self._with_ocr(job)
            results[i] = render_line(parsed, job.url) if render else parsed
        return [r for r in results if r is not None]  # type: ignore[return-value]

    @overload
    def stream(
        self, items: AsyncIterable[tuple[K, Job]], *, batch: int = ..., render: Literal[False] = False
    ) -> AsyncIterator[list[tuple[K, Parsed]]]: ...
    @overload
    def stream(
        self, items: AsyncIterable[tuple[K, Job]], *, batch: int = ..., render: Literal[True]
    ) -> AsyncIterator[list[tuple[K, Line]]]: ...
    async def stream(
        self, items: AsyncIterable[tuple[K, Job]], *, batch: int = BATCH, render: bool = False
    ) -> AsyncIterator[list[tuple[K, Parsed]]] | AsyncIterator[list[tuple[K, Line]]]:
        """The parse of each job, in the order of `items`, a batch at a time: the jobs are gathered
        into batches of `batch` documents (and at most BATCH_BYTES), each parsed by `parse_batch`.
        Each worker has a batch running and the next one waiting in its queue (its time limit
        counts from when the worker takes it), so that it never waits for this process between
        two; `items` is read a batch per worker further ahead, no more.  `render`: the lines of
        `nianbao parse --jsonl`."""
        workers = self.limits.workers
        slots = asyncio.Semaphore(2 * workers)
        window: deque[tuple[list[K], asyncio.Task[list[Parsed] | list[Line]]]] = deque()

        async def parse(jobs: list[Job]) -> list[Parsed] | list[Line]:
            async with slots:
                return await self.parse_batch(jobs, render=render)  # type: ignore[call-overload,no-any-return]

        keys: list[K] = []
        jobs: list[Job] = []
        size = 0
        pending = aiter(items)
        while True:
            item = await anext(pending, None)
            if item is not None:
                keys.append(item[0])
                jobs.append(item[1])
                size += item[1].size
            if jobs and (item is None or len(jobs) >= batch or size >= BATCH_BYTES):
                window.append((keys, asyncio.create_task(parse(jobs))))
                keys, jobs, size = [], [], 0
            while window and (item is None or len(window) > 3 * workers or window[0][1].done()):
                held, task = window.popleft()
                yield list(zip(held, await task, strict=True))  # type: ignore[misc]
            if item is None:
                return

    async def _call(self, job: Callable[[], Any], seconds: float) -> Any:
        """`job` run by a worker within `seconds`, counted from when a worker takes it (raises
        TimeoutError, BrokenProcessPool).  The workers take the calls in the order they were
        submitted, so this one has its worker once fewer than `workers` of those before it are
        still running: a call may wait behind others (a batch queued behind a batch, so that a
        worker that ends one finds the next), and that wait is none of its time."""
        future = asyncio.get_running_loop().run_in_executor(self._executor(), job)
        ahead = [call for call in self._calls if not call.done()]
        self._calls.append(future)
        try:
            while not future.done():
                ahead = [call for call in ahead if not call.done()]
                if len(ahead) < self.limits.workers:
                    break
                await asyncio.wait([future, *ahead], return_when=asyncio.FIRST_COMPLETED)
            return await asyncio.wait_for(future, timeout=seconds)
        finally:
            self._calls.remove(future)

    async def _many(self, jobs: list[Job], render: bool) -> Sequence[Parsed | Line] | None:
        """One worker call for `jobs`; None when it took longer than one document may, or its worker died."""
        generation = self.generation if self._pool is not None else self.generation + 1
        job = partial(parse_many, jobs, max_pages=self.limits.max_pages, render=render, pictures_aside=self.limits.ocr)
        try:
            return await self._call(job, self.limits.seconds)  # type: ignore[no-any-return]
        except TimeoutError:
            logger.info("a batch of %d documents took over %g s; each is parsed alone", len(jobs), self.limits.seconds)
        except BrokenProcessPool:
            logger.info("a parser worker died in a batch of %d documents; each is parsed alone", len(jobs))
        self._replace(generation)
        return None

    async def _parse(
        self, content: bytes, *, url: str, content_type: str | None, ocr: OcrLimits | None, seconds: float
    ) -> Parsed:
        for attempt in (1, 2):
            generation = self.generation if self._pool is not None else self.generation + 1
            try:
                job = partial(
                    parse_document,
                    content,
                    url=url,
                    content_type=content_type,
                    max_pages=self.limits.max_pages,
                    ocr=ocr,
                    to_store=self.to_store,
                )
                return await self._call(job, seconds)  # type: ignore[no-any-return]
            except TimeoutError:
                self._replace(generation)
                return Parsed(None, (), f"{url}: parsing took longer than {seconds:g} s; stopped")
            except BrokenProcessPool:
                self._replace(generation)
                if attempt == 2:
                    return Parsed(
                        None,
                        (),
                        f"{url}: the parser worker died on this document (over {self.limits.memory_mb} MB, "
                        "or killed); nothing else was lost",
                    )
                logger.warning("a parser worker died; %s is tried once more", url)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
