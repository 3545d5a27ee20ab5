"""Dates as reports and pages write them: 2026-01-20, 2026/01/20, 2026.01.20, 2026年1月20日,
二〇二六年一月二十日.  Only explicit publication labels count; 更新时间 and 浏览 never do."""

from __future__ import annotations

import re
from datetime import date

_NUMERIC = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "O": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_DATE = re.compile(
    r"([〇○零OＯ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_PUBLISHED = re.compile(
    r"(?<![更修])(?:发布时间|发布日期|发文日期|公开日期|(?<![新改])时间)\s*[:：]\s*(\d{4}[-/.年]\s*\d{1,2}[-/.月]\s*\d{1,2})"
)


def iso_date(text: str) -> str | None:
    """The first date in `text` as YYYY-MM-DD, or None when there is none or it is impossible."""
    match = _NUMERIC.search(text)
    if match:
        return _valid(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _CN_DATE.search(text)
    if match:
        year = int("".join(str(_CN_DIGITS[c]) for c in match.group(1)))
        return _valid(year, _cn_number(match.group(2)), _cn_number(match.group(3)))
    return None


def find_published_date(text: str) -> str | None:
    """The date after a 发布时间/发布日期/时间 label, e.g. a VSB info line."""
    match = _PUBLISHED.search(text)
    return iso_date(match.group(1)) if match else None


def _cn_number(text: str) -> int:
    if text.startswith("十"):
        return 10 + (_CN_DIGITS[text[1]] if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
