"""Scans made as offices make them: a report of the fixtures built as a Word document, turned into
PDF by LibreOffice, each page rendered as a scanner would (nianbao.sample.scans) and bound into a PDF
with no text layer; and an article page whose table 三 is pasted as pictures.  At 200 dpi, fed askew,
speckled and saved as JPEG 60, every number is read cell for cell and the planted error is found;
at 150 dpi nothing is certain and nobody is accused.  The full matrix of resolutions and
degradations is `benchmarks/ocr_bench.py`: each document costs OCR seconds, so few run here."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from checks.registry import check_report
from nianbao.core.report import APPLICANT_COLUMNS, Report
from nianbao.sample.docx_report import build_docx
from nianbao.sample.reports import SampleReport, report_text
from nianbao.sample.scans import DEGRADED, Condition, pages, png_page, scanned_pdf
from parsers import parse_bytes
from parsers.ocr import missing
from parsers.office import convert, soffice
from tests.parsers.test_pdf_readings import AGENCY, APPS, REVIEW

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
def planted(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The report with its planted error, as the PDF its office printed before scanning it."""
    _needs()
    folder = tmp_path_factory.mktemp("scans")
    text = report_text(
        SampleReport(agency=AGENCY, year=2025, applications=PLANTED, review=REVIEW, normative=(3, 1, 20))
    )
    docx = build_docx(text, folder / "planted.docx", title=f"{AGENCY}2025年度政府信息公开工作报告")
    return convert(docx.read_bytes(), source="planted", suffix=".docx", target="pdf")


def _cells(report: Report) -> dict[str, list[int | None]]:
    table = report.applications or {}
    return {key: [table[key][c] for c in APPLICANT_COLUMNS] for key in table}  # type: ignore[misc]


def _errors(report: Report) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.rule, f.cells) for f in check_report(report) if f.severity == "error")


def test_a_degraded_200_dpi_scan_is_read_cell_for_cell_and_its_error_found(planted: bytes) -> None:
    report = parse_bytes(scanned_pdf(planted, DEGRADED), source="scan.pdf")
    assert report.kind == "scan" and report.agency == AGENCY and report.year == 2025
    assert _cells(report) == {key: PLANTED.get(key, [0] * 7) for key in _cells(report)}
    assert _errors(report) == PLANTED_ERRORS
    assert all(f.kind == "inconsistent" for f in check_report(report) if f.severity == "error")
    [row] = [r for r in report.readings if r.key == "total"]
    total = row.ocr[0]
    assert total is not None and total.readings == ("21", "21") and total.agreed and total.dpi == 200
    assert total.page >= 2 and total.box[2] > total.box[0] and total.crop  # the crop of a cell an error names
    # table 二 of a scan is never certain: no sum checks it
    assert all(not r.certain for r in report.readings if r.part == "active_disclosure")


def test_a_150_dpi_scan_is_read_but_accuses_nobody(planted: bytes) -> None:
    report = parse_bytes(scanned_pdf(planted, Condition(150)), source="scan150.pdf")
    assert report.applications is not None
    assert not [r for r in report.readings if r.part == "applications" and r.certain]
    findings = check_report(report)
    assert not [f for f in findings if f.severity == "error" or f.kind == "inconsistent"]
    unchecked = {f.cells for f in findings if f.rule == "applications.outcome_total" and f.kind == "unreadable"}
    assert ("applications.total.natural_person",) in unchecked  # the planted error: could not be checked


def test_an_article_whose_table_is_pasted_as_pictures(planted: bytes, tmp_path: Path) -> None:
    """Table 三, printed alone (over several pages) and pasted as PNGs where the table stood: the
    columns of its first page carry to the next, as in a PDF, and the planted error is found."""
    text = report_text(
        SampleReport(agency=AGENCY, year=2025, applications=PLANTED, review=REVIEW, normative=(3, 1, 20))
    )
    before, rest = text.split("三、收到和处理政府信息公开申请情况")
    table, after = rest.split("四、政府信息公开行政复议")
    docx = build_docx(table.strip(), tmp_path / "table.docx")
    printed = convert(docx.read_bytes(), source="table", suffix=".docx", target="pdf")
    pictures = "".join(
        f'<p><img src="data:image/png;base64,{base64.b64encode(png_page(printed, i, Condition(200))).decode()}"></p>'
        for i in range(len(pages(printed, 36)))
    )
    prose = [line for line in (before + "四、政府信息公开行政复议" + after).splitlines() if line.strip()]
    body = [f"<p>{line}</p>" if "|" not in line else "" for line in prose]
    cut = next(i for i, line in enumerate(prose) if line.startswith("四、政府信息公开行政复议"))
    body.insert(cut, "<p>三、收到和处理政府信息公开申请情况</p>" + pictures)
    html = (
        f"<html><head><title>{AGENCY}2025年度政府信息公开工作报告</title></head><body><div id='zoom'>"
        + "".join(body)
        + "</div></body></html>"
    )
    report = parse_bytes(html.encode(), source="article.html")
    assert report.kind == "scan"
    assert _cells(report) == {key: PLANTED.get(key, [0] * 7) for key in _cells(report)}
    assert ("applications.outcome_total", ("applications.total.natural_person",)) in _errors(report)


def test_without_ocr_a_scan_is_one_line_that_says_why(planted: bytes, tmp_path: Path) -> None:
    from parsers.pdf import NeedsOcr

    with pytest.raises(NeedsOcr, match=r"no text layer\); OCR is turned off \(\[parse\] ocr\)$"):
        parse_bytes(scanned_pdf(planted, Condition(100)), source="scan.pdf", ocr=None)
