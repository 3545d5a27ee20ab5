"""The report's three tables as the uniform format prints them (rows, columns, the grouped labels
of table 3), each cell with the findings that name it.  Pure: cells and findings in, a table model
out; the templates draw it (the site's agency pages, the digest email)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from nianbao.core.findings import StoredFinding
from nianbao.core.languages import language
from nianbao.core.messages import N_, Doubt, doubts_from_json, gettext_for, render_doubts
from nianbao.core.report import (
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICATION_LABELS,
    APPLICATION_ROWS,
    DISCLOSURE_LABELS,
    DISCLOSURE_ROWS,
    OUTCOME_ROWS,
    PART_TITLES,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    REVIEW_LABELS,
)

Cells = Mapping[tuple[str, str, str], Any]  # (part, row, column) -> value
OUTCOMES = "三、本年度办理结果"
SUBGROUPS = {
    "withheld": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}


@dataclass(frozen=True, slots=True)
class Mark:
    """A finding that names a cell: its rule, kind (inconsistent: the report is wrong; unreadable:
    nianbao could not read it) and sentence."""

    rule: str
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class Head:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True, slots=True)
class CellView:
    address: str  # "applications.new.total"
    value: Any
    column: str  # the column's label, for the explanation
    marks: tuple[Mark, ...] = ()
    where: tuple[str, str, str] = ("", "", "")  # (part, row, column)

    @property
    def state(self) -> str:
        """ "bad" when a finding says the report is wrong here, "doubt" when nianbao could not read it."""
        if any(m.kind == "inconsistent" for m in self.marks):
            return "bad"
        return "doubt" if self.marks else ""


@dataclass(frozen=True, slots=True)
class RowView:
    key: str
    labels: tuple[Head, ...]  # the label cells this row prints (grouped labels print once, spanning rows)
    cells: tuple[CellView, ...]
    label: str  # the row's full label ("三、本年度办理结果 （三）不予公开 1.属于国家秘密")
    certain: bool | None = None  # how the row was read (None: no reading recorded)
    doubts: tuple[Doubt, ...] = ()  # why it is not certain (messages: `render_doubts` says them)

    @property
    def marked(self) -> bool:
        return any(c.marks for c in self.cells)


@dataclass(frozen=True, slots=True)
class TableView:
    part: str
    title: str
    head: tuple[tuple[Head, ...], ...]
    rows: tuple[RowView, ...]
    caption_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def marked(self) -> bool:
        return any(r.marked for r in self.rows)

    @property
    def marks(self) -> tuple[Mark, ...]:
        seen: dict[Mark, None] = {}
        for row in self.rows:
            for cell in row.cells:
                seen.update(dict.fromkeys(cell.marks))
        return tuple(seen)


def marks_by_cell(findings: Iterable[tuple[Iterable[str], Mark]]) -> dict[str, tuple[Mark, ...]]:
    """{"applications.new.total": (Mark, …)} from (cells, mark) pairs."""
    out: dict[str, list[Mark]] = {}
    for cells, mark in findings:
        for cell in cells:
            out.setdefault(cell, []).append(mark)
    return {cell: tuple(marks) for cell, marks in out.items()}


Readings = Mapping[tuple[str, str], tuple[bool, tuple[Doubt, ...]]]


def readings_by_row(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], tuple[bool, tuple[Doubt, ...]]]:
    """{(part, row): (certain, doubts)} from the stored readings (report_rows): the doubts as data
    (`doubts`, JSON); a row without them shows its English `why` as written."""
    return {(r["part"], r["row_key"]): (bool(r["certain"]), _doubts(r)) for r in rows if r.get("row_key")}


def _doubts(row: Mapping[str, Any]) -> tuple[Doubt, ...]:
    if row.get("doubts"):
        return doubts_from_json(json.loads(row["doubts"]))
    return (row["why"],) if row.get("why") else ()


def _cell(
    part: str, row: str, column: str, label: str, cells: Cells, marks: Mapping[str, tuple[Mark, ...]]
) -> CellView:
    address = f"{part}.{row}.{column}"
    return CellView(address, cells.get((part, row, column)), label, marks.get(address, ()), (part, row, column))


def applications(cells: Cells, marks: Mapping[str, tuple[Mark, ...]], readings: Readings) -> TableView:
    """Table 3 with its three label columns: 三、本年度办理结果 over the outcomes, （三）…（六） over
    their numbered rows."""
    official = dict(APPLICATION_LABELS)
    groups = [(OUTCOMES if key in (*OUTCOME_ROWS, "total") else None) for key in APPLICATION_ROWS]
    subgroups = [SUBGROUPS.get(key.split(".")[0]) if "." in key else None for key in APPLICATION_ROWS]
    rows = []
    for i, key in enumerate(APPLICATION_ROWS):
        labels: list[Head] = []
        if groups[i] is None:
            labels.append(Head(official[key], colspan=3))
        else:
            if i == 0 or groups[i - 1] != groups[i]:
                labels.append(Head(groups[i] or "", rowspan=_run(groups, i)))
            if subgroups[i] is None:
                labels.append(Head(official[key], colspan=2))
            else:
                if i == 0 or subgroups[i - 1] != subgroups[i]:
                    labels.append(Head(subgroups[i] or "", rowspan=_run(subgroups, i)))
                labels.append(Head(official[key]))
        full = " ".join(x for x in (groups[i], subgroups[i], official[key]) if x)
        certain, why = readings.get(("applications", key), (None, ()))
        rows.append(
            RowView(
                key,
                tuple(labels),
                tuple(_cell("applications", key, c, APPLICANT_LABELS[c], cells, marks) for c in APPLICANT_COLUMNS),
                full,
                certain,
                why,
            )
        )
    head = (
        (Head("", colspan=3, rowspan=3), Head("申请人情况", colspan=7)),
        (Head("自然人", rowspan=2), Head("法人或其他组织", colspan=5), Head("总计", rowspan=2)),
        tuple(Head(APPLICANT_LABELS[c]) for c in APPLICANT_COLUMNS[1:6]),
    )
    return TableView("applications", PART_TITLES["applications"], head, tuple(rows))


def review_litigation(cells: Cells, marks: Mapping[str, tuple[Mark, ...]], readings: Readings) -> TableView:
    """Table 4: one line of fifteen numbers under 行政复议 and the two kinds of 行政诉讼."""
    values = tuple(
        _cell("review_litigation", group, f, f"{REVIEW_LABELS[group]} {REVIEW_LABELS[f]}", cells, marks)
        for group in REVIEW_GROUPS
        for f in REVIEW_FIELDS
    )
    doubts = [readings.get(("review_litigation", g)) for g in REVIEW_GROUPS]
    known = [d for d in doubts if d is not None]
    certain = all(c for c, _ in known) if known else None
    why = tuple(w for _, reasons in known for w in reasons)
    row = RowView("all", (Head("件数"),), values, "件数", certain, why)
    head = (
        (Head("", rowspan=3), Head("行政复议", colspan=5), Head("行政诉讼", colspan=10)),
        (
            *(Head(REVIEW_LABELS[f], rowspan=2) for f in REVIEW_FIELDS),
            Head("未经复议直接起诉", colspan=5),
            Head("复议后起诉", colspan=5),
        ),
        tuple(Head(REVIEW_LABELS[f]) for _ in range(2) for f in REVIEW_FIELDS),
    )
    return TableView("review_litigation", PART_TITLES["review_litigation"], head, (row,))


def active_disclosure(cells: Cells, marks: Mapping[str, tuple[Mark, ...]], readings: Readings) -> TableView:
    """Table 2: documents issued / repealed / in force, then decisions, then fees."""
    rows = []
    for key, columns in DISCLOSURE_ROWS.items():
        certain, why = readings.get(("active_disclosure", key), (None, ()))
        values = tuple(_cell("active_disclosure", key, c, DISCLOSURE_LABELS[c], cells, marks) for c in columns)
        rows.append(RowView(key, (Head(DISCLOSURE_LABELS[key]),), values, DISCLOSURE_LABELS[key], certain, why))
    head = ((Head("信息内容"), Head("本年制发件数"), Head("本年废止件数"), Head("现行有效件数")),)
    return TableView(
        "active_disclosure",
        PART_TITLES["active_disclosure"],
        head,
        tuple(rows),
        caption_note="行政许可、处罚、强制：本年处理决定数量；收费：本年收费金额（万元）",
    )


def marks_of(findings: Iterable[StoredFinding], lang: str = "zh_CN") -> list[tuple[tuple[str, ...], Mark]]:
    """The cells each finding names, with what it says in `lang` (inconsistent and unreadable findings)."""
    out = []
    for f in findings:
        cells = evidence_cells(f.evidence)
        if cells and f.kind in ("inconsistent", "unreadable", "quality"):
            out.append((cells, Mark(f.rule or "", f.kind, f.text(lang))))
    return out


def evidence_cells(evidence: dict[str, Any]) -> tuple[str, ...]:
    """The cells a finding names ("applications.new.total,…" in its evidence)."""
    cells = evidence.get("cells") or ""
    if isinstance(cells, list):
        return tuple(str(c) for c in cells)
    return tuple(c for c in str(cells).split(",") if c)


def report_tables(
    cells: Cells,
    findings: Iterable[tuple[Iterable[str], Mark]] = (),
    readings: Iterable[Mapping[str, Any]] = (),
) -> list[TableView]:
    """The three tables of one report, its findings' cells marked."""
    marks = marks_by_cell(findings)
    read = readings_by_row(readings)
    return [
        active_disclosure(cells, marks, read),
        applications(cells, marks, read),
        review_litigation(cells, marks, read),
    ]


