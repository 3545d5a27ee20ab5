"""Property tests (Hypothesis) over the parsers, on a fixed time budget.

Two properties a portal cannot break:
- any bytes — random, or a real report damaged (cut, spliced, bytes flipped) — give a Report or
  one ParseError with a one-line reason, never another exception, and within seconds;
- any numbers planted in a report, as text or as Word-pasted HTML, are read back exactly, each
  row certain — and the consistency rules accuse it exactly when its numbers do not add up.

The suite runs a fixed, derandomized set of examples (tests/conftest.py, profile "suite"); to
search further: `pytest tests/parsers/test_fuzz.py --hypothesis-profile=explore`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.consistency import applications_row_total
from nianbao.core.errors import ParseError
from nianbao.core.report import APPLICANT_COLUMNS, APPLICATION_ROWS, REVIEW_FIELDS
from nianbao.sample.reports import SampleReport, report_text
from nianbao.sample.wordhtml import render
from parsers import parse_bytes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "reports"
SEEDS = sorted(p.read_bytes() for p in FIXTURES.glob("*.txt"))[:12]
BUDGET = settings(deadline=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _parse_or_one_line_error(data: bytes) -> None:
    try:
        parse_bytes(data, source="fuzz")
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc), repr(str(exc))


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A real report with its bytes cut, spliced or flipped (a broken upload, a wrong charset)."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        where = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "splice", "gbk"]))
        if action == "flip" and data:
            data[where] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[where : where + draw(st.integers(1, 400))]
        elif action == "splice":
            data[where:where] = draw(st.binary(max_size=64))
        else:
            data = bytearray(data.decode("utf-8", "replace").encode("gbk", "replace"))
    return bytes(data)


@BUDGET
@given(st.binary(max_size=4096))
def test_random_bytes_never_crash(data: bytes) -> None:
    _parse_or_one_line_error(data)


@BUDGET
@given(damaged())
def test_damaged_reports_never_crash(data: bytes) -> None:
    _parse_or_one_line_error(data)


@BUDGET
@given(st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]), st.binary(max_size=2048))
@pytest.mark.slow
def test_truncated_binary_documents_are_one_line_errors(magic: bytes, rest: bytes) -> None:
    _parse_or_one_line_error(magic + rest)


counts = st.integers(min_value=0, max_value=99999)


@st.composite
def planted(draw: st.DrawFn) -> SampleReport:
    applications = {key: draw(st.lists(counts, min_size=7, max_size=7)) for key in APPLICATION_ROWS}
    review = draw(st.lists(counts, min_size=15, max_size=15))
    return SampleReport(agency="某某县第一人民政府", year=2025, applications=applications, review=review)


@BUDGET
@given(planted(), st.booleans())
@pytest.mark.slow
def test_planted_numbers_read_back_exactly(sample: SampleReport, as_html: bool) -> None:
    text = report_text(sample)
    data = render(text, title=sample.title, pub_date="2026-01-20 10:00").encode() if as_html else text.encode()
    report = parse_bytes(data, source="planted")
    assert report.applications is not None and report.review_litigation is not None
    for key in APPLICATION_ROWS:
        assert [report.applications[key][c] for c in APPLICANT_COLUMNS] == list(sample.applications[key]), key
    read_review = [report.review_litigation[row][c] for row in report.review_litigation for c in REVIEW_FIELDS]
    assert read_review == list(sample.review)
    assert all(r.certain for r in report.readings if r.part in ("applications", "review_litigation"))
    wrong_rows = {key for key in APPLICATION_ROWS if sum(sample.applications[key][:6]) != sample.applications[key][6]}
    accused = [f for f in applications_row_total(report) if f.severity == "error"]
    assert {f.cells[0] for f in accused} == {f"applications.{key}.total" for key in wrong_rows}
    assert all(f.kind == "inconsistent" for f in accused)
