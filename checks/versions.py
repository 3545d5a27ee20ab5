"""What changed between two versions of a report, in words a person can check: the cells whose
numbers changed (old → new), or — when no number changed — the prose sentences removed (−) and
added (+).  The sentences are the report's own (storage.content: no title heading, running header,
page number or page chrome), so what a `changed` finding quotes is always a change of the report.
Pure."""

from __future__ import annotations

import difflib
from typing import Any

from nianbao.core.messages import Said, said

Cells = dict[tuple[str, str, str], float]
MAX_CELLS = 8
MAX_LINES = 3
QUOTE = 60  # characters of a sentence quoted
CONTEXT = 12  # of them, before the first character that differs


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
    """The first few sentences removed (−) or added (+).  A long sentence is quoted around its
    first difference from the one it replaced, so the quote shows the words that changed."""
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for k, sentence in enumerate(removed):
            out.append("- " + _quote(sentence, added[k] if k < len(added) else None))
        for k, sentence in enumerate(added):
            out.append("+ " + _quote(sentence, removed[k] if k < len(removed) else None))
        if len(out) >= MAX_LINES:
            return out[:MAX_LINES]
    return out


def _quote(sentence: str, other: str | None) -> str:
    """At most QUOTE characters of `sentence`, from a little before where it first differs from `other`."""
    if len(sentence) <= QUOTE:
        return sentence
    same = 0
    if other is not None:
        while same < min(len(sentence), len(other)) and sentence[same] == other[same]:
            same += 1
    start = max(0, min(same - CONTEXT, len(sentence) - QUOTE))
    end = start + QUOTE
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


def describe_change(
    old_cells: Cells, new_cells: Cells, old_text: list[str] | None, new_text: list[str] | None
) -> tuple[Said, dict[str, Any]] | None:
    """(what changed, as a message; the evidence), or None when neither a cell nor a sentence
    changed: then nothing of the report changed, whatever its bytes, chrome or headings did.
    A text is None when it is not known (a report stored before its body was kept): then only the
    cells can tell."""
    cells = cell_changes(old_cells, new_cells)
    lines = text_changes(old_text, new_text) if old_text is not None and new_text is not None else []
    evidence: dict[str, Any] = {}
    if cells:
        evidence["cells"] = [c.en for c in cells]
    if lines:
        evidence["text"] = lines
    if cells and len(cells) > MAX_CELLS:
        return said("changed.cells_more", changes=cells[:MAX_CELLS], more=len(cells) - MAX_CELLS), evidence
    if cells:
        return said("changed.cells", changes=cells), evidence
    if lines:
        return said("changed.text", lines=lines), evidence
    return None
