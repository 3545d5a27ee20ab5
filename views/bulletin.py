"""The 通报 a 政务公开办 issues after its annual check of the reports, drafted from the stored findings:
the title, the legal basis, the counts, then by problem the agencies named, what the findings say
(the cells in words) and the rules behind them, the requirements, and a table of every agency.

Nothing goes in that no stored finding (or, for the table, the status view) backs; a finding a
person dismissed stays out, and the draft's note says how many did.  The draft is in Chinese whatever
the language setting: a 通报 is a Chinese official document, and its set phrases are the genre's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from checks.deadlines import deadline
from checks.levels import infer_level
from checks.registry import all_rules
from nianbao.core.config import Deadlines
from nianbao.core.findings import StoredFinding
from nianbao.core.messages import Said, cell_label, chinese_date, gettext_for
from nianbao.core.report import CellKey
from storage.exports import findings_of_year, last_check
from storage.overview import configured_agencies, status_grid
from storage.reports import cells_of
from views.tables import evidence_cells, number

ARTICLE_49 = (
    "县级以上人民政府部门应当在每年1月31日前向本级政府信息公开工作主管部门提交本行政机关上一年度政府信息公开工作"
    "年度报告并向社会公布。县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级政府上一"
    "年度政府信息公开工作年度报告。"
)
FORMAT_NOTICE = (
    "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
    "（国办公开办函〔2021〕30号，以下简称《格式》）"
)
DEADLINE_BASIS = (
    "《条例》第四十九条规定：“" + ARTICLE_49 + "”乡镇人民政府的公开期限依照本地规定执行，各单位的期限见上文。"
)
FORMAT_BASIS = (
    "《条例》第五十条规定了年度报告应当包括的内容，并规定“全国政府信息公开工作主管部门应当公布政府信息公开工作年度报告"
    "统一格式，并适时更新”；《格式》规定了年度报告的统一表格及各项数据之间的勾稽关系。"
)


@dataclass(frozen=True, slots=True)
class Problem:
    """A kind of finding the 通报 names agencies for: its heading, the sentence before the list
    (`{n}` agencies), the law it rests on, and what those agencies are asked to do."""

    kind: str
    short: str  # its name in the counts and the table
    heading: str
    intro: str
    basis: str
    requirement: str


PROBLEMS = (
    Problem(
        "missing",
        "未公开",
        "未公开年度报告",
        "截至{as_of}，经完整读取网站年度报告栏目，以下{n}家单位未公开{year}年度政府信息公开工作年度报告：",
        DEADLINE_BASIS,
        "未公开年度报告的单位，请立即在本单位政府信息公开专栏公开{year}年度报告。",
    ),
    Problem(
        "late",
        "逾期公开",
        "逾期公开年度报告",
        "以下{n}家单位公开{year}年度报告的时间晚于规定期限：",
        DEADLINE_BASIS,
        "逾期公开的单位，请查找原因，今后严格按照《条例》第四十九条规定的期限公开。",
    ),
    Problem(
        "inconsistent",
        "数据不一致",
        "年度报告数据不一致",
        "以下{n}家单位的年度报告中，表格数据不符合《格式》规定的勾稽关系，或正文所述与表格不一致：",
        FORMAT_BASIS,
        "数据不一致的单位，请对照《格式》核对原始台账，更正后重新发布，并说明更正情况。",
    ),
    Problem(
        "unreadable",
        "无法核验",
        "年度报告无法核验",
        "以下{n}家单位的年度报告已找到，但其表格未能准确读取，数据无法核验。此类情况不认定为报告存在问题：",
        FORMAT_BASIS,
        "报告无法核验的单位，请核对本单位报告表格是否完整、规范，必要时重新发布。",
    ),
    Problem(
        "not_assessable",
        "无法判断",
        "无法判断是否按时公开",
        "以下{n}家单位所在网站在公开期限后未能完整读取，无法判断其是否按时公开，不认定为未公开：",
        DEADLINE_BASIS,
        "无法判断的单位，请核实本单位网站年度报告栏目能否正常访问。",
    ),
)
# severities that count: as the status view counts them (an "info" inconsistency is no accusation)
_COUNTED = {
    "missing": ("error", "warning"),
    "late": ("error", "warning"),
    "inconsistent": ("error", "warning"),
    "unreadable": ("error", "warning", "info"),
    "not_assessable": ("error", "warning", "info"),
}


@dataclass(frozen=True, slots=True)
class Entry:
    """An agency named under a problem, and what its findings say (one line each)."""

    agency: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    problem: Problem
    intro: str
    entries: tuple[Entry, ...]
    rules: tuple[str, ...]  # what each rule behind the findings checks


@dataclass(frozen=True, slots=True)
class Bulletin:
    year: int
    as_of: date
    title: str
    opening: str
    summary: str
    counts: dict[str, int]  # "agencies", "on time", and each problem's kind: agencies named
    sections: tuple[Section, ...]
    requirements: tuple[str, ...]
    note: str
    table: tuple[tuple[str, ...], ...]  # 附件: one row per agency (序号, 单位, 期限, 发布日期, 检查结论)
    table_head: tuple[str, ...] = ("序号", "单位", "公开期限", "发布日期", "检查结论")


def draft(db: sqlite_utils.Database, year: int, *, deadlines: Deadlines) -> Bulletin | None:
    """The draft for the reports of `year`, as the last check left the findings (None: no check has
    run on this database)."""
    check = last_check(db)
    if check is None:
        return None
    as_of = date.fromisoformat(str(check["as_of"])[:10])
    findings = findings_of_year(db, year)
    kept = [f for f in findings if f.dismissed_at is None and f.severity in _COUNTED.get(f.kind, ())]
    dismissed = sum(1 for f in findings if f.dismissed_at is not None and f.severity in _COUNTED.get(f.kind, ()))
    statuses = [r for r in status_grid(db) if r["year"] == year]
    sections = tuple(s for s in (_section(db, p, kept, year, as_of) for p in PROBLEMS) if s.entries)
    counts = {"agencies": len(statuses), "on time": sum(1 for r in statuses if r["status"] == "on time")}
    counts |= {p.kind: len({f.agency for f in kept if f.kind == p.kind}) for p in PROBLEMS}
    return Bulletin(
        year=year,
        as_of=as_of,
        title=f"关于{year}年度政府信息公开工作年度报告检查情况的通报",
        opening=(
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第四十九条、第五十条和{FORMAT_NOTICE}的规定，"
            f"我办对{counts['agencies']}家单位{year}年度政府信息公开工作年度报告的公开情况和数据进行了检查"
            f"（截至{chinese_date(as_of.isoformat())}）。现将有关情况通报如下。"
        ),
        summary=_summary(counts, year, overlap=len({f.agency for f in kept}) < sum(counts[p.kind] for p in PROBLEMS)),
        counts=counts,
        sections=sections,
        requirements=tuple(s.problem.requirement.format(year=year) for s in sections),
        note=_note(as_of, dismissed),
        table=_table(db, statuses, kept, year, deadlines),
    )


def _summary(counts: dict[str, int], year: int, *, overlap: bool) -> str:
    problems = "，".join(f"{p.short}的{counts[p.kind]}家" for p in PROBLEMS)
    return (
        f"本次检查共涉及{counts['agencies']}家单位的{year}年度报告。其中，按时公开且未发现下述问题的"
        f"{counts['on time']}家；{problems}" + ("（有的单位存在多类问题）。" if overlap else "。")
    )


def _note(as_of: date, dismissed: int) -> str:
    left_out = f"经人工核实后排除的{dismissed}条检查结论未列入；" if dismissed else "没有经人工排除的检查结论；"
    return (
        f"说明：本稿由nianbao根据数据库中截至{chinese_date(as_of.isoformat())}的检查结论自动生成，"
        f"只列入尚未解决的检查结论；{left_out}质量提示和报告修改记录未列入。印发前请核对、修改。"
    )


def _section(
    db: sqlite_utils.Database, problem: Problem, kept: Sequence[StoredFinding], year: int, as_of: date
) -> Section:
    mine = [f for f in kept if f.kind == problem.kind]
    by_agency: dict[str, list[StoredFinding]] = defaultdict(list)
    for f in mine:
        by_agency[f.agency or ""].append(f)
    entries = tuple(Entry(agency, tuple(_line(db, f) for f in items)) for agency, items in sorted(by_agency.items()))
    intro = problem.intro.format(as_of=chinese_date(as_of.isoformat()), n=len(entries), year=year)
    return Section(problem, intro, entries, _rules(f.rule for f in mine))


def _rules(ids: Iterable[str | None]) -> tuple[str, ...]:
    _ = gettext_for("zh_CN")
    registry = all_rules()
    out = []
    for rule_id in dict.fromkeys(i for i in ids if i):
        rule = registry.get(rule_id)
        out.append(_(rule.doc) if rule and rule.doc else rule_id)
    return tuple(out)


def _line(db: sqlite_utils.Database, f: StoredFinding) -> str:
    """What a finding says, in Chinese: a missing report's evidence without the columns' addresses
    (how many were read instead), an inconsistency with the cells it names and their values."""
    said = f.said
    if said is not None and said.template in ("deadline.missing_ledger", "deadline.missing_read"):
        inner = said.params.get("inner")
        read = f.evidence.get("read") or []
        text = inner.text("zh_CN") if isinstance(inner, Said) else f.text("zh_CN")
        return text + (f"（完整读取年度报告栏目{len(read)}个）" if read else "")
    text = f.text("zh_CN")
    cells = _cells_in_words(db, f) if f.kind == "inconsistent" else ""
    return f"{text}（涉及{cells}）" if cells else text


def _cells_in_words(db: sqlite_utils.Database, f: StoredFinding) -> str:
    values: dict[tuple[str, str, str], Any] = cells_of(db, f.report_id) if f.report_id is not None else {}
    out = []
    for address in evidence_cells(f.evidence):
        value = values.get(CellKey.parse(address))
        out.append(f"“{cell_label(address)}”" + (f"，报告填写{number(value)}" if value is not None else ""))
    return "；".join(out)


def _table(
    db: sqlite_utils.Database,
    statuses: Sequence[dict[str, Any]],
    kept: Sequence[StoredFinding],
    year: int,
    deadlines: Deadlines,
) -> tuple[tuple[str, ...], ...]:
    """Every agency with a status for the year: its deadline, publication date and what the check
    concluded (each problem named, else the status)."""
    _ = gettext_for("zh_CN")
    levels = {a["name"]: a.get("level") for a in configured_agencies(db)}
    named: dict[str, list[str]] = defaultdict(list)
    for p in PROBLEMS:
        for agency in sorted({f.agency or "" for f in kept if f.kind == p.kind}):
            named[agency].append(p.short)
    rows = []
    for index, r in enumerate(sorted(statuses, key=lambda r: str(r["agency"])), start=1):
        level = levels.get(r["agency"]) or infer_level(r["agency"])
        due = chinese_date(deadline(level, year, deadlines).isoformat())
        published = chinese_date(str(r["published_at"])[:10]) if r["published_at"] else "—"
        verdict = "、".join(named.get(r["agency"], [])) or (_(r["status"]) if r["status"] else "—")
        rows.append((str(index), str(r["agency"]), due, published, verdict))
    return tuple(rows)
