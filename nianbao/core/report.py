"""The structured report every parser produces, and its JSON form (`nianbao parse --json`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other", "total")
APPLICATION_ROWS = (
    "new",
    "carried_over",
    "granted",
    "partially_granted",
    "withheld.state_secret",
    "withheld.prohibited_by_law",
    "withheld.security_stability",
    "withheld.third_party",
    "withheld.internal_affairs",
    "withheld.process_info",
    "withheld.enforcement_files",
    "withheld.inquiry",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.unclear",
    "not_processed.complaint",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.reconfirm",
    "other.no_correction",
    "other.unpaid_fee",
    "other.other",
    "total",
    "carried_forward",
)
OUTCOME_ROWS = APPLICATION_ROWS[2:23]
REVIEW_GROUPS = ("review", "lawsuit_direct", "lawsuit_after_review")
REVIEW_FIELDS = ("upheld", "corrected", "other", "pending", "total")
DISCLOSURE_ROWS: dict[str, tuple[str, ...]] = {
    "rules": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalties": ("decisions",),
    "enforcement": ("decisions",),
    "fees": ("amount_10k_yuan",),
}

Number = int | Decimal | None
PART_TITLES = {
    "overview": "一、总体情况",
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other_matters": "六、其他需要报告的事项",
}
Table = dict[str, dict[str, Number]]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a report: a rule id, how bad, and a sentence naming cells and values."""

    rule: str
    severity: str  # "error" | "warning" | "info"
    message: str
    cells: tuple[str, ...] = ()
    raw: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "severity": self.severity, "message": self.message}
        if self.cells:
            data["cells"] = list(self.cells)
        if self.raw is not None:
            data["raw"] = self.raw
        return data


@dataclass(frozen=True, slots=True)
class Report:
    """A parsed annual report; tables are None when the report has no such table at all."""

    title: str | None
    agency: str | None
    year: int | None
    format: str
    published_at: str | None
    signed_at: str | None
    active_disclosure: Table | None
    applications: Table | None
    review_litigation: Table | None
    parts: tuple[str, ...]
    lines: tuple[str, ...]
    notes: tuple[Finding, ...] = ()  # what the parser could not map; rules turn these into findings
    title_year: int | None = None
    period_year: int | None = None
    kind: str = "text"
    encoding: str | None = None
    source: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def to_json_number(value: Number) -> int | float | None:
    """Decimals become floats only at the JSON edge; whole decimals become ints."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def table_json(table: Table | None) -> dict[str, dict[str, int | float | None]] | None:
    if table is None:
        return None
    return {row: {col: to_json_number(v) for col, v in cols.items()} for row, cols in table.items()}


def to_json(report: Report, findings: list[Finding] | tuple[Finding, ...]) -> dict[str, Any]:
    """The document of interfaces.md; keys are report-format.md's."""
    data: dict[str, Any] = {
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "format": report.format,
        "published_at": report.published_at,
        "signed_at": report.signed_at,
        "active_disclosure": table_json(report.active_disclosure),
        "applications": table_json(report.applications),
        "review_litigation": table_json(report.review_litigation),
        "parts": list(report.parts),
        "findings": [f.to_json() for f in findings],
    }
    tables = (report.active_disclosure, report.applications, report.review_litigation)
    if report.format != "2021" or None in tables:  # what the tables could not hold is kept as text
        data["text"] = report.text
    if report.source is not None:
        data["source"] = report.source
    return data
