"""Cross-year rules: this year's report against last year's, as pure functions of their cells.

`applications.carry_over`: this year's carried_over = last year's carried_forward (per column).
`active_disclosure.in_force`: last year's in_force + issued − repealed = this year's in_force
(rules and normative documents).  `quality.copied` (in checks.quality) is a history rule too.

A history rule is called as `rule(this, last, year, texts=(this_text, last_text))`: the cells of
both years, rows read with certainty only, and both reports' normalised text.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.registry import Cells, rule
from nianbao.core.messages import said
from nianbao.core.report import APPLICANT_COLUMNS, Finding


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


@rule("applications.carry_over", severity="warning", scope="history", also=())
def carry_over(this: Cells, last: Cells, year: int, texts: tuple[str, str] = ("", "")) -> Iterator[Finding]:
    """This year's carried_over = last year's carried_forward, per column."""
    for col in APPLICANT_COLUMNS:
        now = this.get(("applications", "carried_over", col))
        before = last.get(("applications", "carried_forward", col))
        if now is None or before is None or now == before:
            continue
        message = said(
            "applications.carry_over", column=col, now=_fmt(now), year=year, last_year=year - 1, before=_fmt(before)
        )
        yield Finding(
            "applications.carry_over",
            "warning",
            message.en,
            cells=(f"applications.carried_over.{col}",),
            said=message,
        )


@rule("active_disclosure.in_force", severity="warning", scope="history", also=())
def in_force(this: Cells, last: Cells, year: int, texts: tuple[str, str] = ("", "")) -> Iterator[Finding]:
    """Last year's in_force + this year's issued − repealed = this year's in_force (rules, normative documents)."""
    for row in ("rules", "normative_documents"):
        before = last.get(("active_disclosure", row, "in_force"))
        issued = this.get(("active_disclosure", row, "issued"))
        repealed = this.get(("active_disclosure", row, "repealed"))
        now = this.get(("active_disclosure", row, "in_force"))
        if before is None or issued is None or repealed is None or now is None:
            continue
        if before + issued - repealed != now:
            message = said(
                "active_disclosure.in_force",
                drow=row,
                last_year=year - 1,
                before=_fmt(before),
                issued=_fmt(issued),
                repealed=_fmt(repealed),
                expected=_fmt(before + issued - repealed),
                year=year,
                now=_fmt(now),
            )
            yield Finding(
                "active_disclosure.in_force",
                "warning",
                message.en,
                cells=(f"active_disclosure.{row}.in_force",),
                said=message,
            )


def cross_year(this: Cells, last: Cells, year: int, texts: tuple[str, str] = ("", "")) -> list[Finding]:
    """Every history rule over one pair of years."""
    from checks.registry import history_rules

    return [f for func in history_rules() for f in func(this, last, year, texts=texts)]
