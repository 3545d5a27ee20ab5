"""PDF with a text layer -> SourceText: characters and ruling lines read by PDFium (pypdfium2,
C), cells found by pdfplumber's table finder over them (MIT; tables from ruling lines).

Why this split: the reports' tables are drawn with ruling lines, and pdfplumber finds their cells,
including merged ones (None), which is what the label-driven reader needs; but pdfplumber reads
the page through pdfminer (pure Python, ~6 pages/s).  PDFium reads the characters, their boxes
and the path objects ten times faster (`pdf_page`); pdfplumber's geometry runs on them
(`pdf_geometry`), so the words, lines and cells are the ones pdfplumber gave.  pdfplumber still
reads, whole, what PDFium cannot answer alike: a file PDFium cannot open (pdfplumber names the
damage or the password), rotated pages or text.  PyMuPDF would be faster still but is AGPL.
Label cells that wrap (三、/本年/度办/理结/果) are joined; a row cut by a page break is glued back;
wrapped paragraph lines are joined so sentences (and postal codes) stay whole.  The numeric tables
are read by geometry, with the text layer (the page's words) as a second opinion (see `pdf_tables`).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import Any

from nianbao.core.errors import ParseError, UnsupportedFormat
from parsers.guard import check_pdf
from parsers.ocr import Limits as OcrLimits
from parsers.pdf_tables import Box, Emitted, TableReader, TableRow, Word, rows_of, words_of
from parsers.sections import heading_part
from parsers.source import RowGeometry, SourceText

logger = logging.getLogger(__name__)
MAX_PAGES = 300
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_SENTENCE_END = ("。", "！", "？", "；", "：")
_CLOSING = ("，", "。", "、", "；", "：", "）", "”", "！", "？", "%", "％")
_UNITS = ("件", "条", "个", "项", "次", "人", "份", "家", "元", "万元", "年", "月", "日", "天")


class ScannedDocument(UnsupportedFormat):
    """A PDF whose pages are only images: nothing to read without OCR."""


class NeedsOcr(ScannedDocument):
    """A scan that OCR could read, met while OCR was not asked for: the parse workers read it again
    with OCR, under OCR's own time limit, when the configuration allows."""


def from_pdf(data: bytes, *, source: str, max_pages: int = MAX_PAGES, ocr: OcrLimits | None = None) -> SourceText:
    """Read the PDF (PDFium, pdfplumber where it must); their errors (damage, passwords) become
    ParseError.  What nianbao
    does with what it read runs outside that net: a bug of nianbao's is never called a damaged PDF.
    A PDF that would cost far more than any report is refused first (`guard`).  A PDF of page
    images with no text layer is read by OCR when `ocr` allows it and the installation can."""
    check_pdf(data, source=source, max_pages=max_pages, pages=False)  # each page is checked as it loads
    pages, chars, images = _read(data, source=source)
    if chars == 0:
        scanned = f"{source}: a scanned PDF ({len(pages)} pages, {images} images, no text layer)"
        if images and ocr is not None:
            from parsers.ocr import missing

            lacking = missing()
            if lacking is None:
                from parsers.ocr.read import scanned_pdf

                return scanned_pdf(data, source=source, limits=ocr)
            raise ScannedDocument(f"{scanned}; {lacking}", source=source)
        if images:
            raise NeedsOcr(f"{scanned}; OCR is turned off ([parse] ocr)", source=source)
        raise ScannedDocument(f"{scanned}; it cannot be read without OCR", source=source)
    lines, geometry = assemble(pages)
    return SourceText(lines=lines, kind="pdf", geometry=geometry)


@dataclass(frozen=True, slots=True)
class RawPage:
    """What one page holds: tables (box, rows of cells), text lines, words (pdfplumber's shapes)."""

    tables: list[tuple[Box, list[TableRow]]]
    lines: list[dict[str, Any]]
    words: list[Word]


def _read(data: bytes, *, source: str) -> tuple[list[RawPage], int, int]:
    """Per page, the tables, the text lines and the words; the character and image counts.  Read
    with PDFium (`pdf_page`, `pdf_geometry`); with pdfplumber where PDFium cannot answer alike:
    a file PDFium cannot open or pdfminer cannot parse (pdfplumber names the damage or the
    password, as it always did), and a page PDFium's reader does not shape as pdfplumber would
    (rotated).  Only library work happens here."""
    read = _read_pdfium(data, source=source)
    if read is not None:
        return read
    _check_pages(data, source)
    return _read_pdfplumber(data, source=source)


def _check_pages(data: bytes, source: str) -> None:
    """The guard's count of each page's objects and characters, before pdfplumber reads them."""
    import pypdfium2 as pdfium

    from parsers.guard import check_pages

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return  # damaged or encrypted: pdfplumber says which, in its own words
    try:
        check_pages(document, source)
    finally:
        document.close()


