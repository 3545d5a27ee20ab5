"""`nianbao export` on the demo's database (a real crawl → check of the sample portal): the workbook
and the CSV files read back with openpyxl and csv hold the database's status, its open findings in
Chinese words with their cells, and every number of the current reports — under Chinese headers,
with frozen header rows, filters, real dates and columns wide enough for Chinese."""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.cli import cli
from nianbao.core.config import Deadlines
from nianbao.core.report import APPLICATION_LABELS
from nianbao.export import export_sheets
from storage.db import open_db
from views.sheets import display_width, write_xlsx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHEETS = ["各机关年度状态", "未解决的问题", "报告数据"]


@pytest.fixture(scope="module")
def exported(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's database exported once, as .xlsx and as CSV, through the command line."""
    out = tmp_path_factory.mktemp("export")
    db = demo / "nianbao.db"
    result = CliRunner().invoke(
        cli, ["export", "--db", str(db), "--xlsx", str(out / "nianbao.xlsx"), "--csv", str(out / "csv")]
    )
    assert result.exit_code == 0, result.output
    assert "已写入" in result.output and "各机关年度状态 20" in result.output
    return out


def _table(ws: Worksheet) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    names = [name for name in rows[0] if isinstance(name, str)]
    assert len(names) == len(rows[0]), f"a column of {ws.title} has no name: {rows[0]}"
    return [dict(zip(names, row, strict=True)) for row in rows[1:]]


def _query(demo: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{demo / 'nianbao.db'}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.slow
def test_each_sheet_has_a_chinese_frozen_filtered_header(exported: Path) -> None:
    book = load_workbook(exported / "nianbao.xlsx")
    assert book.sheetnames == SHEETS
    for ws in book.worksheets:
        last = f"{get_column_letter(ws.max_column)}{ws.max_row}"
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{last}"
        assert all(cell.font.b for cell in ws[1])
    heads = [[c.value for c in ws[1]] for ws in book.worksheets]
    assert heads[0][:7] == ["机关", "层级", "网站", "年度", "状态", "期限", "发布日期"]
    assert "无法判断的原因" in heads[0]
    assert heads[1][:9] == ["编号", "机关", "年度", "网站", "结论", "严重性", "说明", "涉及的单元格", "证据"]
    assert heads[2] == ["机关", "年度", "部分", "行", "列", "数值", "读取是否确定", "单元格代码", "报告编号"]


@pytest.mark.slow
def test_the_status_sheet_is_the_view_with_why_a_verdict_is_withheld(exported: Path, demo: Path) -> None:
    ws = load_workbook(exported / "nianbao.xlsx")["各机关年度状态"]
    rows = {(r["机关"], r["年度"]): r for r in _table(ws)}
    assert set(rows) == set(_query(demo, "SELECT agency, year FROM status_by_agency_year"))
    states = {agency: r["状态"] for (agency, _), r in rows.items()}
    assert states.pop("某某县龙山镇人民政府") == "数据不一致"
    assert states.pop("某某县恭门镇人民政府") == "逾期公开"
    assert states.pop("某某县红旗乡人民政府") == "未公开"
    assert states.pop("某某省人民政府") == "无法判断"
    assert set(states.values()) == {"按时公开"} and len(states) == 16
    blocked = rows[("某某省人民政府", 2025)]
    assert "反爬虫验证" in blocked["无法判断的原因"] and blocked["已找到"] == "否"
    assert all(r["无法判断的原因"] is None for key, r in rows.items() if key[0] != "某某省人民政府")
    late = rows[("某某县恭门镇人民政府", 2025)]
    assert late["发布日期"] == datetime(2026, 2, 20) and late["期限"] == datetime(2026, 1, 31)
    assert late["逾期公开"] == "是" and late["层级"] == "乡镇（街道）"
    assert rows[("某某县人民政府", 2025)]["期限"] == datetime(2026, 3, 31)  # a government: 31 March
    assert rows[("某某县龙山镇人民政府", 2025)]["数据不一致"] == 2
    dates = [c for c in ws["G"][1:] if c.value is not None]
    assert dates and all(c.is_date and c.number_format == 'yyyy"年"m"月"d"日"' for c in dates)


@pytest.mark.slow
def test_the_findings_sheet_says_in_chinese_what_the_site_says_with_the_cells(exported: Path, demo: Path) -> None:
    ws = load_workbook(exported / "nianbao.xlsx")["未解决的问题"]
    rows = _table(ws)
    open_ids = _query(demo, "SELECT id FROM findings WHERE resolved_at IS NULL AND dismissed_at IS NULL")
    assert sorted(r["编号"] for r in rows) == sorted(i for (i,) in open_ids)
    wrong = sorted((r for r in rows if r["结论"] == "数据不一致"), key=lambda r: r["编号"])
    assert [r["机关"] for r in wrong] == ["某某县龙山镇人民政府"] * 2
    assert [r["涉及的单元格"] for r in wrong] == ["（七）总计·自然人：3", "（七）总计·总计：3"]
    assert wrong[0]["说明"] == "自然人一列：办理结果各项之和为2，但（七）总计为3"
    assert "所用单元格：（一）予以公开·自然人" in wrong[0]["证据"] and wrong[0]["严重性"] == "错误"
    assert wrong[0]["规则"] == "applications.outcome_total" and "（七）总计" in wrong[0]["规则说明"]
    [missing] = [r for r in rows if r["结论"] == "未公开"]
    assert missing["机关"] == "某某县红旗乡人民政府" and "未找到该报告" in missing["说明"]
    assert "期限：2026年1月31日" in missing["证据"].splitlines()
    [portal] = [r for r in rows if r["机关"] is None]
    assert portal["网站"] == "某某省人民政府" and portal["结论"] == "网站无法读取"
    assert all(r["首次发现"] == datetime(2026, 4, 15) for r in rows)
    assert not any("column natural_person" in str(v) for r in rows for v in r.values())


@pytest.mark.slow
def test_the_numbers_sheet_holds_every_number_named_as_the_format_names_it(exported: Path, demo: Path) -> None:
    rows = _table(load_workbook(exported / "nianbao.xlsx")["报告数据"])
    [(count,)] = _query(
        demo, "SELECT count(*) FROM report_cells c JOIN reports r ON r.id = c.report_id WHERE r.is_current = 1"
    )
    assert len(rows) == count == 3600
    by = {(r["机关"], r["行"], r["列"]): r for r in rows}
    new = by[("某某县人民政府", dict(APPLICATION_LABELS)["new"], "总计")]
    assert new["数值"] == 12 and isinstance(new["数值"], int) and new["部分"] == "三、收到和处理政府信息公开申请情况"
    assert new["单元格代码"] == "applications.new.total" and new["读取是否确定"] == "是"
    assert by[("某某县龙山镇人民政府", "三、本年度办理结果 （七）总计", "总计")]["数值"] == 3
    assert by[("某某县龙山镇人民政府", "三、本年度办理结果 （一）予以公开", "总计")]["数值"] == 2
    assert by[("某某县人民政府", "行政规范性文件", "现行有效件数")]["数值"] == 37
    assert by[("某某县人民政府", "行政复议", "结果维持")]["部分"] == "四、政府信息公开行政复议、行政诉讼情况"
    first = [r["单元格代码"] for r in rows if r["报告编号"] == rows[0]["报告编号"]]
    assert first[:3] == [
        "active_disclosure.rules.issued",
        "active_disclosure.rules.repealed",
        "active_disclosure.rules.in_force",
    ]
    assert first[-1] == "review_litigation.lawsuit_after_review.total"  # the order the report prints them


@pytest.mark.slow
def test_columns_are_as_wide_as_their_chinese_text(exported: Path) -> None:
    ws = load_workbook(exported / "nianbao.xlsx")["各机关年度状态"]
    widths = {c.value: ws.column_dimensions[get_column_letter(n)].width for n, c in enumerate(ws[1], start=1)}
    assert widths["机关"] >= display_width("某某县张棉驿乡人民政府") == 22
    assert widths["年度"] < widths["机关"] and widths["无法判断的原因"] == 82  # long text: capped, and wrapped
    [reason] = [c for c in ws["M"][1:] if c.value]
    assert reason.alignment.wrap_text and display_width(reason.value) > 82


@pytest.mark.slow
def test_the_csv_files_hold_the_same_rows_utf8_with_a_bom(exported: Path) -> None:
    book = load_workbook(exported / "nianbao.xlsx")
    for stem, title in zip(("status", "findings", "numbers"), SHEETS, strict=True):
        path = exported / "csv" / f"{stem}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel and WPS read UTF-8 only with it
        with path.open(encoding="utf-8-sig", newline="") as f:
            from_csv = list(csv.reader(f))
        from_xlsx = [[_as_csv(v) for v in row] for row in book[title].iter_rows(values_only=True)]
        assert from_csv == from_xlsx


def _as_csv(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return "" if value is None else str(value)


@pytest.mark.slow
def test_a_sheet_longer_than_excel_allows_goes_on_in_a_second(demo: Path, tmp_path: Path) -> None:
    db = open_db(str(demo / "nianbao.db"), readonly=True)
    sheets = export_sheets(db, deadlines=Deadlines())
    written = write_xlsx(sheets, tmp_path / "short.xlsx", max_rows=1001)  # 1,000 rows and the header a sheet
    assert written["报告数据"] == 3600
    book = load_workbook(tmp_path / "short.xlsx")
    parts = ["报告数据", "报告数据（2）", "报告数据（3）", "报告数据（4）"]
    assert book.sheetnames == SHEETS[:2] + parts
    heads = {tuple(c.value for c in book[p][1]) for p in parts}
    assert len(heads) == 1 and all(book[p].freeze_panes == "A2" for p in parts)
    assert [book[p].max_row - 1 for p in parts] == [1000, 1000, 1000, 600]
    write_xlsx(sheets, tmp_path / "whole.xlsx")
    whole = load_workbook(tmp_path / "whole.xlsx")["报告数据"]
    assert [row for p in parts for row in book[p].iter_rows(min_row=2, values_only=True)] == list(
        whole.iter_rows(min_row=2, values_only=True)
    )


@pytest.mark.slow
def test_the_export_opens_the_database_read_only(demo: Path, tmp_path: Path) -> None:
    def contents() -> dict[str, str]:  # the database and its write-ahead log (the -shm is readers' shared memory)
        files = [demo / "nianbao.db", demo / "nianbao.db-wal"]
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.exists()}

    before = contents()
    result = CliRunner().invoke(cli, ["export", "--db", str(demo / "nianbao.db"), "--csv", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert contents() == before


def test_a_database_of_an_older_nianbao_is_not_upgraded_behind_the_reader_s_back(tmp_path: Path) -> None:
    """Read-only: a write-access open would migrate this database; these commands refuse instead."""
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "db" / "demo-before-i18n.db", old)
    before = old.read_bytes()
    result = CliRunner().invoke(cli, ["export", "--db", str(old), "--csv", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"nianbao: {old}: written by an older nianbao; open it once with write access to upgrade it"
    )
    assert old.read_bytes() == before  # (SQLite's -wal and -shm beside it are any WAL reader's)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("out")]


@pytest.mark.slow
def test_one_year_only_and_english_on_request(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "en.xlsx"
    result = CliRunner().invoke(
        cli, ["export", "--db", str(demo / "nianbao.db"), "--xlsx", str(out), "--year", "2024", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Status by agency and year", "Open findings", "Numbers of the reports"]
    assert [ws.max_row for ws in book.worksheets] == [1, 2, 1]  # 2024: nothing but the portal's finding
    assert book.worksheets[1]["A1"].value == "Finding id"


def test_without_a_database_one_line_and_nothing_written(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(cli, ["export", "--db", str(missing), "--xlsx", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"nianbao: {missing}: no such database (run `nianbao crawl` first)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.slow
def test_export_needs_somewhere_to_write(demo: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(demo / "nianbao.db")])
    assert result.exit_code == 2 and "--xlsx FILE, --csv DIR" in result.output


def test_dates_are_days() -> None:
    from nianbao.export import _day

    assert _day("2026-04-15T12:00:00+00:00") == date(2026, 4, 15) and _day(None) is None and _day("soon") is None
