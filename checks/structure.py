"""Rules about the report as a document: its parts, its year, its contact details."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from checks.registry import rule
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
        yield Finding(
            "report.sections",
            "info",
            "a report under the 2008 regulation (before the uniform formats): "
            "free-form statistics, not mapped to the tables; its text is kept",
        )
        return
    missing = [key for key in PART_TITLES if key not in report.parts]
    if missing:
        names = "、".join(PART_TITLES[m] for m in missing)
        # a warning, not an error: a heading printed as an image or in an unusual wording looks the same
        yield Finding(
            "report.sections", "warning", f"{len(missing)} of the six parts not found: {names}", cells=tuple(missing)
        )
    for part, attr in _TABLE_PARTS.items():
        if getattr(report, attr) is None and part not in report.unreadable_parts:  # those say why themselves
            yield Finding(
                "report.sections",
                "warning",
                f"part {PART_TITLES[part]}: no table nianbao can read (an image, an attachment, or cut off?)",
                cells=(part,),
                kind="unreadable",
            )
    yield from (note for note in report.notes if note.rule == "report.sections")


@rule("report.cells", severity="warning", kind="unreadable")
def report_cells(report: Report) -> Iterator[Finding]:
    """A table cell holds text where a number belongs (its text is kept in `raw`)."""
    yield from (note for note in report.notes if note.rule == "report.cells")


@rule("report.year", severity="warning")
def report_year(report: Report) -> Iterator[Finding]:
    """The year in the title and the year of the statistics period (统计期限) disagree."""
    if report.title_year and report.period_year and report.title_year != report.period_year:
        yield Finding(
            "report.year",
            "warning",
            f"the title says {report.title_year} but the statistics period is {report.period_year}",
        )


@rule("report.contacts", severity="warning")
def report_contacts(report: Report) -> Iterator[Finding]:
    """The report gives two different values for the same contact detail (postal code, phone, email)."""
    text = unicodedata.normalize("NFKC", report.text)
    for name, pattern in _CONTACTS:
        values = list(dict.fromkeys(m.group(1).replace("－", "-").replace("—", "-") for m in pattern.finditer(text)))
        if len(values) > 1:
            yield Finding(
                "report.contacts", "warning", f"{name} given as {' and '.join(values)}", raw=", ".join(values)
            )
