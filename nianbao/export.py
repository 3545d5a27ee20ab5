"""`nianbao export`: the database as three tables for Excel and WPS, in the reader's language — the
status of each agency and year (with why a verdict is withheld), the open findings with their
evidence in words and the cells involved, and every number of the current reports in long form,
its row and column named as the uniform format names them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from functools import cache, lru_cache, partial
from itertools import groupby
from typing import Any

import sqlite_utils

from checks.deadlines import deadline
from checks.levels import infer_level
from checks.registry import all_rules
from nianbao.core.config import Deadlines
from nianbao.core.findings import StoredFinding
from nianbao.core.languages import DEFAULT_LANGUAGE, language
from nianbao.core.messages import N_, cell_label, gettext_for
from nianbao.core.report import PART_TITLES, REVIEW_LABELS, CellKey
from nianbao.status import NO, YES, status_rows
from storage.exports import current_cells
from storage.overview import all_reports, configured_agencies, open_findings
from storage.reports import cells_of
from views.sheets import Column, Sheet, Value
from views.site import KIND_LABELS, evidence_items
from views.status import levels
from views.tables import evidence_cells, number, report_tables

STATUS_COLUMNS = (
    (N_("Agency"), "text"),
    (N_("Level"), "text"),
    (N_("Portal"), "text"),
    (N_("Year"), "number"),
    (N_("Status"), "text"),
    (N_("Deadline"), "date"),
    (N_("Published"), "date"),
    (N_("found"), "text"),
    (N_("late"), "text"),
    (N_("missing"), "text"),
    (N_("inconsistent"), "number"),
    (N_("unchecked"), "number"),
    (N_("Why no verdict"), "long"),
    (N_("Title"), "text"),
    (N_("Address"), "text"),
)
FINDING_COLUMNS = (
    (N_("Finding id"), "number"),
    (N_("Agency"), "text"),
    (N_("Year"), "number"),
    (N_("Portal"), "text"),
    (N_("Kind"), "text"),
    (N_("Severity"), "text"),
    (N_("Message"), "long"),
    (N_("Cells involved"), "long"),
    (N_("Evidence"), "long"),
    (N_("Rule"), "text"),
    (N_("What the rule checks"), "long"),
    (N_("First seen"), "date"),
    (N_("Snoozed until"), "date"),
    (N_("Address"), "text"),
)
NUMBER_COLUMNS = (
    (N_("Agency"), "text"),
    (N_("Year"), "number"),
    (N_("Part"), "text"),
    (N_("Table row"), "wide"),
    (N_("Table column"), "text"),
    (N_("Value"), "number"),
    (N_("Read with certainty"), "text"),
    (N_("Cell"), "text"),
    (N_("Report id"), "number"),
)
SEVERITIES = {"error": N_("error"), "warning": N_("warning"), "info": N_("information")}


def export_sheets(
    db: sqlite_utils.Database, *, deadlines: Deadlines, lang: str = DEFAULT_LANGUAGE, year: int | None = None
) -> list[Sheet]:
    """The three sheets (of `year`, or of every year), their rows read from `db` when written."""
    _ = gettext_for(lang)

    def columns(spec: Sequence[tuple[str, str]]) -> tuple[Column, ...]:
        return tuple(Column(_(head), kind) for head, kind in spec)

    return [
        Sheet(
            _("Status by agency and year"),
            "status",
            columns(STATUS_COLUMNS),
            lambda: _status(db, deadlines, lang, year),
        ),
        Sheet(_("Open findings"), "findings", columns(FINDING_COLUMNS), lambda: _findings(db, lang, year)),
        Sheet(_("Numbers of the reports"), "numbers", columns(NUMBER_COLUMNS), lambda: _numbers(db, lang, year)),
    ]


def _status(db: sqlite_utils.Database, deadlines: Deadlines, lang: str, year: int | None) -> Iterator[list[Value]]:
    """One row per agency and year (the `status_by_agency_year` view), with the one doubt that
    withholds a verdict, and the deadline for the agency's level."""
    _ = gettext_for(lang)
    agencies = {a["name"]: a for a in configured_agencies(db)}
    reports = {r["id"]: r for r in all_reports(db)}
    level_names = levels(lang)
    for row in status_rows(db, year=year):
        agency = agencies.get(row["agency"], {})
        level = agency.get("level") or infer_level(row["agency"])
        report = reports.get(row["report_id"]) or {}
        withheld = row["withheld_said"].text(lang) if row["withheld_said"] else row["withheld_by"]
        yield [
            row["agency"],
            level_names.get(level, level),
            agency.get("portal") or report.get("portal"),
            row["year"],
            _(row["status"]) if row["status"] else None,
            deadline(level, row["year"], deadlines),
            _day(row["published_at"]),
            _(YES) if row["found"] else _(NO),
            _(YES) if row["late"] else _(NO),
            _(YES) if row["missing"] else _(NO),
            row["inconsistent"] or 0,
            row["could_not_check"] or 0,
            withheld,
            report.get("title"),
            report.get("url"),
        ]


