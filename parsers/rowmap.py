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

from parsers.numbers import normalize

# The official labels of table 3 (国办公开办函〔2021〕30号), keyed as report-format.md keys them.
APPLICATION_LABELS: tuple[tuple[str, str], ...] = (
    ("new", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld.state_secret", "1.属于国家秘密"),
    ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("withheld.security_stability", "3.危及“三安全一稳定”"),
    ("withheld.third_party", "4.保护第三方合法权益"),
    ("withheld.internal_affairs", "5.属于三类内部事务信息"),
    ("withheld.process_info", "6.属于四类过程性信息"),
    ("withheld.enforcement_files", "7.属于行政执法案卷"),
    ("withheld.inquiry", "8.属于行政查询事项"),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable.unclear", "3.补正后申请内容仍不明确"),
    ("not_processed.complaint", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"),
    ("not_processed.excessive", "4.无正当理由大量反复申请"),
    ("not_processed.reconfirm", "5.要求行政机关确认或重新出具已获取信息"),
    ("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他"),
    ("total", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
)
# The 2019 format (and reports that kept its layout) give (六)其他处理 as one row.
OTHER_2019 = ("other", "（六）其他处理")
SURE_SIMILARITY = 0.75
MIN_SIMILARITY = 0.5
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")


@dataclass(frozen=True, slots=True)
class Placement:
    key: str | None
    how: str  # exact | position | similarity | "" (not placed)
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
