"""Real reports of the fixtures, written as Word documents (python-docx) and turned into PDF by
LibreOffice, read as their texts: the same tables cell for cell, the same findings.

Each PDF wraps the labels of the real report in narrow cells, breaks its table 3 across pages where
the layout happens to put the break, and breaks its paragraphs where the typesetter does (a number
left at the end of a line, its unit opening the next).  01 is in the 2019 layout (one (六)其他处理
row, empty cells at the end of rows); 12 comes from a portal's HTML cells; 21 is an excerpt.  The
archive exports whose header cells are split over lines (27-30) are not rebuilt: the fixture
builder draws the uniform table only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from checks.registry import check_report
from nianbao.core.report import to_json
from nianbao.sample.docx_report import build_docx
from parsers import parse_bytes
from parsers.office import convert, soffice
from parsers.source import from_text
from tests.conftest import REPORTS, SEED

NAMES = ["01_shanghai-govoffice-2019", "12_pingtan-2024-htmlcells", "21_shanghai-counsellors-office-2022-excerpt"]


def _reading(data: bytes) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    report = parse_bytes(data, source="x")
    doc = to_json(report, check_report(report))
    tables = {k: doc[k] for k in ("active_disclosure", "applications", "review_litigation")}
    findings = sorted((f["rule"], f["severity"], f["message"]) for f in doc["findings"] if f["severity"] != "info")
    return tables, [f for f in findings if f[0] != "report.title"]  # a Word file has no page title


@pytest.mark.parametrize("name", [*NAMES, "seed"])
@pytest.mark.slow
def test_a_real_report_reads_alike_as_docx_and_pdf(name: str, tmp_path: Path) -> None:
    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI: .ci/run should have installed it")
        pytest.skip("LibreOffice (soffice) is not installed here")
    path = SEED if name == "seed" else REPORTS / f"{name}.txt"
    text = "\n".join(from_text(path.read_text(encoding="utf-8")).lines)
    expected = _reading(text.encode())
    docx = build_docx(text, tmp_path / "report.docx").read_bytes()
    assert _reading(docx) == expected
    pdf = convert(docx, source=name, suffix=".docx", target="pdf")
    assert _reading(pdf) == expected


def test_a_line_that_stopped_short_goes_on_only_where_type_says_it_must() -> None:
    from parsers.pdf import _continues

    assert _continues("予以公开及部分公开258", "件，占33.9%；不予公开35件")  # a number and its unit
    assert _continues("进一步完善工作机制", "，提升公开质量。")  # closing punctuation never opens a line
    assert not _continues("一、总体情况", "2024年，我乡认真落实《条例》要求")  # a heading, then a paragraph
    assert not _continues("共收到申请12", "2024年度，")  # a number then a year: a new paragraph may open so
