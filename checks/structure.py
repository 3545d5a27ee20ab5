"""Rules about the report as a document: its parts, its year, its contact details."""

from __future__ import annotations

import re
from collections.abc import Iterator

from checks import prose
from checks.consistency import finding
from checks.registry import rule
from nianbao.core.messages import said
from nianbao.core.report import PART_TITLES, Finding, Report

_TABLE_PARTS = {
    "active_disclosure": "active_disclosure",
    "applications": "applications",
    "review_litigation": "review_litigation",
}
_CONTACTS = (
    ("postal code", re.compile(r"(?:邮政编码|邮编)\s*[:：]?\s*(\d{6})(?!\d)")),
    ("phone", re.compile(r"(?:咨询电话|联系电话)\s*[:：]?\s*((?:\d{3,4}[-－—]?)?\d{7,8})(?!\d)")),
    ("email", re.compile(r"(?:电子邮箱|邮箱|E-?mail)\s*[:：]?\s*([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.I)),
)


@rule("report.sections", severity="error", kind=("inconsistent", "unreadable"), also=("warning", "info"))
def report_sections(report: Report) -> Iterator[Finding]:
    """One of the six parts is missing, or its table is missing or not the uniform format."""
    if report.format == "legacy":
        yield finding("report.sections", "info", said("report.legacy"))
        return
    missing = [key for key in PART_TITLES if key not in report.parts]
    if missing:
        # a warning, not an error: a heading printed as an image or in an unusual wording looks the same
        message = said("report.sections.missing", count=len(missing), parts=missing)
        yield finding("report.sections", "warning", message, cells=tuple(missing))
    for part, attr in _TABLE_PARTS.items():
        if getattr(report, attr) is None and part not in report.unreadable_parts:  # those say why themselves
            message = said("report.sections.no_table", part=part)
            yield finding("report.sections", "warning", message, cells=(part,), kind="unreadable")
    yield from (note for note in report.notes if note.rule == "report.sections")


@rule("report.cells", severity="warning", kind="unreadable")
def report_cells(report: Report) -> Iterator[Finding]:
    """A table cell holds text where a number belongs (its text is kept in `raw`)."""
    yield from (note for note in report.notes if note.rule == "report.cells")


@rule("report.year", severity="warning")
def report_year(report: Report) -> Iterator[Finding]:
    """The year in the title and the year of the statistics period (统计期限) disagree."""
    if report.title_year and report.period_year and report.title_year != report.period_year:
        message = said("report.year", title_year=report.title_year, period_year=report.period_year)
        yield finding("report.year", "warning", message)


@rule("report.contacts", severity="warning")
def report_contacts(report: Report) -> Iterator[Finding]:
    """The report gives two different values for the same contact detail (postal code, phone, email)."""
    text = prose.text(report)  # contact details are stated in sentences, never in the standard tables
    for name, pattern in _CONTACTS:
        values = list(dict.fromkeys(m.group(1).replace("－", "-").replace("—", "-") for m in pattern.finditer(text)))
        if len(values) > 1:
            message = said("report.contacts", contact=f"contact.{name}", values=values)
            yield finding("report.contacts", "warning", message, raw=", ".join(values))
