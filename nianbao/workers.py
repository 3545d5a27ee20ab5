"""Parsing in bounded worker processes: a document built to exhaust memory or time, or a bug,
costs that document only — its bytes are stored with a one-line `parse_error`, the report is
"found but unreadable", and a dead or stuck worker is replaced.

Each worker runs with an address-space limit (RLIMIT_AS) and dies with its parent (`nianbao.procs`);
each document has a wall-time limit, past which the workers are killed and
replaced.  When a worker dies with several documents in flight, each is tried once more on fresh
workers: the one that kills a worker twice is the culprit.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from nianbao import logs, procs
from nianbao.core.config import ParseLimits
from nianbao.parsing import Parsed, parse_document
from parsers import OcrLimits

logger = logging.getLogger(__name__)


Limits = ParseLimits  # [parse] in the configuration: defaults a real 300-page report passes easily


PICTURES = b'src="data:image/'  # pictures written into an article page (crawler.images): read by OCR
MAX_PICTURED_PAGE = 64 * 1024 * 1024


class ParsePool:
    """Worker processes that parse and check documents, within `Limits`."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._pool: ProcessPoolExecutor | None = None
        self.generation = 0
        self.replaced = 0

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
        pictured = allowed and PICTURES in content[:MAX_PICTURED_PAGE]  # an article with its tables as pictures
        if not pictured:
            parsed = await self._parse(
                content, url=url, content_type=content_type, ocr=None, seconds=self.limits.seconds
            )
            if not (parsed.needs_ocr and allowed):
                return parsed
        limits = OcrLimits(self.limits.ocr_pages, self.limits.ocr_page_seconds)
        seconds = self.limits.seconds + limits.pages * limits.page_seconds
        return await self._parse(content, url=url, content_type=content_type, ocr=limits, seconds=seconds)

    async def _parse(
        self, content: bytes, *, url: str, content_type: str | None, ocr: OcrLimits | None, seconds: float
    ) -> Parsed:
        for attempt in (1, 2):
            generation = self.generation if self._pool is not None else self.generation + 1
            loop = asyncio.get_running_loop()
            try:
                job = partial(
                    parse_document,
                    content,
                    url=url,
                    content_type=content_type,
                    max_pages=self.limits.max_pages,
                    ocr=ocr,
                )
                future = loop.run_in_executor(self._executor(), job)
                return await asyncio.wait_for(future, timeout=seconds)
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
