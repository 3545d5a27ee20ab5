"""The languages nianbao speaks, one record each: everything that differs between them and is no
msgid of the catalogues (separators, how a date is shown, `<html lang>`, the digest's subject).

The CLI's `--lang` choices and the configuration's language type are derived from RECORDS, and the
catalogue tool walks them; adding a language is one record here plus one catalogue
(`nianbao/locale/<code>/LC_MESSAGES/nianbao.po`: CONTRIBUTING.md, "A language").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def chinese_date(text: str) -> str:
    """2026-01-31 -> 2026年1月31日 (inside any text)."""
    return _ISO.sub(lambda m: f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日", text)


def iso_date(text: str) -> str:
    """Dates as they are stored: 2026-01-31."""
    return text


def beijing_time(moment: datetime) -> str:
    """A moment as a Chinese reader writes it: 2026年4月15日 18:00（北京时间）."""
    local = moment.astimezone(timezone(timedelta(hours=8)))
    return f"{chinese_date(local.date().isoformat())} {local:%H:%M}（北京时间）"


def utc_time(moment: datetime) -> str:
    """A moment in UTC: 2026-04-15 10:00 UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """How one language writes what the catalogue does not translate."""

    code: str  # the configuration's value, `--lang`, and the catalogue's folder: "zh_CN"
    html_lang: str  # BCP 47, for `<html lang>`: "zh-CN"
    source: bool = False  # the msgids are written in it: no catalogue translates them
    colon: str  # between a label and what it labels: "：" / ": "
    list_sep: str  # between the items of a list: "、" / ", "
    clause_sep: str  # between clauses (reasons, evidence): "；" / "; "
    separators: Mapping[str, str] = field(default_factory=dict)  # a message parameter's own separator
    date: Callable[[str], str]  # how the ISO dates inside a text are shown
    clock: Callable[[datetime], str]  # how a moment is shown (when a site was built), in the reader's time zone
    sheet_date: str  # the number format of a date in an exported workbook
    rule_names: bool  # a rule shown by its translated name with its id in brackets, not by its id alone
    subject_prefix: str  # the digest's subject, before its counts (the robots' keyword "nianbao" first)
    subject_sep: str  # between the subject's counts
    year: str  # a report year after a kind in the digest: " {year}年度"

    def separator(self, name: str) -> str:
        """How the items of message parameter `name` are joined."""
        return self.separators.get(name, self.list_sep)


RECORDS: dict[str, Language] = {
    record.code: record
    for record in (
        Language(
            code="zh_CN",
            html_lang="zh-CN",
            colon="：",
            list_sep="、",
            clause_sep="；",
            separators={"why": "；", "changes": "；", "lines": " / ", "read": "；", "values": "和", "readings": "或"},
            date=chinese_date,
            clock=beijing_time,
            sheet_date='yyyy"年"m"月"d"日"',
            rule_names=True,
            subject_prefix="nianbao 年报监测：",
            subject_sep="，",
            year=" {year}年度",
        ),
        Language(
            code="en",
            html_lang="en",
            source=True,
            colon=": ",
            list_sep=", ",
            clause_sep="; ",
            separators={
                "where": ", ",
                "why": "; ",
                "parts": "、",
                "values": " and ",
                "readings": " or ",
                "cells": ", ",
                "counts": ", ",
                "changes": "; ",
                "lines": " / ",
                "read": "; ",
                "fields": ", ",
            },
            date=iso_date,
            clock=utc_time,
            sheet_date="yyyy-mm-dd",
            rule_names=False,
            subject_prefix="nianbao: ",
            subject_sep=", ",
            year=" {year}",
        ),
    )
}
LANGUAGES: tuple[str, ...] = tuple(RECORDS)
DEFAULT_LANGUAGE = "zh_CN"

# The configuration's type: a Literal of the records' codes, for pydantic (which reads it at run time).
# mypy cannot follow a Literal built from data, so it sees the codes as str.
if TYPE_CHECKING:
    LanguageCode = str
else:
    LanguageCode = Literal[LANGUAGES]


def language(code: str) -> Language:
    """The record of a language code; a code nianbao does not speak is an error that names those it does."""
    try:
        return RECORDS[code]
    except KeyError:
        raise ValueError(f"language {code!r}: nianbao speaks {', '.join(LANGUAGES)}") from None
