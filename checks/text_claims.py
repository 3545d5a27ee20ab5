"""`text.claims`: what the prose says contradicts the tables, or its own figures.

Only claims that can be read without guessing are checked: "未收到…申请" and "收到…申请N件" against
the new applications; "予以公开及部分公开N件", "不予公开N件", "无法提供N件", "不予处理N件",
"其他处理N件" against the outcome rows; "行政复议N件，诉讼M件，均获维持" against table 4; and
"公布…N条，主要包括A条、B条…" whose parts must add up.  A table sum with empty cells counts only
the known cells, and a claim is checked only where the table gives a number.

A contradiction is an error, unless the text's number is another sum the table also gives (the
new applications plus those carried over, one row only, the natural persons only): then the
finding says which reading explains it, as a warning.  A claim about rows that were not read with
certainty is not judged at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from checks.consistency import doubts, finding
from checks.prose import sentences
from checks.registry import rule
from nianbao.core.messages import Said, said
from nianbao.core.report import Finding, Report

RULE = "text.claims"
_NONE_RECEIVED = re.compile(r"(?:未收到|没有收到|未接到|未受理)[^。；;，,]{0,20}?(?:公开申请|申请)")
_RECEIVED = re.compile(r"(?:共|全年|本年度?)?收到[^。；;，,0-9]{0,20}?申请\s*(?:共\s*)?(\d+)\s*件")
_ITEMISED = re.compile(
    r"(?:公开|公布|发布)[^。；;0-9]{0,40}?(?:信息|文件)\s*(\d+)\s*条[，,:：]\s*(?:其中|主要包括|包括)"
    r"[:：]?([^。；;]*)"
)
_ITEM = re.compile(r"(\d+)\s*条")
_OUTCOMES = (
    ("予以公开及部分公开", ("granted", "partially_granted")),
    ("不予公开", ("withheld.",)),
    ("无法提供", ("unavailable.",)),
    ("不予处理", ("not_processed.",)),
    ("其他处理", ("other",)),
)


@rule(RULE, severity="error", also=("warning",))
def text_claims(report: Report) -> Iterator[Finding]:
    """What the prose says contradicts the tables (or its own itemised counts)."""
    for line in sentences(report):
        yield from _received_claims(line, report)
        yield from _itemised(line)
        yield from _outcome_claims(line, report)
        yield from _review_claims(line, report)


def _claim(
    report: Report, used: Sequence[str], message: Said, raw: str, *, explained: Said | None = None
) -> Iterator[Finding]:
    """The finding for a contradiction, judged only on rows read with certainty."""
    if doubts(report, used):
        return
    if explained is not None:
        whole = said("text.claims.explained", inner=message, explained=explained)
        yield finding(RULE, "warning", whole, cells=tuple(used[:1]), raw=raw)
    else:
        yield finding(RULE, "error", message, cells=tuple(used[:1]), raw=raw)


def _cell(report: Report, row: str, col: str = "total") -> int | Decimal | None:
    return (report.applications or {}).get(row, {}).get(col)


def _received_claims(line: str, report: Report) -> Iterator[Finding]:
    new = _cell(report, "new")
    if new is None or "申请" not in line:  # both patterns below need the word
        return
    none_claimed = _NONE_RECEIVED.search(line) if new else None  # "未收到…申请" while new > 0
    if none_claimed:
        message = said("text.claims.received", quote=none_claimed.group(0), new=new)
        yield from _claim(report, ["applications.new.total"], message, none_claimed.group(0))
    count = _RECEIVED.search(line)
    if count and int(count.group(1)) != new:
        claimed, old = int(count.group(1)), _cell(report, "carried_over")
        message = said("text.claims.received", quote=count.group(0), new=new)
        explained = None
        if old is not None and claimed == new + old:
            explained = said("explain.carried_over", new=new, old=old, claimed=claimed)
        used = ["applications.new.total", "applications.carried_over.total"]
        yield from _claim(report, used, message, count.group(0), explained=explained)


def _matches(prefixes: tuple[str, ...], key: str) -> bool:
    return any(key == p or (p.endswith(".") and key.startswith(p)) or key.startswith(p + ".") for p in prefixes)


def _row_sum(report: Report, rows: list[str], column: str | None = None) -> int | None:
    """The sum of the rows' totals (or of one column); a row's total falls back to its known cells."""
    total: int | Decimal = 0
    known = False
    for key in rows:
        row = (report.applications or {})[key]
        if column is not None:
            value = row.get(column)
            total, known = (total + value, True) if value is not None else (total, known)
            continue
        parts = [v for c, v in row.items() if c != "total" and v is not None]
        if row.get("total") is not None:
            total, known = total + row["total"], True  # type: ignore[operator]
        elif parts:
            total, known = total + sum(parts), True
    return int(total) if known else None


def _outcome_claims(line: str, report: Report) -> Iterator[Finding]:
    if not report.applications:
        return
    for words, prefixes in _OUTCOMES:
        if words not in line:
            continue
        rows = [key for key in report.applications if _matches(prefixes, key)]
        for match in re.finditer(rf"(?<![不以]){words}\s*(\d+)\s*件", line):  # rare: only where the words are
            claimed, table = int(match.group(1)), _row_sum(report, rows)
            if table is None or claimed == table:
                continue
            message = said("text.claims.outcome", quote=match.group(0), words=words, table=table)
            used = [f"applications.{key}.total" for key in rows]
            yield from _claim(report, used, message, match.group(0), explained=_explain(report, rows, claimed))


def _explain(report: Report, rows: list[str], claimed: int) -> Said | None:
    """Another sum of the same rows that gives the text's number, said in words."""
    if _row_sum(report, rows, "natural_person") == claimed:
        return said("explain.natural_persons", claimed=claimed)
    for key in rows:
        if _row_sum(report, [key]) == claimed and len(rows) > 1:
            return said("explain.row", claimed=claimed, row=key)
        if _row_sum(report, [key], "natural_person") == claimed:
            return said("explain.row_natural", claimed=claimed, row=key)
    return None


