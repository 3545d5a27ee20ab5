"""Write a report (seed-style text) as a real Word document with python-docx: paragraphs, and the
tables laid out as the official format does, with merged cells (gridSpan, vMerge) where the
official table merges them.  LibreOffice then turns it into PDF and DOC for the tests."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

# rows each group label spans (2021 layout: 三、本年度办理结果 covers (一) … (七))
ROWSPAN = {"三、本年度办理结果": 22, "(三)不予公开": 8, "(四)无法提供": 3, "(五)不予处理": 5, "(六)其他处理": 3}
_NUMBER = re.compile(r"^[\d.]*$")


def _blocks(text: str) -> list[str | list[list[str]]]:
    blocks: list[str | list[list[str]]] = []
    table: list[list[str]] = []
    for line in text.splitlines():
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            while len(cells) > 1 and not cells[-1]:
                cells.pop()
            table.append(cells)
            continue
        if table:
            blocks.append(table)
            table = []
        if line.strip():
            blocks.append(line.strip())
    if table:
        blocks.append(table)
    return blocks


def _merge(table: Table, r0: int, c0: int, r1: int, c1: int, text: str) -> None:
    cell = table.cell(r0, c0)
    if (r1, c1) != (r0, c0):
        cell = cell.merge(table.cell(r1, c1))
    cell.text = text


def _applications(
    doc: DocxDocument, rows: list[list[str]], missing: Sequence[Missing] = (), *, repeat_header: bool = False
) -> None:
    """Table 3: 3 label columns + 7 numbers; a 3-row header (repeated after a page break when
    `repeat_header`, as Word's "repeat as header row" does); ruling lines left out where `missing` says."""
    table = doc.add_table(rows=len(rows), cols=10)
    table.style = "Table Grid"
    for row in table.rows[:3] if repeat_header else ():
        mark = OxmlElement("w:tblHeader")
        mark.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(mark)
    _merge(table, 0, 0, 2, 2, rows[0][0])
    _merge(table, 0, 3, 0, 9, rows[0][1])
    _merge(table, 1, 3, 2, 3, "自然人")
    _merge(table, 1, 4, 1, 8, "法人或其他组织")
    _merge(table, 1, 9, 2, 9, "总计")
    for i, sub in enumerate(rows[2][:5]):
        table.cell(2, 4 + i).text = sub
    busy: dict[int, int] = {}  # label column -> last row covered by a vertical merge
    for r in range(3, len(rows)):
        # the labels run up to the first value cell (empty or a number); trailing empty values were cut
        first = next((i for i, c in enumerate(rows[r]) if i and (not c or _NUMBER.match(c))), len(rows[r]))
        labels, values = rows[r][:first], (rows[r][first:] + [""] * 7)[:7]
        free = [c for c in range(3) if busy.get(c, -1) < r]
        for i, label in enumerate(labels):
            col = free[i]
            last_col = free[-1] if i == len(labels) - 1 else col
            last_row = min(r + _rowspan(rows, r, label, last=i == len(labels) - 1) - 1, len(rows) - 1)
            _merge(table, r, col, last_row, last_col, label)
            if last_row > r:
                busy[col] = last_row
        for i, value in enumerate(values):
            table.cell(r, 3 + i).text = value
    for gap in missing:
        _leave_out(table, rows, gap)


def _rowspan(rows: list[list[str]], r: int, label: str, *, last: bool) -> int:
    """The rows a label cell covers: one when its values follow it; a group label its rows (三、本年度
    办理结果 down to the 总计 row, which the 2019 layout reaches sooner)."""
    if last:
        return 1
    key = unicodedata.normalize("NFKC", label)
    if key.startswith("三、"):
        return next((k - r + 1 for k in range(r, len(rows)) if any("总计" in c for c in rows[k])), 1)
    return ROWSPAN.get(key, 1)


@dataclass(frozen=True, slots=True)
class Missing:
    """A ruling line a careless publisher did not draw in table 3: below the row whose label starts
    with `label` ("bottom"), or between its value columns `column` and `column + 1` ("right")."""

    label: str
    side: str  # "bottom" | "right"
    column: int = 0  # 0 = 自然人


def _leave_out(table: Table, rows: list[list[str]], gap: Missing) -> None:
    r = next(i for i, row in enumerate(rows) if any(c.startswith(gap.label) for c in row))
    if gap.side == "bottom":
        cells = [table.cell(r, c) for c in range(table._column_count)] + [
            table.cell(r + 1, c) for c in range(table._column_count)
        ]
        for index, cell in enumerate(cells):
            _no_border(cell, "bottom" if index < table._column_count else "top")
    else:
        _no_border(table.cell(r, 3 + gap.column), "right")
        _no_border(table.cell(r, 4 + gap.column), "left")


def _no_border(cell: object, side: str) -> None:
    """Set one border of a cell to nil (cell borders override the table style's grid)."""
    tc = cell._tc  # type: ignore[attr-defined]
    props = tc.get_or_add_tcPr()
    borders = props.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        props.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "nil")
    borders.append(edge)


def _review(doc: DocxDocument, rows: list[list[str]]) -> None:
    """Table 4: 15 numbers under a 3-row header."""
    table = doc.add_table(rows=4, cols=15)
    table.style = "Table Grid"
    _merge(table, 0, 0, 0, 4, "行政复议")
    _merge(table, 0, 5, 0, 14, "行政诉讼")
    for i, label in enumerate(rows[1][:5]):
        _merge(table, 1, i, 2, i, label)
    _merge(table, 1, 5, 1, 9, rows[1][5])
    _merge(table, 1, 10, 1, 14, rows[1][6])
    for i, label in enumerate(rows[2][:10]):  # the review group's labels span rows 1-2: written once
        table.cell(2, 5 + i).text = label
    for i, value in enumerate(rows[3][:15]):
        table.cell(3, i).text = value


def _simple(doc: DocxDocument, rows: list[list[str]]) -> None:
    """Table 2 and the like: a row with fewer cells spans its last cell to the right edge."""
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        for i, text in enumerate(cells):
            last = width - 1 if i == len(cells) - 1 else i
            _merge(table, r, i, r, last, text)


def build_docx(
    text: str,
    path: str | Path,
    *,
    title: str | None = None,
    missing: Sequence[Missing] = (),
    padding: int = 0,
    repeat_header: bool = False,
    ruled: bool = True,
) -> Path:
    """Save `text` as a .docx at `path`.  `padding` empty paragraphs before table 3 move its page
    break; table 3's header is repeated on the next page only with `repeat_header` (WPS and Word do
    not by default); `ruled=False` draws the tables without lines (Word's plain table style)."""
    doc = Document()
    if title:
        doc.add_heading(title, level=1)
    for block in _blocks(text):
        if isinstance(block, str):
            doc.add_paragraph(block)
        elif "勾稽关系" in block[0][0]:
            for _ in range(padding):
                doc.add_paragraph("")
            _applications(doc, block, missing, repeat_header=repeat_header)
        elif block[0][0] == "行政复议":
            _review(doc, block)
        else:
            _simple(doc, block)
    for table in () if ruled else doc.tables:
        table.style = doc.styles["Normal Table"]
    doc.save(str(path))
    return Path(path)
