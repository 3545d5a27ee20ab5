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
from pdfplumber.utils.text import LIGATURES, TextMap, WordMap

from parsers.pdf_page import PageContent
from parsers.pdf_tables import Box, Cell, TableRow, Word

_SETTINGS = TableSettings.resolve(None)


def page_layout(page: PageContent) -> tuple[list[tuple[Box, list[TableRow]]], list[dict[str, Any]], list[Word]]:
    """(tables, text lines, words) as pdfplumber's find_tables, extract_text_lines and
    extract_words give them."""
    chars = page.chars
    wordmap = WordMap(word_tuples(chars))
    words = [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w, _ in wordmap.tuples]
    lines: list[dict[str, Any]] = []
    if chars:
        textmap: TextMap = wordmap.to_textmap(
            layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height, presorted=True
        )
        lines = textmap.extract_text_lines(strip=True, return_chars=True)
    tables = [(_box(t.bbox), _rows(t, chars)) for t in TableFinder(page, _SETTINGS).tables]  # type: ignore[arg-type]
    return tables, lines, words


_TOLERANCE = 3  # pdfplumber's x_tolerance and y_tolerance


def word_tuples(chars: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """pdfplumber's WordExtractor (default settings) on upright characters, without its generic
    machinery: lines clustered by top, each sorted by x0, words parted at blanks and gaps."""
    if not chars:
        return []
    cluster: dict[float, int] = {}
    index, last = -1, None
    for value in sorted({c["top"] for c in chars}):
        if last is None or value > last + _TOLERANCE:
            index += 1
        cluster[value] = index
        last = value
    lines: list[list[dict[str, Any]]] = [[] for _ in range(index + 1)]
    for char in chars:
        lines[cluster[char["top"]]].append(char)
    out: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for line in lines:
        current: list[dict[str, Any]] = []
        for char in sorted(line, key=_x0):
            text = char["text"]
            if text.isspace():
                if current:
                    out.append(_word(current))
                current = []
            elif text == "":  # pdfplumber's split_at_punctuation "" holds the empty string
                if current:
                    out.append(_word(current))
                out.append(_word([char]))
                current = []
            elif current and _new_word(current[-1], char):
                out.append(_word(current))
                current = [char]
            else:
                current.append(char)
        if current:
            out.append(_word(current))
    return out


def _x0(char: dict[str, Any]) -> float:
    return char["x0"]  # type: ignore[no-any-return]


def _new_word(previous: dict[str, Any], char: dict[str, Any]) -> bool:
    return bool(
        char["x0"] < previous["x0"]
        or char["x0"] > previous["x1"] + _TOLERANCE
        or abs(char["top"] - previous["top"]) > _TOLERANCE
    )


def _word(chars: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    first = chars[0]
    x0 = min(c["x0"] for c in chars)
    top = min(c["top"] for c in chars)
    x1 = max(c["x1"] for c in chars)
    bottom = max(c["bottom"] for c in chars)
    word = {
        "text": "".join(LIGATURES.get(c["text"], c["text"] or "") for c in chars),
        "x0": x0,
        "x1": x1,
        "top": top,
        "doctop": top + (first["doctop"] - first["top"]),
        "bottom": bottom,
        "upright": first["upright"],
        "height": bottom - top,
        "width": x1 - x0,
        "direction": "ltr",
    }
    return word, chars


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
            cells.append(Cell(tuple(cell), _cell_text(inside) if inside else ""))
        out.append(TableRow(tuple(row.bbox), tuple(cells)))
    return out


def _cell_text(chars: list[dict[str, Any]]) -> str:
    """pdfplumber's extract_text (not laid out): the words, clustered into lines by top."""
    words = [word for word, _ in word_tuples(chars)]
    cluster: dict[float, int] = {}
    index, last = -1, None
    for value in sorted({w["top"] for w in words}):
        if last is None or value > last + _TOLERANCE:
            index += 1
        cluster[value] = index
        last = value
    lines: list[list[str]] = [[] for _ in range(index + 1)]
    for word in words:
        lines[cluster[word["top"]]].append(word["text"])
    return "\n".join(" ".join(line) for line in lines)


def _inside(char: dict[str, Any], bbox: Any) -> bool:
    v_mid = (char["top"] + char["bottom"]) / 2
    h_mid = (char["x0"] + char["x1"]) / 2
    x0, top, x1, bottom = bbox
    return bool(x0 <= h_mid < x1 and top <= v_mid < bottom)
