"""Words, text lines and ruled tables of a page, from its characters and ruling lines.

The algorithms are pdfplumber's (its table finder over the ruling lines, its word and line
grouping), run on what PDFium read (`pdf_page`): pure functions over dicts, no pdfminer.  The
words are grouped once and serve both the lines and the text layer's second opinion; a table's
cells take their characters from the rows they fall in (pdfplumber filters every character of
the page for every row)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils.geometry import obj_to_bbox
from pdfplumber.utils.text import LIGATURES

from parsers.pdf_page import PageContent
from parsers.pdf_tables import Box, Cell, TableRow, Word

_SETTINGS = TableSettings.resolve(None)


def page_layout(page: PageContent) -> tuple[list[tuple[Box, list[TableRow]]], list[dict[str, Any]], list[Word]]:
    """(tables, text lines, words) as pdfplumber's find_tables, extract_text_lines and
    extract_words give them."""
    chars = page.chars
    tuples = word_tuples(chars)
    words = [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w, _ in tuples]
    tables = [(_box(t.bbox), _rows(t, chars)) for t in _Finder(page, _SETTINGS).tables]
    return tables, text_lines(tuples), words


def text_lines(tuples: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """pdfplumber's extract_text_lines (not laid out, stripped, with chars): the words clustered
    by top in their order, one space between words, each line's box that of its characters."""
    cluster = _clusters(word["top"] for word, _ in tuples)
    out: list[dict[str, Any]] = []
    for _, group in groupby(tuples, key=lambda pair: cluster[pair[0]["top"]]):
        line = list(group)
        chars = [c for _, word_chars in line for c in word_chars for _ in LIGATURES.get(c["text"], c["text"])]
        if not chars:
            continue
        out.append(
            {
                "text": " ".join(word["text"] for word, _ in line),
                "x0": min(c["x0"] for c in chars),
                "top": min(c["top"] for c in chars),
                "x1": max(c["x1"] for c in chars),
                "bottom": max(c["bottom"] for c in chars),
                "chars": chars,
            }
        )
    return out


def _clusters(values: Iterable[float]) -> dict[float, int]:
    """pdfplumber's make_cluster_dict: sorted distinct values, a new cluster past the tolerance."""
    cluster: dict[float, int] = {}
    index, last = -1, None
    for value in sorted(set(values)):
        if last is None or value > last + _TOLERANCE:
            index += 1
        cluster[value] = index
        last = value
    return cluster


class _Finder(TableFinder):
    """pdfplumber's TableFinder with its cells found as pdfplumber does, each intersection's edges
    turned into a set once (pdfplumber rebuilds both sets for every pair of points it tries)."""

    def __init__(self, page: Any, settings: TableSettings) -> None:
        self.page = page
        self.settings = settings
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, settings.intersection_x_tolerance, settings.intersection_y_tolerance
        )
        self.cells = _cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]


def _cells(intersections: dict[Any, dict[str, list[dict[str, Any]]]]) -> list[Any]:
    """pdfplumber's intersections_to_cells."""
    vertical = {p: {obj_to_bbox(e) for e in edges["v"]} for p, edges in intersections.items()}
    horizontal = {p: {obj_to_bbox(e) for e in edges["h"]} for p, edges in intersections.items()}

    def connects(p1: Any, p2: Any) -> bool:
        if p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2]):
            return True
        return p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])

    points = sorted(intersections)
    cells = []
    for i, pt in enumerate(points[:-1]):
        rest = points[i + 1 :]
        below = [x for x in rest if x[0] == pt[0]]
        right = [x for x in rest if x[1] == pt[1]]
        found = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


_TOLERANCE = 3  # pdfplumber's x_tolerance and y_tolerance


def word_tuples(chars: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """pdfplumber's WordExtractor (default settings) on upright characters, without its generic
    machinery: lines clustered by top, each sorted by x0, words parted at blanks and gaps."""
    if not chars:
        return []
    cluster = _clusters(c["top"] for c in chars)
    lines: list[list[dict[str, Any]]] = [[] for _ in range(max(cluster.values()) + 1)]
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
    cluster = _clusters(w["top"] for w in words)
    lines: list[list[str]] = [[] for _ in range(max(cluster.values(), default=-1) + 1)]
    for word in words:
        lines[cluster[word["top"]]].append(word["text"])
    return "\n".join(" ".join(line) for line in lines)


def _inside(char: dict[str, Any], bbox: Any) -> bool:
    v_mid = (char["top"] + char["bottom"]) / 2
    h_mid = (char["x0"] + char["x1"]) / 2
    x0, top, x1, bottom = bbox
    return bool(x0 <= h_mid < x1 and top <= v_mid < bottom)
