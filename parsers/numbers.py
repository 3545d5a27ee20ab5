"""Turn one table cell's text into a number, None (the report says "none") or leave it as text.

Portals write numbers with full-width digits, thousands separators, stray spaces and units;
they write "none" as an empty cell, `&nbsp;`, "—", "/" or "无".  Nothing here guesses: a cell
that is not clearly a number comes back as `Text` so the caller can report it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

NONE_MARKS = frozenset({"", "—", "——", "-", "--", "－", "/", "／", "\\", "无", "空", "/ ", "–", "―"})
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_UNITS = re.compile(r"(件|条|个|项|次|万元|元)$")


@dataclass(frozen=True, slots=True)
class Text:
    """A cell that holds text where a number was expected."""

    raw: str


Cell = int | Decimal | None | Text


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """NFKC (full-width digits and spaces to ASCII) and all whitespace removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def is_value(text: str) -> bool:
    """True when a cell reads as a number or as an explicit "none" (also: empty)."""
    return not isinstance(parse_cell(text), Text)


@lru_cache(maxsize=8192)  # tables repeat the same few cells ("0", labels) thousands of times
def parse_cell(text: str) -> Cell:
    """Read one cell: int, Decimal (money in 10k yuan may be fractional), None, or Text."""
    s = normalize(text).replace(",", "").replace("，", "")
    if s in NONE_MARKS:
        return None
    s = _UNITS.sub("", s) if _NUMBER.match(_UNITS.sub("", s)) else s
    if not _NUMBER.match(s):
        return Text(text.strip())
    if "." not in s:
        return int(s)
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return Text(text.strip())