def _run(values: list[str | None], start: int) -> int:
    n = 1
    while start + n < len(values) and values[start + n] == values[start]:
        n += 1
    return n


# ---- HTML for the site: a province has 50,000 tables, so the fixed parts are rendered once --------

_BUILDERS = {
    "active_disclosure": active_disclosure,
    "applications": applications,
    "review_litigation": review_litigation,
}
PARTS = tuple(_BUILDERS)


@dataclass(frozen=True, slots=True)
class _RowSkeleton:
    key: str
    labels: str  # the label cells, the last one left open for a note on how the row was read
    label: str  # the full label, escaped
    cells: tuple[tuple[str, tuple[str, str, str], str], ...]  # (address, cell key, column label escaped)


def _attrs(h: Head) -> str:
    return (f' colspan="{h.colspan}"' if h.colspan > 1 else "") + (f' rowspan="{h.rowspan}"' if h.rowspan > 1 else "")


@cache
def _skeleton(part: str) -> tuple[str, tuple[_RowSkeleton, ...]]:
    """The table's fixed HTML (caption and head) and its rows' fixed parts, taken from the model:
    the layout is defined once, in the functions above."""
    table = _BUILDERS[part]({}, {}, {})
    note = f" <small>（{escape(table.caption_note)}）</small>" if table.caption_note else ""
    head = "".join(
        "<tr>" + "".join(f'<th scope="col"{_attrs(h)}>{escape(h.text)}</th>' for h in line) + "</tr>"
        for line in table.head
    )
    rows = []
    for row in table.rows:
        *before, last = row.labels
        labels = "".join(f'<th scope="row"{_attrs(h)}>{escape(h.text)}</th>' for h in before)
        labels += f'<th scope="row"{_attrs(last)}>{escape(last.text)}'
        cells = tuple((c.address, c.where, str(escape(c.column))) for c in row.cells)
        rows.append(_RowSkeleton(row.key, labels, str(escape(row.label)), cells))
    return f"<caption>{escape(table.title)}{note}</caption><thead>{head}</thead>", tuple(rows)


