"""The numeric tables of a PDF (table 3 and table 4), read by geometry with a second opinion.

A table extractor gives cells; real PDFs (WPS, Word) break tables across pages without repeating
the header, leave ruling lines out, and return continuation rows whose label sits in another
column than on the first page (`[None, '（七）总计', '', '21', …]`).  Counting cells from the left
then shifts numbers into the wrong columns.  So here:

- the columns are where the header puts them: the x of 自然人 … 总计 (or the 15 result columns of
  table 4), carried to the continuation on the next page;
- each number lands in the column whose x it stands under; anything left of the first column is
  label area (an empty string there is part of the label, never a value);
- the numbers of each row are read twice: from the extractor's cells and from the text layer's
  words with their positions.  Where the two agree the row is certain; where they disagree the
  row is re-read from the words when those fall cleanly one per column, and is uncertain (with the
  reason) when they do not.

Pure functions over what pdfplumber returned; no PDF library is imported here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nianbao.core.messages import Said, said
from nianbao.core.report import CellReading
from parsers.numbers import NONE_MARKS, normalize
from parsers.source import RowGeometry

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
_NUMBER = re.compile(r"^[+-]?[\d,，]+(?:\.\d+)?$")
_APPLICANT_HEADER = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_REVIEW_HEADER = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(frozen=True, slots=True)
class Cell:
    box: Box | None  # None: covered by a merged cell
    text: str | None
    read: CellReading | None = None  # a scan's cell: its two readings


@dataclass(frozen=True, slots=True)
class TableRow:
    box: Box
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Columns:
    """Where the value columns of a numeric table stand on the page."""

    centers: tuple[float, ...]
    left: float  # the label area ends here
    span: tuple[float, float]  # the table's left and right edges

    def slot(self, x: float) -> int | None:
        """The column standing over x, or None when x is between columns."""
        gaps = [b - a for a, b in zip(self.centers, self.centers[1:], strict=False)] or [40.0]
        tolerance = 0.5 * min(gaps)
        best = min(range(len(self.centers)), key=lambda i: abs(self.centers[i] - x))
        return best if abs(self.centers[best] - x) <= tolerance else None

    def aligned(self, box: Box) -> bool:
        return abs(box[0] - self.span[0]) < 20 and abs(box[2] - self.span[1]) < 20


@dataclass
class Emitted:
    """A line for the text reader, and the geometry of its numbers when it is a table row."""

    cells: list[str]
    geometry: RowGeometry | None = None
    labels: int = 0  # how many of `cells` are label cells


@dataclass
class TableReader:
    """Reads the tables of a document in order, carrying the columns from page to page."""

    columns: Columns | None = None
    emitted: list[Emitted] = field(default_factory=list)

    def reset(self) -> None:
        """A part heading ended the table: the next table needs its own header."""
        self.columns = None

    def read(self, rows: Sequence[TableRow], words: Sequence[Word], page: int) -> list[Emitted]:
        """The lines of one table on one page."""
        found = header_columns(rows)
        out: list[Emitted] = []
        if found is not None:
            continued = self.columns is not None and bool(self.emitted)
            self.columns, first = found
            out += [_plain(row) for row in rows[:first]]
            data = list(rows[first:])
            if continued and data and _split_row(data[0], self.columns):
                _glue(self.emitted[-1], data.pop(0))  # the header repeated, then the end of a cut label
        elif self.columns is not None and rows and self.columns.aligned(_table_box(rows)):
            data = list(rows)  # a continuation: the header stayed on the page before
            if data and _header_tail(data[0], self.columns):
                data.pop(0)  # the end of header cells the page break cut (社会公益/组织): no row
            elif data and _split_row(data[0], self.columns) and self.emitted:
                _glue(self.emitted[-1], data.pop(0))
        else:
            self.columns = None
            out += [_plain(row) for row in rows]
            data = []
        columns = self.columns
        if columns is not None:
            out += [line for row in data for line in _numeric_row(row, columns, words, page)]
        self.emitted = [*self.emitted, *out][-1:] if out else self.emitted
        return [line for line in out if any(c.strip() for c in line.cells)]


def _table_box(rows: Sequence[TableRow]) -> Box:
    return (min(r.box[0] for r in rows), rows[0].box[1], max(r.box[2] for r in rows), rows[-1].box[3])


def _text(cell: Cell) -> str:
    """A cell's text with the line breaks of wrapped labels removed (numbers never wrap, and two
    numbers on two lines of one cell are two rows that lost their ruling line: see `_split_merged`)."""
    return "".join((cell.text or "").split()).replace("|", "｜")


def _plain(row: TableRow) -> Emitted:
    """A row outside a numeric table (a header, table 2): its cells as the extractor gives them."""
    return Emitted([_text(c) for c in row.cells if c.text is not None])


def _is_value(text: str) -> bool:
    return bool(_NUMBER.match(normalize(text))) or normalize(text) in NONE_MARKS - {""}


def header_columns(rows: Sequence[TableRow]) -> tuple[Columns, int] | None:
    """The value columns named by the header (table 3 or 4), and the index of the first data row
    (the number of rows when the page ends after the header: the columns carry to the next page)."""
    values = next((i for i, r in enumerate(rows) if any(_is_value(_text(c)) for c in r.cells if c.box)), len(rows))
    for names in (_APPLICANT_HEADER, _REVIEW_HEADER):
        named = [
            (i, c.box)
            for i, row in enumerate(rows[:values])
            for c in row.cells
            if c.box and _names(normalize(_text(c)), names)
        ]
        wanted = 7 if names is _APPLICANT_HEADER else 15
        if len(named) == wanted:
            boxes = [box for _, box in named]
            centers = tuple(sorted((b[0] + b[2]) / 2 for b in boxes))
            table = _table_box(rows)
            # the data start after the header's last row: rows with empty cells may come before the first number
            return Columns(centers, min(b[0] for b in boxes), (table[0], table[2])), max(i for i, _ in named) + 1
    return None


def _names(text: str, names: tuple[str, ...]) -> bool:
    """The header cell names one of the columns: in full, or cut by a page break after its first
    characters (社会公益 of 社会公益组织) when they fit no other column."""
    if text in names:
        return True
    return len(text) >= 2 and sum(name.startswith(text) for name in names) == 1


def _header_tail(row: TableRow, columns: Columns) -> bool:
    """A continuation's first row holding only the ends of header names (组织, 机构) over the value
    columns: the header's last row, cut by the page break (a cut label sits left of them)."""
    cells = [((c.box[0] + c.box[2]) / 2, normalize(_text(c))) for c in row.cells if c.box is not None and _text(c)]
    names = (*_APPLICANT_HEADER, *_REVIEW_HEADER)
    return bool(cells) and all(
        x >= columns.left - 1 and any(n.endswith(text) and n != text for n in names) for x, text in cells
    )


