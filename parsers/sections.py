"""Find the six parts of a report (一、总体情况 … 六、其他需要报告的事项) by their headings.

Headings are recognised by their words, not their numbers, so a report that renumbers or
reorders its parts still has them found.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from parsers.numbers import normalize

PARTS: tuple[tuple[str, str], ...] = (
    ("overview", r"总体情况"),
    ("active_disclosure", r"主动公开政府信息"),
    ("applications", r"收到和处理政府信息公开申请|收到和处理.*申请"),
    ("review_litigation", r"行政复议.{0,8}行政诉讼|行政法?复议"),
    ("problems", r"存在的?主要问题"),
    ("other_matters", r"其他需要报告"),
)
_PARTS = tuple((key, re.compile(pattern)) for key, pattern in PARTS)
_HEADING = re.compile(r"^(?:第?[一二三四五六七][、.．,，]|[（(][一二三四五六][)）]|[1-6][、.．])")


def heading_part(line: str) -> str | None:
    """The part a heading line opens, or None for any other line."""
    if not _may_open(line.lstrip()[:1]):  # most lines: told apart by their first character
        return None
    return _part_of(line.split("|", 1)[0])


@lru_cache(maxsize=4096)  # by the first cell: the tables' labels recur in report after report
def _part_of(first: str) -> str | None:
    # by the numbering first, before the whole label is folded
    if not _HEADING.match(normalize(first[:24])):
        return None
    text = normalize(first)
    if len(text) > 40 or not _HEADING.match(text):
        return None
    for key, pattern in _PARTS:
        if pattern.search(text):
            return key
    return None


_OPENERS = frozenset("第一二三四五六七（(123456")


@lru_cache(maxsize=4096)
def _may_open(first: str) -> bool:
    """Whether a line starting with this character may be a heading: its folded form opens one
    (full-width digits, Kangxi radicals and ㈠-style characters fold into openers)."""
    folded = unicodedata.normalize("NFKC", first).lstrip()
    return not folded or folded[0] in _OPENERS


def split_parts(lines: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Map each part found to its line span (start after the heading, end before the next one)."""
    starts: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        part = heading_part(line)
        if part and part not in seen:
            seen.add(part)
            starts.append((index, part))
    spans = {}
    for position, (index, part) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        spans[part] = (index + 1, end)
    return spans


def inline_parts(text: str) -> tuple[str, ...]:
    """Parts whose headings sit inside long lines (archive extractions that lost the line breaks)."""
    flat = normalize(text)
    return tuple(
        key
        for key, pattern in PARTS
        if re.search(r"[一二三四五六][、.．](?:政府信息公开(?:工作)?)?(?:" + pattern + ")", flat)
    )
