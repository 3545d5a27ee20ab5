"""PDF, DOCX and DOC/WPS: the same report gives identical JSON in every format; bad files fail cleanly.

The documents are built here: python-docx writes the DOCX (merged cells as the official table
merges them), LibreOffice headless turns it into PDF (labels wrap, table 3 runs over two pages)
and DOC.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from checks.registry import check_report
from nianbao.core.errors import ParseError, UnsupportedFormat
from nianbao.core.report import to_json
from nianbao.sample.docx_report import build_docx
from nianbao.sample.pdf import image_only_pdf
from nianbao.sample.wordhtml import render
from parsers import parse_bytes
from parsers.office import convert, soffice
from parsers.pdf import ScannedDocument
from tests.conftest import comparable

TITLE = "张家川县闫家乡人民政府2024年度政府信息公开工作报告"


def _json(data: bytes) -> dict[str, Any]:
    report = parse_bytes(data, source="doc")
    return comparable(to_json(report, check_report(report)))


@pytest.fixture(scope="module")
def documents(seed_text: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI: .ci/run should have installed it")
        pytest.skip("LibreOffice (soffice) is not installed here")
    folder = tmp_path_factory.mktemp("office")
    docx = build_docx(seed_text, folder / "report.docx", title=TITLE).read_bytes()
    return {
        "docx": docx,
        "pdf": convert(docx, source="report.docx", suffix=".docx", target="pdf"),
        "doc": convert(docx, source="report.docx", suffix=".docx", target="doc"),
        "html": render(seed_text, title=TITLE).encode(),
    }


@pytest.mark.slow
def test_same_json_in_every_format(documents: dict[str, bytes]) -> None:
    reference = _json(documents["html"])
    assert reference["agency"] == "张家川县闫家乡人民政府"
    assert [f["rule"] for f in reference["findings"]] == ["report.contacts"]
    for kind in ("docx", "pdf", "doc"):
        assert _json(documents[kind]) == reference, kind


@pytest.mark.slow
def test_pdf_really_wraps_labels_and_splits_the_table(documents: dict[str, bytes]) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(documents["pdf"])) as pdf:
        cells = [
            cell
            for page in pdf.pages
            for table in page.find_tables()
            for row in table.extract()
            for cell in row
            if cell
        ]
        pages_with_table3 = [
            n
            for n, page in enumerate(pdf.pages)
            if any(len(row) == 10 for table in page.find_tables() for row in table.extract())
        ]
    assert any("\n" in c and c.startswith("三、") for c in cells)  # 三、/本年/度办/理结/果
    assert len(set(pages_with_table3)) >= 2


@pytest.mark.slow
def test_docx_merged_cells_are_real(documents: dict[str, bytes]) -> None:
    xml = zipfile.ZipFile(io.BytesIO(documents["docx"])).read("word/document.xml").decode()
    assert "w:gridSpan" in xml and "w:vMerge" in xml


@pytest.mark.slow
def test_extension_lies(documents: dict[str, bytes], tmp_path: Path) -> None:
    from nianbao.parse_command import parse_one

    (tmp_path / "report.docx").write_bytes(documents["pdf"])  # a PDF called .docx
    (tmp_path / "report.pdf").write_bytes(documents["docx"])  # a DOCX called .pdf
    assert parse_one(str(tmp_path / "report.docx"))["agency"] == "张家川县闫家乡人民政府"
    assert parse_one(str(tmp_path / "report.pdf"))["agency"] == "张家川县闫家乡人民政府"


@pytest.mark.slow
def test_malformed_files_fail_fast_and_clearly(documents: dict[str, bytes]) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w" + b" " * (300 * 1024 * 1024) + b"/>")
    locked = convert(
        documents["docx"],
        source="x",
        suffix=".docx",
        target='pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"secret"}}',
    )
    cases = {
        "truncated PDF": (documents["pdf"][: len(documents["pdf"]) // 3], "damaged or truncated PDF"),
        "zip bomb": (bomb.getvalue(), "zip bomb"),
        "password": (locked, "password-protected"),
        "truncated DOCX": (documents["docx"][:4000], "damaged or truncated zip"),
        "DOC header garbled": (documents["doc"][:24] + bytes(4000), "damaged or truncated DOC/WPS (no byte order mark"),
        "DOC cut in its header": (documents["doc"][:300], "damaged or truncated DOC/WPS (300 bytes, shorter"),
    }
    for name, (data, message) in cases.items():
        started = time.monotonic()
        with pytest.raises(ParseError) as info:
            parse_bytes(data, source=name)
        assert message in str(info.value) and "\n" not in str(info.value), name
        assert time.monotonic() - started < 10, name


def test_scan_is_detected() -> None:
    with pytest.raises(ScannedDocument, match="no text layer"):
        parse_bytes(image_only_pdf(), source="scan.pdf")


def test_xlsx_is_not_a_report() -> None:
    sheet = io.BytesIO()
    with zipfile.ZipFile(sheet, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnsupportedFormat, match="spreadsheet"):
        parse_bytes(sheet.getvalue(), source="table.xlsx")
