"""Cross-year rules: this year's report against last year's, as pure functions of their cells.

`applications.carry_over`: this year's carried_over = last year's carried_forward (per column).
`active_disclosure.in_force`: last year's in_force + issued − repealed = this year's in_force
(rules and normative documents).
"""

from __future__ import annotations

from collections.abc import Iterator

Cells = dict[tuple[str, str, str], float]  # (part, row, column) -> value
COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other", "total")


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def carry_over(this: Cells, last: Cells, year: int) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(rule, message, cells) for each column where the carry-over does not match."""
    for col in COLUMNS:
        now = this.get(("applications", "carried_over", col))
        before = last.get(("applications", "carried_forward", col))
        if now is None or before is None or now == before:
            continue
        yield (
            "applications.carry_over",
            f"column {col}: carried_over {_fmt(now)} in {year}, but {year - 1} carried_forward {_fmt(before)}",
            (f"applications.carried_over.{col}",),
        )


def in_force(this: Cells, last: Cells, year: int) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for row in ("rules", "normative_documents"):
        values = [
            last.get(("active_disclosure", row, "in_force")),
            this.get(("active_disclosure", row, "issued")),
            this.get(("active_disclosure", row, "repealed")),
            this.get(("active_disclosure", row, "in_force")),
        ]
        if None in values:
            continue
        before, issued, repealed, now = values  # type: ignore[misc]
        if before + issued - repealed != now:
            yield (
                "active_disclosure.in_force",
                f"{row}: {year - 1} in_force {_fmt(before)} + issued {_fmt(issued)} − repealed {_fmt(repealed)} "
                f"= {_fmt(before + issued - repealed)}, but {year} in_force is {_fmt(now)}",
                (f"active_disclosure.{row}.in_force",),
            )
