"""Before any verdict, whose report each stored report is: the name a report gives is mapped to the
watched agency it names (nianbao.core.agencies: normalised, the portal's region optional, aliases),
so 红旗乡人民政府 on 某某县's portal is the report of the configured 某某县红旗乡人民政府 — never of a
look-alike.  A report that maps to no watched agency keeps its own name (agencies seen in reports
are expected in later years too) and is recorded as unmatched, for `status` and the site to list.
A report that could be two watched agencies is nobody's: it is left out of the verdicts (under its
own name it would go to one of them, the look-alike perhaps) and listed with both."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from nianbao.core.agencies import Match, Matcher
from storage.matches import record_matches, report_names

Row = dict[str, Any]


def attribute(
    db: sqlite_utils.Database, matcher: Matcher, reports: list[Row], unreadable: dict[tuple[str, int], Row]
) -> tuple[list[Row], dict[tuple[str, int], Row]]:
    """The current reports and the unreadable documents under their watched agencies' names (a
    renamed report row keeps its own name as `written`); what was decided is recorded."""
    cache: dict[tuple[str | None, str | None], Match] = {}

    def match(name: str | None, portal: str | None) -> Match:
        if (name, portal) not in cache:
            cache[(name, portal)] = matcher.match(name, portal)
        return cache[(name, portal)]

    recorded = []
    for row in report_names(db):
        found = match(row["agency"], row["portal"])
        if found.how != "same":
            recorded.append(_recorded(row, found, report_id=row["id"]))
    named: dict[tuple[str, int], Row] = {}
    for (agency, year), doc in unreadable.items():
        found = match(agency, doc["portal"])
        if found.agency is None:
            recorded.append(_recorded({**doc, "agency": agency, "year": year}, found, report_id=None))
        if found.how != "ambiguous":
            named.setdefault((found.agency or agency, year), doc)
    record_matches(db, recorded)
    mapped = []
    for row in reports:
        found = match(row["agency"], row["portal"])
        if found.how == "ambiguous":
            continue
        renamed = found.agency is not None and found.agency != row["agency"]
        mapped.append({**row, "agency": found.agency, "written": row["agency"]} if renamed else row)
    return mapped, named


def _recorded(row: Row, found: Match, *, report_id: int | None) -> Row:
    return {
        "report_id": report_id,
        "url": row["url"],
        "portal": row["portal"],
        "written": row["agency"],
        "year": row["year"],
        "agency": found.agency,
        "how": found.how,
        "candidates": found.candidates,
    }
