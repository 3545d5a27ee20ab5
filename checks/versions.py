"""What changed between two versions of a report, in words a person can check: the cells whose
numbers changed (old → new), or — when no number changed — a short diff of the text.  Pure."""

from __future__ import annotations

import difflib
from typing import Any

from nianbao.core.messages import Said, said

Cells = dict[tuple[str, str, str], float]
MAX_CELLS = 8
MAX_LINES = 3


def _fmt(value: float | None) -> str:
    if value is None:
        return "∅"
    return str(int(value)) if value == int(value) else str(value)


def cell_changes(old: Cells, new: Cells) -> list[Said]:
    """ "applications.new.total 3 → 4" for every cell that differs (empty is ∅)."""
    keys = sorted(set(old) | set(new))
    return [
        said("cell.change", cell=".".join(k), old=_fmt(old.get(k)), new=_fmt(new.get(k)))
        for k in keys
        if old.get(k) != new.get(k)
    ]


def text_changes(old: list[str], new: list[str]) -> list[str]:
    """The first few lines that were removed (−) or added (+)."""
    out = []
    for line in difflib.unified_diff(old, new, lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        out.append(line[0] + " " + (line[1:61] + "…" if len(line) > 61 else line[1:]))
        if len(out) == MAX_LINES:
            break
    return out


def describe_change(
    old_cells: Cells, new_cells: Cells, old_text: list[str], new_text: list[str]
) -> tuple[Said, dict[str, Any]]:
    """(what changed, as a message; the evidence)."""
    cells = cell_changes(old_cells, new_cells)
    if cells:
        evidence = {"cells": [c.en for c in cells]}
        if len(cells) > MAX_CELLS:
            return said("changed.cells_more", changes=cells[:MAX_CELLS], more=len(cells) - MAX_CELLS), evidence
        return said("changed.cells", changes=cells), evidence
    lines = text_changes(old_text, new_text)
    if lines:
        return said("changed.text", lines=lines), {"text": lines}
    return said("changed.content"), {}
