"""The writer stores what is queued in one transaction: a failing item costs that item only, and
items that cannot be written are each counted lost (so their passes are partial, never complete)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crawler.sink import Document
from nianbao import procs, writer
from nianbao.parsing import Parsed
from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.workers import Limits, ParsePool
from nianbao.writer import Writing
from nianbao.writes import FinishPass, RecordFetch, SaveDocument, SavePage
from storage.db import open_db
from storage.runs import begin_run

NOW = "2026-02-01T12:00:00+00:00"


def _fetch(url: str, **extra: Any) -> RecordFetch:
    row = {"run_id": None, "portal": "县", "url": url, "status": 200, "outcome": "ok", "bytes": 1, "duration_ms": 1}
    return RecordFetch("县", {**row, **extra})


def _page(url: str) -> SavePage:
    return SavePage(url, b"<html>list</html>", "县", NOW, content_type="text/html")


def test_a_bad_item_costs_itself_and_the_rest_of_the_batch_is_stored(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    writing = Writing(db, ParsePool(), replies=None)
    writing.write_all([_fetch("http://a/1"), _fetch("http://a/2", no_such_column=1), _page("http://a/list")])
    assert [r["url"] for r in db.query("SELECT url FROM fetches")] == ["http://a/1"]
    assert db.execute("SELECT count(*) FROM document_urls WHERE url = 'http://a/list'").fetchone()[0] == 1
    assert len(writing.failures["县"]) == 1 and "no_such_column" in writing.failures["县"][0]


def test_when_the_database_cannot_be_written_every_item_of_the_batch_is_counted_lost(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    writing = Writing(db, ParsePool(), replies=None)
    other = sqlite3.connect(str(tmp_path / "n.db"), timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
    db.execute("PRAGMA busy_timeout = 0")
    writing.write_all([_fetch("http://a/1"), _page("http://a/list"), _fetch("http://a/2")])
    other.rollback()
    assert db.execute("SELECT count(*) FROM fetches").fetchone()[0] == 0
    assert len(writing.failures["县"]) == 3  # the passes of these portals cannot be complete
    assert all("locked" in failure for failure in writing.failures["县"])


class CountingPool(ParsePool):
    """A real pool of one worker that counts the parses it is asked for."""

    def __init__(self) -> None:
        super().__init__(Limits(workers=1))
        self.asked = 0

    async def parse(self, content: bytes, *, url: str, content_type: str | None, ocr: bool | None = None) -> Parsed:
        self.asked += 1
        return await super().parse(content, url=url, content_type=content_type, ocr=ocr)


def test_parses_back_are_stored_together_and_a_copy_arriving_before_that_is_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reports parsed, their parses held to be stored in one transaction; the bytes of the
    first arriving again under another URL after its parse came back, but before it was stored,
    wait for that parse and join its report: one parse per distinct document, every URL stored."""
    monkeypatch.setattr(writer, "STORE_AFTER", 60.0)  # stored when the test says, however slow the machine
    db = open_db(str(tmp_path / "n.db"))
    pool = CountingPool()
    writing = Writing(db, pool, replies=None)
    first, second = (
        report_text(SampleReport(agency=f"某某县{n}镇人民政府", year=2025, applications=balanced(n))).encode()
        for n in (1, 2)
    )

    def save(url: str, content: bytes) -> SaveDocument:
        return SaveDocument(Document(url, content, "text/plain; charset=utf-8", "县", list_title="年报"), NOW)

    async def crawl() -> int:
        writing.document(save("http://a/1.txt", first))
        writing.document(save("http://a/2.txt", second))
        while len(writing.parsed) < 2:  # both back from the worker
            await asyncio.sleep(0.01)
        writing.document(save("http://b/1.txt", first))  # the same bytes as the first, elsewhere
        while len(writing.parsed) < 3:
            await asyncio.sleep(0.01)
        stored = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        writing._store_parsed()  # the timer's work, now
        await asyncio.gather(*writing.pending["县"])
        return int(stored)

    try:
        before = asyncio.run(crawl())
    finally:
        pool.close()
    assert pool.asked == 2  # the copy waited for the first's parse
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
    assert sorted(r[0] for r in db.execute("SELECT url FROM report_urls")) == [
        "http://a/1.txt",
        "http://a/2.txt",
        "http://b/1.txt",
    ]
    assert before == 0 and not writing.failures  # nothing was stored until the batch was


