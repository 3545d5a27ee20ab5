"""The tables' own arithmetic (勾稽关系): each rule a pure function of one report.

Empty (null) cells are unknown, not zero.  Because every count is non-negative, a sum with
unknown parts is still decided when the known parts already exceed the total (an error) or
exactly make it (the unknown parts must be zero); otherwise one `info` finding names the cells
that could not be checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from checks.registry import rule
from parsers.numbers import to_json_number
from parsers.report import APPLICANT_COLUMNS, OUTCOME_ROWS, REVIEW_FIELDS, Finding, Number, Report

ERROR = "error"


def _fmt(value: Number) -> str:
    return str(to_json_number(value))


def compare(parts: Sequence[Number], total: Number) -> str:
    """"ok", "error" or "unknown" for total == sum(parts), reading None as an unknown count ≥ 0."""
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
        yield Finding(rule_id, "info", f"not checked where cells are empty: {', '.join(where)}",
                      cells=tuple(where))


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
                "applications.balance", ERROR,
                f"column {col}: new {_fmt(new)} + carried_over {_fmt(old)} = {_fmt(new + old)}, "  # type: ignore[operator]
                f"but total {_fmt(total)} + carried_forward {_fmt(fwd)} = {_fmt(total + fwd)}",  # type: ignore[operator]
                cells=tuple(f"applications.{r}.{col}" for r in ("new", "carried_over", "total", "carried_forward")))
    yield from _unknown("applications.balance", unknown)


@rule("applications.row_total", severity=ERROR)
def applications_row_total(report: Report) -> Iterator[Finding]:
    """Per row: total = the sum of the six applicant columns."""
    if not report.applications:
        return
    unknown = []
    for key, row in report.applications.items():
        parts = [row.get(c) for c in APPLICANT_COLUMNS[:-1]]
        total = row.get("total")
        if all(v is None for v in (*parts, total)):
            continue
        verdict = compare(parts, total)
        if verdict == "unknown":
            unknown.append(f"row {key}")
        elif verdict == "error":
            given = sum(v or 0 for v in parts)
            yield Finding("applications.row_total", ERROR,
                          f"row {key}: the six applicant columns add up to {_fmt(given)} but total is {_fmt(total)}",
                          cells=(f"applications.{key}.total",))
    yield from _unknown("applications.row_total", unknown)


@rule("applications.outcome_total", severity=ERROR)
def applications_outcome_total(report: Report) -> Iterator[Finding]:
    """Per column: total = the sum of all outcome rows (granted … other.other)."""
    table = report.applications
    if not table:
        return
    rows = [r for r in OUTCOME_ROWS if r in table] + (["other"] if "other" in table else [])
    unknown = []
    for col in APPLICANT_COLUMNS:
        values = [table[r].get(col) for r in rows]
        total = table["total"].get(col)
        if total is None and all(v is None for v in values):
            continue
        verdict = compare(values, total)
        if verdict == "unknown":
            unknown.append(f"column {col}")
        elif verdict == "error":
            given = sum(v or 0 for v in values)
            yield Finding("applications.outcome_total", ERROR,
                          f"column {col}: the outcome rows (granted … other) add up to {_fmt(given)} "
                          f"but total is {_fmt(total)}", cells=(f"applications.total.{col}",))
    yield from _unknown("applications.outcome_total", unknown)


@rule("review_litigation.group_total", severity=ERROR)
def review_group_total(report: Report) -> Iterator[Finding]:
    """Per group: total = upheld + corrected + other + pending."""
    if not report.review_litigation:
        return
    unknown = []
    for group, row in report.review_litigation.items():
        parts = [row.get(f) for f in REVIEW_FIELDS[:-1]]
        total = row.get("total")
        if all(v is None for v in (*parts, total)):
            continue
        verdict = compare(parts, total)
        if verdict == "unknown":
            unknown.append(f"group {group}")
        elif verdict == "error":
            given = sum(v or 0 for v in parts)
            yield Finding("review_litigation.group_total", ERROR,
                          f"group {group}: upheld + corrected + other + pending = {_fmt(given)} "
                          f"but total is {_fmt(total)}", cells=(f"review_litigation.{group}.total",))
    yield from _unknown("review_litigation.group_total", unknown)
