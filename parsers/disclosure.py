"""Part 二, table 2: proactive disclosure — 规章 … 行政事业性收费, each row read under the column
header (信息内容 本年制发件数 …) above it; the 2019 trial format's columns kept under their own names."""

from __future__ import annotations

import re
from functools import lru_cache

from nianbao.core.messages import said
from nianbao.core.report import DISCLOSURE_ROWS, Finding, Number, RowReading, Table
from parsers.cells import Row
from parsers.numbers import normalize
from parsers.tables import (
    GLUED_WHY,
    MAX_LABEL,
    Geometry,
    TableRead,
    Token,
    flatten,
    glued,
    is_label,
    no_geometry,
    reading,
    unreadable,
    values,
)

PART = "active_disclosure"
_LABELS = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("normative_documents", r"规范性文件"),
        ("rules", r"^规章"),
        ("licensing", r"行政许可"),
        ("other_services", r"其他对外管理服务事项"),
        ("penalties", r"行政处罚"),
        ("enforcement", r"行政强制"),
        ("fees", r"事业性收费"),
        ("procurement", r"政府集中采购"),
    )
)
_FIELDS = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("issued", r"制发"),
        ("repealed", r"废止"),
        ("in_force", r"现行有效"),
        ("decisions", r"处理决定"),
        ("amount_10k_yuan", r"收费金额"),
        # the 2019 trial format's columns, kept under their own names
        ("made", r"新制作"),
        ("published", r"新公开"),
        ("total_published", r"对外公开总数"),
        ("previous_items", r"上一年项目数"),
        ("change", r"本年增"),
        ("procurement_projects", r"采购项目数"),
        ("procurement_amount_yuan", r"采购总金额"),
    )
)
FIELDS_2019 = frozenset(
    {
        "made",
        "published",
        "total_published",
        "previous_items",
        "change",
        "procurement_projects",
        "procurement_amount_yuan",
    }
)


def read_active_disclosure(rows: list[Row], geometry: Geometry = no_geometry, *, found: bool = True) -> TableRead:
    """Rows 规章 … 行政事业性收费, each with its evidence."""
    notes: list[Finding] = []
    table: Table = {}
    readings: list[RowReading] = []
    fields: list[str | None] = []
    tokens = flatten(rows)
    index = 0
    while index < len(tokens):
        label = normalize(tokens[index].text)
        index += 1
        if label == "信息内容":
            fields, index = _header(tokens, index)
            continue
        key = _row_key(label)
        if key is None or key in table or not fields or len(label) > MAX_LABEL:
            continue
        row = tokens[index - 1].row
        cells: list[str] = []
        while index < len(tokens) and not is_label(tokens[index].text) and len(cells) < len(fields):
            cells.append(tokens[index].text)
            index += 1
        numbers, doubts = values(cells, f"{PART}.{key}", notes)
        table[key], absent = _row(key, fields, numbers)
        if absent:
            notes.append(
                unreadable(
                    "warning",
                    said("note.no_cell", drow=key, fields=absent),
                    cells=tuple(f"{PART}.{key}.{f}" for f in absent),
                )
            )
            doubts.append(said("why.no_cell", fields=absent))
        readings.append(
            reading(
                PART, key, tokens[index - len(cells) - 1].text, "exact", cells, doubts=doubts, geometry=geometry(row)
            )
        )
    if not table:
        return TableRead(None, absent=GLUED_WHY if glued(rows) else "")
    if any(FIELDS_2019 & set(row) for row in table.values()):  # the 2019 layout: keep what it has
        return TableRead(table, notes, readings)
    missing = [k for k in DISCLOSURE_ROWS if k not in table]
    if missing:
        notes.append(
            unreadable(
                "warning", said("note.disclosure_rows", drows=missing), cells=tuple(f"{PART}.{m}" for m in missing)
            )
        )
        for key in missing:
            table[key] = dict.fromkeys(DISCLOSURE_ROWS[key])
    return TableRead({k: table[k] for k in DISCLOSURE_ROWS}, notes, readings)


def _header(tokens: list[Token], index: int) -> tuple[list[str | None], int]:
    fields: list[str | None] = []
    while index < len(tokens):
        cell = normalize(tokens[index].text)
        if not cell:
            index += 1
            continue
        field = _field_key(cell)
        if field is None and _row_key(cell):
            break
        if not is_label(cell):
            break
        fields.append(field)
        index += 1
    return fields, index


@lru_cache(maxsize=4096)  # every cell of the table is asked, and the same cells recur
def _row_key(label: str) -> str | None:
    """The row a (folded) label names, if any."""
    return next((k for k, p in _LABELS if p.search(label)), None)


@lru_cache(maxsize=4096)
def _field_key(cell: str) -> str | None:
    """The field a (folded) header cell names, if any."""
    return next((f for f, p in _FIELDS if p.search(cell)), None)


def _row(key: str, fields: list[str | None], numbers: list[Number]) -> tuple[dict[str, Number], list[str]]:
    """The row's values under their fields, and the fields the row gives no cell for."""
    if FIELDS_2019 & set(fields):
        return {f: v for f, v in zip(fields, numbers, strict=False) if f is not None}, []
    row: dict[str, Number] = dict.fromkeys(DISCLOSURE_ROWS.get(key, ()))
    for field, value in zip(fields, numbers, strict=False):
        if field in row and row[field] is None:
            row[field] = value
    absent = [f for f in DISCLOSURE_ROWS.get(key, ()) if f not in fields[: len(numbers)]]
    return row, absent