def table_html(
    part: str,
    cells: Cells,
    marks: Mapping[str, tuple[Mark, ...]],
    readings: Readings,
    id_prefix: str,
    lang: str = "zh_CN",
    crops: Mapping[str, bytes] | None = None,
) -> Markup:
    """One table as the site shows it: each marked cell focusable, with its explanation (shown on
    hover and focus).  The same markup as the model would give, built without it.  A scan's
    uncertain or offending cell shows its image beside the number (`crops`: PNGs by address, inline
    so that the site opens from disk), for a reader to check what nianbao read."""
    top, rows = _skeleton(part)
    out = [f'<div class="table-wrap"><table class="report" id="{id_prefix}-{part}">', top, "<tbody>"]
    for row in rows:
        certain, why = readings.get((part, row.key), (None, ()))
        if part == "review_litigation":
            known = [readings[(part, g)] for g in REVIEW_GROUPS if (part, g) in readings]
            certain = all(c for c, _ in known) if known else None
            why = tuple(w for _, reasons in known for w in reasons)
        doubt = ""
        if certain is False:
            reason = escape(render_doubts(why, lang))
            note = gettext_for(lang)(N_("read with doubt"))
            said = f"{language(lang).colon}{reason}" if why else ""
            doubt = f' <span class="doubt-note" title="{reason}">（{note}{said}）</span>'
        out.append('<tr class="uncertain">' if certain is False else "<tr>")
        out.append(row.labels + doubt + "</th>")
        for address, where, column in row.cells:
            value = number(cells.get(where))
            if crops and address in crops:
                value += _crop(crops[address], f"{row.label} · {column}", lang)
            found = marks.get(address)
            if not found:
                out.append(f'<td class="cell" data-cell="{address}">{value}</td>')
                continue
            state = "bad" if any(m.kind == "inconsistent" for m in found) else "doubt"
            tip = f"{id_prefix}-{address.replace('.', '-')}"
            lines = "".join(f'<span class="tip-line">[{escape(m.rule)}] {escape(m.message)}</span>' for m in found)
            out.append(
                f'<td class="cell {state}" tabindex="0" data-cell="{address}" aria-describedby="{tip}">{value}'
                f'<span class="tip" role="tooltip" id="{tip}">{row.label} · {column}: {lines}</span></td>'
            )
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return Markup("".join(out))


def _crop(png: bytes, where: str, lang: str) -> str:
    """The cell as the scan shows it, beside the number read from it."""
    text = escape(gettext_for(lang)(N_("{cell}: the cell as scanned")).format(cell=where))
    data = base64.b64encode(png).decode("ascii")
    return f' <img class="crop" src="data:image/png;base64,{data}" alt="{text}" title="{text}">'


def number(value: Any) -> str:
    """A cell as the report prints it: integers without ".0", empty for a cell not given."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