def _read_pdfium(data: bytes, *, source: str = "<input>") -> tuple[list[RawPage], int, int] | None:
    """The pages read with PDFium, or None where pdfplumber must read them."""
    import pypdfium2 as pdfium

    from parsers.pdf_geometry import page_layout
    from parsers.pdf_page import Unsupported, quick_descents, read_page

    descents = quick_descents(data)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    pages: list[RawPage] = []
    chars = images = 0
    doctop = 0.0
    try:
        for number in range(len(document)):
            page = document[number]
            try:
                content = read_page(page, descents, doctop, number=number + 1, source=source)
            finally:
                page.close()
            doctop += content.height
            tables, lines, words = page_layout(content)
            pages.append(RawPage(tables, lines, words))
            chars += len(content.chars)
            images += content.images
    except (Unsupported, pdfium.PdfiumError):
        return None
    finally:
        document.close()
    return pages, chars, images


def _read_pdfplumber(data: bytes, *, source: str) -> tuple[list[RawPage], int, int]:
    """Per page, the tables, the text lines and the words pdfplumber finds; the character and
    image counts: the reader before PDFium, kept where PDFium cannot answer alike."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [
                RawPage(
                    [(_box(t.bbox), rows_of(t)) for t in page.find_tables()],
                    page.extract_text_lines(),
                    words_of(page.extract_words()),
                )
                for page in pdf.pages
            ]
            chars = sum(len(page.chars) for page in pdf.pages)
            images = sum(len(page.images) for page in pdf.pages)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ParseError(f"{source}: a password-protected PDF", source=source) from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParseError(f"{source}: a damaged or truncated PDF ({type(exc).__name__})", source=source) from None
    except ParseError:
        raise
    except Exception as exc:  # pdfplumber wraps pdfminer's errors; some damage raises plain Exceptions
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ParseError(f"{source}: a password-protected PDF", source=source) from None
        raise ParseError(
            f"{source}: a damaged or truncated PDF ({inner or type(inner).__name__})", source=source
        ) from None
    return pages, chars, images


def _page_items(page: RawPage) -> list[tuple[str, Any]]:
    """("text", (line, wrapped)) and ("table", rows) in reading order."""
    boxes = [box for box, _ in page.tables]
    items: list[tuple[float, str, Any]] = [(box[1], "table", rows) for box, rows in page.tables]
    right = max((line["x1"] for line in page.lines), default=0)
    for line in page.lines:
        middle = (line["top"] + line["bottom"]) / 2
        if any(x0 - 1 <= line["x0"] <= x1 + 1 and top - 1 <= middle <= bottom + 1 for x0, top, x1, bottom in boxes):
            continue
        wrapped = line["x1"] >= right - 2 * max((c["size"] for c in line["chars"][:1]), default=10)
        items.append((line["top"], "text", (line["text"], wrapped)))
    items.sort(key=lambda item: item[0])
    return [(kind, value) for _, kind, value in items]


def assemble(pages: list[RawPage]) -> tuple[tuple[str, ...], dict[int, RowGeometry]]:
    """Paragraphs (wrapped lines joined) and table rows, in reading order, with each numeric row's
    geometry keyed by its line."""
    out: list[str | Emitted] = []
    tables = TableReader()
    carry = ""  # the paragraph being read
    ended = ""  # a paragraph whose last line stopped short of the margin, until the next line confirms it
    for number, page in enumerate(pages, start=1):
        for kind, value in _page_items(page):
            if kind == "text":
                text, wrapped = value[0].strip(), value[1]
                if heading_part(text):
                    tables.reset()
                if ended and _continues(ended, text):
                    carry = ended  # "…部分公开258" / "件，占33.9%": the line broke early, the sentence goes on
                elif ended:
                    out.append(ended)
                ended = ""
                if carry and _HEADING.match(text):
                    out.append(carry)  # a heading never continues the paragraph above it
                    carry = ""
                carry += text
                if carry.endswith(_SENTENCE_END):
                    out.append(carry)
                    carry = ""
                elif not wrapped:
                    ended, carry = carry, ""
                continue
            out.extend(p for p in (ended, carry) if p)
            ended = carry = ""
            out.extend(tables.read(value, page.words, number))
    out.extend(p for p in (ended, carry) if p)
    lines: list[str] = []
    geometry: dict[int, RowGeometry] = {}
    for item in out:
        text = item if isinstance(item, str) else " | ".join(item.cells)
        if not text.strip():
            continue
        if isinstance(item, Emitted) and item.geometry is not None:
            geometry[len(lines)] = item.geometry
        lines.append(text)
    return tuple(lines), geometry


def _continues(paragraph: str, line: str) -> bool:
    """The line goes on with the paragraph above although that stopped short of the margin: Chinese
    type never opens a line with closing punctuation, nor parts a number from its unit."""
    if line.startswith(_CLOSING):
        return True
    return paragraph[-1:].isdigit() and line.startswith(_UNITS)


def _box(bbox: Any) -> Box:
    x0, top, x1, bottom = bbox
    return float(x0), float(top), float(x1), float(bottom)
