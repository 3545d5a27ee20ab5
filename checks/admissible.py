"""Whether a sum can hold, given what each of its cells can be (`Report.admissible`).

A cell read with certainty is its value; a blank cell, a row not found, or a row uncertain for more
than its numbers is any count >= 0; a scanned cell whose two readers disagree is one of their two
readings.  A sum's two sides can be equal for some choice of these, or for none: only "none" is an
accusation, because then no reading of the cells nianbao could be wrong about makes it add up.
Pure arithmetic over small sets; a set that would grow past `LIMIT` values gives up (undecided is
never an accusation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from nianbao.core.report import Admissible

LIMIT = 4096
Value = int | Decimal


@dataclass(frozen=True, slots=True)
class Side:
    """The sums one side of an equation can make: `values` from its bounded cells, and whether an
    unbounded cell (any count >= 0) is added to them."""

    values: frozenset[Value] | None  # None: too many to list
    open: bool


def side(cells: Iterable[Admissible]) -> Side:
    sums: set[Value] = {0}
    unbounded = False
    for options in cells:
        if options is None:
            unbounded = True
            continue
        sums = {a + b for a in sums for b in options}
        if len(sums) > LIMIT:
            return Side(None, True)
    return Side(frozenset(sums), unbounded)


def satisfiable(left: Sequence[Admissible], right: Sequence[Admissible]) -> bool:
    """Some admissible values make sum(left) == sum(right)."""
    a, b = side(left), side(right)
    if a.values is None or b.values is None or (a.open and b.open):
        return True
    if a.open:  # left can be any of its sums or more
        return max(b.values) >= min(a.values)
    if b.open:
        return max(a.values) >= min(b.values)
    return bool(a.values & b.values)
