"""Words, text lines and ruled tables of a page, from its characters and ruling lines.

The algorithms are pdfplumber's (its table finder over the ruling lines, its word and line
grouping), run on what PDFium read (`pdf_page`): pure functions over dicts, no pdfminer.  The
words are grouped once and serve both the lines and the text layer's second opinion; a table's
cells take their characters from the rows they fall in (pdfplumber filters every character of
the page for every row)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils.text import TextMap, WordExtractor, extract_text

from parsers.pdf_page import PageContent
from parsers.pdf_tables import Box, Cell, TableRow, Word

_SETTINGS = TableSettings.resolve(None)
_TEXT = dict(_SETTINGS.text_settings or {})


def page_layout(page: PageContent) -> tuple[list[tuple[Box, list[TableRow]]], list[dict[str, Any]], list[Word]]:
    """(tables, text lines, words) as pdfplumber's find_tables, extract_text_lines and
    extract_words give them."""
    chars = page.chars
    wordmap = WordExtractor().extract_wordmap(chars)
    words = [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w, _ in wordmap.tuples]
    lines: list[dict[str, Any]] = []
    if chars:
        textmap: TextMap = wordmap.to_textmap(
            layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height, presorted=True
        )
        lines = textmap.extract_text_lines(strip=True, return_chars=True)
    tables = [(_box(t.bbox), _rows(t, chars)) for t in TableFinder(page, _SETTINGS).tables]  # type: ignore[arg-type]
    return tables, lines, words


def _box(bbox: Any) -> Box:
    x0, top, x1, bottom = bbox
    return float(x0), float(top), float(x1), float(bottom)


def _rows(table: Any, chars: list[dict[str, Any]]) -> list[TableRow]:
    """pdfplumber's Table.extract, each row's characters found by their middle's height."""
    middles = sorted(((c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars))
    keys = [m for m, _ in middles]
    out = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        found = sorted(i for _, i in middles[bisect_left(keys, top) : bisect_right(keys, bottom)])
        row_chars = [chars[i] for i in found if _inside(chars[i], row.bbox)]
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append(Cell(None, None))
                continue
            inside = [c for c in row_chars if _inside(c, cell)]
            cells.append(Cell(tuple(cell), extract_text(inside, **_TEXT) if inside else ""))
        out.append(TableRow(tuple(row.bbox), tuple(cells)))
    return out


def _inside(char: dict[str, Any], bbox: Any) -> bool:
    v_mid = (char["top"] + char["bottom"]) / 2
    h_mid = (char["x0"] + char["x1"]) / 2
    x0, top, x1, bottom = bbox
    return bool(x0 <= h_mid < x1 and top <= v_mid < bottom)
