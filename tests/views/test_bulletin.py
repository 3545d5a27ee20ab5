"""`nianbao bulletin` on the demo's database (a real crawl → check of the sample portal), read back with
python-docx: the 通报 draft names exactly the agencies of the stored findings, each under its problem
with what the findings say (the cells in words), gives the counts of the status view and the legal
basis, leaves out what a person dismissed and says so, and opens in LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from nianbao.cli import cli
from nianbao.demo import AS_OF, demo_config, demo_plan
from nianbao.pipeline import run_once
from nianbao.sample.portal import SamplePortal
from parsers.office import convert, soffice
from storage.db import open_db
from storage.findings import dismiss

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TITLE = "关于2025年度政府信息公开工作年度报告检查情况的通报"
DEMO_PROBLEMS = {
    "未公开年度报告": {"某某县红旗乡人民政府"},
    "逾期公开年度报告": {"某某县恭门镇人民政府"},
    "年度报告数据不一致": {"某某县龙山镇人民政府"},
    "无法判断是否按时公开": {"某某省人民政府"},
}


def _bulletin(db: Path, out: Path, year: int = 2025) -> Path:
    result = CliRunner().invoke(cli, ["bulletin", "--db", str(db), "--year", str(year), "--docx", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"已写入{out}：")
    return out


@pytest.fixture(scope="module")
def drafted(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bulletin(demo / "nianbao.db", tmp_path_factory.mktemp("bulletin") / "通报.docx")


@pytest.fixture(scope="module")
def uncertain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cycle like the demo's in which 马关镇's report lost a cell of （一）予以公开: its numbers seem
    not to add up over a row nianbao could not read with certainty ("could not be checked")."""
    folder = tmp_path_factory.mktemp("uncertain")
    plan = demo_plan()
    for index, planned in enumerate(plan):
        if planned.sample.agency == "某某县马关镇人民政府":
            applications = {**planned.sample.applications, "granted": [1, 0, 0, 0, 0, 1]}  # 6 cells of 7
            plan[index] = replace(planned, sample=replace(planned.sample, applications=applications))
    with SamplePortal(plan) as portal:
        config = demo_config(portal, str(folder))
        run_once(config, open_db(config.db_path), as_of=AS_OF)
    return Path(config.db_path)


def _paragraphs(path: Path) -> list[str]:
    """The body's paragraphs, up to the attachment (its table lists every agency)."""
    texts = [p.text for p in Document(str(path)).paragraphs]
    return texts[: texts.index("附件")]


def _sections(paragraphs: list[str]) -> dict[str, list[str]]:
    """The paragraphs under each problem's heading （一）… of part 二."""
    out: dict[str, list[str]] = {}
    current = ""
    for text in paragraphs[paragraphs.index("二、发现的问题") + 1 :]:
        if text.startswith("三、"):
            break
        heading = re.fullmatch(r"（[一二三四五六七八九十]）(\S{2,12})", text)
        if heading:
            current = heading.group(1)
            out[current] = []
        else:
            out[current].append(text)
    return out


def _agencies(db: Path) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM agencies")}


def _named(lines: list[str], agencies: set[str]) -> set[str]:
    return {a for a in agencies if any(a in line for line in lines)}


@pytest.mark.slow
def test_the_draft_names_exactly_the_agencies_of_the_stored_findings(drafted: Path, demo: Path) -> None:
    paragraphs = _paragraphs(drafted)
    assert paragraphs[0] == TITLE and paragraphs[1] == "各有关单位："
    agencies = _agencies(demo / "nianbao.db")
    sections = _sections(paragraphs)
    assert {heading: _named(lines, agencies) for heading, lines in sections.items()} == DEMO_PROBLEMS
    assert list(sections) == list(DEMO_PROBLEMS)  # in the order of the problems, empty ones left out
    assert _named(paragraphs, agencies) == set().union(*DEMO_PROBLEMS.values())  # nobody else, anywhere


