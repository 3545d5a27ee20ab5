"""DOCX -> SourceText with python-docx: paragraphs and tables in document order.

Merged cells are written once, as in Word-pasted HTML: a gridSpan cell is one cell, a vMerge
continuation cell is skipped.  A DOCX is a zip: its declared sizes are checked before anything
is inflated, so a zip bomb is refused in bounded time and memory.
"""

from __future__ import annotations

import io
import zipfile

from nianbao.core.errors import ParseError, UnsupportedFormat
from parsers.guard import check_zip_entries
from parsers.source import SourceText

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


def check_zip(data: bytes, *, source: str) -> zipfile.ZipFile:
    """Open the archive if it is a sane DOCX; raise ParseError for bombs and damage."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(f"{source}: a damaged or truncated zip/DOCX ({exc})", source=source) from None
    check_zip_entries({i.filename: i.file_size for i in infos}, source=source)
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise ParseError(
            f"{source}: the archive would expand to {total // (1024 * 1024)} MB "
            f"({total // packed}× its size): refused as a zip bomb",
            source=source,
        )
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        kind = "a spreadsheet (XLSX)" if "xl/workbook.xml" in names else "a zip archive, not a Word document"
        raise UnsupportedFormat(f"{source}: {kind}", source=source)
    return archive


def from_docx(data: bytes, *, source: str) -> SourceText:
    from docx import Document
    from docx.oxml.ns import qn

    check_zip(data, source=source)
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/lxml errors on damaged parts
        raise ParseError(f"{source}: a damaged DOCX ({type(exc).__name__})", source=source) from None
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            lines.append(_text(element, qn))
        elif element.tag == qn("w:tbl"):
            for tr in element.iter(qn("w:tr")):
                cells = [
                    _text(tc, qn).replace("|", "｜") for tc in tr.iterchildren(qn("w:tc")) if not _continued(tc, qn)
                ]
                if any(cells):
                    lines.append(" | ".join(cells))
    return SourceText(lines=tuple(line.strip() for line in lines if line.strip()), kind="docx")


def _text(element, qn) -> str:  # type: ignore[no-untyped-def]
    return "".join(t.text or "" for t in element.iter(qn("w:t"))).strip()


def _continued(tc, qn) -> bool:  # type: ignore[no-untyped-def]
    """A vertically merged cell below the first: its text belongs to the cell above."""
    props = tc.find(qn("w:tcPr"))
    merge = props.find(qn("w:vMerge")) if props is not None else None
    return merge is not None and merge.get(qn("w:val")) in (None, "continue")
