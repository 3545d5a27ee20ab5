"""Part 三, table 3: applications received and handled — 25 rows × 7 columns (or the 2019 layout
with one (六)其他处理 row), read by labels, placed by the template's order, every row with its
evidence."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from nianbao.core.messages import Said, said
from nianbao.core.report import (
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICATION_LABELS,
    APPLICATION_ROWS,
    Finding,
    RowReading,
    Table,
)
from parsers.cells import Row
from parsers.numbers import normalize
from parsers.rowmap import OTHER_2019, SURE_SIMILARITY, Placement, place
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
    short,
    unreadable,
    values,
)

PART = "applications"
WIDTH = len(APPLICANT_COLUMNS)
_EXACT: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
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
# the header's words that name applicants (a repeated header names several; no row is labelled so)
_APPLICANT_WORDS = frozenset(
    {"申请人情况", "法人或其他组织", *(v for k, v in APPLICANT_LABELS.items() if k not in ("other", "total"))}
)
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|受理|接到)[^。；;]{0,16}?(?:政府信息)?公开申请")


@dataclass(frozen=True, slots=True)
class Printed:
    """A row as the report prints it: its label, the group it sits in, its value cells."""

    label: str  # empty for the 2019 layout's single (六)其他处理 row, whose label is its group's
    group: str
    group_label: str
    cells: list[str]
    row: int

    @property
    def shown(self) -> str:
        return self.label or self.group_label


def read_applications(rows: list[Row], geometry: Geometry = no_geometry, *, found: bool = True) -> TableRead:
    """The 25×7 application table, each row placed with its evidence."""
    if glued(rows):
        return TableRead(None, absent=GLUED_WHY)
    tokens = flatten(rows)
    start = next((i for i, t in enumerate(tokens) if is_label(t.text) and "新收" in normalize(t.text)), None)
    if start is None or len(tokens[start].text) > MAX_LABEL:
        return _stated(rows) if found else TableRead(None)
    notes: list[Finding] = []
    columns, header_doubt = _columns([t.text for t in tokens[:start]], notes)
    printed = list(_printed(_without_repeated_headers(tokens[start:])))
    two_thousand_nineteen = any(p.group == "other" and p.label == "" for p in printed)
    template = [t for t in APPLICATION_LABELS if not (two_thousand_nineteen and t[0].startswith("other."))]
    if two_thousand_nineteen:
        template.insert(len(template) - 2, OTHER_2019)
    placements = place([p.shown for p in printed], template, lambda i, label: _exact(printed[i]))
    return _table(printed, placements, columns, header_doubt, [k for k, _ in template], notes, geometry)


def _without_repeated_headers(tokens: Sequence[Token]) -> list[Token]:
    """The rows' tokens without the header where the table repeats it: Word repeats a table's header
    rows after a page break, and a table pasted in two pieces carries it twice.  A repeat is a run
    of cells that are all header words (or the table's note, or empty) naming two applicant columns
    or more: no row of the table is labelled that way."""
    if all(_header_word(text) != "applicant" for text in {t.text for t in tokens}):
        return list(tokens)  # most tables: no header past the first row
    kept: list[Token] = []
    run: list[Token] = []
    for token in (*tokens, Token("0", -1)):  # a number closes the last run
        if _header_word(token.text) and (run or token.text.strip()):  # empty cells end a row, never open a run
            run.append(token)
            continue
        if sum(_header_word(t.text) == "applicant" for t in run) < 2:
            kept += run
        run = []
        kept.append(token)
    return kept[:-1]


@lru_cache(maxsize=4096)
def _header_word(cell: str) -> str:
    """ "applicant" for a column of applicants, "header" for the header's other words (its note
    included) and an empty cell, "" for anything else."""
    text = normalize(cell)
    if text in _APPLICANT_WORDS:
        return "applicant"
    return "header" if text in ("", "其他", "总计") or "勾稽关系" in text else ""


def _stated(rows: list[Row]) -> TableRead:
    text = "".join(normalize(c) for row in rows for c in row)
    match = _NONE_RECEIVED.search(text)
    if match:  # "未收到政府信息公开申请": the report states the table's zeros in a sentence
        table: Table = {key: dict.fromkeys(APPLICANT_COLUMNS, 0) for key in APPLICATION_ROWS}
        readings = [RowReading(PART, key, match.group(0), "sentence", True) for key in APPLICATION_ROWS]
        return TableRead(table, readings=readings)
    return TableRead(None)


def _exact(row: Printed) -> str | None:
    return _exact_key(row.label, row.group)


@lru_cache(maxsize=4096)  # the same few dozen labels, in report after report
def _exact_key(printed: str, group: str) -> str | None:
    label = normalize(printed)
    if not label:
        return "other" if group == "other" else None
    if _OTHER_OTHER.match(label):
        return "other.other" if group == "other" else None
    return next((key for key, pattern in _EXACT if pattern.search(label)), None)


def _printed(tokens: Sequence[Token]) -> Iterator[Printed]:
    """Each label followed by its value cells (empty cells included: they are null, in place).

    A text cell after a row's label, in the same row, is a value cell holding text ("见附件"),
    unless it reads as a label itself (numbered, or naming a row or group)."""
    group, group_label = "", ""
    text = [is_label(t.text) for t in tokens]  # blank cells are no labels
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        index += 1
        if not text[index - 1]:
            continue
        cells: list[str] = []
        while index < count and len(cells) < WIDTH:
            following = tokens[index]
            if text[index] and (following.row != token.row or _labelish(following.text)):
                break
            cells.append(following.text)
            index += 1
        group_key = _group(token.text)
        if group_key:
            group, group_label = group_key, token.text
            if group_key == "other" and (any(c.strip() for c in cells) or len(cells) == WIDTH):
                yield Printed("", "other", token.text, cells, token.row)  # the 2019 layout: one row
            continue
        if not cells and index < count:
            continue  # a label repeated in a header (a table continued on the next page), not a row
        yield Printed(token.text, group, group_label, cells, token.row)


_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")


@lru_cache(maxsize=4096)
def _group(printed: str) -> str | None:
    """The group (不予公开, 无法提供 …) a label opens, if it is a group's label."""
    label = normalize(printed)
    return next((g for g, p in _GROUPS if p.search(label)), None)