def _findings(db: sqlite_utils.Database, lang: str, year: int | None) -> Iterator[list[Value]]:
    """Each open finding as the site shows it: its message, the cells it names with the values the
    report gives them, and its evidence, all in words."""
    _ = gettext_for(lang)
    rules = all_rules()
    # a report's cells, for the findings about it (a few reports at a time: a province has thousands)
    cells = lru_cache(maxsize=16)(partial(cells_of, db))
    for f in open_findings(db):
        if year is not None and f.year not in (year, None):
            continue
        rule = rules.get(f.rule or "")
        evidence = "\n".join(f"{name}{language(lang).colon}{text}" for name, text in evidence_items(f.evidence, lang))
        yield [
            f.id,
            f.agency,
            f.year,
            f.portal,
            _(KIND_LABELS[f.kind]) if f.kind in KIND_LABELS else f.kind,
            _(SEVERITIES[f.severity]) if f.severity in SEVERITIES else f.severity,
            f.text(lang),
            _cells_involved(f, cells(f.report_id) if f.report_id is not None else {}, lang),
            evidence,
            f.rule,
            _(rule.doc) if rule and rule.doc else None,
            _day(f.first_seen),
            _day(f.snoozed_until),
            f.url or f.evidence.get("url"),
        ]


def _cells_involved(f: StoredFinding, values: dict[tuple[str, str, str], Any], lang: str) -> str | None:
    """The cells a finding names, each in words with the value the report gives it:
    "（七）总计·自然人：3"."""
    out = []
    for address in evidence_cells(f.evidence):
        value = values.get(CellKey.parse(address))
        shown = cell_label(address)
        out.append(shown if value is None else f"{shown}{language(lang).colon}{number(value)}")
    return "\n".join(out) or None


def _numbers(db: sqlite_utils.Database, lang: str, year: int | None) -> Iterator[list[Value]]:
    """Every number in long form, each report's cells in the order the uniform format prints them."""
    _ = gettext_for(lang)
    names = cell_names()
    certainty = {1: _(YES), 0: _(NO)}
    for _report, group in groupby(current_cells(db, year=year), key=lambda c: c["report_id"]):
        cells = sorted(group, key=lambda c: names.get((c["part"], c["row_key"], c["column_key"]), (len(names),))[0])
        for c in cells:
            where = (c["part"], c["row_key"], c["column_key"])
            _order, row_name, column_name = names.get(where, (0, c["row_key"], c["column_key"]))
            yield [
                c["agency"],
                c["year"],
                PART_TITLES.get(c["part"], c["part"]),
                row_name,
                column_name,
                _value(c["value"]),
                certainty.get(c["certain"]),
                ".".join(where),
                c["report_id"],
            ]


@cache
def cell_names() -> dict[tuple[str, str, str], tuple[int, str, str]]:
    """(part, row, column) -> (its place in the printed tables, the row's name, the column's name), as
    the uniform format names them: the rows of table 3 with their group (三、本年度办理结果 （三）不予公开
    1.属于国家秘密), table 4's groups (行政复议) and results (结果维持)."""
    names: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    for table in report_tables({}):
        for row in table.rows:
            for cell in row.cells:
                part, key, column = cell.where
                if part == "review_litigation":
                    names[cell.where] = (len(names), REVIEW_LABELS[key], REVIEW_LABELS[column])
                else:
                    names[cell.where] = (len(names), row.label, cell.column)
    return names


def _value(value: Any) -> int | float | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, (int, float)) else None


def _day(text: str | None) -> date | None:
    """The day of an ISO date or timestamp as a date (a spreadsheet sorts and filters it as one)."""
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None
