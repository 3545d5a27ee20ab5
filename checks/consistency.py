"""The tables' own arithmetic (勾稽关系): each rule a pure function of one report.

Empty (null) cells are unknown, not zero.  Because every count is non-negative, a sum with
unknown parts is still decided when the known parts already exceed the total (an error) or
exactly make it (the unknown parts must be zero); otherwise one `info` finding names the cells
that could not be checked.

No accusation without a sure reading: a sum that does not add up is an `inconsistent` error only
when every cell it uses was read with certainty (see `RowReading`); otherwise the finding is
`unreadable` — it names the rows nianbao could not read and why, and accuses nobody.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from checks.registry import rule
from nianbao.core.messages import Said, said
from nianbao.core.report import (
    APPLICANT_COLUMNS,
    OUTCOME_ROWS,
    REVIEW_FIELDS,
    Finding,
    Number,
    Report,
    RowReading,
    to_json_number,
)

ERROR = "error"
PART, REVIEW = "applications", "review_litigation"
KINDS = ("inconsistent", "unreadable")


def _fmt(value: Number) -> str:
    return str(to_json_number(value))


def compare(parts: Sequence[Number], total: Number) -> str:
    """ "ok", "error" or "unknown" for total == sum(parts), reading None as an unknown count ≥ 0."""
    if total is None:
        return "unknown"
    if None not in parts:
        return "ok" if sum(cast(Sequence[int | Decimal], parts)) == total else "error"
    known = sum(v for v in parts if v is not None)
    if known > total:
        return "error"
    return "ok" if known == total else "unknown"


def doubts(report: Report, cells: Iterable[str]) -> list[Said]:
    """Why the cells a rule uses cannot be trusted (empty when every one was read with certainty)."""
    out = []
    for found in report.uncertain(cells):
        if isinstance(found, RowReading):
            out.append(said("doubt.row", row=found.key, why=found.why or "not certain"))
        else:
            out.append(said("doubt.absent", row=found.split(".", 1)[1]))
    return out


def finding(rule_id: str, severity: str, message: Said, **kw: object) -> Finding:
    """A finding whose message is data (its English kept as `message`)."""
    return Finding(rule_id, severity, message.en, said=message, **kw)  # type: ignore[arg-type]


def accuse(report: Report, rule_id: str, message: Said, *, used: Sequence[str], cells: tuple[str, ...]) -> Finding:
    """The error when every cell used was read with certainty; else what could not be read."""
    why = doubts(report, used)
    if not why:
        return finding(rule_id, ERROR, message, cells=cells, used=tuple(used))
    return finding(
        rule_id,
        "warning",
        said("unreadable.doubt", inner=message, why=why),
        cells=cells,
        kind="unreadable",
        used=tuple(used),
    )


def _unknown(rule_id: str, where: list[Said]) -> Iterator[Finding]:
    if where:
        cells = tuple(w.en for w in where)
        yield finding(rule_id, "info", said("unknown.cells", where=where), cells=cells)


@rule("applications.balance", severity=ERROR, kind=KINDS, also=("warning", "info"))
def applications_balance(report: Report) -> Iterator[Finding]:
    """Per column: new + carried_over = total + carried_forward (the note under table 3)."""
    table = report.applications
    if not table:
        return
    unknown = []
    rows = ("new", "carried_over", "total", "carried_forward")
    for col in APPLICANT_COLUMNS:
        new, old, total, fwd = (table[r].get(col) for r in rows)
        if new is None or old is None or total is None or fwd is None:
            if not all(v is None for v in (new, old, total, fwd)):
                unknown.append(said("where.column", column=col))
            continue
        if new + old != total + fwd:
            cells = tuple(f"applications.{r}.{col}" for r in rows)
            yield accuse(
                report,
                "applications.balance",
                said(
                    "applications.balance",
                    column=col,
                    new=_fmt(new),
                    old=_fmt(old),
                    left=_fmt(new + old),
                    total=_fmt(total),
                    fwd=_fmt(fwd),
                    right=_fmt(total + fwd),
                ),
                used=cells,
                cells=cells,
            )
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


def _check_sums(report: Report, rule_id: str, sums: Iterable[Sum]) -> Iterator[Finding]:
    """One finding per sum that is wrong; one `info` naming the sums that empty cells left open."""
    unknown = []
    for s in sums:
        if s.total is None and all(v is None for v in s.parts):
            continue  # nothing given at all: the part is absent, reported elsewhere
        verdict = compare(s.parts, s.total)
        if verdict == "unknown":
            unknown.append(s.said)
        elif verdict == "error":
            given = sum(v or 0 for v in s.parts)
            message = said(rule_id, where=s.said, given=_fmt(given), total=_fmt(s.total))
            yield accuse(report, rule_id, message, used=s.used, cells=(s.cell,))
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
