"""One report however it is published, crawled: a township publishes its report as the article page
(with the portal's chrome around it) and as the DOCX attached to it (with a title heading and a
running header).  Crawled page first or attachment first, and crawled again with other bytes, that
is one report with two URLs and never a `changed` finding; a number or a sentence changed in the
attachment is, and the finding names the cell or quotes the sentence."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from checks.run import run_checks
from nianbao.core.config import Agency, Config, CrawlSettings, Portal
from nianbao.core.findings import StoredFinding
from nianbao.crawl_runner import crawl_all
from nianbao.sample.server import Answer, Site, start, stop
from storage.db import open_db
from storage.findings import list_findings
from storage.reports import urls_of
from tests.two_forms import AGENCY, TITLE, Edit, docx, page

HTML = {"Content-Type": "text/html; charset=utf-8"}
DOCX = {"Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
PAGE, FILE = "/info/1/100.htm", "/files/100.docx"
LICENSING = lambda t: t.replace("行政许可 | 12 |", "行政许可 | 13 |")  # noqa: E731
SENTENCE = lambda t: t.replace("二是政策解读形式较为单一", "二是政策解读形式仍较单一")  # noqa: E731


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("county")
    start([portal])
    yield portal
    stop([portal])


def _config(site: Site) -> Config:
    settings = CrawlSettings(interval=0.0, timeout=5.0)
    return Config(
        portals=(Portal("县", (site.url("/zfxxgk/nb.htm"),), crawl=settings),),
        agencies=(Agency(AGENCY, "township", "县"),),
    )


def _publish(site: Site, *, lists: str, views: int = 17, revision: int = 1, edit: Edit | None = None) -> None:
    """The column lists the page or the file; the page links the file; `edit` changes the file only.
    (An attachment is fetched again only when its page is: nianbao asks the page first, and a page
    answered 304 Not Modified is not read for links.)"""
    items = f'<li><a href="{lists}">{TITLE}</a><span>2026-01-20</span></li>'
    column = f'<html><head><script src="/system/resource/js/x.js"></script></head><body><ul>{items}</ul></body></html>'
    site.add("/zfxxgk/nb.htm", Answer(200, column.encode(), HTML))
    site.add(PAGE, Answer(200, page(FILE, views=views), HTML))
    site.add(FILE, Answer(200, docx(edit=edit, revision=revision), DOCX))


def _pass(config: Config, db: sqlite_utils.Database, day: int) -> list[StoredFinding]:
    """One crawl and one check on 1 February + `day`; the open `changed` findings."""
    crawl_all(config, db, now=f"2026-02-{day:02d}T12:00:00+00:00")
    run_checks(db, config, as_of=date(2026, 2, day), now=f"2026-02-{day:02d}T13:00:00")
    return [f for f in list_findings(db) if f.kind == "changed"]


def _reports(db: sqlite_utils.Database) -> list[tuple[int, int]]:
    return [
        (r["version"], r["is_current"])
        for r in db.query("SELECT * FROM reports WHERE agency = ? ORDER BY id", [AGENCY])
    ]


def _parsed(db: sqlite_utils.Database, site: Site) -> dict[str, tuple[str | None, str | None]]:
    """What parsing each URL gave: (error, agency) — both forms must be read as the report."""
    rows = db.query("SELECT url, parse_error, agency FROM document_urls WHERE kind = 'document'")
    return {r["url"].removeprefix(site.base): (r["parse_error"], r["agency"]) for r in rows}


@pytest.mark.parametrize("first", [PAGE, FILE], ids=["page first", "attachment first"])
@pytest.mark.slow
def test_page_and_attachment_are_one_report_in_either_order_and_on_every_pass(
    site: Site, tmp_path: Path, first: str
) -> None:
    config, db = _config(site), open_db(str(tmp_path / "n.db"))
    _publish(site, lists=first)
    assert _pass(config, db, 2) == []
    _publish(site, lists=PAGE)  # the column now lists the page, which links the file
    assert _pass(config, db, 3) == []
    assert _parsed(db, site) == {PAGE: (None, AGENCY), FILE: (None, AGENCY)}
    stored = db["documents"].count
    _publish(site, lists=PAGE, views=18, revision=2)  # both read again in other bytes: the same report
    assert _pass(config, db, 4) == []
    assert db["documents"].count == stored + 2  # both were parsed again, not recognised by their bytes
    assert _reports(db) == [(1, 1)]
    [report_id] = [r["id"] for r in db.query("SELECT id FROM reports")]
    assert set(urls_of(db, report_id)) == {site.url(PAGE), site.url(FILE)}
    # one report, two documents: the page and the DOCX each keep the bytes they served
    kept = list(db.query("SELECT u.url, d.size FROM report_urls u JOIN documents d USING (sha256)"))
    assert {r["url"] for r in kept} >= {site.url(PAGE), site.url(FILE)} and all(r["size"] for r in kept)


@pytest.mark.slow
def test_a_number_changed_in_the_attachment_names_that_cell(site: Site, tmp_path: Path) -> None:
    config, db = _config(site), open_db(str(tmp_path / "n.db"))
    _publish(site, lists=PAGE)
    assert _pass(config, db, 2) == []
    # the page shows the same report (its counter moved, so it is fetched again, and its attachment)
    _publish(site, lists=PAGE, views=18, edit=LICENSING)
    [changed] = _pass(config, db, 3)
    assert "active_disclosure.licensing.decisions 12 → 13" in changed.message
    assert changed.evidence["cells"] == ["active_disclosure.licensing.decisions 12 → 13"]
    assert changed.url == site.url(FILE) and _reports(db) == [(1, 0), (2, 1)]
    # read again, the page's counter moved: the page still shows version 1, which is no new version,
    # and the edited attachment stays the current report with its one finding
    _publish(site, lists=PAGE, views=99, edit=LICENSING)
    assert [f.id for f in _pass(config, db, 4)] == [changed.id]
    assert _reports(db) == [(1, 0), (2, 1)]


@pytest.mark.slow
def test_a_sentence_changed_in_the_attachment_is_quoted(site: Site, tmp_path: Path) -> None:
    config, db = _config(site), open_db(str(tmp_path / "n.db"))
    _publish(site, lists=PAGE)
    assert _pass(config, db, 2) == []
    _publish(site, lists=PAGE, views=18, edit=SENTENCE)
    [changed] = _pass(config, db, 3)
    assert changed.message.endswith("the text changed: - 二是政策解读形式较为单一。 / + 二是政策解读形式仍较单一。")
    assert changed.evidence["text"] == ["- 二是政策解读形式较为单一。", "+ 二是政策解读形式仍较单一。"]
    assert "cells" not in changed.evidence
