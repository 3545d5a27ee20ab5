"""Map the row labels a report prints to the rows of the uniform format, and say how.

The 2021 format fixes the order of its rows, so a label is placed by three kinds of evidence:
- "exact": its words name the row (国家秘密, 重复申请 …), in template order;
- "position": the rows around it were placed exactly and the template has exactly as many rows
  between them as the report prints, so a garbled "2.其他法律行政止公开" between 1.属于国家秘密
  and 3.危及"三安全一稳定" is row 2 whatever its label says;
- "similarity": a label close to an official one (difflib ratio) where counting cannot decide.
Pure functions: labels in, placements out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from nianbao.core.vocabulary import How
from parsers.numbers import normalize

# The 2019 format (and reports that kept its layout) give (六)其他处理 as one row.
OTHER_2019 = ("other", "（六）其他处理")
SURE_SIMILARITY = 0.75
MIN_SIMILARITY = 0.5
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")


@dataclass(frozen=True, slots=True)
class Placement:
    key: str | None
    how: How  # exact | position | similarity | "" (not placed)
    score: float  # similarity of the printed label to the official one, 0..1


def bare(label: str) -> str:
    """A label without spaces, line breaks, width differences or its numbering (for comparing)."""
    return _NUMBERING.sub("", normalize(label))


def similarity(label: str, official: str) -> float:
    return SequenceMatcher(None, bare(label), bare(official)).ratio()


def place(
    labels: Sequence[str], template: Sequence[tuple[str, str]], exact: Callable[[int, str], str | None]
) -> list[Placement]:
    """Place each printed label on a template row, keeping the template's order."""
    keys = [key for key, _ in template]
    official = dict(template)
    order = {key: i for i, key in enumerate(keys)}
    placed: list[Placement | None] = [None] * len(labels)
    last = -1
    for i, label in enumerate(labels):
        key = exact(i, label)
        if key in order and order[key] > last:
            placed[i] = Placement(key, "exact", 1.0)
            last = order[key]
    anchors = [(-1, -1)] + [(i, order[p.key]) for i, p in enumerate(placed) if p and p.key] + [(len(labels), len(keys))]
    for (row0, slot0), (row1, slot1) in pairwise(anchors):
        rows = list(range(row0 + 1, row1))
        slots = keys[slot0 + 1 : slot1]
        if not rows:
            continue
        if len(rows) == len(slots):
            for row, key in zip(rows, slots, strict=True):
                placed[row] = Placement(key, "position", similarity(labels[row], official[key]))
        else:
            for row, found in zip(rows, _by_similarity([labels[r] for r in rows], slots, official), strict=True):
                placed[row] = found
    return [p or Placement(None, "", 0.0) for p in placed]


def _by_similarity(labels: list[str], slots: list[str], official: dict[str, str]) -> list[Placement]:
    """Greedy, in order: each label takes the most similar remaining slot after the last one taken."""
    out = []
    start = 0
    for label in labels:
        scored = [(similarity(label, official[key]), i) for i, key in enumerate(slots) if i >= start]
        best = max(scored, default=(0.0, -1))
        if best[0] >= MIN_SIMILARITY:
            out.append(Placement(slots[best[1]], "similarity", best[0]))
            start = best[1] + 1
        else:
            out.append(Placement(None, "", best[0]))
    return out