def _sample(n: int) -> bytes:
    return report_text(SampleReport(agency=f"某某县{n}镇人民政府", year=2025, applications=balanced(n))).encode()


def _closing(run_id: int, portal: str) -> FinishPass:
    return FinishPass(run_id, portal, NOW, {"outcome": "complete", "detail": ""})


def test_a_closing_pass_stores_its_last_documents_as_they_come_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass that closes while its last document is still in a worker stores it as soon as its
    parse is back: it does not wait for the batch timer (here a minute) that gathers the others."""
    monkeypatch.setattr(writer, "STORE_AFTER", 60.0)
    db = open_db(str(tmp_path / "n.db"))
    run_id, _ = begin_run(db, "县", now=NOW)
    pool = CountingPool()
    writing = Writing(db, pool, replies=None)

    async def crawl() -> None:
        writing.document(SaveDocument(Document("http://a/1.txt", _sample(1), "text/plain", "县"), NOW))
        await asyncio.wait_for(writing.finish(_closing(run_id, "县")), timeout=30)

    try:
        asyncio.run(crawl())
    finally:
        pool.close()
    assert pool.asked == 1 and not writing.failures
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert db.execute("SELECT outcome FROM crawl_runs WHERE id = ?", [run_id]).fetchone()[0] == "complete"


def test_passes_close_side_by_side(tmp_path: Path) -> None:
    """The writer closes each pass when its own documents are stored: a pass with nothing in a
    worker is answered before one whose last document is still being parsed, though it was
    closed after it (the first parse also starts the worker: a long while)."""
    path = str(tmp_path / "n.db")
    db = open_db(path)
    slow, quick = begin_run(db, "慢县", now=NOW)[0], begin_run(db, "快县", now=NOW)[0]
    process, inbox, replies = writer.start(path, Limits(workers=1))
    try:
        inbox.send(SaveDocument(Document("http://a/1.txt", _sample(1), "text/plain", "慢县"), NOW))
        inbox.send(_closing(slow, "慢县"))
        inbox.send(_closing(quick, "快县"))
        inbox.send(writer.STOP)
        answers = [replies.recv() for _ in range(3)]
    finally:
        process.join(timeout=30)
    assert [type(a).__name__ for a in answers] == ["Finished", "Finished", "Done"]
    assert [a.portal for a in answers[:2]] == ["快县", "慢县"]
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


def test_the_writer_and_its_workers_give_way_to_the_crawling_process(tmp_path: Path) -> None:
    """Sends are what politeness is measured by: on a busy machine the writer (and the parse
    workers it starts, which inherit its priority) wait a little, the crawling process does not."""
    process, inbox, replies = writer.start(str(tmp_path / "n.db"), Limits(workers=1))
    try:
        assert process.pid is not None
        niceness = os.getpriority(os.PRIO_PROCESS, process.pid)
        inbox.send(writer.STOP)
        replies.recv()
    finally:
        process.join(timeout=30)
    assert niceness == min(19, os.getpriority(os.PRIO_PROCESS, 0) + procs.WRITER_NICENESS)


def test_parses_are_stored_a_slice_a_turn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parses back together are stored STORE_SLICE to a turn of the event loop, so that documents
    arriving meanwhile reach the workers between two slices; each waits until all are stored."""
    monkeypatch.setattr(writer, "STORE_AFTER", 60.0)
    db = open_db(str(tmp_path / "n.db"))
    pool = CountingPool()
    writing = Writing(db, pool, replies=None)
    count = writer.STORE_SLICE + 2

    async def crawl() -> list[int]:
        for n in range(count):
            writing.document(SaveDocument(Document(f"http://a/{n}.txt", _sample(n), "text/plain", "县"), NOW))
        while len(writing.parsed) < count:
            await asyncio.sleep(0.01)
        seen = [db.execute("SELECT count(*) FROM reports").fetchone()[0]]
        writing._store_parsed()  # the timer's work, now
        seen.append(db.execute("SELECT count(*) FROM reports").fetchone()[0])
        assert writing.stored is not None and not writing.stored.done()
        await asyncio.gather(*writing.pending["县"])  # the next turn stores the rest
        return [*seen, db.execute("SELECT count(*) FROM reports").fetchone()[0]]

    try:
        assert asyncio.run(crawl()) == [0, writer.STORE_SLICE, count]
    finally:
        pool.close()
    assert writing.stored is None and not writing.failures
