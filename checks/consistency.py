"""The tables' own arithmetic (勾稽关系): each rule a pure function of one report.

Rules over what a cell can be, not only what it is (`checks.admissible`):
- consistent when the cells as read satisfy the sum, empty (null) cells taken as 0 (real reports
  leave zeros blank);
- an accusation (an `inconsistent` error) only when no value the cells can hold satisfies it: a
  cell read with certainty is its value, an empty cell or an uncertain row any count >= 0, a
  scanned cell whose two readers disagree one of its two readings.  Counts are never negative, so
  parts that already exceed their total are an error whatever the unknown parts hold;
- otherwise it could not be checked: `unreadable` (a warning naming the rows nianbao could not
  read with certainty, and why) when uncertain rows are involved, else one `info` finding naming
  the sums that empty cells left open.  Neither accuses anybody.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from checks.admissible import satisfiable
from checks.registry import rule
from nianbao.core.messages import Said, said
from nianbao.core.report import (
    APPLICANT_COLUMNS,
    OUTCOME_ROWS,
    REVIEW_FIELDS,
    CellKey,
    Finding,
    Number,
    Report,
    RowReading,
    to_json_number,
)
from nianbao.core.vocabulary import FindingKind, Severity

ERROR: Final = "error"
PART, REVIEW = "applications", "review_litigation"
KINDS: tuple[FindingKind, ...] = ("inconsistent", "unreadable")


def _fmt(value: Number) -> str:
    return str(to_json_number(value))


def doubts(report: Report, cells: Iterable[str]) -> list[Said]:
    """Why the cells a rule uses cannot be trusted (empty when every one was read with certainty)."""
    out = []
    for found in report.uncertain(cells):
        if isinstance(found, RowReading):
            out.append(said("doubt.row", row=found.key, why=list(found.doubts) or [said("why.uncertain")]))
        else:
            out.append(said("doubt.absent", row=found.split(".", 1)[1]))
    return out


def finding(
    rule_id: str,
    severity: Severity,
    message: Said,
    *,
    cells: tuple[str, ...] = (),
    used: tuple[str, ...] = (),
    kind: FindingKind = "inconsistent",
    raw: str | None = None,
) -> Finding:
    """A finding whose message is data (its English kept as `message`)."""
    return Finding(rule_id, severity, message.en, cells=cells, raw=raw, kind=kind, used=used, said=message)


def _unknown(rule_id: str, where: list[Said]) -> Iterator[Finding]:
    if where:
        cells = tuple(w.en for w in where)
        yield finding(rule_id, "info", said("unknown.cells", where=where), cells=cells)


def _as_read(values: Iterable[Number]) -> int | Decimal:
    return sum((v for v in values if v is not None), start=0)


def decide(report: Report, left: Sequence[str], right: Sequence[str], values: dict[str, Number]) -> str:
    """ "ok" when the cells as read (empty as 0) make sum(left) == sum(right), "error" when no value
    the cells can hold does, "open" in between."""
    if _as_read(values[c] for c in left) == _as_read(values[c] for c in right):
        return "ok"
    if satisfiable([report.admissible(c) for c in left], [report.admissible(c) for c in right]):
        return "open"
    return "error"


def _options(report: Report, cells: Sequence[str]) -> list[Said]:
    """The uncertain cells that held an accusation to their readings (a scan's two readers)."""
    out = []
    for cell in cells:
        options = report.admissible(cell)
        key = CellKey.parse(cell)
        reading = next((r for r in report.readings if r.part == key.part and r.key == key.row), None)
        if options is not None and reading is not None and not reading.certain:
            values = sorted(options)
            out.append(said("cell.options", cell=cell, readings=[_fmt(v) for v in values]))
    return out


def _verdict(
    report: Report, rule_id: str, message: Said, verdict: str, *, used: Sequence[str], cells: tuple[str, ...]
) -> Finding | None:
    """The finding for a sum that does not add up as read: an error when it cannot, else what
    could not be read (None when only empty cells left it open: the caller lists those)."""
    if verdict == "error":
        held = _options(report, used)
        if held:
            message = said("admissible.none", inner=message, cells=held)
        return finding(rule_id, ERROR, message, cells=cells, used=tuple(used))
    why = doubts(report, used)
    if not why:
        return None
    return finding(
        rule_id,
        "warning",
        said("unreadable.doubt", inner=message, why=why),
        cells=cells,
        kind="unreadable",
        used=tuple(used),
    )


@rule("applications.balance", severity=ERROR, kind=KINDS, also=("warning", "info"))
def applications_balance(report: Report) -> Iterator[Finding]:
    """Per column: new + carried_over = total + carried_forward (the note under table 3)."""
    table = report.applications
    if not table:
        return
    unknown = []
    rows = ("new", "carried_over", "total", "carried_forward")
    for col in APPLICANT_COLUMNS:
        cells = tuple(f"applications.{r}.{col}" for r in rows)
        values = {cell: table[r].get(col) for cell, r in zip(cells, rows, strict=True)}
        if all(v is None for v in values.values()):
            continue
        verdict = decide(report, cells[:2], cells[2:], values)
        if verdict == "ok":
            continue
        new, old, total, fwd = (values[c] or 0 for c in cells)
        message = said(
            "applications.balance",
            column=col,
            new=_fmt(values[cells[0]]),
            old=_fmt(values[cells[1]]),
            left=_fmt(new + old),
            total=_fmt(values[cells[2]]),
            fwd=_fmt(values[cells[3]]),
            right=_fmt(total + fwd),
        )
        found = _verdict(report, "applications.balance", message, verdict, used=cells, cells=cells)
        if found is None:
            unknown.append(said("where.column", column=col))
        else:
            yield found
    yield from _unknown("applications.balance", unknown)


@dataclass(frozen=True, slots=True)
class Sum:
    """One sum a rule checks: parts = total, over the cells rows × columns of a part (the total's
    cell last).  Where it sits is spelt out only when it is reported: most sums add up."""

    where: str  # "row", "column" or "group": the template where.<where> names it
    name: str  # the row, column or group
    parts: list[Number]
    total: Number
    part: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def said(self) -> Said:
        return said(f"where.{self.where}", **{self.where: self.name})

    @property
    def cell(self) -> str:
        return f"{self.part}.{self.rows[-1]}.{self.columns[-1]}"

    @property
    def used(self) -> tuple[str, ...]:
        return tuple(f"{self.part}.{row}.{column}" for row in self.rows for column in self.columns)

    @property
    def part_cells(self) -> tuple[str, ...]:
        """The parts' cells, in the order of `parts` (a row's or group's columns, a column's rows)."""
        if self.where == "column":
            return tuple(f"{self.part}.{row}.{self.columns[0]}" for row in self.rows[:-1])
        return tuple(f"{self.part}.{self.rows[0]}.{column}" for column in self.columns[:-1])


def _check_sums(report: Report, rule_id: str, sums: Iterable[Sum]) -> Iterator[Finding]:
    """One finding per sum that is wrong or cannot be read; one `info` naming the sums that only
    empty cells left open."""
    unknown = []
    for s in sums:
        if s.total is None and all(v is None for v in s.parts):
            continue  # nothing given at all: the part is absent, reported elsewhere
        parts = s.part_cells
        values = dict(zip((*parts, s.cell), (*s.parts, s.total), strict=True))
        verdict = decide(report, parts, (s.cell,), values)
        if verdict == "ok":
            continue
        given = sum(v or 0 for v in s.parts)
        message = said(rule_id, where=s.said, given=_fmt(given), total=_fmt(s.total))
        found = _verdict(report, rule_id, message, verdict, used=s.used, cells=(s.cell,))
        if found is None:
            unknown.append(s.said)
        else:
            yield found
    yield from _unknown(rule_id, unknown)


@rule("applications.row_total", severity=ERROR, kind=KINDS, also=("warning", "info"))
def applications_row_total(report: Report) -> Iterator[Finding]:
    """Per row: total = the sum of the six applicant columns."""
    table = report.applications or {}
    sums = (
        Sum("row", key, [row.get(c) for c in APPLICANT_COLUMNS[:-1]], row.get("total"), PART, (key,), APPLICANT_COLUMNS)
        for key, row in table.items()
    )
    yield from _check_sums(report, "applications.row_total", sums)


@rule("applications.outcome_total", severity=ERROR, kind=KINDS, also=("warning", "info"))
def applications_outcome_total(report: Report) -> Iterator[Finding]:
    """Per column: total = the sum of all outcome rows (granted … other.other)."""
    table = report.applications
    if not table:
        return
    rows = (*(r for r in OUTCOME_ROWS if r in table), *(["other"] if "other" in table else []))
    sums = (
        Sum("column", col, [table[r].get(col) for r in rows], table["total"].get(col), PART, (*rows, "total"), (col,))
        for col in APPLICANT_COLUMNS
    )
    yield from _check_sums(report, "applications.outcome_total", sums)


@rule("review_litigation.group_total", severity=ERROR, kind=KINDS, also=("warning", "info"))
def review_group_total(report: Report) -> Iterator[Finding]:
    """Per group: total = upheld + corrected + other + pending."""
    table = report.review_litigation or {}
    sums = (
        Sum("group", group, [row.get(f) for f in REVIEW_FIELDS[:-1]], row.get("total"), REVIEW, (group,), REVIEW_FIELDS)
        for group, row in table.items()
    )
    yield from _check_sums(report, "review_litigation.group_total", sums)