_REVIEW_COUNTS = (
    (re.compile(r"行政复议\s*(\d+)\s*件"), ("review",)),
    (re.compile(r"诉讼\s*(\d+)\s*件"), ("lawsuit_direct", "lawsuit_after_review")),
)
_ALL_UPHELD = re.compile(r"(?:均|全部|都)(?:获|被|予以)?维持")


def _review_claims(line: str, report: Report) -> Iterator[Finding]:
    table = report.review_litigation
    if not table or ("复议" not in line and "诉讼" not in line):  # every claim below names one of them
        return
    for pattern, keys in _REVIEW_COUNTS:
        match = pattern.search(line)
        if not match:
            continue
        totals = [t for k in keys if (t := table[k].get("total")) is not None]
        if len(totals) == len(keys) and int(match.group(1)) != sum(totals):
            message = said("text.claims.review", quote=match.group(0), count=sum(totals))
            yield from _claim(report, [f"review_litigation.{k}.total" for k in keys], message, match.group(0))
    if _ALL_UPHELD.search(line):
        open_cases = {
            f"{g}.{f}": table[g].get(f) for g in table for f in ("corrected", "other", "pending") if table[g].get(f)
        }
        if open_cases:
            cells = [said("cell.value", cell=k, value=v) for k, v in open_cases.items()]
            message = said("text.claims.upheld", cells=cells)
            yield from _claim(report, [f"review_litigation.{k}" for k in open_cases], message, line[:120])


def _itemised(line: str) -> Iterator[Finding]:
    match = _ITEMISED.search(line) if "条" in line else None
    if not match:
        return
    parts = [int(n) for n in _ITEM.findall(match.group(2))]
    whole = int(match.group(1))
    if len(parts) >= 2 and sum(parts) != whole:
        message = said("text.claims.itemised", whole=whole, items="+".join(map(str, parts)), total=sum(parts))
        yield finding(RULE, "warning", message, raw=match.group(0)[:120])