@pytest.mark.slow
def test_each_problem_says_what_its_finding_says_and_the_rule_behind_it(drafted: Path) -> None:
    sections = _sections(_paragraphs(drafted))
    [missing] = [line for line in sections["未公开年度报告"] if line.startswith("1.")]
    assert missing == (
        "1.某某县红旗乡人民政府：2026年4月15日完整读取网站列表，未找到该报告；《政府信息公开条例》第四十九条规定的"
        "期限为2026年1月31日（完整读取年度报告栏目6个）。"
    )
    assert "1.某某县恭门镇人民政府：2026年2月20日发布（依据：页面上的发布日期），晚于" in "".join(
        sections["逾期公开年度报告"]
    )
    wrong = sections["年度报告数据不一致"]
    assert wrong[1:4] == [
        "1.某某县龙山镇人民政府：",
        "（1）自然人一列：办理结果各项之和为2，但（七）总计为3（涉及“（七）总计·自然人”，报告填写3）。",
        "（2）总计一列：办理结果各项之和为2，但（七）总计为3（涉及“（七）总计·总计”，报告填写3）。",
    ]
    assert "所用规则：各列：（七）总计 = 办理结果各项（（一）予以公开……（六）其他处理）之和。" in wrong
    assert any(line.startswith("检查依据：《条例》第五十条") and "勾稽关系" in line for line in wrong)
    assert any("反爬虫验证" in line for line in sections["无法判断是否按时公开"])
    basis = [line for lines in sections.values() for line in lines if line.startswith("检查依据：")]
    assert basis.count("检查依据：同上。") == 2 and "县级以上人民政府部门应当在每年1月31日前" in basis[0]


@pytest.mark.slow
def test_the_legal_basis_and_the_counts_of_the_status_view(drafted: Path, demo: Path) -> None:
    paragraphs = _paragraphs(drafted)
    opening = paragraphs[2]
    for basis in ("第四十九条", "第五十条", "国办公开办函〔2021〕30号", "截至2026年4月15日", "20家单位"):
        assert basis in opening
    with sqlite3.connect(f"file:{demo / 'nianbao.db'}?mode=ro", uri=True) as conn:
        on_time = conn.execute("SELECT count(*) FROM status_by_agency_year WHERE year = 2025 AND status = 'on time'")
        assert on_time.fetchone() == (16,)
    summary = paragraphs[paragraphs.index("一、总体情况") + 1]
    assert summary == (
        "本次检查共涉及20家单位的2025年度报告。其中，按时公开且未发现下述问题的16家；未公开的1家，逾期公开的1家，"
        "数据不一致的1家，无法核验的0家，无法判断的1家。"
    )
    assert paragraphs[paragraphs.index("三、整改要求") + 1].startswith("（一）未公开年度报告的单位")


@pytest.mark.slow
def test_the_attachment_lists_every_agency_with_what_the_check_concluded(drafted: Path, demo: Path) -> None:
    [table] = Document(str(drafted)).tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "单位", "公开期限", "发布日期", "检查结论"]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 21)]
    verdicts = {r[1]: r[4] for r in rows[1:]}
    assert set(verdicts) == _agencies(demo / "nianbao.db")
    assert verdicts.pop("某某县红旗乡人民政府") == "未公开" and verdicts.pop("某某县恭门镇人民政府") == "逾期公开"
    assert verdicts.pop("某某县龙山镇人民政府") == "数据不一致" and verdicts.pop("某某省人民政府") == "无法判断"
    assert set(verdicts.values()) == {"按时公开"}
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["某某县恭门镇人民政府"][2:4] == ["2026年1月31日", "2026年2月20日"]
    assert by_name["某某县人民政府"][2] == "2026年3月31日" and by_name["某某县红旗乡人民政府"][3] == "—"


