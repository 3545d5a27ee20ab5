"""The real reports against what INDEX.md says is wrong in each: every inconsistency listed there is
found, nothing else is reported as an error, and every number read stands at its place in the text.

Files whose table digits run together (the pingtan page texts, 31, 34) cannot be split without the
page: their tables are "not readable from this text" — no numbers, and no finding on them.  So the
table-3 errors INDEX.md notes for 07 and the text-vs-table one for 09 are out of reach of these
texts (the HTML cells of 12 are the way to read such a report)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.registry import check_report, declared
from nianbao.core.report import Report
from parsers import parse_bytes
from parsers.numbers import parse_cell
from tests.conftest import REPORTS, SEED

COMPLETE = ["01", "05", "06", "07", "08", "09", "10", "11", "12", "27", "28", "29", "30", "31", "32", "33", "34"]
# (rule, severity, words of the message) for each report's real problems, from INDEX.md
EXPECTED: dict[str, set[tuple[str, str, str]]] = {
    "01": {
        # the text's number is another sum the table gives: said so, as a warning
        ("text.claims", "warning", "258 is row granted, natural persons only"),  # 予以公开及部分公开258件
        ("text.claims", "warning", "265 is row unavailable.not_held only"),  # 无法提供265件
        ("text.claims", "error", "均获维持"),  # while table 4 shows pending cases
    },
    "seed": {("report.contacts", "warning", "741503 and 741502")},
}
GLUED = ["06", "07", "08", "09", "10", "11", "31", "34"]


def _report(prefix: str) -> Report:
    path = SEED if prefix == "seed" else next(REPORTS.glob(prefix + "_*.txt"))
    return parse_bytes(path.read_bytes(), source=Path(path).name)


@pytest.mark.parametrize("prefix", [*COMPLETE, "seed"])
def test_exactly_the_listed_problems(prefix: str) -> None:
    findings = check_report(_report(prefix))
    assert declared(findings)
    errors = {(f.rule, f.severity, f.message) for f in findings if f.severity == "error"}
    expected = EXPECTED.get(prefix, set())
    for rule, severity, words in expected:
        assert any(f.rule == rule and f.severity == severity and words in f.message for f in findings), words
    listed_errors = [e for e in expected if e[1] == "error"]
    assert len(errors) == len(listed_errors), sorted(errors)
    accusations = [f for f in findings if f.kind == "inconsistent" and f.severity != "info"]
    assert all(
        any(e[0] == f.rule and e[2] in f.message for e in expected) or f.rule == "report.sections" for f in accusations
    ), [f.message for f in accusations]


@pytest.mark.parametrize("prefix", GLUED)
def test_glued_digits_are_not_readable_and_accuse_nobody(prefix: str) -> None:
    report = _report(prefix)
    findings = check_report(report)
    assert report.applications is None and "applications" in report.unreadable_parts
    assert any(f.kind == "unreadable" and "run together" in f.message for f in findings)
    assert not [f for f in findings if f.rule.startswith(("applications.", "review_litigation.", "text."))]


def test_tables_stated_in_sentences_are_their_zeros() -> None:
    report = _report("32")  # "2020年未收到政府信息公开申请" / "未发生…行政复议、行政诉讼案件"
    assert report.applications is not None and {v for row in report.applications.values() for v in row.values()} == {0}
    assert report.review_litigation is not None
    assert {v for row in report.review_litigation.values() for v in row.values()} == {0}
    assert all(r.how == "sentence" and r.certain for r in report.readings if r.part != "active_disclosure")
    assert (report.agency, report.year) == ("河北省科学技术厅", 2020)  # from the title cut short ("…年度报...")


def test_missing_tables_are_never_zeros() -> None:
    report = _report("33")
    assert report.applications is None and report.review_litigation is None
    found = [f for f in check_report(report) if "no table nianbao can read" in f.message]
    assert found and all(f.kind == "unreadable" for f in found)


def test_cell_per_line_exports_keep_empty_cells_in_place() -> None:
    old = _report("27")  # 2019 format: many rows of empty cells
    assert old.applications is not None and old.review_litigation is not None
    assert set(old.applications["partially_granted"].values()) == {None}
    assert old.applications["unavailable.not_held"]["total"] == 3
    assert old.review_litigation["review"] == {
        "upheld": None,
        "corrected": None,
        "other": None,
        "pending": None,
        "total": 0,
    }
    row = _report("28")  # 二、上年结转 has six values: its 总计 cell is empty
    assert row.applications is not None and row.review_litigation is not None
    carried_over = row.applications["carried_over"]
    assert carried_over["total"] is None and carried_over["natural_person"] == 0
    assert row.review_litigation["lawsuit_after_review"]["total"] == 2
    assert all(r.certain for r in row.readings)
    text = _report("29")  # "收到申请共44件，当年办结44件"
    assert text.applications is not None and text.review_litigation is not None
    assert text.applications["new"]["total"] == 44
    assert (text.format, text.agency) == ("2021", "河北省教育厅")


ALL = sorted(p.name[:2] for p in REPORTS.glob("*.txt"))


def _flat(text: str) -> str:
    return re.sub(r"[\s|]+", "", text)


@pytest.mark.parametrize("prefix", [*ALL, "seed"])
def test_every_number_stands_at_its_place(prefix: str) -> None:
    """Not just "the digit occurs somewhere": each row's label and its cells, in order, are in the
    text, and every number of the table is the cell at its column in that row."""
    try:
        report = _report(prefix)
    except Exception:  # the excerpts that are no report are tested elsewhere
        return
    flat = _flat(report.text)
    tables = {
        "applications": report.applications,
        "review_litigation": report.review_litigation,
        "active_disclosure": report.active_disclosure,
    }
    for reading in report.readings:
        if reading.how == "sentence" or reading.key is None:
            continue
        if reading.part != "review_litigation":
            assert _flat(reading.label) + _flat("".join(reading.cells)) in flat, (reading.key, reading.cells)
        row = (tables[reading.part] or {}).get(reading.key, {})
        values = [v for v in row.values()]
        for index, cell in enumerate(reading.cells[: len(values)]):
            parsed = parse_cell(cell)
            assert values[index] == (parsed if not hasattr(parsed, "raw") else None), (reading.key, index, cell)
