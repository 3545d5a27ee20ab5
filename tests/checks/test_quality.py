"""Quality rules: each real case of INDEX.md is found, the clean 平潭 reports give none, and each
rule has a fixture that breaks it and one that keeps it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from checks.quality import copied, similarity
from checks.registry import all_rules, check_report
from checks.run import run_checks
from crawler.sink import Document
from nianbao.core.config import Agency, Config, Portal
from nianbao.core.messages import said
from nianbao.core.report import Finding, Report, body_lines
from nianbao.ingest import ingest
from nianbao.sample.reports import SampleReport, balanced, report_text
from parsers import parse_bytes
from storage.db import open_db

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"
QUALITY = ("quality.copied", "quality.template_residue", "quality.wrong_reference", "quality.impossible")


def _report(name: str) -> Report:
    path = next(REPORTS.glob(f"{name}*"))
    return parse_bytes(path.read_bytes(), source=path.name)


def _quality(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule.startswith("quality.")]


def test_quality_rules_are_registered_as_their_own_kind() -> None:
    rules = all_rules()
    for rule_id in QUALITY:
        assert rules[rule_id].kinds == ("quality",)
        assert rules[rule_id].doc


@pytest.mark.parametrize(
    ("name", "rule_id", "words"),
    [
        ("13_", "quality.impossible", "township cannot make 规章"),
        ("16_", "quality.impossible", "published in 2024, before 2024 ended"),
        ("17_", "quality.template_residue", "(具体网址)"),
        ("19_", "quality.wrong_reference", "国办发〔2021〕30号"),
        ("20_", "quality.wrong_reference", "国办公开办函〔2016〕201号"),
        ("23_", "quality.wrong_reference", "国办公开办涵〔2021〕30号"),
    ],
)
def test_each_real_case_of_the_index_is_found(name: str, rule_id: str, words: str) -> None:
    found = _quality(check_report(_report(name)))
    assert [f.rule for f in found] == [rule_id]
    assert words in found[0].message
    assert found[0].kind == "quality" and found[0].severity == "warning"


@pytest.mark.parametrize("name", ["08_", "09_", "10_", "11_", "12_"])
def test_the_clean_pingtan_reports_give_no_quality_finding(name: str) -> None:
    assert _quality(check_report(_report(name))) == []


def test_consecutive_pingtan_years_are_not_copies() -> None:
    reports = [_report(n) for n in ("08_", "09_", "10_", "11_")]
    for last, this in zip(reports, reports[1:], strict=False):
        texts = ("\n".join(body_lines(this)), "\n".join(body_lines(last)))
        assert this.year is not None
        assert list(copied({}, {}, this.year, texts=texts)) == []


def _text(report: Report) -> str:
    return "\n".join(body_lines(report))


def test_a_report_that_repeats_last_years_prose_is_a_copy() -> None:
    last = _text(_report("10_"))  # 2023
    this = last.replace("2023", "2024").replace("81", "79")  # the year and a few numbers changed
    found = list(copied({}, {}, 2024, texts=(this, last)))
    assert [f.rule for f in found] == ["quality.copied"] and "100%" in found[0].message
    # a report that rewrote a third of its sentences is not a copy
    sentences = last.split("。")
    rewritten = "。".join(
        s if n % 3 else f"本年度围绕第{'甲乙丙丁戊己庚辛'[n % 8]}类重点领域开展了专项工作{'子丑寅卯辰'[n % 5]}"
        for n, s in enumerate(sentences)
    )
    assert similarity(rewritten, last) < 0.9
    assert list(copied({}, {}, 2024, texts=(rewritten, last))) == []


def test_every_number_equal_to_last_years_is_a_copy_but_all_zeros_are_not() -> None:
    cells = {("applications", "new", c): float(n) for c, n in zip("abcdefg", (3, 1, 0, 2, 0, 4, 10), strict=True)}
    assert [f.rule for f in copied(cells, dict(cells), 2025)] == ["quality.copied"]
    changed = {**cells, ("applications", "new", "a"): 4.0}
    assert list(copied(changed, cells, 2025)) == []
    zeros = {k: 0.0 for k in cells}  # a township that received nothing, two years running: nothing copied
    assert list(copied(zeros, dict(zeros), 2025)) == []


def _sample(agency: str, year: int, claim: str | None = None) -> str:
    return report_text(SampleReport(agency=agency, year=year, applications=balanced(1), claim=claim))


def test_each_rule_keeps_a_correct_report() -> None:
    # a township whose 规章 row is all zero; a 2024 report that says the 2023 report went out in January 2024
    text = _sample("某某县龙山镇人民政府", 2024).replace(
        "(一)主动公开情况。",
        "(一)主动公开情况。按时完成2023年政府信息公开工作年度报告,于2024年1月15日在本网站公布。"
        "本报告依据国办公开办函〔2021〕30号编制,电子版见 http://www.example.gov.cn/XXgk/nb.htm 。",
    )
    assert _quality(check_report(parse_bytes(text.encode()))) == []


def test_each_rule_is_broken_by_a_planted_case() -> None:
    text = _sample("某某县龙山镇人民政府", 2024).replace(
        "(一)主动公开情况。",
        "(一)主动公开情况。按时完成2024年政府信息公开工作年度报告,于2024年1月15日在本网站公布。"
        "本报告依据国办发〔2021〕30号编制,电子版见XX镇政府网站【】栏目。",
    )
    text = text.replace("规章 | 0 | 0 | 0 |", "规章 | 1 | 0 | 3 |").replace("统计期限为2024年", "统计期限为2023年")
    found = _quality(check_report(parse_bytes(text.encode())))
    rules = sorted(f.rule for f in found)
    assert rules.count("quality.impossible") == 2  # 规章 at a township; the 2024 report out in January 2024
    assert rules.count("quality.wrong_reference") == 2  # 国办发; the statistics period 2023
    assert {f.raw for f in found if f.rule == "quality.template_residue"} >= {
        next(f.raw for f in found if "XX" in (f.raw or "")),
    }
    assert any("【】" in f.message for f in found)
    impossible = next(f for f in found if "规章" in f.message)
    assert impossible.cells == ("active_disclosure.rules.issued", "active_disclosure.rules.in_force")


def test_quality_findings_are_stored_as_quality_and_never_count_as_inconsistent(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    agency = "某某县龙山镇人民政府"
    config = Config(portals=(Portal("县", ("http://127.0.0.1/nb.htm",)),), agencies=(Agency(agency, "township", "县"),))
    prose = "".join(
        f"第{n}项工作:我镇围绕政务公开标准化规范化建设开展了扎实有效的工作,取得了较好成效。" for n in range(12)
    )
    for year in (2023, 2024):
        text = _sample(agency, year, claim=prose).replace("(具体", "(")
        ingest(
            db,
            Document(f"http://127.0.0.1/{year}.htm", text.encode(), portal="县", list_date=f"{year + 1}-01-20"),
            now=f"{year + 1}-01-20T00:00:00",
        )
    db.table("crawl_runs").insert(
        {
            "portal": "县",
            "started_at": "2026-02-10T00:00:00",
            "finished_at": "2026-02-10T01:00:00",
            "outcome": "complete",
        }
    )
    run_checks(db, config, as_of=date(2025, 2, 15), now="2025-02-15T00:00:00")
    rows = list(db.query("SELECT kind, rule, year, message FROM findings"))
    assert [(r["kind"], r["rule"], r["year"]) for r in rows] == [("quality", "quality.copied", 2024)]
    status = {(r["agency"], r["year"]): r for r in db.query("SELECT * FROM status_by_agency_year")}
    assert status[(agency, 2024)]["inconsistent"] == 0 and status[(agency, 2024)]["status"] == "on time"
    assert re.search(r"\d+%", rows[0]["message"])


def test_a_row_nianbao_did_not_read_with_certainty_puts_no_claim_on_the_agency() -> None:
    """A failure of nianbao's reading (the 规章 row of file 13 marked uncertain) is no quality finding."""
    from dataclasses import replace

    report = _report("13_")
    doubtful = tuple(
        replace(r, certain=False, doubts=(said("why.disagree", trouble="6 / 0"),))
        if (r.part, r.key) == ("active_disclosure", "rules")
        else r
        for r in report.readings
    )
    assert [f.rule for f in _quality(check_report(report))] == ["quality.impossible"]
    assert _quality(check_report(replace(report, readings=doubtful))) == []
