"""`text.claims`: what the prose says contradicts the tables, or its own figures.

Only claims that can be read without guessing are checked: "未收到…申请" and "收到…申请N件" against
the new applications; "予以公开及部分公开N件", "不予公开N件", "无法提供N件", "不予处理N件",
"其他处理N件" against the outcome rows; "行政复议N件，诉讼M件，均获维持" against table 4; and
"公布…N条，主要包括A条、B条…" whose parts must add up.  A table sum with empty cells counts only
the known cells, and a claim is checked only where the table gives a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from checks.registry import rule
from nianbao.core.report import Finding, Report

_NONE_RECEIVED = re.compile(r"(?:未收到|没有收到|未接到|未受理)[^。；;，,]{0,20}?(?:公开申请|申请)")
_RECEIVED = re.compile(r"(?:共|全年|本年度?)?收到[^。；;，,0-9]{0,20}?申请\s*(?:共\s*)?(\d+)\s*件")
_ITEMISED = re.compile(
    r"(?:公开|公布|发布)[^。；;0-9]{0,40}?(?:信息|文件)\s*(\d+)\s*条[，,:：]\s*(?:其中|主要包括|包括)"
    r"[:：]?([^。；;]*)"
)
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
        none_claimed = _NONE_RECEIVED.search(line) if new else None  # "未收到…申请" while new > 0
        count = _RECEIVED.search(line)
        count_wrong = count if count and new is not None and int(count.group(1)) != new else None
        for match in (none_claimed, count_wrong):
            if match:
                yield Finding(
                    "text.claims",
                    "warning",
                    f"the text says {match.group(0)!r} but the table counts {new} new applications",
                    cells=("applications.new.total",),
                    raw=match.group(0),
                )
        yield from _itemised(line)
        yield from _outcome_claims(line, report)
        yield from _review_claims(line, report)


_OUTCOMES = (
    ("予以公开及部分公开", ("granted", "partially_granted")),
    ("不予公开", ("withheld.",)),
    ("无法提供", ("unavailable.",)),
    ("不予处理", ("not_processed.",)),
    ("其他处理", ("other",)),
)


def _row_sum(report: Report, prefixes: tuple[str, ...]) -> int | None:
    total: int | Decimal = 0
    known = False
    for key, row in (report.applications or {}).items():
        if not any(key == p or (p.endswith(".") and key.startswith(p)) or key.startswith(p + ".") for p in prefixes):
            continue
        row_total = row.get("total")
        parts = [v for c, v in row.items() if c != "total" and v is not None]
        if row_total is not None:
            total, known = total + row_total, True
        elif parts:
            total, known = total + sum(parts), True
    return int(total) if known else None


def _outcome_claims(line: str, report: Report) -> Iterator[Finding]:
    if not report.applications:
        return
    for words, prefixes in _OUTCOMES:
        for match in re.finditer(rf"(?<![不以]){words}\s*(\d+)\s*件", line):
            claimed, table = int(match.group(1)), _row_sum(report, prefixes)
            if table is not None and claimed != table:
                yield Finding(
                    "text.claims",
                    "warning",
                    f"the text says {match.group(0)!r} but the table's {words} rows add up to {table}",
                    raw=match.group(0),
                )


def _review_claims(line: str, report: Report) -> Iterator[Finding]:
    table = report.review_litigation
    if not table:
        return
    groups = (("行政复议", ("review",)), ("诉讼", ("lawsuit_direct", "lawsuit_after_review")))
    for words, keys in groups:
        match = re.search(rf"{words}\s*(\d+)\s*件", line)
        totals = [t for k in keys if (t := table[k].get("total")) is not None]
        if match and len(totals) == len(keys) and int(match.group(1)) != sum(totals):
            yield Finding(
                "text.claims",
                "warning",
                f"the text says {match.group(0)!r} but table 4 counts {sum(totals)}",
                raw=match.group(0),
            )
    if re.search(r"(?:均|全部|都)(?:获|被|予以)?维持", line) and re.search(r"复议|诉讼", line):
        open_cases = {
            f"{g}.{f}": table[g].get(f) for g in table for f in ("corrected", "other", "pending") if table[g].get(f)
        }
        if open_cases:
            cells = ", ".join(f"{k} {v}" for k, v in open_cases.items())
            yield Finding(
                "text.claims",
                "warning",
                f"the text says all reviews and lawsuits were upheld (均获维持) but table 4 has {cells}",
                raw=line[:120],
            )


def _itemised(line: str) -> Iterator[Finding]:
    match = _ITEMISED.search(line)
    if not match:
        return
    parts = [int(n) for n in _ITEM.findall(match.group(2))]
    whole = int(match.group(1))
    if len(parts) >= 2 and sum(parts) != whole:
        yield Finding(
            "text.claims",
            "warning",
            f"the text gives {whole} items in all but its parts {'+'.join(map(str, parts))} add up to {sum(parts)}",
            raw=match.group(0)[:120],
        )
