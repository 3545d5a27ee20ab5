"""One report however it is published, as storage decides it: the article page and its DOCX
attachment of the same content are one report with two URLs (each keeping its document), in either
order and read again; a changed cell or sentence is a new version and a `changed` finding that
names it; and reports stored by an earlier nianbao are recognised when read again (m011)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from checks.run import run_checks
from crawler.sink import Document
from nianbao.core.config import Agency, Config, Portal
from nianbao.crawl_runner import crawl_all
from nianbao.demo import demo_config, demo_plan
from nianbao.ingest import ingest
from nianbao.parsing import parse_document
from nianbao.sample.portal import SamplePortal
from storage.db import open_db
from storage.documents import document_content
from storage.findings import list_findings
from storage.reports import sentences_of, urls_of
from tests.conftest import FIXTURES
from tests.two_forms import AGENCY, TITLE, docx, page

PAGE, FILE = "http://127.0.0.1/info/100.htm", "http://127.0.0.1/files/100.docx"
HTML = "text/html; charset=utf-8"
CONFIG = Config(portals=(Portal("县", ("http://127.0.0.1/nb.htm",)),), agencies=(Agency(AGENCY, "township", "县"),))


def _in(db: sqlite_utils.Database, url: str, content: bytes, now: str) -> int:
    kind = HTML if url.endswith(".htm") else None
    result = ingest(db, Document(url, content, kind, "县", list_title=TITLE, list_date="2026-01-20"), now=now)
    assert result.report_id is not None, result.error
    return result.report_id


def _changed(db: sqlite_utils.Database, day: int) -> list[str]:
    run_checks(db, CONFIG, as_of=date(2026, 2, day), now=f"2026-02-{day:02d}T00:00:00")
    return [f.message for f in list_findings(db) if f.kind == "changed"]


def _rows(db: sqlite_utils.Database) -> list[tuple[int, int, int]]:
    return [(r["id"], r["version"], r["is_current"]) for r in db.query("SELECT * FROM reports ORDER BY id")]


@pytest.mark.slow
def test_the_two_forms_really_differ_in_what_is_left_out() -> None:
    """The test's own check: the page's text holds its chrome, the DOCX's its heading and running
    header, so the tests below would fail if storage compared them as they are."""
    html = parse_document(page(FILE), url=PAGE, content_type=HTML).report
    word = parse_document(docx(), url=FILE).report
    assert html is not None and word is not None
    assert {"当前位置: 首页 >> 政府信息公开 >> 政府信息公开年报 >> 正文", "【打印本页】 【关闭窗口】"} <= set(
        html.lines
    )
    assert TITLE in word.lines and "第 2 页 共 3 页" in word.lines and word.lines.count(AGENCY) == 3
    assert set(html.lines) != set(word.lines)


@pytest.mark.slow
def test_page_then_attachment_then_both_again_is_one_report(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    first = _in(db, PAGE, page(FILE), "2026-02-01T00:00:00")
    assert _in(db, FILE, docx(), "2026-02-01T00:00:01") == first
    # read again: the page's counter moved, the DOCX was saved again (new bytes, the same report)
    assert _in(db, PAGE, page(FILE, views=18), "2026-02-02T00:00:00") == first
    assert _in(db, FILE, docx(revision=2), "2026-02-02T00:00:01") == first
    assert _rows(db) == [(first, 1, 1)]
    assert set(urls_of(db, first)) == {PAGE, FILE}
    kept = {r["url"]: r["sha256"] for r in db.query("SELECT url, sha256 FROM report_urls")}
    assert document_content(db, kept[FILE])[0][:2] == b"PK"  # the attachment keeps its own document
    assert _changed(db, 3) == []


@pytest.mark.slow
def test_attachment_then_page_is_one_report(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    first = _in(db, FILE, docx(), "2026-02-01T00:00:00")
    assert _in(db, PAGE, page(FILE), "2026-02-02T00:00:00") == first
    assert _in(db, FILE, docx(revision=2), "2026-02-03T00:00:00") == first
    assert _in(db, PAGE, page(FILE, views=40), "2026-02-03T00:00:01") == first
    assert _rows(db) == [(first, 1, 1)] and set(urls_of(db, first)) == {PAGE, FILE}
    assert _changed(db, 4) == []


@pytest.mark.slow
def test_a_number_changed_in_the_attachment_is_a_change_of_that_cell(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    first = _in(db, PAGE, page(FILE), "2026-02-01T00:00:00")
    _in(db, FILE, docx(), "2026-02-01T00:00:01")
    edited = docx(edit=lambda t: t.replace("行政许可 | 12 |", "行政许可 | 13 |"))
    second = _in(db, FILE, edited, "2026-02-05T00:00:00")
    assert _rows(db) == [(first, 1, 0), (second, 2, 1)]
    [message] = _changed(db, 6)
    assert "active_disclosure.licensing.decisions 12 → 13" in message
    [finding] = [f for f in list_findings(db) if f.kind == "changed"]
    assert finding.evidence["cells"] == ["active_disclosure.licensing.decisions 12 → 13"]
    assert "text" not in finding.evidence  # no sentence changed
    # the page, unchanged but for its counter, still shows the first version: it is no third one,
    # and the edited attachment stays the current report
    assert _in(db, PAGE, page(FILE, views=99), "2026-02-07T00:00:00") == first
    assert _in(db, FILE, edited, "2026-02-07T00:00:01") == second
    assert _rows(db) == [(first, 1, 0), (second, 2, 1)]
    assert len(_changed(db, 8)) == 1


@pytest.mark.slow
def test_a_sentence_changed_is_quoted(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    _in(db, PAGE, page(FILE), "2026-02-01T00:00:00")
    _in(db, FILE, docx(), "2026-02-01T00:00:01")
    edit = lambda t: t.replace("二是政策解读形式较为单一", "二是政策解读形式仍较单一")  # noqa: E731
    _in(db, FILE, docx(edit=edit), "2026-02-05T00:00:00")
    [message] = _changed(db, 6)
    assert message.endswith("the text changed: - 二是政策解读形式较为单一。 / + 二是政策解读形式仍较单一。")
    # the page, edited the same way, is the same new version
    assert (
        _in(db, PAGE, page(FILE, edit=edit), "2026-02-07T00:00:00")
        == db.execute("SELECT id FROM reports WHERE is_current = 1").fetchone()[0]
    )


@pytest.mark.slow
def test_a_url_that_goes_back_to_what_it_showed_is_current_again(tmp_path: Path) -> None:
    """A revert on the URL that changed is content of its own: that URL shows it now."""
    db = open_db(str(tmp_path / "n.db"))
    first = _in(db, FILE, docx(), "2026-02-01T00:00:00")
    _in(db, FILE, docx(edit=lambda t: t.replace("行政许可 | 12 |", "行政许可 | 13 |")), "2026-02-02T00:00:00")
    back = _in(db, FILE, docx(revision=3), "2026-02-03T00:00:00")
    assert back != first and [(v, c) for _, v, c in _rows(db)] == [(1, 0), (2, 0), (1, 1)]
    assert _changed(db, 4) == []  # version 1 again: nothing is changed from what was first published


@pytest.mark.slow
def test_reports_stored_before_are_recognised_when_read_again(tmp_path: Path) -> None:
    """A database written before m011 (the demo's, its documents' bytes left out): every report's
    identity is computed again from what the database keeps, and equals the identity a new crawl of
    the same portal gives each report.  So each document, read again in other bytes (another
    page's chrome around the same report), joins its stored report instead of becoming version 2."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "db" / "demo-before-i18n.db", path)
    with sqlite3.connect(path) as raw:
        hashes_before = dict(raw.execute("SELECT id, content_hash FROM reports").fetchall())
    old = open_db(str(path))
    fresh = open_db(str(tmp_path / "fresh.db"))
    with SamplePortal(demo_plan(), failing_links=False) as portal:
        crawl_all(demo_config(portal, str(tmp_path)), fresh, now="2026-05-01T00:00:00+00:00")
    query = "SELECT id, agency, year, content_hash, sha256 FROM reports WHERE is_current = 1 ORDER BY agency"
    stored, new = list(old.query(query)), list(fresh.query(query))
    assert [(r["agency"], r["year"]) for r in stored] == [(r["agency"], r["year"]) for r in new] and len(new) == 18
    for before, now in zip(stored, new, strict=True):
        assert before["content_hash"] == now["content_hash"] != hashes_before[before["id"]], before["agency"]
        assert sentences_of(old, before["id"]) == sentences_of(fresh, now["id"])
        content, kind = document_content(fresh, now["sha256"])
        again = content + (b"<!-- read again -->" if b"<html" in content[:200].lower() else b"\n")
        url = f"http://127.0.0.1/again/{now['id']}"
        document = Document(
            url, again, kind, "某某县人民政府", list_title=f"{before['agency']}2025年度政府信息公开工作报告"
        )
        assert ingest(old, document, now="2026-05-02T00:00:00").report_id == before["id"], before["agency"]
    assert old.execute("SELECT count(*), max(version) FROM reports").fetchone() == (18, 1)
