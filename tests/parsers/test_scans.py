"""Scans made as offices make them: a report of the fixtures built as a Word document, turned into
PDF by LibreOffice, each page rendered as a scanner would (nianbao.sample.scans) and bound into a PDF
with no text layer; and an article page whose table 三 is pasted as pictures.  At 200 dpi, fed askew,
speckled and saved as JPEG 60, every number is read cell for cell and the planted error is found;
at 150 dpi nothing is certain and nobody is accused.  The full matrix of resolutions and
degradations is `benchmarks/ocr_bench.py`: each document costs OCR seconds, so few run here."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from checks.registry import check_report
from checks.run import run_checks
from crawler.sink import Document
from nianbao.core.config import Agency, Config, CrawlSettings, ParseLimits, Portal
from nianbao.core.report import APPLICANT_COLUMNS, Number, Report
from nianbao.crawl_runner import crawl_all
from nianbao.ingest import ingest
from nianbao.parsing import Parsed, parse_document
from nianbao.sample.docx_report import build_docx
from nianbao.sample.reports import SampleReport, report_text
from nianbao.sample.scans import DEGRADED, Condition, pages, png_page, scanned_pdf
from nianbao.sample.server import Answer, Site, start, stop
from notify.compose import SCANNED, text_body
from notify.outbox import tables_of
from parsers import parse_bytes
from parsers.ocr import Limits as OcrLimits
from parsers.ocr import missing
from parsers.office import convert, soffice
from storage.db import open_db
from storage.findings import pending_findings
from tests.parsers.test_pdf_readings import AGENCY, APPS, REVIEW
from tests.run_cache import RunCache
from views.site import build_site

# These tests are about what OCR reads, not how fast: on a busy machine a page can take more than the
# 60 s a page may take by default (tests/test_faults.py has the bound's own tests).
SLACK = OcrLimits(page_seconds=900.0)

PLANTED = {**APPS, "granted": [8, 1, 0, 0, 1, 0, 10]}  # one grant fewer: the outcomes no longer make the total
PLANTED_ERRORS = [
    ("applications.outcome_total", ("applications.total.natural_person",)),
    ("applications.outcome_total", ("applications.total.total",)),
]


def _needs() -> None:
    lacking = missing() or (None if soffice() else "LibreOffice (soffice) is not installed here")
    if lacking:
        if os.environ.get("CI"):
            pytest.fail(f"CI must read scans: {lacking}")
        pytest.skip(lacking)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory, run_cache: RunCache) -> bytes:
    """The report with its planted error, as the PDF its office printed before scanning it (made once
    per run: each worker that runs a test of this module reads it)."""
    _needs()

    def printed() -> bytes:
        folder = tmp_path_factory.mktemp("scans")
        text = report_text(
            SampleReport(agency=AGENCY, year=2025, applications=PLANTED, review=REVIEW, normative=(3, 1, 20))
        )
        docx = build_docx(text, folder / "planted.docx", title=f"{AGENCY}2025年度政府信息公开工作报告")
        return convert(docx.read_bytes(), source="planted", suffix=".docx", target="pdf")

    return run_cache.made("scans-planted.pdf", printed)


def _cells(report: Report) -> dict[str, list[Number]]:
    table = report.applications or {}
    return {key: [table[key][c] for c in APPLICANT_COLUMNS] for key in table}


def _errors(report: Report) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.rule, f.cells) for f in check_report(report) if f.severity == "error")


@pytest.fixture(scope="module")
def degraded(planted: bytes, run_cache: RunCache) -> tuple[bytes, Parsed]:
    """The planted report scanned at 200 dpi, askew, speckled and saved as JPEG 60, parsed and checked
    once as a parse worker does (crops kept only where a reader will look); read once per run, by
    whichever worker first runs a test that looks at it."""

    def read() -> tuple[bytes, Parsed]:
        scan = scanned_pdf(planted, DEGRADED)
        return scan, parse_document(scan, url="http://127.0.0.1/nb/scan.pdf", ocr=SLACK)

    found: tuple[bytes, Parsed] = run_cache.value("scans-degraded.pickle", read)
    return found


@pytest.mark.slow
def test_a_degraded_200_dpi_scan_is_read_cell_for_cell_and_its_error_found(degraded: tuple[bytes, Parsed]) -> None:
    report = degraded[1].report
    assert report is not None
    assert report.kind == "scan" and report.agency == AGENCY and report.year == 2025
    assert _cells(report) == {key: PLANTED.get(key, [0] * 7) for key in _cells(report)}
    assert _errors(report) == PLANTED_ERRORS
    assert all(f.kind == "inconsistent" for f in check_report(report) if f.severity == "error")
    [row] = [r for r in report.readings if r.key == "total"]
    total = row.ocr[0]
    assert total is not None and total.readings == ("21", "21") and total.agreed and total.dpi == 200
    assert total.page >= 2 and total.box[2] > total.box[0] and total.crop  # the crop of a cell an error names
    [new] = [r for r in report.readings if r.key == "new"]
    assert all(c is not None and c.crop is None for c in new.ocr if c is not None and c.certain)  # nobody looks there
    # table 二 of a scan is never certain: no sum checks it
    assert all(not r.certain for r in report.readings if r.part == "active_disclosure")


@pytest.mark.slow
def test_a_150_dpi_scan_is_read_but_accuses_nobody(planted: bytes) -> None:
    report = parse_bytes(scanned_pdf(planted, Condition(150)), source="scan150.pdf", ocr=SLACK)
    assert report.applications is not None
    assert not [r for r in report.readings if r.part == "applications" and r.certain]
    findings = check_report(report)
    assert not [f for f in findings if f.severity == "error" or f.kind == "inconsistent"]
    unchecked = {f.cells for f in findings if f.rule == "applications.outcome_total" and f.kind == "unreadable"}
    assert ("applications.total.natural_person",) in unchecked  # the planted error: could not be checked


def _article(tmp_path: Path, run_cache: RunCache, src: Callable[[int, bytes], str]) -> str:
    """The report as an article page whose table 三, printed alone (over several pages), is pasted
    as PNGs where the table stood; `src(i, png)` says where picture i is (in the page, or a URL)."""
    text = report_text(
        SampleReport(agency=AGENCY, year=2025, applications=PLANTED, review=REVIEW, normative=(3, 1, 20))
    )
    before, rest = text.split("三、收到和处理政府信息公开申请情况")
    table, after = rest.split("四、政府信息公开行政复议")
    docx = build_docx(table.strip(), tmp_path / "table.docx")
    printed = run_cache.convert(docx.read_bytes(), source="table", suffix=".docx", target="pdf")
    pictures = "".join(
        f'<p><img src="{src(i, png_page(printed, i, Condition(200)))}"></p>' for i in range(len(pages(printed, 36)))
    )
    prose = [line for line in (before + "四、政府信息公开行政复议" + after).splitlines() if line.strip()]
    body = [f"<p>{line}</p>" if "|" not in line else "" for line in prose]
    cut = next(i for i, line in enumerate(prose) if line.startswith("四、政府信息公开行政复议"))
    body.insert(cut, "<p>三、收到和处理政府信息公开申请情况</p>" + pictures)
    return (
        f"<html><head><title>{AGENCY}2025年度政府信息公开工作报告</title></head><body><div id='zoom'>"
        + "".join(body)
        + "</div></body></html>"
    )


@pytest.mark.slow
def test_an_article_whose_table_is_pasted_as_pictures(tmp_path: Path, run_cache: RunCache) -> None:
    """The columns of the table's first picture carry to the next, as in a PDF, and the planted
    error is found."""
    _needs()
    html = _article(tmp_path, run_cache, lambda i, png: f"data:image/png;base64,{base64.b64encode(png).decode()}")
    report = parse_bytes(html.encode(), source="article.html", ocr=SLACK)
    assert report.kind == "scan"
    assert _cells(report) == {key: PLANTED.get(key, [0] * 7) for key in _cells(report)}
    assert ("applications.outcome_total", ("applications.total.natural_person",)) in _errors(report)


@pytest.mark.slow
def test_a_crawled_article_whose_tables_are_pictures_on_the_server(tmp_path: Path, run_cache: RunCache) -> None:
    """As portals publish them: the pictures are files on the server (`<img src="/uploads/…png">`).
    The crawl fetches them into the page, the report is read by OCR, and its error is found."""
    _needs()
    site = Site("portal")
    start([site])
    try:
        html = _article(tmp_path, run_cache, lambda i, png: _served(site, f"/uploads/2026/t3_{i}.png", png))
        site.add("/info/1.htm", Answer(200, html.encode(), {"Content-Type": "text/html; charset=utf-8"}))
        title = f"{AGENCY}2025年度政府信息公开工作报告"
        listing = (
            f'<html><body><ul><li><a href="/info/1.htm">{title}</a><span>2026-01-10</span></li></ul></body></html>'
        )
        site.add("/nb/index.htm", Answer(200, listing.encode(), {"Content-Type": "text/html; charset=utf-8"}))
        portal = Portal("县", (site.url("/nb/index.htm"),), crawl=CrawlSettings(interval=0.0, timeout=30.0))
        config = Config(
            portals=(portal,), agencies=(Agency(AGENCY, "department", "县"),), parse=ParseLimits(ocr_page_seconds=900.0)
        )
        db = open_db(str(tmp_path / "n.db"))
        [result] = crawl_all(config, db, now="2026-02-01T00:00:00+00:00")
    finally:
        stop([site])
    assert [r.path for r in site.log if r.path.startswith("/uploads/")]
    [report] = list(db.query("SELECT id, kind FROM reports"))
    assert report["kind"] == "scan"
    rules = {r["rule"] for r in db.query("SELECT rule FROM report_findings WHERE kind = 'inconsistent'")}
    assert "applications.outcome_total" in rules
    assert result.outcome == "complete" and not result.attachment_failures


def _served(site: Site, path: str, png: bytes) -> str:
    site.add(path, Answer(200, png, {"Content-Type": "image/png"}))
    return path


@pytest.mark.slow
def test_without_ocr_a_scan_is_one_line_that_says_why(planted: bytes, tmp_path: Path) -> None:
    from parsers.pdf import NeedsOcr

    with pytest.raises(NeedsOcr, match=r"no text layer\); OCR is turned off \(\[parse\] ocr\)$"):
        parse_bytes(scanned_pdf(planted, Condition(100)), source="scan.pdf", ocr=None)


@pytest.mark.slow
def test_the_site_shows_the_scanned_cells_and_the_digest_says_it_was_a_scan(
    degraded: tuple[bytes, Parsed], tmp_path: Path
) -> None:
    scan, parsed = degraded
    db = open_db(str(tmp_path / "n.db"))
    document = Document("http://127.0.0.1/nb/scan.pdf", scan, "application/pdf", portal="县", list_date="2026-01-15")
    ingest(db, document, now="2026-01-15T00:00:00", parsed=parsed)
    config = Config(portals=(Portal("县", ("http://127.0.0.1/nb/",)),), agencies=(Agency(AGENCY, "township", "县"),))
    run_checks(db, config, as_of=date(2026, 4, 1), now="2026-04-01T00:00:00")
    assert db.execute("SELECT kind FROM reports").fetchone()[0] == "scan"
    stored = db.execute("SELECT ocr FROM report_rows WHERE row_key = 'total' AND part = 'applications'").fetchone()[0]
    assert json.loads(stored)[0]["readings"] == ["21", "21"]
    build_site(db, tmp_path / "site", as_of=date(2026, 4, 1), deadlines=config.deadlines, now="2026-04-01T00:00:00")
    [page] = (tmp_path / "site" / "agency").glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "扫描件" in html  # read from a scan, said in the reader's language
    offending = re.search(
        r'<td class="cell bad"[^>]*data-cell="applications.total.natural_person"[^>]*>(.*?)</td>', html
    )
    assert offending and '<img class="crop" src="data:image/png;base64,' in offending.group(1)  # opens from disk
    new, resolved = pending_findings(db, date(2026, 4, 1))
    body = text_body(new, resolved, tables=tables_of(db, new), lang="en")
    assert SCANNED in body