def _split_row(row: TableRow, columns: Columns) -> bool:
    """The first row of a continuation whose value cells are all empty and whose label does not open
    with a row's numbering: the end of a label that the page break cut (程性/信息 under 6.属于四类过).
    It belongs to the last row of the page before.  ("3.危及…" with empty cells is a row of its own.)"""
    labels, slots = _cell_slots(row, columns)
    return bool(labels) and not any(slots) and not _OPENS_ROW.match(normalize(labels[0]))


def _glue(previous: Emitted, row: TableRow) -> None:
    text = "".join(_text(c) for c in row.cells if c.text)
    if previous.labels:
        previous.cells[previous.labels - 1] += text


def _cell_slots(row: TableRow, columns: Columns) -> tuple[list[str], list[str]]:
    """(label cells, value per column) as the extractor's cells give them."""
    labels: list[str] = []
    slots = [""] * len(columns.centers)
    for cell in row.cells:
        if cell.box is None or cell.text is None:
            continue
        text = _text(cell)
        x = (cell.box[0] + cell.box[2]) / 2
        if x < columns.left - 1:
            if text:
                labels.append(text)  # "" in the label area is label area, not a value
            continue
        index = columns.slot(x)
        if index is not None and text:
            slots[index] = text if not slots[index] else slots[index] + " " + text
    return labels, slots


