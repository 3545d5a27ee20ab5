"""The writer stores what is queued in one transaction: a failing item costs that item only, and
items that cannot be written are each counted lost (so their passes are partial, never complete)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from nianbao.workers import ParsePool
from nianbao.writer import Writing
from nianbao.writes import RecordFetch, SavePage
from storage.db import open_db

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
