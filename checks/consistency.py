"""The tables' own arithmetic (勾稽关系): each rule a pure function of one report.

Empty (null) cells are unknown, not zero.  Because every count is non-negative, a sum with
unknown parts is still decided when the known parts already exceed the total (an error) or
exactly make it (the unknown parts must be zero); otherwise one `info` finding names the cells
that could not be checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from checks.registry import rule
from nianbao.core.report import APPLICANT_COLUMNS, OUTCOME_ROWS, REVIEW_FIELDS, Finding, Number, Report, to_json_number

ERROR = "error"


def _fmt(value: Number) -> str:
    return str(to_json_number(value))


def compare(parts: Sequence[Number], total: Number) -> str:
    """ "ok", "error" or "unknown" for total == sum(parts), reading None as an unknown count ≥ 0."""
    known = sum(v for v in parts if v is not None)
    if total is None:
        return "unknown"
    if None not in parts:
        return "ok" if known == total else "error"
    if known > total:
        return "error"
    return "ok" if known == total else "unknown"


def _unknown(rule_id: str, where: list[str]) -> Iterator[Finding]:
    if where:
        yield Finding(rule_id, "info", f"not checked where cells are empty: {', '.join(where)}", cells=tuple(where))


@rule("applications.balance", severity=ERROR)
def applications_balance(report: Report) -> Iterator[Finding]:
    """Per column: new + carried_over = total + carried_forward (the note under table 3)."""
    table = report.applications
    if not table:
        return
    unknown = []
    for col in APPLICANT_COLUMNS:
        new, old, total, fwd = (table[r].get(col) for r in ("new", "carried_over", "total", "carried_forward"))
        if None in (new, old, total, fwd):
            if not all(v is None for v in (new, old, total, fwd)):
                unknown.append(f"column {col}")
            continue
        if new + old != total + fwd:  # type: ignore[operator]
            yield Finding(
                "applications.balance",
                ERROR,
                f"column {col}: new {_fmt(new)} + carried_over {_fmt(old)} = {_fmt(new + old)}, "  # type: ignore[operator]
                f"but total {_fmt(total)} + carried_forward {_fmt(fwd)} = {_fmt(total + fwd)}",  # type: ignore[operator]
                cells=tuple(f"applications.{r}.{col}" for r in ("new", "carried_over", "total", "carried_forward")),
            )
    yield from _unknown("applications.balance", unknown)


Sum = tuple[str, list[Number], Number, str]  # (where, parts, total, the total's cell)


def _check_sums(rule_id: str, sums: Iterable[Sum], parts_name: str) -> Iterator[Finding]:
    """One finding per sum that is wrong; one `info` naming the sums that empty cells left open."""
    unknown = []
    for where, parts, total, cell in sums:
        if total is None and all(v is None for v in parts):
            continue  # nothing given at all: the part is absent, reported elsewhere
        verdict = compare(parts, total)
        if verdict == "unknown":
            unknown.append(where)
        elif verdict == "error":
            given = sum(v or 0 for v in parts)
            yield Finding(
                rule_id,
                ERROR,
                f"{where}: {parts_name} add up to {_fmt(given)} but total is {_fmt(total)}",
                cells=(cell,),
            )
    yield from _unknown(rule_id, unknown)


@rule("applications.row_total", severity=ERROR)
def applications_row_total(report: Report) -> Iterator[Finding]:
    """Per row: total = the sum of the six applicant columns."""
    table = report.applications or {}
    yield from _check_sums(
        "applications.row_total",
        (
            (f"row {key}", [row.get(c) for c in APPLICANT_COLUMNS[:-1]], row.get("total"), f"applications.{key}.total")
            for key, row in table.items()
        ),
        "the six applicant columns",
    )


@rule("applications.outcome_total", severity=ERROR)
def applications_outcome_total(report: Report) -> Iterator[Finding]:
    """Per column: total = the sum of all outcome rows (granted … other.other)."""
    table = report.applications
    if not table:
        return
    rows = [r for r in OUTCOME_ROWS if r in table] + (["other"] if "other" in table else [])
    yield from _check_sums(
        "applications.outcome_total",
        (
            (f"column {col}", [table[r].get(col) for r in rows], table["total"].get(col), f"applications.total.{col}")
            for col in APPLICANT_COLUMNS
        ),
        "the outcome rows (granted … other)",
    )


@rule("review_litigation.group_total", severity=ERROR)
def review_group_total(report: Report) -> Iterator[Finding]:
    """Per group: total = upheld + corrected + other + pending."""
    table = report.review_litigation or {}
    yield from _check_sums(
        "review_litigation.group_total",
        (
            (
                f"group {group}",
                [row.get(f) for f in REVIEW_FIELDS[:-1]],
                row.get("total"),
                f"review_litigation.{group}.total",
            )
            for group, row in table.items()
        ),
        "upheld + corrected + other + pending",
    )
