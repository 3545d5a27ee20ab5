"""PDFs made the way real reports are made — python-docx, then LibreOffice — with what real PDFs do:
table 3 broken across pages without its header, label cells merged over two and three columns,
garbled labels, a vertical and a horizontal ruling line left out.  Each is read cell for cell with
no false finding; the same document with one planted error gives exactly that error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checks.registry import check_report
from nianbao.core.report import APPLICANT_COLUMNS, Number, Report
from nianbao.sample.docx_report import Missing, build_docx
from nianbao.sample.reports import SampleReport, report_text
from parsers import parse_bytes
from parsers.office import convert, soffice
from tests.run_cache import RunCache

AGENCY = "某某县龙山镇人民政府"
APPS = {
    "new": [21, 3, 1, 0, 2, 1, 28],
    "carried_over": [2, 0, 0, 0, 0, 0, 2],
    "granted": [9, 1, 0, 0, 1, 0, 11],
    "partially_granted": [2, 1, 0, 0, 0, 0, 3],
    "withheld.process_info": [1, 0, 0, 0, 0, 0, 1],
    "withheld.enforcement_files": [3, 1, 0, 0, 0, 0, 4],
    "withheld.inquiry": [2, 0, 0, 0, 0, 0, 2],
    "unavailable.not_held": [3, 0, 1, 0, 1, 1, 6],
    "not_processed.duplicate": [1, 0, 0, 0, 0, 0, 1],
    "total": [21, 3, 1, 0, 2, 1, 28],
    "carried_forward": [2, 0, 0, 0, 0, 0, 2],
}
REVIEW = [2, 1, 0, 1, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]
GARBLED = {  # as publishers print them: characters missing, spaces and line breaks inside
    "2.其他法律行政法规禁止公开": "2.其他法律行政止公开",
    "三、本年度办理结果": "三 、本 年 度办 理 结果",
    "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关确认或重 新出具 / 已获取信息",
    "3.补正后申请内容仍不明确": "3.补正后申请内容仍不明",
}
LINES = (Missing("一、本年新收", "right", 0), Missing("7.属于行政执法案卷", "bottom"))


def _text(apps: dict[str, list[int]]) -> str:
    text = report_text(SampleReport(agency=AGENCY, year=2025, applications=apps, review=REVIEW, normative=(3, 1, 20)))
    for official, printed in GARBLED.items():
        text = text.replace(official, printed)
    return text


def _pdf(
    folder: Path,
    name: str,
    apps: dict[str, list[int]],
    padding: int,
    *,
    repeat_header: bool = False,
    ruled: bool = True,
) -> bytes:
    docx = build_docx(
        _text(apps),
        folder / f"{name}.docx",
        title=f"{AGENCY}2025年度政府信息公开工作报告",
        missing=LINES,
        padding=padding,
        repeat_header=repeat_header,
        ruled=ruled,
    )
    return convert(docx.read_bytes(), source=name, suffix=".docx", target="pdf")


def _made(folder: Path) -> dict[str, bytes]:
    planted = {**APPS, "granted": [8, 1, 0, 0, 1, 0, 10]}  # one grant fewer: the outcomes no longer make the total
    return {
        "clean": _pdf(folder, "clean", APPS, 0),
        "shifted": _pdf(folder, "shifted", APPS, 25),  # the page break falls elsewhere in table 3
        "planted": _pdf(folder, "planted", planted, 0),
        "repeated": _pdf(folder, "repeated", APPS, 0, repeat_header=True),  # the header again on the next page
        "repeated_planted": _pdf(folder, "repeated_planted", planted, 0, repeat_header=True),
        "unruled_planted": _pdf(folder, "unruled_planted", planted, 0, ruled=False),  # tables drawn without lines
    }


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory, run_cache: RunCache) -> dict[str, bytes]:
    """The six PDFs, made once per run (test_pdfium reads them too, and xdist workers share them)."""
    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI: .ci/run should have installed it")
        pytest.skip("LibreOffice (soffice) is not installed here")
    made: dict[str, bytes] = run_cache.value("pdf-readings", lambda: _made(tmp_path_factory.mktemp("pdfs")))
    return made


def _cells(report: Report) -> dict[str, list[Number]]:
    table = report.applications or {}
    return {key: [table[key][c] for c in APPLICANT_COLUMNS] for key in table}


@pytest.mark.parametrize("name", ["clean", "shifted", "repeated"])
@pytest.mark.slow
def test_every_cell_in_its_row_and_column_and_no_false_finding(pdfs: dict[str, bytes], name: str) -> None:
    report = parse_bytes(pdfs[name], source=name)
    expected = {key: APPS.get(key, [0] * 7) for key in _cells(report)}
    assert _cells(report) == expected
    review = report.review_litigation
    assert review is not None
    assert [
        review[g][f]
        for g in ("review", "lawsuit_direct", "lawsuit_after_review")
        for f in ("upheld", "corrected", "other", "pending", "total")
    ] == REVIEW
    findings = [f for f in check_report(report) if f.severity != "info"]
    assert findings == [], [f.message for f in findings]
    assert len({r.page for r in report.readings if r.part == "applications"}) >= 2  # table 3 runs over pages


@pytest.mark.slow
def test_the_reading_shows_its_evidence(pdfs: dict[str, bytes]) -> None:
    report = parse_bytes(pdfs["clean"], source="clean")
    rows = {r.key: r for r in report.readings if r.part == "applications"}
    assert len(rows) == 25 and all(r.certain for r in rows.values())
    garbled = rows["withheld.prohibited_by_law"]
    assert garbled.label == "2.其他法律行政止公开" and garbled.how == "position"
    assert rows["withheld.state_secret"].how == "exact"
    assert "re-read from the text layer" in rows["new"].note  # the vertical line left out
    assert "merged this row with the next" in rows["withheld.enforcement_files"].note  # the horizontal one
    # the notes are data, rendered in the reader's language; the JSON keeps both
    assert [n.template for n in rows["new"].notes] == ["why.reread"]
    assert rows["new"].notes[0].text("zh_CN").startswith("数字按文字层重新读取")
    assert rows["new"].to_json()["notes"] == [rows["new"].notes[0].to_json()]
    assert rows["withheld.inquiry"].cells == ("2", "0", "0", "0", "0", "0", "2")
    new = rows["new"]
    assert new.page is not None and len(new.positions) == 7 and all(p is not None for p in new.positions)
    xs = [p[0] for p in new.positions if p]
    assert xs == sorted(xs)  # the columns from left to right


@pytest.mark.parametrize("name", ["planted", "repeated_planted"])
@pytest.mark.slow
def test_a_planted_error_is_found_exactly(pdfs: dict[str, bytes], name: str) -> None:
    report = parse_bytes(pdfs[name], source=name)
    errors = [(f.rule, f.cells) for f in check_report(report) if f.severity == "error"]
    assert sorted(errors) == [
        ("applications.outcome_total", ("applications.total.natural_person",)),
        ("applications.outcome_total", ("applications.total.total",)),
    ]
    assert all(f.kind == "inconsistent" for f in check_report(report) if f.severity == "error")


@pytest.mark.slow
def test_tables_drawn_without_lines_are_not_readable_and_accuse_nobody(pdfs: dict[str, bytes]) -> None:
    # the planted error is there, but with no ruling lines the cells cannot be told apart: nobody is accused
    report = parse_bytes(pdfs["unruled_planted"], source="unruled")
    findings = check_report(report)
    assert not [f for f in findings if f.severity == "error" or f.kind == "inconsistent"]
    unread = {f.cells for f in findings if f.kind == "unreadable" and "no ruling lines" in f.message}
    assert ("applications",) in unread and report.applications is None
