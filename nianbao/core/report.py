"""The structured report every parser produces, and its JSON form (`nianbao parse --json`)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from nianbao.core.vocabulary import FindingKind, How, Severity

if TYPE_CHECKING:
    from nianbao.core.messages import Said

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

# The official labels of table 3 (国办公开办函〔2021〕30号), keyed as report-format.md keys them.
APPLICATION_LABELS: tuple[tuple[str, str], ...] = (
    ("new", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld.state_secret", "1.属于国家秘密"),
    ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("withheld.security_stability", "3.危及“三安全一稳定”"),
    ("withheld.third_party", "4.保护第三方合法权益"),
    ("withheld.internal_affairs", "5.属于三类内部事务信息"),
    ("withheld.process_info", "6.属于四类过程性信息"),
    ("withheld.enforcement_files", "7.属于行政执法案卷"),
    ("withheld.inquiry", "8.属于行政查询事项"),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable.unclear", "3.补正后申请内容仍不明确"),
    ("not_processed.complaint", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"),
    ("not_processed.excessive", "4.无正当理由大量反复申请"),
    ("not_processed.reconfirm", "5.要求行政机关确认或重新出具已获取信息"),
    ("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他"),
    ("total", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
)
APPLICANT_LABELS = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_services": "法律服务机构",
    "other": "其他",
    "total": "总计",
}
REVIEW_LABELS = {
    "review": "行政复议",
    "lawsuit_direct": "行政诉讼：未经复议直接起诉",
    "lawsuit_after_review": "行政诉讼：复议后起诉",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
DISCLOSURE_LABELS = {
    "rules": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "penalties": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（单位：万元）",
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


class CellKey(NamedTuple):
    """A cell's address in the uniform tables: part, row and column.  Findings, JSON and the database
    write it dotted ("applications.total.natural_person"); code compares and looks up the tuple.  A
    row's key may itself hold dots ("review_litigation.review.upheld": row "review"), a column never."""

    part: str
    row: str
    column: str

    @classmethod
    def parse(cls, address: str) -> CellKey:
        """ "applications.total.natural_person" -> CellKey("applications", "total", "natural_person")."""
        part, _, rest = address.partition(".")
        row, _, column = rest.rpartition(".")
        return cls(part, row, column)

    @property
    def row_address(self) -> str:
        """The dotted address of the cell's row ("applications.total")."""
        return f"{self.part}.{self.row}" if self.row else self.part

    def __str__(self) -> str:
        return f"{self.part}.{self.row}.{self.column}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a report: a rule id, how bad, and a sentence naming cells and values.

    `kind` is "inconsistent" when the report itself is wrong (every cell involved was read with
    certainty), "unreadable" when nianbao could not read the cells it needed with certainty: the
    finding then says what could not be read, and accuses nobody."""

    rule: str
    severity: Severity
    message: str
    cells: tuple[str, ...] = ()
    raw: str | None = None
    kind: FindingKind = "inconsistent"
    used: tuple[str, ...] = ()  # every cell the rule read to decide (cells: the ones at fault)
    said: Said | None = None  # the message as data; `message` is its English rendering

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "kind": self.kind,
            "message": self.message,
        }
        if self.said is not None:
            data["said"] = self.said.to_json()  # the message as data: {"template": id, "params": {…}}
        if self.cells:
            data["cells"] = list(self.cells)
        if self.used:
            data["used"] = list(self.used)
        if self.raw is not None:
            data["raw"] = self.raw
        return data


@dataclass(frozen=True, slots=True)
class CellReading:
    """How one cell of a scan was read, by two readers that saw different inputs: RapidOCR on the
    whole page, Tesseract on the cell's grey crop.  The number is certain only when both read the
    same and the image has at least 200 dpi; `crop` (a small grey PNG of the cell) is kept where a
    reader may need to see it (an uncertain or offending cell), never in the JSON."""

    value: str  # as taken into the table ("" for a blank cell)
    readings: tuple[str, str]  # (RapidOCR on the page, Tesseract on the cell), as each read it
    agreed: bool
    confidence: float  # the lower of the two readers' (0-1)
    page: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the page image
    dpi: int
    certain: bool
    crop: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "readings": list(self.readings),
            "agreed": self.agreed,
            "confidence": round(self.confidence, 3),
            "page": self.page,
            "box": list(self.box),
            "dpi": self.dpi,
            "certain": self.certain,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CellReading:
        return cls(
            str(data["value"]),
            (str(data["readings"][0]), str(data["readings"][1])),
            bool(data["agreed"]),
            float(data["confidence"]),
            int(data["page"]),
            (int(data["box"][0]), int(data["box"][1]), int(data["box"][2]), int(data["box"][3])),
            int(data["dpi"]),
            bool(data["certain"]),
        )


@dataclass(frozen=True, slots=True)
class RowReading:
    """How one row of a table was read: the evidence a person can check against the document.

    `how` the label was mapped: "exact" (its words), "position" (the template's fixed row order
    places it between two rows read exactly), "similarity" (a garbled label close to the official
    one), "sentence" (the report states the row in prose, e.g. 未收到政府信息公开申请), or "header"
    (review/litigation groups, placed by the column header).  A row is `certain` only when its
    place and every one of its cells are sure; `doubts` say what is not, as messages (template and
    parameters), and `why` is their English, joined by "; " (JSON, the database's `why` column)."""

    part: str
    key: str | None  # None: a row nianbao could not place
    label: str  # as printed
    how: How
    certain: bool
    doubts: tuple[Said, ...] = ()
    cells: tuple[str, ...] = ()  # the value cells as printed, in column order
    page: int | None = None  # PDF: the page (1-based) and the (x, y) of each value, in points
    positions: tuple[tuple[float, float] | None, ...] = ()
    notes: tuple[Said, ...] = ()  # how the numbers were read when it is worth saying (re-read from the text layer)
    # per value cell, the values it may hold when the row is uncertain for its numbers alone (the two
    # readings of a scan's cell where the readers disagree); None: any number >= 0; (): no cell bounded
    options: tuple[tuple[str, ...] | None, ...] = ()
    ocr: tuple[CellReading | None, ...] = ()  # a scan: each value cell's two readings, in column order

    @property
    def why(self) -> str:
        """The doubts in English, as the JSON output and the database's `why` column keep them."""
        return "; ".join(d.en for d in self.doubts)

    @property
    def note(self) -> str:
        """The notes in English, as the JSON output keeps them beside the notes as data."""
        return "; ".join(d.en for d in self.notes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "part": self.part,
            "key": self.key,
            "label": self.label,
            "how": self.how,
            "certain": self.certain,
            "cells": list(self.cells),
        }
        if self.doubts:
            data["why"] = self.why
            data["doubts"] = [d.to_json() for d in self.doubts]  # the same, as data: {"template", "params"}
        if self.notes:
            data["note"] = self.note
            data["notes"] = [d.to_json() for d in self.notes]  # the same, as data: {"template", "params"}
        if self.page is not None:
            data["page"] = self.page
            data["positions"] = [list(p) if p else None for p in self.positions]
        if self.options:
            data["options"] = [list(o) if o is not None else None for o in self.options]
        if self.ocr:
            data["ocr"] = [c.to_json() if c is not None else None for c in self.ocr]
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
    readings: tuple[RowReading, ...] = ()
    unreadable_parts: tuple[str, ...] = ()  # parts whose table is there but cannot be read (e.g. glued digits)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def uncertain(self, cells: Iterable[str]) -> list[RowReading | str]:
        """Of the cells ("applications.new.total", …) a rule uses, the rows not read with certainty
        (their readings), and the rows not read at all (their address)."""
        rows = {(r.part, r.key): r for r in self.readings if r.key is not None}
        out: list[RowReading | str] = []
        for cell in dict.fromkeys(map(CellKey.parse, cells)):
            reading = rows.get((cell.part, cell.row))
            if reading is None:
                out.append(cell.row_address)
            elif not reading.certain and reading not in out:
                out.append(reading)
        return out

    def admissible(self, cell: str) -> Admissible:
        """The values a cell ("applications.total.total") can hold, as far as its reading shows: its
        value when read with certainty; the readings of a scan's cell where the two readers
        disagreed; any number >= 0 (None) for a blank cell, a row not found, or a row uncertain for
        more than its numbers.  Counts are never negative, which is what lets a sum decide."""
        part, key, column = CellKey.parse(cell)
        table: Table | None = getattr(self, part, None) if part in _TABLE_PARTS else None
        value = (table or {}).get(key, {}).get(column)
        reading = next((r for r in self.readings if r.part == part and r.key == key), None)
        if reading is None:
            return None
        if reading.certain:
            return None if value is None else frozenset({value})
        index = _COLUMN_INDEX.get(part, {}).get(column)
        if index is None or index >= len(reading.options) or reading.options[index] is None:
            return None
        values = [_number(text) for text in reading.options[index] or ()]
        if not values or any(v is None for v in values):
            return None  # a blank or unreadable reading: any count
        return frozenset(v for v in values if v is not None)


Admissible = frozenset[int | Decimal] | None  # None: any number >= 0
_TABLE_PARTS = ("active_disclosure", "applications", "review_litigation")
_COLUMN_INDEX = {
    "applications": {c: i for i, c in enumerate(APPLICANT_COLUMNS)},
    "review_litigation": {c: i for i, c in enumerate(REVIEW_FIELDS)},
}
_INTEGER = re.compile(r"^\d{1,9}(?:\.\d{1,4})?$")


def _number(text: str) -> int | Decimal | None:
    """A reading as a count (None when it is blank or not a plain number)."""
    clean = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if not _INTEGER.match(clean):
        return None
    return Decimal(clean) if "." in clean else int(clean)


_CHROME = re.compile(
    r"^(?:发布时间|发布日期|发文日期|时间|来源|作者|浏览次数|浏览量|访问量|阅读次数|字号|索引号|当前位置|您当前的位置|【|分享到|扫一扫|打印|关闭)"
)


def body_lines(report: Report) -> list[str]:
    """The report's own text, normalised: width and spaces folded, and the page's chrome (发布时间,
    浏览次数, 当前位置, 字号 …) left out, so the same report on two pages reads the same."""
    out = []
    for line in report.lines:
        text = "".join(unicodedata.normalize("NFKC", line).split())
        if text and not _CHROME.match(text):
            out.append(text)
    return out


def content_hash(report: Report) -> str:
    """The identity of a report's content: its agency, year, every number and its normalised text.
    The same report reached under two URLs (other chrome, other attachment link) has one identity;
    a re-publication with only a new date keeps it; a changed number or sentence does not."""
    tables = {
        "a": table_json(report.active_disclosure),
        "p": table_json(report.applications),
        "r": table_json(report.review_litigation),
    }
    payload = json.dumps([report.agency, report.year, tables, body_lines(report)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
        "reading": [r.to_json() for r in report.readings],
    }
    tables = (report.active_disclosure, report.applications, report.review_litigation)
    if report.format != "2021" or None in tables:  # what the tables could not hold is kept as text
        data["text"] = report.text
    if report.source is not None:
        data["source"] = report.source
    return data
