"""The 通报 draft as an editable Word document (python-docx), laid out as official documents are
(GB/T 9704): A4 with its margins, the title in 黑体 小二, headings in 黑体 and 楷体 三号, the body
in 仿宋 三号 on a fixed 28-point line with a two-character indent, page numbers as "— 1 —".  The
font names are those of Chinese Windows and WPS; elsewhere the office suite substitutes its own.
Direct formatting only, no heading styles: the office edits a plain document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from views.bulletin import Bulletin, Section

FANGSONG, HEITI, KAITI, SONGTI = "仿宋", "黑体", "楷体", "宋体"
SIZE_3, SIZE_S2, SIZE_4, SIZE_S4 = 16.0, 18.0, 14.0, 12.0  # 三号, 小二, 四号, 小四 in points
LINE = 28.0  # points: the fixed line of GB/T 9704's 22 lines a page
NUMERALS = "一二三四五六七八九十"
TABLE_WIDTHS = (1.2, 5.2, 3.4, 3.4, 2.4)  # cm: the 15.6 cm between the margins


def write_docx(bulletin: Bulletin, path: Path) -> None:
    """Write the draft to `path` (its folder made if need be)."""
    doc = Document()
    _page(doc)
    _normal(doc)
    doc.core_properties.title = bulletin.title
    doc.core_properties.author = "nianbao"
    doc.core_properties.comments = "草稿：由nianbao根据存储的检查结论生成，印发前请核改"
    _para(doc, bulletin.title, font=HEITI, size=SIZE_S2, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=LINE)
    _para(doc, "各有关单位：", indent=False)
    _para(doc, bulletin.opening)
    _para(doc, "一、总体情况", font=HEITI)
    _para(doc, bulletin.summary)
    if bulletin.sections:
        _para(doc, "二、发现的问题", font=HEITI)
        stated: set[str] = set()
        for number, section in enumerate(bulletin.sections):
            _section(doc, section, NUMERALS[number], stated)
    else:
        _para(doc, "二、检查结论", font=HEITI)
        _para(doc, "本次检查未发现未公开、逾期公开、数据不一致、无法核验或无法判断的情况。")
    if bulletin.requirements:
        _para(doc, "三、整改要求", font=HEITI)
        for number, requirement in enumerate(bulletin.requirements):
            _para(doc, f"（{NUMERALS[number]}）{requirement}")
        _para(doc, "请相关单位于　　月　　日前将整改情况报送我办。")
    _para(doc, "", indent=False)
    _para(doc, "（发文机关）", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, "　　年　　月　　日", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, bulletin.note, font=KAITI, size=SIZE_4)
    _attachment(doc, bulletin)
    _page_numbers(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def _section(doc: Any, section: Section, numeral: str, stated: set[str]) -> None:
    """One problem: its heading (楷体), the sentence before the list, each agency with what its
    findings say, then what the findings rest on (a basis or rule already quoted is not quoted again)."""
    _para(doc, f"（{numeral}）{section.problem.heading}", font=KAITI)
    _para(doc, section.intro)
    for index, entry in enumerate(section.entries, start=1):
        if len(entry.lines) == 1:
            _para(doc, f"{index}.{entry.agency}：{_sentence(entry.lines[0])}")
            continue
        _para(doc, f"{index}.{entry.agency}：")
        for sub, line in enumerate(entry.lines, start=1):
            _para(doc, f"（{sub}）{_sentence(line)}")
    _para(doc, f"检查依据：{section.problem.basis}" if section.problem.basis not in stated else "检查依据：同上。")
    stated.add(section.problem.basis)
    rules = "；".join(_sentence(rule).rstrip("。") for rule in section.rules)
    if rules and rules not in stated:
        _para(doc, f"所用规则：{rules}。", align=WD_ALIGN_PARAGRAPH.LEFT)
        stated.add(rules)


def _sentence(text: str) -> str:
    return text if text.endswith(("。", "；", "！", "？")) else text + "。"


def _attachment(doc: Any, bulletin: Bulletin) -> None:
    """附件: one row per agency with a status for the year, on a page of its own."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "附件", font=HEITI, indent=False)
    _para(
        doc,
        f"{bulletin.year}年度政府信息公开工作年度报告检查情况一览表",
        font=HEITI,
        size=SIZE_S2,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        after=LINE / 2,
    )
    table = doc.add_table(rows=1, cols=len(bulletin.table_head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, bulletin.table_head, strict=True):
        _cell(cell, text, font=HEITI)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))  # repeated on every page the table runs onto
    for row in bulletin.table:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            _cell(cell, text, font=FANGSONG)
    for column, width in zip(table.columns, TABLE_WIDTHS, strict=True):
        column.width = Cm(width)  # the grid (LibreOffice and WPS read it) and each cell (Word reads those)
        for cell in column.cells:
            cell.width = Cm(width)


def _cell(cell: Any, text: str, *, font: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), font, SIZE_S4)


def _para(
    doc: Any,
    text: str,
    *,
    font: str = FANGSONG,
    size: float = SIZE_3,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    after: float = 0.0,
) -> Any:
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.first_line_indent = Pt(2 * size) if indent else Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)
    _font(paragraph.add_run(text), font, size)
    return paragraph


def _font(run: Any, name: str, size: float) -> None:
    """The font for Latin and for Chinese text alike (Word takes CJK text's font from eastAsia)."""
    run.font.name = name
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page(doc: Any) -> None:
    """A4 portrait with GB/T 9704's margins."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _normal(doc: Any) -> None:
    """The Normal style: 仿宋 三号 on a fixed line, nothing before or after a paragraph."""
    style = doc.styles["Normal"]
    style.font.name = FANGSONG
    style.font.size = Pt(SIZE_3)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE)
    fmt.space_before = fmt.space_after = Pt(0)


def _page_numbers(doc: Any) -> None:
    """ "— 1 —" centred in the footer, the number a PAGE field (宋体 四号)."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), SONGTI, SIZE_4)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    _font(run, SONGTI, SIZE_4)
    field.append(run._element)
    paragraph._p.append(field)
    _font(paragraph.add_run(" —"), SONGTI, SIZE_4)
