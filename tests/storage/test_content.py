"""A report's own content (storage.content): the sentences and the identity that decide whether two
documents are one report.  What a publication adds around a report — the title heading, running
headers, page numbers, a page's chrome, full-width punctuation, line wraps — is left out; a changed
number or a changed sentence is not."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.report import body_lines
from nianbao.parsing import parse_document
from nianbao.sample.reports import SampleReport, mixed, report_text
from storage.content import Cell, identity, sentences

AGENCY = "某某县马关镇人民政府"
TITLE = f"{AGENCY}2025年度政府信息公开工作报告"
SAMPLE = SampleReport(agency=AGENCY, year=2025, applications=mixed(6))
LINES = [line for line in report_text(SAMPLE).splitlines() if line.strip()]
PLAIN = sentences(LINES, title=TITLE, agency=AGENCY)


def _own(lines: list[str]) -> list[str]:
    return sentences(lines, title=TITLE, agency=AGENCY)


def test_the_plain_report_reads_as_its_sentences() -> None:
    assert "2025年度,共收到政府信息公开申请6件。" in PLAIN
    # a part heading opens the sentence after it (where a PDF wraps a long heading is not known)
    assert "五、存在的主要问题及改进情况一是公开内容还不够全面;" in PLAIN and "二是政策解读形式较为单一。" in PLAIN
    assert not [s for s in PLAIN if "|" in s]  # the tables are compared as cells, not as text
    assert PLAIN[-1] == "2026年1月15日"  # the signature's date stays; the agency's name alone does not


def test_a_title_heading_is_not_the_report() -> None:
    for head in (
        [TITLE],
        ["《" + TITLE + "》"],
        [TITLE + "（全文）"],
        [AGENCY, "2025年政府信息公开工作年度报告"],
        ["某某县马关镇", "2025年度政府信息公开", "工作报告"],
        ["甘肃省某某县马关镇人民政府2025年度政府信息公开工作报告"],
        ["马关镇二〇二五年度政务公开工作年度报告"],
    ):
        assert _own(head + LINES) == PLAIN, head


def test_running_headers_and_page_numbers_are_not_the_report() -> None:
    lines = list(LINES)
    for at in (30, 20, 10):  # three page breaks, each with its footer and the next page's header
        lines[at:at] = [f"第 {at // 10} 页 共 4 页", f"- {at // 10} -", AGENCY, TITLE, "某某县马关镇人民政府办公室"]
    assert _own(lines) == PLAIN


def test_the_pages_chrome_is_not_the_report() -> None:
    chrome = [
        "简体 繁体 无障碍浏览 长者模式",
        "当前位置: 首页 >> 政府信息公开 >> 政府信息公开年报 >> 正文",
        "您的位置：首页>信息公开>年报",
        TITLE,
        "字号:[ 大 中 小 ] 索引号:yjx/2025-00001 时间:2026-01-20 来源: 作者: 浏览次数: 17",
        "发布时间：2026-01-20 16:49 信息来源：县政府办",
    ]
    tail = [
        "附件【2025年报.docx】已下载 3 次",
        "附件：马关镇2025年报.pdf",
        "分享到：微信 微博 QQ空间",
        "【打印本页】 【关闭窗口】",
        "[打印] [关闭]",
        "扫一扫在手机打开当前页",
        "上一篇：关于2024年度报告的说明",
        "网站标识码:6205250001 陇ICP备05000000号 甘公网安备 62052502000001号",
    ]
    assert _own(chrome + LINES + tail) == PLAIN


def test_widths_and_spaces_are_not_the_report() -> None:
    wide = [
        unicodedata.normalize("NFC", line.replace(",", "，").replace(";", "；").replace("6件", "６ 件"))
        for line in LINES
    ]
    assert _own(wide) == PLAIN


@given(st.data())
def test_a_line_wrapped_anywhere_reads_the_same(data: st.DataObject) -> None:
    """A PDF wraps prose wherever the line is full: each sentence line cut at a drawn point, and a
    page break (footer, header) dropped between two of its pieces, gives the same sentences.  (A
    piece of digits alone is taken for a page number: prose never wraps so that a line holds only
    a number, since a paragraph ends with its 。.)"""
    lines: list[str] = []
    for line in LINES:
        if "|" in line or "。" not in line:
            lines.append(line)
            continue
        cuts = [i for i in range(1, len(line)) if not line[:i].isdigit() and not line[i:].isdigit()]
        cut = data.draw(st.sampled_from(cuts), label=line[:6])
        lines.append(line[:cut])
        if data.draw(st.booleans(), label="page break"):
            lines += ["第 2 页 共 5 页", AGENCY]
        lines.append(line[cut:])
    assert _own(lines) == PLAIN


def test_a_changed_sentence_or_number_in_prose_is_the_report() -> None:
    changed = [line.replace("较为单一", "较为多样") for line in LINES]
    assert "二是政策解读形式较为多样。" in _own(changed) and _own(changed) != PLAIN
    fewer = [line.replace("申请6件", "申请5件") for line in LINES]
    assert "2025年度,共收到政府信息公开申请5件。" in _own(fewer)
    # a sentence that only names the report is the report's (it is no heading: it says something)
    said = [*LINES, f"现向社会公布{TITLE}"]
    assert _own(said)[-1].endswith(f"现向社会公布{TITLE}")


def test_identity_reads_cells_and_sentences_only() -> None:
    cells: list[Cell] = [
        ("applications", "new", "total", 6),
        ("active_disclosure", "fees", "amount_10k_yuan", Decimal("1.50")),
    ]
    same = identity(AGENCY, 2025, cells, PLAIN)
    assert identity(AGENCY, 2025, list(reversed(cells)), PLAIN) == same  # order of cells is no content
    spelt: list[Cell] = [("applications", "new", "total", 6.0), ("active_disclosure", "fees", "amount_10k_yuan", 1.5)]
    assert identity(AGENCY, 2025, spelt, PLAIN) == same  # as SQLite gives them back (REAL)
    assert identity(AGENCY, 2025, [cells[0][:3] + (7,), cells[1]], PLAIN) != same
    assert identity(AGENCY, 2025, cells, [s.replace("单一", "多样") for s in PLAIN]) != same
    assert identity(AGENCY, 2024, cells, PLAIN) != same
    assert identity("某某县龙山镇人民政府", 2025, cells, PLAIN) != same


def test_a_parsed_page_and_its_stored_body_give_the_same_sentences() -> None:
    """The identity is computed again from the stored body (migration m011): parsing the text and
    folding it first must give the same sentences."""
    report = parse_document(report_text(SAMPLE).encode(), url="http://127.0.0.1/a.txt").report
    assert report is not None
    assert sentences(report.lines, title=report.title, agency=report.agency) == sentences(
        body_lines(report), title=report.title, agency=report.agency
    )