@lru_cache(maxsize=4096)
def _labelish(text: str) -> bool:
    """Reads as a row or group label: numbered, or naming a row or a group of the table."""
    label = normalize(text)
    return bool(
        _NUMBERED.match(label)
        or any(p.search(label) for _, p in _EXACT)
        or any(p.search(label) for _, p in _GROUPS)
        or _OTHER_OTHER.match(label)
    )


def _columns(header: list[str], notes: list[Finding]) -> tuple[tuple[str, ...], Said | None]:
    """Column order from the header cells (the uniform order when the header names none), and a
    doubt when the header is there but incomplete."""
    cells = [normalize(c) for c in header if c.strip()]

    def find(word: str, after: int = -1, *, whole: bool = False) -> int | None:
        return next((i for i, c in enumerate(cells) if i > after and (c == word if whole else word in c)), None)

    person, legal, total = find("自然人"), find("法人或其他组织"), find("总计", whole=True)
    subs = [(key, find(word)) for key, word in _APPLICANT_HEADERS]
    subs.append(("other", find("其他", after=person if person is not None else -1, whole=True)))
    if person is None and legal is None:
        return APPLICANT_COLUMNS, None
    if person is None or total is None or any(i is None for _, i in subs):
        notes.append(unreadable("info", said("note.header")))
        in_order = (person is None or total is None or person < total) and all(
            a[1] < b[1] for a, b in pairwise(subs) if a[1] is not None and b[1] is not None
        )
        return APPLICANT_COLUMNS, None if in_order else said("why.header_order")
    legal_columns = [key for key, _ in sorted(subs, key=lambda kv: kv[1] or 0)]
    if legal is None:  # a one-row header: every column named in order
        legal = min(i for _, i in subs if i is not None)
    top = sorted([(person, ["natural_person"]), (legal, legal_columns), (total, ["total"])], key=lambda kv: kv[0])
    return tuple(col for _, cols in top for col in cols), None


def _table(
    printed: list[Printed],
    placements: list[Placement],
    columns: tuple[str, ...],
    header_doubt: Said | None,
    expected: list[str],
    notes: list[Finding],
    geometry: Geometry,
) -> TableRead:
    table: Table = {}
    readings: list[RowReading] = []
    for row, placement in zip(printed, placements, strict=True):
        key = placement.key
        if key is None:
            notes.append(unreadable("warning", said("note.unplaced", label=short(row.shown)), raw=row.shown))
        elif key in table:
            notes.append(unreadable("warning", said("note.twice", row=key), raw=row.shown))
            key = None
        doubts: list[Said] = [header_doubt] if header_doubt else []
        if placement.how == "similarity" and placement.score < SURE_SIMILARITY:
            doubts.append(said("why.label", percent=f"{placement.score:.0%}"))
        if len(row.cells) < WIDTH:
            notes.append(
                unreadable(
                    "warning",
                    said("note.short_row", row=key or short(row.shown), n=len(row.cells), width=WIDTH),
                    cells=(f"applications.{key}",) if key else (),
                )
            )
            doubts.append(said("why.cells", n=len(row.cells), width=WIDTH))
        numbers, text_doubts = values(row.cells[:WIDTH], f"applications.{key}", notes)
        readings.append(
            reading(
                PART,
                key,
                row.shown,
                placement.how,
                row.cells,
                doubts=[*doubts, *text_doubts],
                geometry=geometry(row.row),
            )
        )
        if key is not None:
            table[key] = dict(zip(columns, numbers + [None] * (WIDTH - len(numbers)), strict=True))
    missing = [r for r in expected if r not in table]
    if missing:
        notes.append(
            unreadable(
                "warning",
                said("note.rows_missing", n=len(missing), expected=len(expected), rows=missing),
                cells=tuple(f"applications.{m}" for m in missing),
            )
        )
        for key in missing:
            table[key] = dict.fromkeys(APPLICANT_COLUMNS)
    order = {key: i for i, key in enumerate((*APPLICATION_ROWS, "other"))}
    return TableRead(dict(sorted(table.items(), key=lambda kv: order.get(kv[0], 99))), notes, readings)
