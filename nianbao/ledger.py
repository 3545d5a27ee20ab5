"""A pass's ledger made whole, in the writer: whose report each entry's title names, the entries
whose document could not be stored, and the doubts the pass leaves — each scoped to what it could
hide (`storage.ledger.Doubt`):

- a failed entry: the (agency, year) its title names; the column's agencies for the year it names
  when it names no agency; for every year when it names neither;
- an attachment of an entry that could not be had: the same as its entry (the report may be in it);
- a column not read completely: the column's agencies, for the years its unread pages could hold
  (`crawler.crawl.ColumnRead.unread_years`).

An entry that is no report (a draft, a notice, a sub-column) or whose document was stored leaves
no doubt."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from nianbao.core.vocabulary import FATES
from parsers.metadata import find_title

Row = dict[str, Any]


def title_names(title: str | None) -> tuple[str | None, int | None]:
    """(agency, year) a list title names, either None when it does not say."""
    if not title:
        return None, None
    _, agency, year = find_title((title,), title)
    return agency, year


def complete_ledger(
    entries: list[Row],
    attachment_failures: list[tuple[str, str, str]],
    columns: list[Row],
    lost: dict[str, tuple[str, str, str]],
) -> tuple[list[Row], list[Row], list[Row]]:
    """(entries, doubts, columns): entries with the names their titles give, and those whose document
    could not be stored (`lost`: URL -> (title, why, kind "lost" or "truncated")) settled as failed;
    the doubts; the columns with their ledger counts."""
    by_url: dict[str, Row] = {}
    documents: set[str] = set()
    for entry in entries:
        entry["agency"], entry["year"] = title_names(entry["title"])
        by_url.setdefault(entry["url"], entry)
        if entry["document"] in lost and entry["fate"] == "stored":
            _, why, kind = lost[entry["document"]]
            entry.update(fate="failed", reason=kind, detail=why[:500])
        documents.add(entry["document"] or "")
    url_of = {c.get("column_key"): c["column"] for c in columns}
    doubts = [
        _doubt(
            "entry", entry["column"], url_of.get(entry["column"]), entry, entry["reason"], entry["detail"], entry["url"]
        )
        for entry in entries
        if entry["fate"] == "failed"
    ]
    for entry_url, attachment, why in attachment_failures:
        owner = by_url.get(entry_url)
        if owner is not None:
            kind, _, detail = why.partition(": ")
            doubts.append(
                _doubt("attachment", owner["column"], url_of.get(owner["column"]), owner, kind, detail, attachment)
            )
    for url, (title, why, kind) in lost.items():
        if url not in documents:  # an attachment (or a continuation) that could not be stored
            agency, year = title_names(title)
            doubts.append(
                {
                    "source": "attachment",
                    "column_key": None,
                    "column_url": None,
                    "agency": agency,
                    "year": year,
                    "upto": None,
                    "reason": kind,
                    "detail": why[:500],
                    "url": url,
                    "title": title,
                }
            )
    counts: dict[str, Counter[str]] = {}
    for entry in entries:
        counts.setdefault(entry["column"], Counter())[entry["fate"]] += 1
    for column in columns:
        found = counts.get(column.get("column_key") or "", Counter())
        column.update(listed=sum(found.values()), **{fate: found[fate] for fate in FATES})
        if not column["complete"]:
            doubts.append(
                {
                    "source": "column",
                    "column_key": column.get("column_key"),
                    "column_url": column["column"],
                    "agency": None,
                    "year": None,
                    "upto": column.get("unread_upto"),
                    "reason": "column",
                    "detail": column["reason"],
                    "detail_said": json.dumps(column["reason_said"], ensure_ascii=False)
                    if column.get("reason_said")
                    else None,
                    "url": column["column"],
                    "title": None,
                }
            )
    return entries, doubts, columns


def _doubt(
    source: str, column: str, column_url: str | None, entry: Row, reason: str, detail: str | None, url: str
) -> Row:
    return {
        "source": source,
        "column_key": column,
        "column_url": column_url,
        "agency": entry["agency"],
        "year": entry["year"],
        "upto": None,
        "reason": reason or "unknown",
        "detail": detail,
        "url": url,
        "title": entry["title"],
    }
