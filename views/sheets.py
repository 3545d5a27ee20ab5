"""Tables for Excel and WPS: one .xlsx workbook, or one CSV per sheet.  Pure presentation: sheets of
headed columns and rows in, files out.

The workbook is written in openpyxl's write-only mode, so the numbers of a whole province stream
through in constant memory; a sheet longer than Excel's 1,048,576 rows goes on in a second sheet
with the same header.  Each sheet has a bold, frozen header row and an autofilter; dates are real
dates; columns are as wide as their text, a CJK character counting two.  The CSV files are UTF-8
with a byte order mark: without it Excel and WPS open Chinese text as mojibake."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

Value = str | int | float | date | None
EXCEL_ROWS = 1_048_576  # rows of a sheet, header included
SAMPLE = 2000  # rows read ahead to size the columns (write-only mode writes the widths first)
WIDEST = {"text": 40, "wide": 60, "long": 80, "number": 14, "date": 16}
CHINESE_DATE = 'yyyy"年"m"月"d"日"'
ISO_DATE = "yyyy-mm-dd"
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header as the reader sees it, and what it holds: "text", "wide" text (a row's
    label: a wider column), "long" text (wrapped: a message, its evidence), "number" or "date"."""

    head: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table: its sheet title (at most 31 characters, Excel's limit), the stem of its CSV file,
    its columns, and its rows (a function, called once per file written: rows stream from the
    database and a generator is read only once)."""

    title: str
    stem: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Sequence[Value]]]


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: a wide (CJK) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write_xlsx(
    sheets: Sequence[Sheet], path: Path, *, date_format: str = CHINESE_DATE, max_rows: int = EXCEL_ROWS
) -> dict[str, int]:
    """Write the workbook; returns the rows written per sheet title (header rows not counted)."""
    book = Workbook(write_only=True)
    book.properties.creator = "nianbao"
    written = {}
    for sheet in sheets:
        written[sheet.title] = _write_sheet(book, sheet, date_format, max_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return written


def _write_sheet(book: Workbook, sheet: Sheet, date_format: str, max_rows: int) -> int:
    rows = iter(sheet.rows())
    ahead = list(islice(rows, SAMPLE))
    widths = _widths(sheet.columns, ahead, date_format)
    total, part = 0, 1
    pending: Iterator[Sequence[Value]] = chain(ahead, rows)
    while True:
        suffix = "" if part == 1 else f"（{part}）"
        title = sheet.title[: 31 - len(suffix)] + suffix
        ws = _new_sheet(book, title, sheet.columns, widths)
        count = 0
        for row in islice(pending, max_rows - 1):
            ws.append([_cell(ws, value, column, date_format) for value, column in zip(row, sheet.columns, strict=True)])
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{count + 1}"
        total += count
        following = next(pending, None)
        if following is None:
            return total
        pending, part = chain([following], pending), part + 1


def _new_sheet(book: Workbook, title: str, columns: Sequence[Column], widths: Sequence[float]) -> Any:
    """A write-only sheet (openpyxl types it loosely) with its widths, frozen header and header row."""
    ws = book.create_sheet(title)
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    head = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.head)
        cell.font, cell.fill, cell.alignment = _HEAD_FONT, _HEAD_FILL, _WRAP
        head.append(cell)
    ws.append(head)
    return ws


def _cell(ws: Any, value: Value, column: Column, date_format: str) -> Value | Cell:
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value if isinstance(value, datetime) else datetime.combine(value, time()))
        cell.number_format = date_format
        return cell
    if column.kind == "long" and value:
        cell = WriteOnlyCell(ws, value=value)
        cell.alignment = _WRAP
        return cell
    return value


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Value]], date_format: str) -> list[float]:
    """Each column as wide as its header or its widest value among `rows`, within its kind's cap."""
    out = []
    for index, column in enumerate(columns):
        shown = [_shown(row[index], date_format) for row in rows]
        widest = max([display_width(column.head), *(display_width(text) for text in shown)])
        out.append(float(min(widest, WIDEST[column.kind]) + 2))
    return out


def _shown(value: Value, date_format: str) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日" if date_format == CHINESE_DATE else value.isoformat()
    return "" if value is None else str(value)


def write_csv(sheets: Sequence[Sheet], folder: Path) -> list[Path]:
    """One CSV per sheet (`<stem>.csv`), UTF-8 with a BOM; dates as YYYY-MM-DD, which Excel and WPS
    read as dates."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet in sheets:
        path = folder / f"{sheet.stem}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([c.head for c in sheet.columns])
            writer.writerows([_csv_value(v) for v in row] for row in sheet.rows())
        paths.append(path)
    return paths


def _csv_value(value: Value) -> str | int | float:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value
