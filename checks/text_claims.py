"""`text.claims`: what the prose says contradicts the tables, or its own figures.

Only claims that can be read without guessing are checked: "未收到…申请" against the number of
new applications, "收到…申请N件" against it, and "公布…N条，主要包括A条、B条…" whose parts must add up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from checks.registry import rule
from parsers.report import Finding, Report

_NONE_RECEIVED = re.compile(r"(?:未收到|没有收到|未接到|未受理)[^。；;，,]{0,20}?(?:公开申请|申请)")
_RECEIVED = re.compile(r"(?:共|全年|本年度?)?收到[^。；;，,0-9]{0,20}?申请\s*(?:共\s*)?(\d+)\s*件")
_ITEMISED = re.compile(r"(?:公开|公布|发布)[^。；;0-9]{0,40}?(?:信息|文件)\s*(\d+)\s*条[，,:：]\s*(?:其中|主要包括|包括)"
                       r"[:：]?([^。；;]*)")
_ITEM = re.compile(r"(\d+)\s*条")


def _sentences(report: Report) -> Iterator[str]:
    for line in report.lines:
        if "|" not in line:
            yield unicodedata.normalize("NFKC", line)


@rule("text.claims", severity="warning")
def text_claims(report: Report) -> Iterator[Finding]:
    """What the prose says contradicts the tables (or its own itemised counts)."""
    new = (report.applications or {}).get("new", {}).get("total")
    for line in _sentences(report):
        if new is not None and new > 0:
            match = _NONE_RECEIVED.search(line)
            if match:
                yield Finding("text.claims", "warning",
                              f"the text says {match.group(0)!r} but the table counts {new} new applications",
                              cells=("applications.new.total",), raw=match.group(0))
        match = _RECEIVED.search(line)
        if match and new is not None and int(match.group(1)) != new:
            yield Finding("text.claims", "warning",
                          f"the text says {match.group(0)!r} but the table counts {new} new applications",
                          cells=("applications.new.total",), raw=match.group(0))
        yield from _itemised(line)


def _itemised(line: str) -> Iterator[Finding]:
    match = _ITEMISED.search(line)
    if not match:
        return
    parts = [int(n) for n in _ITEM.findall(match.group(2))]
    whole = int(match.group(1))
    if len(parts) >= 2 and sum(parts) != whole:
        yield Finding("text.claims", "warning",
                      f"the text gives {whole} items in all but its parts {'+'.join(map(str, parts))} "
                      f"add up to {sum(parts)}", raw=match.group(0)[:120])