@pytest.mark.slow
def test_a_dismissed_finding_is_left_out_and_the_note_says_so(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with sqlite3.connect(demo / "nianbao.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    db = open_db(str(copy))
    [late] = [row["id"] for row in db.query("SELECT id FROM findings WHERE kind = 'late'")]
    dismiss(db, late, reason="页面日期有误，实际按时公开", now=datetime.now(timezone.utc).isoformat())
    db.close()
    paragraphs = _paragraphs(_bulletin(copy, tmp_path / "通报.docx"))
    expected = {k: v for k, v in DEMO_PROBLEMS.items() if k != "逾期公开年度报告"}
    sections = _sections(paragraphs)
    assert {heading: _named(lines, _agencies(copy)) for heading, lines in sections.items()} == expected
    assert not any("某某县恭门镇人民政府" in p for p in paragraphs)
    assert "逾期公开的0家" in paragraphs[paragraphs.index("一、总体情况") + 1]
    [note] = [p for p in paragraphs if p.startswith("说明：")]
    assert "经人工核实后排除的1条检查结论未列入" in note


@pytest.mark.slow
def test_a_report_that_could_not_be_checked_is_named_as_such_and_accused_of_nothing(
    uncertain: Path, tmp_path: Path
) -> None:
    paragraphs = _paragraphs(_bulletin(uncertain, tmp_path / "通报.docx"))
    sections = _sections(paragraphs)
    named = {heading: _named(lines, _agencies(uncertain)) for heading, lines in sections.items()}
    assert named["年度报告无法核验"] == {"某某县马关镇人民政府"}
    assert named == {**DEMO_PROBLEMS, "年度报告无法核验": {"某某县马关镇人民政府"}}
    lines = sections["年度报告无法核验"]
    assert "不认定为报告存在问题" in lines[0]
    assert any("（一）予以公开一行（只有6个单元格，应为7个）" in line for line in lines)
    assert "无法核验的1家" in paragraphs[paragraphs.index("一、总体情况") + 1]


@pytest.mark.slow
def test_official_document_typography(drafted: Path) -> None:
    doc = Document(str(drafted))

    def font(paragraph: Any) -> tuple[str | None, Any]:
        run = paragraph.runs[0]
        return run._element.rPr.rFonts.get(qn("w:eastAsia")), run.font.size

    by_text = {p.text: p for p in doc.paragraphs}
    assert font(by_text[TITLE]) == ("黑体", Pt(18))  # 小二
    assert font(by_text["一、总体情况"]) == ("黑体", Pt(16))  # 三号
    assert font(by_text["（一）未公开年度报告"]) == ("楷体", Pt(16))
    opening = next(p for p in doc.paragraphs if p.text.startswith("根据"))
    assert font(opening) == ("仿宋", Pt(16)) and opening.paragraph_format.first_line_indent == Pt(32)
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.line_spacing == Pt(28) and normal.font.size == Pt(16)
    section = doc.sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin, section.left_margin]
    assert [None if size is None else round(size.cm, 2) for size in sizes] == [
        21.0,
        29.7,
        3.7,
        3.5,
        2.8,
    ]  # A4, GB/T 9704's margins
    assert doc.core_properties.title == TITLE


@pytest.mark.slow
def test_libreoffice_opens_the_draft_with_its_page_numbers(drafted: Path) -> None:
    if soffice() is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    pdf = convert(drafted.read_bytes(), source=str(drafted), suffix=".docx", target="pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = ["".join((page.extract_text() or "").split()) for page in document.pages]
    assert TITLE in pages[0] and pages[0].endswith("—1—")
    assert len(pages) >= 3 and pages[1].endswith("—2—")
    assert "某某县龙山镇人民政府" in "".join(pages)


def test_no_check_yet_one_line(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    open_db(str(fresh)).close()
    result = CliRunner().invoke(
        cli, ["bulletin", "--db", str(fresh), "--year", "2025", "--docx", str(tmp_path / "t.docx")]
    )
    assert result.exit_code == 2
    assert (
        result.output.strip() == f"nianbao: {fresh}: no check has run on this database yet (run `nianbao check` first)"
    )
    assert not (tmp_path / "t.docx").exists()


@pytest.mark.slow
def test_a_year_nobody_was_checked_for_one_line(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.docx"
    result = CliRunner().invoke(
        cli, ["bulletin", "--db", str(demo / "nianbao.db"), "--year", "2019", "--docx", str(out)]
    )
    assert result.exit_code == 2 and "no agency has a report or a finding for 2019" in result.output
    assert not out.exists()


def test_without_a_database_one_line_and_nothing_written(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(
        cli, ["bulletin", "--db", str(missing), "--year", "2025", "--docx", str(tmp_path / "t.docx")]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"nianbao: {missing}: no such database (run `nianbao crawl` first)"]
    assert list(tmp_path.iterdir()) == []


def test_a_database_of_an_older_nianbao_is_not_upgraded(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "db" / "demo-before-i18n.db", old)
    before = old.read_bytes()
    result = CliRunner().invoke(
        cli, ["bulletin", "--db", str(old), "--year", "2025", "--docx", str(tmp_path / "t.docx")]
    )
    assert result.exit_code == 2 and "written by an older nianbao" in result.output
    assert old.read_bytes() == before and not (tmp_path / "t.docx").exists()