def _word_slots(
    row: TableRow, columns: Columns, words: Sequence[Word]
) -> tuple[list[str], list[float | None], Said | None]:
    """The values of the row read from the text layer, their x, and why they cannot be placed (None if they can)."""
    slots = [""] * len(columns.centers)
    xs: list[float | None] = [None] * len(columns.centers)
    top, bottom = _band(row, columns)
    levels: set[int] = set()
    for word in words:
        if not (top <= word.y <= bottom) or word.x < columns.left - 1 or not _is_value(word.text):
            continue
        index = columns.slot(word.x)
        if index is None:
            return slots, xs, said("why.between_columns", number=word.text)
        if slots[index]:
            return slots, xs, said("why.two_numbers", first=slots[index], second=word.text)
        slots[index], xs[index] = word.text, word.x
        levels.add(round(word.y / 4))
    if len(levels) > 2:
        return slots, xs, said("why.several_lines")
    return slots, xs, None


def _band(row: TableRow, columns: Columns) -> tuple[float, float]:
    """The row's height where its numbers stand: a label cell merged over several rows (（三）不予公开
    over 1.–8.) makes the row's box as tall as the group, its value cells do not."""
    boxes = [c.box for c in row.cells if c.box is not None and (c.box[0] + c.box[2]) / 2 >= columns.left - 1]
    if not boxes:
        return row.box[1], row.box[3]
    return min(b[1] for b in boxes), max(b[3] for b in boxes)


def _same(a: str, b: str) -> bool:
    return normalize(a) == normalize(b)


def _numeric_row(row: TableRow, columns: Columns, words: Sequence[Word], page: int) -> list[Emitted]:
    """The row's labels and its values per column, with the geometry and certainty of its reading."""
    labels, by_cells = _cell_slots(row, columns)
    by_words, xs, trouble = _word_slots(row, columns, words)
    agree = trouble is None and all(_same(a, b) for a, b in zip(by_cells, by_words, strict=True))
    text = next((c for c in by_cells if c and not _is_value(c)), None)  # a label's words under a number's column
    scan = any(c.read is not None for c in row.cells)
    why: tuple[Said, ...] = ()
    if agree:
        values, certain = by_cells, True
    elif text is not None:  # the words would drop it: the row does not line up with the header
        values, certain = by_cells, False
        why = (said("why.text_in_column", text=text),)
    elif trouble is None and not scan:
        values, certain = by_words, True
        why = (said("why.reread", cells=" | ".join(by_cells)),)
    elif trouble is None:  # a scan: one reader's boxes are no second reading of another reader's cells
        values, certain = by_cells, False
        why = (said("why.scan_places"),)
    else:
        split = _split_merged(row, labels, columns, words, page, scan=scan)
        if split:
            return split
        values, certain = by_cells, False
        why = (said("why.disagree", trouble=trouble),)
    geometry = RowGeometry(page, round(row.box[1], 1), tuple(round(x, 1) if x else None for x in xs), certain, why)
    if scan:
        geometry = scan_geometry(geometry, row, columns)
    return [Emitted([*labels, *values], geometry, len(labels))]


