"""Read the three standard tables by their labels, not by their positions.

Each reader takes the rows of its part (see `cells.rows_of`) and returns the table plus notes
for whatever it could not map: an unknown row, a short row, a missing row, a cell that is text.
A missing number is `None` with a note, never a silent zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nianbao.core.report import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    DISCLOSURE_ROWS,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    Finding,
    Number,
    Table,
)
from parsers.cells import Row
from parsers.numbers import Text, normalize, parse_cell

SECTIONS = "report.sections"
CELLS = "report.cells"

_APPLICATION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(p))
    for key, p in (
        ("carried_forward", r"结转下年"),
        ("carried_over", r"上年结转"),
        ("new", r"新收"),
        ("partially_granted", r"部分公开"),
        ("granted", r"予以公开"),
        ("withheld.state_secret", r"国家秘密"),
        ("withheld.prohibited_by_law", r"法律.?行政法规禁止"),
        ("withheld.security_stability", r"三安全一稳定|危及"),
        ("withheld.third_party", r"第三方"),
        ("withheld.internal_affairs", r"内部事务"),
        ("withheld.process_info", r"过程性"),
        ("withheld.enforcement_files", r"执法案卷"),
        ("withheld.inquiry", r"查询事项|行政查询"),
        ("unavailable.not_held", r"不掌握"),
        ("unavailable.needs_creation", r"另行制作|没有现成"),
        ("unavailable.unclear", r"不明确"),
        ("not_processed.complaint", r"信访|举报投诉"),
        ("not_processed.duplicate", r"重复申请"),
        ("not_processed.publication", r"出版物"),
        ("not_processed.excessive", r"大量反复"),
        ("not_processed.reconfirm", r"重新出具|确认"),
        ("other.no_correction", r"不补正"),
        ("other.unpaid_fee", r"缴纳费用|收费通知"),
        ("total", r"总计"),
    )
)
_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(p))
    for key, p in (
        ("outcomes", r"办理结果$"),
        ("withheld", r"不予公开$"),
        ("unavailable", r"无法提供$"),
        ("not_processed", r"不予处理$"),
        ("other", r"其他处理$"),
    )
)
_OTHER_OTHER = re.compile(r"^\d*[.、．]?其他$")
_APPLICANT_HEADERS = (
    ("commercial", "商业"),
    ("research", "科研"),
    ("social_welfare", "公益"),
    ("legal_services", "法律服务"),
)


_MAX_LABEL = 120


def _short(label: str) -> str:
    return label if len(label) <= 40 else label[:40] + "…"


def _is_label(cell: str) -> bool:
    return isinstance(parse_cell(cell), Text)


def _flatten(rows: list[Row]) -> list[str]:
    return [cell for row in rows for cell in row]


def _numbers(cells: list[str], where: str, notes: list[Finding]) -> list[Number]:
    values: list[Number] = []
    for index, cell in enumerate(cells):
        value = parse_cell(cell)
        if isinstance(value, Text):
            notes.append(
                Finding(
                    CELLS, "warning", f"{where}: cell {index + 1} is not a number: {cell!r}", cells=(where,), raw=cell
                )
            )
            value = None
        values.append(value)
    return values


# ---- Part 三: applications ------------------------------------------------------------------


def read_applications(rows: list[Row]) -> tuple[Table | None, list[Finding]]:
    """The 25×7 application table (or the 2019 layout with a single (六)其他处理 row)."""
    tokens = _flatten(rows)
    start = next((i for i, t in enumerate(tokens) if _is_label(t) and re.search("新收", normalize(t))), None)
    if start is None or len(tokens[start]) > _MAX_LABEL:  # a whole page on one line is no table
        return None, []
    notes: list[Finding] = []
    columns = _applicant_columns(tokens[:start], notes)
    table: Table = {}
    for key, label, cells in _labelled_rows(tokens[start:], width=7):
        if key is None:
            notes.append(
                Finding(
                    SECTIONS,
                    "warning",
                    f"applications: row {_short(label)!r} is not a row of the uniform format and was not mapped",
                    raw=label,
                )
            )
            continue
        if key in table:
            notes.append(Finding(SECTIONS, "warning", f"applications: row {key} appears twice; kept the first"))
            continue
        if len(cells) < 7:
            notes.append(
                Finding(
                    SECTIONS,
                    "error",
                    f"applications: row {key} ({_short(label)}) has {len(cells)} of 7 "
                    "cells (table cut off?); the missing cells are null",
                    cells=(f"applications.{key}",),
                )
            )
        values = _numbers(cells[:7], f"applications.{key}", notes)
        values += [None] * (7 - len(values))
        table[key] = dict(zip(columns, values, strict=True))
    expected = [r for r in APPLICATION_ROWS if not (r.startswith("other.") and "other" in table)]
    missing = [r for r in expected if r not in table]
    if missing:
        notes.append(
            Finding(
                SECTIONS,
                "error",
                f"applications: {len(missing)} of {len(expected)} rows not found: {', '.join(missing)}",
                cells=tuple(f"applications.{m}" for m in missing),
            )
        )
        for key in missing:
            table[key] = dict.fromkeys(APPLICANT_COLUMNS)
    order = {key: i for i, key in enumerate((*APPLICATION_ROWS, "other"))}
    return dict(sorted(table.items(), key=lambda kv: order.get(kv[0], 99))), notes


def _labelled_rows(tokens: list[str], *, width: int) -> Iterator[tuple[str | None, str, list[str]]]:
    """Yield (row key, label, value cells) for each label followed by values."""
    group = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not _is_label(token):
            continue
        cells: list[str] = []
        while index < len(tokens) and not _is_label(tokens[index]) and len(cells) < width:
            cells.append(tokens[index])
            index += 1
        label = normalize(token)
        group_key = next((g for g, p in _GROUPS if p.search(label)), None)
        if group_key:
            group = group_key
            if group_key == "other" and cells:
                yield "other", token, cells  # the 2019 layout: (六)其他处理 as one row
            continue
        if not any(c.strip() for c in cells) and not _row_key(label, group):
            continue  # a header or group label with nothing after it
        if not cells and index < len(tokens):
            continue  # a label repeated in a header (a table continued on the next page), not a row
        yield _row_key(label, group), token, cells


def _row_key(label: str, group: str) -> str | None:
    if _OTHER_OTHER.match(label):
        return "other.other" if group == "other" else None
    return next((key for key, pattern in _APPLICATION_PATTERNS if pattern.search(label)), None)


def _applicant_columns(header: list[str], notes: list[Finding]) -> tuple[str, ...]:
    """Column order from the header cells; the uniform order when the header says nothing."""
    cells = [normalize(c) for c in header if c.strip()]

    def find(pattern: str, after: int = -1) -> int | None:
        return next((i for i, c in enumerate(cells) if i > after and re.search(pattern, c)), None)

    person, legal, total = find("自然人"), find("法人或其他组织"), find(r"^总计$")
    subs = [(key, find(p)) for key, p in _APPLICANT_HEADERS]
    subs.append(("other", find(r"^其他$", after=person if person is not None else -1)))
    if person is None and legal is None:
        return APPLICANT_COLUMNS
    if None in (person, total) or any(i is None for _, i in subs):
        notes.append(
            Finding(
                SECTIONS, "warning", "applications: the column header is incomplete; assumed the uniform column order"
            )
        )
        return APPLICANT_COLUMNS
    legal_columns = [key for key, _ in sorted(subs, key=lambda kv: kv[1] or 0)]
    if legal is None:  # a one-row header: every column named in order
        legal = min(i for _, i in subs if i is not None)
    top = sorted([(person, ["natural_person"]), (legal, legal_columns), (total, ["total"])], key=lambda kv: kv[0] or 0)
    return tuple(col for _, cols in top for col in cols)


# ---- Part 四: reviews and lawsuits ----------------------------------------------------------

_REVIEW_HEADERS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


def read_review_litigation(rows: list[Row]) -> tuple[Table | None, list[Finding]]:
    """The 15 numbers: three groups (复议, 直接起诉, 复议后起诉) × five results."""
    notes: list[Finding] = []
    header_row, header_end = _review_header(rows)
    if header_row is None:
        return None, []
    columns = _review_columns(_flatten(rows[: header_row + 1]), notes)
    cells = _review_values(rows, header_row, header_end)
    if len(cells) < 15:
        notes.append(
            Finding(
                SECTIONS,
                "error",
                f"review_litigation: {len(cells)} of 15 cells found (table cut off?); the missing cells are null",
            )
        )
    values = _numbers(cells[:15], "review_litigation", notes) + [None] * max(0, 15 - len(cells))
    table: Table = {group: {} for group in REVIEW_GROUPS}
    for (group, field), value in zip(columns, values, strict=True):
        table[group][field] = value
    return table, notes


def _review_header(rows: list[Row]) -> tuple[int | None, int]:
    """The last row holding result labels, and the index just past its last label cell."""
    found: tuple[int | None, int] = (None, 0)
    for r, row in enumerate(rows):
        hits = [
            i
            for i, c in enumerate(row)
            if len(c) <= _MAX_LABEL and any(h in normalize(c) for _, h in _REVIEW_HEADERS[:4])
        ]
        if hits:
            last = max(i for i, c in enumerate(row) if _is_label(c))
            found = (r, last + 1)
    return found


def _review_columns(header: list[str], notes: list[Finding]) -> list[tuple[str, str]]:
    labels = [normalize(c) for c in header]
    fields = [key for c in labels for key, h in _REVIEW_HEADERS if c == h]
    direct = next((i for i, c in enumerate(labels) if "直接起诉" in c), None)
    after = next((i for i, c in enumerate(labels) if "复议后起诉" in c), None)
    lawsuits = ["lawsuit_direct", "lawsuit_after_review"]
    if direct is not None and after is not None and after < direct:
        lawsuits.reverse()
    groups = ["review", *lawsuits]
    if len(fields) != 15:
        if fields:
            notes.append(
                Finding(
                    SECTIONS,
                    "warning",
                    f"review_litigation: {len(fields)} result labels in the "
                    "header instead of 15; assumed the uniform column order",
                )
            )
        return [(g, f) for g in groups for f in REVIEW_FIELDS]
    return [(groups[i // 5], field) for i, field in enumerate(fields)]


def _review_values(rows: list[Row], header_row: int, header_end: int) -> list[str]:
    rest = rows[header_row][header_end:]
    if any(c.strip() for c in rest):  # one long row (cell-per-line exports): values follow the labels
        while rest and not rest[0].strip():
            rest = rest[1:]
        return [c for c in rest if not _is_label(c)][:15]
    for row in rows[header_row + 1 :]:
        values = [c for c in row if not _is_label(c)]
        if any(v.strip() for v in values):
            return values[:15]
    return []


# ---- Part 二: proactive disclosure ----------------------------------------------------------

_DISCLOSURE_LABELS = (
    ("normative_documents", r"规范性文件"),
    ("rules", r"^规章"),
    ("licensing", r"行政许可"),
    ("other_services", r"其他对外管理服务事项"),
    ("penalties", r"行政处罚"),
    ("enforcement", r"行政强制"),
    ("fees", r"事业性收费"),
    ("procurement", r"政府集中采购"),
)
_DISCLOSURE_FIELDS = (
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
_FIELDS_2019 = frozenset(
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


def read_active_disclosure(rows: list[Row]) -> tuple[Table | None, list[Finding]]:
    """Rows 规章 … 行政事业性收费, each read under the column header (信息内容 …) above it."""
    notes: list[Finding] = []
    table: Table = {}
    fields: list[str | None] = []
    tokens = _flatten(rows)
    index = 0
    while index < len(tokens):
        label = normalize(tokens[index])
        index += 1
        if label == "信息内容":
            fields, index = _disclosure_header(tokens, index)
            continue
        key = next((k for k, p in _DISCLOSURE_LABELS if re.search(p, label)), None)
        if key is None or key in table or not fields or len(label) > _MAX_LABEL:
            continue
        cells: list[str] = []
        while index < len(tokens) and not _is_label(tokens[index]) and len(cells) < len(fields):
            cells.append(tokens[index])
            index += 1
        values = _numbers(cells, f"active_disclosure.{key}", notes)
        table[key] = _disclosure_row(key, fields, values, notes)
    if not table:
        return None, []
    if any(_FIELDS_2019 & set(row) for row in table.values()):  # the 2019 layout: keep what it has
        return table, notes
    missing = [k for k in DISCLOSURE_ROWS if k not in table]
    if missing:
        notes.append(
            Finding(
                SECTIONS,
                "error",
                f"active_disclosure: rows not found: {', '.join(missing)}",
                cells=tuple(f"active_disclosure.{m}" for m in missing),
            )
        )
        for key in missing:
            table[key] = dict.fromkeys(DISCLOSURE_ROWS[key])
    return {k: table[k] for k in DISCLOSURE_ROWS}, notes


def _disclosure_header(tokens: list[str], index: int) -> tuple[list[str | None], int]:
    fields: list[str | None] = []
    while index < len(tokens):
        cell = normalize(tokens[index])
        if not cell:
            index += 1
            continue
        field = next((f for f, p in _DISCLOSURE_FIELDS if re.search(p, cell)), None)
        if field is None and any(re.search(p, cell) for _, p in _DISCLOSURE_LABELS):
            break
        if not _is_label(cell):
            break
        fields.append(field)
        index += 1
    return fields, index


def _disclosure_row(
    key: str, fields: list[str | None], values: list[Number], notes: list[Finding]
) -> dict[str, Number]:
    if _FIELDS_2019 & set(fields):
        return {f: v for f, v in zip(fields, values, strict=False) if f is not None}
    row: dict[str, Number] = dict.fromkeys(DISCLOSURE_ROWS.get(key, ()))
    for field, value in zip(fields, values, strict=False):
        if field in row and row[field] is None:
            row[field] = value
    absent = [f for f in DISCLOSURE_ROWS.get(key, ()) if f not in fields[: len(values)]]
    if absent:
        notes.append(
            Finding(
                SECTIONS,
                "warning",
                f"active_disclosure.{key}: no cell for {', '.join(absent)}",
                cells=tuple(f"active_disclosure.{key}.{f}" for f in absent),
            )
        )
    return row
