"""Part 四, table 4: administrative reviews and lawsuits — three groups (行政复议, 未经复议直接起诉,
复议后起诉) × five results, fifteen numbers placed by the column header."""

from __future__ import annotations

import re
from dataclasses import replace

from nianbao.core.messages import Said, said
from nianbao.core.report import REVIEW_FIELDS, REVIEW_GROUPS, Finding, RowReading, Table
from parsers.cells import Row
from parsers.numbers import normalize
from parsers.source import RowGeometry
from parsers.tables import (
    GLUED_WHY,
    MAX_LABEL,
    Geometry,
    TableRead,
    flatten,
    glued,
    is_label,
    no_geometry,
    reading,
    unreadable,
    values,
)

PART = "review_litigation"
WIDTH = len(REVIEW_GROUPS) * len(REVIEW_FIELDS)
_HEADERS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
_GROUP_LABELS = {
    "review": "行政复议",
    "lawsuit_direct": "行政诉讼 未经复议直接起诉",
    "lawsuit_after_review": "行政诉讼 复议后起诉",
}
_NONE_HAPPENED = re.compile(r"(?:未|没有)(?:发生|收到|出现|有)[^。；;]{0,30}?(?:行政复议|行政诉讼)")


def read_review_litigation(rows: list[Row], geometry: Geometry = no_geometry, *, found: bool = True) -> TableRead:
    """The 15 numbers of table 4, one reading per group."""
    if glued(rows):
        return TableRead(None, absent=GLUED_WHY)
    header_row, header_end = _header(rows)
    if header_row is None:
        return _stated(rows) if found else TableRead(None)
    notes: list[Finding] = []
    columns, doubt = _columns([t.text for t in flatten(rows[: header_row + 1])], notes)
    value_row, cells = _values(rows, header_row, header_end)
    doubts: list[Said] = [doubt] if doubt else []
    if len(cells) < WIDTH:
        notes.append(unreadable("warning", said("note.review_cells", n=len(cells), width=WIDTH)))
        doubts.append(said("why.cells", n=len(cells), width=WIDTH))
    numbers, text_doubts = values(cells[:WIDTH], PART, notes)
    numbers += [None] * (WIDTH - len(numbers))
    table: Table = {group: {} for group in REVIEW_GROUPS}
    for (group, field), value in zip(columns, numbers, strict=True):
        table[group][field] = value
    where = geometry(value_row) if value_row is not None else None
    readings = []
    for index, group in enumerate(REVIEW_GROUPS):
        own = [c for (g, _), c in zip(columns, cells, strict=False) if g == group]
        place = _group_geometry(where, index) if where else None
        readings.append(
            reading(PART, group, _GROUP_LABELS[group], "header", own, doubts=[*doubts, *text_doubts], geometry=place)
        )
    return TableRead(table, notes, readings)


def _group_geometry(where: RowGeometry, index: int) -> RowGeometry:
    """The part of the row's geometry that is one group's five cells: on a scan, a doubt about one
    cell is its group's alone (the row's other doubts are every group's)."""
    cut = slice(index * 5, index * 5 + 5)
    options = where.options[cut] if where.options else ()
    if not where.reads or where.certain:
        return replace(where, xs=where.xs[cut], reads=where.reads[cut], options=options)
    own = range(index * 5 + 1, index * 5 + 6)
    doubts = [d for d in where.doubts if d.template != "why.readers" or d.params.get("n") in own]
    if not any(r is not None and r.agreed and not r.certain for r in where.reads[cut]):
        doubts = [d for d in doubts if d.template != "why.coarse"]
    return replace(
        where,
        xs=where.xs[cut],
        reads=where.reads[cut],
        options=options,
        certain=not doubts,
        doubts=tuple(doubts),
    )


def _stated(rows: list[Row]) -> TableRead:
    text = "".join(normalize(c) for row in rows for c in row)
    match = _NONE_HAPPENED.search(text)
    if match:  # "未发生…行政复议、行政诉讼案件": the zeros of the table, stated in a sentence
        table: Table = {group: dict.fromkeys(REVIEW_FIELDS, 0) for group in REVIEW_GROUPS}
        return TableRead(table, readings=[RowReading(PART, g, match.group(0), "sentence", True) for g in REVIEW_GROUPS])
    return TableRead(None)


def _header(rows: list[Row]) -> tuple[int | None, int]:
    """The last row holding result labels, and the index just past its last label cell."""
    found: tuple[int | None, int] = (None, 0)
    for r, row in enumerate(rows):
        if any(len(c) <= MAX_LABEL and any(h in normalize(c) for _, h in _HEADERS[:4]) for c in row):
            last = max(i for i, c in enumerate(row) if is_label(c))
            found = (r, last + 1)
    return found


def _columns(header: list[str], notes: list[Finding]) -> tuple[list[tuple[str, str]], Said | None]:
    """(group, field) for each of the 15 cells, and a doubt when the header does not name all 15."""
    labels = [normalize(c) for c in header]
    fields = [key for c in labels for key, h in _HEADERS if c == h]
    direct = next((i for i, c in enumerate(labels) if "直接起诉" in c), None)
    after = next((i for i, c in enumerate(labels) if "复议后起诉" in c), None)
    lawsuits = ["lawsuit_direct", "lawsuit_after_review"]
    if direct is not None and after is not None and after < direct:
        lawsuits.reverse()
    groups = ["review", *lawsuits]
    if len(fields) == WIDTH:
        return [(groups[i // 5], field) for i, field in enumerate(fields)], None
    uniform = [(g, f) for g in groups for f in REVIEW_FIELDS]
    if fields == list(REVIEW_FIELDS) * (len(fields) // 5) and len(fields) % 5 == 0:
        return uniform, None  # the review group's labels span two header rows and were written once
    notes.append(unreadable("info", said("note.review_header", n=len(fields), width=WIDTH)))
    return uniform, said("why.review_header", n=len(fields), width=WIDTH)


def _values(rows: list[Row], header_row: int, header_end: int) -> tuple[int | None, list[str]]:
    rest = rows[header_row][header_end:]
    if any(c.strip() for c in rest):  # one long row: values follow the labels
        while rest and not rest[0].strip():
            rest = rest[1:]
        return header_row, [c for c in rest if not is_label(c)][:WIDTH]
    for index in range(header_row + 1, len(rows)):
        found = [c for c in rows[index] if not is_label(c)]
        if any(v.strip() for v in found):
            return index, found[:WIDTH]
    return None, []