def scan_geometry(geometry: RowGeometry, row: TableRow, columns: Columns) -> RowGeometry:
    """A scanned row's certainty from its cells' two readings: certain only when every value cell
    was read alike by both readers at 200 dpi or more.  Where the row's only doubt is its numbers,
    each cell keeps what it may hold: its value when sure, the two readings where they differ,
    any number (None) from an image under 200 dpi."""
    reads: list[CellReading | None] = [None] * len(columns.centers)
    for cell in row.cells:
        if cell.box is None or cell.read is None:
            continue
        x = (cell.box[0] + cell.box[2]) / 2
        index = columns.slot(x) if x >= columns.left - 1 else None
        if index is not None:
            reads[index] = cell.read
    doubts: list[Said] = []
    coarse = min((r.dpi for r in reads if r is not None and r.agreed and not r.certain), default=None)
    if coarse is not None:
        doubts.append(said("why.coarse", dpi=coarse))
    for index, read in enumerate(reads):
        if read is not None and not read.agreed:
            first, second = (f"'{r}'" if r else "—" for r in read.readings)
            doubts.append(said("why.readers", n=index + 1, first=first, second=second))
    options: tuple[tuple[str, ...] | None, ...] = ()
    if geometry.certain:
        options = tuple(_options(read) for read in reads)
    why = (*(geometry.doubts if not geometry.certain else ()), *doubts)
    certain = geometry.certain and not doubts
    return RowGeometry(
        geometry.page, geometry.y, geometry.xs, certain, why if not certain else (), tuple(reads), options
    )


def _options(read: CellReading | None) -> tuple[str, ...] | None:
    if read is None:
        return None
    if read.certain:
        return (read.value,)
    if read.agreed:
        return None  # read alike, but from too coarse an image: any number
    return tuple(dict.fromkeys(read.readings))


_NUMBERED = re.compile(r"(?=(?:\d+[.、．]|[（(][一二三四五六七八九十]+[)）])\D)")
_OPENS_ROW = re.compile(r"(?:\d+[.、．]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.．])")


def _split_merged(
    row: TableRow, labels: list[str], columns: Columns, words: Sequence[Word], page: int, *, scan: bool = False
) -> list[Emitted]:
    """Rows that a missing ruling line merged into one ("7.属于行政执法案卷8.属于行政查询事项" over
    numbers on two lines): split when the numbered labels and the lines of numbers match one to one
    and every line has at most one number per column.  Otherwise nothing (the row stays uncertain)."""
    pieces = [p for p in _NUMBERED.split(labels[-1])] if labels else []
    pieces = [p for p in pieces if p]
    numbers = sorted(
        (w for w in words if row.box[1] <= w.y <= row.box[3] and w.x >= columns.left - 1 and _is_value(w.text)),
        key=lambda w: w.y,
    )
    levels: list[list[Word]] = []
    for word in numbers:
        if levels and abs(levels[-1][0].y - word.y) < 3:
            levels[-1].append(word)
        else:
            levels.append([word])
    if len(pieces) < 2 or len(levels) != len(pieces):
        return []
    out = []
    for index, (label, level) in enumerate(zip(pieces, levels, strict=True)):
        values = [""] * len(columns.centers)
        xs: list[float | None] = [None] * len(columns.centers)
        for word in level:
            slot = columns.slot(word.x)
            if slot is None or values[slot]:
                return []
            values[slot], xs[slot] = word.text, round(word.x, 1)
        head = labels[:-1] if index == 0 else []
        why = said("why.merged")
        if scan:  # one reader's boxes alone: no second reading of these numbers
            why = said("why.one_reader", inner=said("why.merged"))
        geometry = RowGeometry(page, round(level[0].top, 1), tuple(xs), not scan, (why,))
        out.append(Emitted([*head, label, *values], geometry, len(head) + 1))
    return out


def words_of(raw: Sequence[dict[str, Any]]) -> list[Word]:
    return [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in raw]


def rows_of(table: Any) -> list[TableRow]:
    """A pdfplumber Table as rows of (box, text) cells."""
    texts = table.extract()
    return [
        TableRow(
            tuple(row.bbox), tuple(Cell(tuple(b) if b else None, t) for b, t in zip(row.cells, line, strict=False))
        )
        for row, line in zip(table.rows, texts, strict=False)
    ]
