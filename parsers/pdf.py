"""PDF with a text layer -> SourceText, with pdfplumber (MIT; tables from ruling lines).

Why pdfplumber: the reports' tables are drawn with ruling lines, and pdfplumber finds their cells,
including merged ones (None), which is what the label-driven reader needs; PyMuPDF is faster but
AGPL, and pypdfium2 (used by the benchmark for comparison) gives text without table structure.
Label cells that wrap (三、/本年/度办/理结/果) are joined; a row cut by a page break is glued back;
wrapped paragraph lines are joined so sentences (and postal codes) stay whole.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from nianbao.core.errors import ParseError, UnsupportedFormat
from parsers.source import SourceText

logger = logging.getLogger(__name__)
MAX_PAGES = 300
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_SENTENCE_END = ("。", "！", "？", "；", "：")


class ScannedDocument(UnsupportedFormat):
    """A PDF whose pages are only images: nothing to read without OCR."""


def from_pdf(data: bytes, *, source: str) -> SourceText:
    """Read the PDF with pdfplumber; its errors (damage, passwords) become ParseError.  What nianbao
    does with what it read runs outside that net: a bug of nianbao's is never called a damaged PDF."""
    pages, chars, images = _read(data, source=source)
    if chars == 0:
        raise ScannedDocument(
            f"{source}: a scanned PDF ({len(pages)} pages, {images} images, no text layer); "
            "it cannot be read without OCR",
            source=source,
        )
    return SourceText(lines=tuple(_lines([_page_items(page) for page in pages])), kind="pdf")


RawPage = tuple[list[tuple[tuple[float, float, float, float], list[list[str | None]]]], list[dict[str, Any]]]


def _read(data: bytes, *, source: str) -> tuple[list[RawPage], int, int]:
    """Per page, the tables (box, cells) and the text lines pdfplumber finds; the character and
    image counts.  Only library work happens here."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise ParseError(f"{source}: {len(pdf.pages)} pages, over the {MAX_PAGES} page limit", source=source)
            pages: list[RawPage] = [
                ([(t.bbox, t.extract()) for t in page.find_tables()], page.extract_text_lines()) for page in pdf.pages
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
    """("text", line) and ("table", rows) in reading order."""
    tables, lines = page
    boxes = [bbox for bbox, _ in tables]
    items: list[tuple[float, str, Any]] = [(bbox[1], "table", rows) for bbox, rows in tables]
    right = max((line["x1"] for line in lines), default=0)
    for line in lines:
        middle = (line["top"] + line["bottom"]) / 2
        if any(x0 - 1 <= line["x0"] <= x1 + 1 and top - 1 <= middle <= bottom + 1 for x0, top, x1, bottom in boxes):
            continue
        wrapped = line["x1"] >= right - 2 * max((c["size"] for c in line["chars"][:1]), default=10)
        items.append((line["top"], "text", (line["text"], wrapped)))
    items.sort(key=lambda item: item[0])
    return [(kind, value) for _, kind, value in items]


def _cell(text: str | None) -> str | None:
    return None if text is None else "".join(text.split("\n")).replace("|", "｜").strip()


def _lines(pages: list[list[tuple[str, Any]]]) -> list[str]:
    out: list[str] = []
    last_table_row: list[str] | None = None
    carry = ""
    for items in pages:
        for index, (kind, value) in enumerate(items):
            if kind == "text":
                text, wrapped = value
                if carry and _HEADING.match(text.strip()):
                    out.append(carry)  # a heading never continues the paragraph above it
                    carry = ""
                carry += text.strip()
                if not wrapped or carry.endswith(_SENTENCE_END):
                    out.append(carry)
                    carry = ""
                last_table_row = None
                continue
            if carry:
                out.append(carry)
                carry = ""
            rows = [[_cell(c) for c in row] for row in value]
            if index == 0 and last_table_row is not None and rows and _is_split_row(rows[0]):
                _glue(out, rows.pop(0))
            for row in rows:
                cells = [c for c in row if c is not None]
                if any(cells):
                    out.append(" | ".join(cells))
            last_table_row = out[-1].split(" | ") if rows else last_table_row
    if carry:
        out.append(carry)
    return [line for line in out if line.strip()]


def _is_split_row(row: list[str | None]) -> bool:
    """The top row of a page whose numbers are all empty continues the last row of the previous page."""
    cells = [c for c in row if c is not None]
    return bool(cells) and any(cells) and all(not c for c in cells[-7:]) and len([c for c in cells if c]) <= 3


def _glue(out: list[str], row: list[str | None]) -> None:
    previous = out[-1].split(" | ")
    pieces = [c for c in row if c]
    labels = [i for i, c in enumerate(previous) if c and not c.replace(".", "").isdigit()]
    if labels:
        last = labels[-1]
        previous[last] = previous[last] + "".join(pieces)
        out[-1] = " | ".join(previous)
