"""Tables are found by their labels: dropped rows, reordered parts and other header layouts."""

from __future__ import annotations

from checks.registry import check_report
from nianbao.core.report import Report
from parsers import parse_bytes
from parsers.sections import heading_part
from parsers.tables import glued
from tests.conftest import set_row


def _parse(text: str) -> Report:
    return parse_bytes(text.encode(), source="case")


def test_dropped_row_is_reported_not_zeroed(seed_text: str) -> None:
    text = "\n".join(line for line in seed_text.splitlines() if not line.startswith("3.要求提供公开出版物"))
    report = _parse(text)
    assert report.applications is not None
    assert set(report.applications["not_processed.publication"].values()) == {None}
    assert report.applications["not_processed.excessive"]["total"] == 0
    messages = [f.message for f in check_report(report) if f.rule == "report.sections"]
    assert any("not_processed.publication" in m for m in messages)


def test_parts_in_another_order(seed_text: str) -> None:
    text = set_row(seed_text, "一、本年新收", [1, 0, 0, 0, 0, 0, 1])
    head, rest = text.split("三、收到和处理政府信息公开申请情况")
    part3, rest = rest.split("四、政府信息公开行政复议、行政诉讼情况")
    part4, tail = rest.split("五、存在的主要问题及改进情况")
    swapped = (
        head
        + "四、政府信息公开行政复议、行政诉讼情况"
        + part4
        + "三、收到和处理政府信息公开申请情况"
        + part3
        + "五、存在的主要问题及改进情况"
        + tail
    )
    report = _parse(swapped)
    assert report.applications is not None and report.review_litigation is not None
    assert report.applications["new"]["natural_person"] == 1
    assert report.review_litigation["review"]["total"] == 0 and len(report.parts) == 6


def test_one_row_header_with_columns_in_another_order(seed_text: str) -> None:
    header = (
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 | ||||||||\n"
        "自然人 | 法人或其他组织 | 总计 | |||||||\n"
        "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |||||"
    )
    assert header in seed_text
    one_row = "(本列数据的勾稽关系) | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 其他 | 法律服务机构 | 总计"
    text = set_row(seed_text.replace(header, one_row), "一、本年新收", [1, 0, 0, 0, 2, 0, 3])
    report = _parse(text)
    assert report.applications is not None
    assert report.applications["new"]["other"] == 2 and report.applications["new"]["legal_services"] == 0
    assert not [f for f in check_report(report) if f.rule == "report.sections"]


def test_text_in_a_number_cell_is_kept_raw(seed_text: str) -> None:
    report = _parse(set_row(seed_text, "(一)予以公开", ["见附件", 0, 0, 0, 0, 0, 0]))
    cells = [f for f in check_report(report) if f.rule in ("report.cells", "report.sections")]
    assert report.applications is not None and report.applications["granted"]["natural_person"] is None
    assert any(f.raw == "见附件" for f in cells) or any("见附件" in f.message for f in cells)


def test_glued_digits_in_any_width_and_with_kangxi_radicals() -> None:
    # \d reads full-width digits; some PDF fonts give the Kangxi radical ⽂ (U+2F42) for 文, which only
    # NFKC folds back: both are still "glued", a table separated by " | " in full width is not
    assert glued([["（七）总计１１０００００１１"]])
    assert glued([["规范性⽂件", "12340"]]) is False  # separate cells: the boundary is kept
    assert glued([["规范性⽂件12340"]])
    assert not glued([["（七）总计", "１", "０", "０", "０", "０", "０", "１"]])


def test_headings_spaced_out_or_in_full_width_are_found() -> None:
    assert heading_part("三 、本 年 度 收 到 和 处 理 政 府 信 息 公 开 申 请 情 况") == "applications"
    assert heading_part("（ 四 ）政府信息公开行政复议、行政诉讼情况") == "review_litigation"
    assert heading_part("５．其他需要报告的事项") == "other_matters"
    assert heading_part("一、总体情况" + "。本机关认真贯彻落实" * 5) is None  # a sentence, not a heading
    assert heading_part("根据条例，一、总体情况") is None


def test_a_header_repeated_where_the_table_continues_is_no_row(seed_text: str) -> None:
    # Word repeats a table's header after a page break; a table pasted in two pieces carries it twice
    lines = seed_text.splitlines()
    start = next(i for i, line in enumerate(lines) if "勾稽关系" in line)
    header = lines[start : start + 3]
    cut = next(i for i, line in enumerate(lines) if line.startswith("(四)无法提供"))
    text = set_row(seed_text, "一、本年新收", [1, 0, 0, 0, 0, 0, 1])
    text = set_row(text, "(一)予以公开", [1, 0, 0, 0, 0, 0, 1])  # the total row still says 0: a real error
    lines = text.splitlines()
    whole = _parse(text)
    expected = sorted((f.rule, f.message) for f in check_report(whole))
    assert ("applications.outcome_total", "inconsistent") in {(f.rule, f.kind) for f in check_report(whole)}
    for repeated in (["", *header], header, ["（续表）", *header]):
        report = _parse("\n".join(lines[:cut] + repeated + lines[cut:]))
        assert report.applications == whole.applications
        rows = [r for r in report.readings if r.part == "applications"]
        assert len(rows) == 25 and all(r.certain for r in rows)
        assert sorted((f.rule, f.message) for f in check_report(report)) == expected  # the same, nothing more
