"""A report that would replace the current version with fewer of the six parts is a fetch cut short:
a failed fetch of its URL, never a new version; an edit, which keeps its parts, is a version."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from crawler.sink import Document
from nianbao.ingest import ingest
from nianbao.sample.reports import SampleReport, balanced, report_text
from storage.db import open_db
from storage.reports import parts_of

AGENCY = "某某县马关镇人民政府"
URL = "http://127.0.0.1/a.htm"
FIRST, LATER = "2026-02-01T00:00:00", "2026-03-01T00:00:00"


def _text(new: int = 3, *, cut_before: str | None = None) -> bytes:
    text = report_text(SampleReport(agency=AGENCY, year=2025, applications=balanced(new)))
    return (text[: text.index(cut_before)] if cut_before else text).encode()


def _versions(db: sqlite_utils.Database) -> list[tuple[int, int]]:
    return [(r["version"], r["is_current"]) for r in db.query("SELECT version, is_current FROM reports ORDER BY id")]


def test_a_copy_that_lost_parts_is_a_failed_fetch_of_its_url(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    first = ingest(db, Document(URL, _text(), portal="县", list_title=f"{AGENCY}2025年度报告"), now=FIRST)
    assert first.report_id is not None and len(parts_of(db, first.report_id)) == 6
    cut = ingest(db, Document(URL, _text(cut_before="五、存在的主要问题"), portal="县"), now=LATER)
    assert cut.report_id is None and cut.error == (
        f"truncated: 4 of the six parts found, where the current version (1, {URL}) has 6; "
        "not found: problems, other_matters"
    )
    assert _versions(db) == [(1, 1)]
    row = db.table("document_urls").get(URL)
    assert (row["sha256"], row["fetch_error"], row["last_seen"]) == (first.sha256, cut.error, LATER)
    assert db["documents"].count == 1  # the cut bytes are not kept
    assert db.execute("SELECT count(*) FROM report_findings").fetchone()[0] == 0  # nor their findings


def test_a_cut_copy_under_a_new_url_is_found_with_its_failure(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document(URL, _text()), now=FIRST)
    other = "http://127.0.0.1/content.jsp?wbnewsid=1"
    cut = ingest(db, Document(other, _text(cut_before="四、政府信息公开行政复议"), portal="县"), now=LATER)
    assert (cut.error or "").startswith("truncated: 3 of the six parts found")
    row = db.table("document_urls").get(other)
    assert (row["sha256"], row["agency"], row["year"], row["fetch_error"]) == (None, AGENCY, 2025, cut.error)
    assert _versions(db) == [(1, 1)]


def test_an_edit_with_every_part_is_a_new_version(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document(URL, _text(new=3)), now=FIRST)
    edited = ingest(db, Document(URL, _text(new=4)), now=LATER)
    assert edited.error is None and _versions(db) == [(1, 0), (2, 1)]
    assert db.table("document_urls").get(URL)["fetch_error"] is None


def test_a_report_short_of_parts_from_the_start_may_still_change(tmp_path: Path) -> None:
    """Fewer parts than the current version, not than six: a report that never had part 六 is edited."""
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document(URL, _text(new=3, cut_before="六、其他需要报告的事项")), now=FIRST)
    edited = ingest(db, Document(URL, _text(new=4, cut_before="六、其他需要报告的事项")), now=LATER)
    assert edited.error is None and _versions(db) == [(1, 0), (2, 1)]
    whole = ingest(db, Document(URL, _text(new=4)), now=LATER)  # and one that gained it
    assert whole.error is None and _versions(db) == [(1, 0), (2, 0), (3, 1)]


def test_a_reparse_of_stored_bytes_is_no_fetch(tmp_path: Path) -> None:
    """`nianbao reparse` reads bytes stored long ago: no fetch can have cut them, the parser's word stands."""
    db = open_db(str(tmp_path / "n.db"))
    ingest(db, Document(URL, _text(new=3)), now=FIRST)
    again = ingest(db, Document(URL, _text(new=4, cut_before="五、存在的主要问题")), now=LATER, fetched=False)
    assert again.error is None and _versions(db) == [(1, 0), (2, 1)]
