"""One report in the two forms a portal publishes it in: the article page (Word-pasted HTML with the
portal's chrome around it) and its DOCX attachment (a title heading, a running header and footer,
and — as in a DOCX made from a PDF — each page's header and number left in the text).

Each helper returns real bytes: the page as nianbao.sample.wordhtml renders it, the DOCX as
python-docx writes it.  `edit` changes the report's text the same way in either form."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from docx import Document as Docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from nianbao.sample.docx_report import build_docx
from nianbao.sample.reports import SampleReport, mixed, report_text
from nianbao.sample.wordhtml import render

AGENCY = "某某县马关镇人民政府"
YEAR = 2025
TITLE = f"{AGENCY}{YEAR}年度政府信息公开工作报告"
Edit = Callable[[str], str]


def text(edit: Edit | None = None) -> str:
    """The report as seed-style text (` | ` cells), edited by `edit`."""
    plain = report_text(SampleReport(agency=AGENCY, year=YEAR, applications=mixed(6)))
    return edit(plain) if edit else plain


def page(attachment: str | None, *, views: int = 17, edit: Edit | None = None) -> bytes:
    """The article page, read whole (its container is none nianbao knows, as on many small sites):
    the breadcrumbs, the title, the info line, the attachment link, the share bar, 打印/关闭 and
    the footer are all in the text the parser gives.  `views`: the server-side counter."""
    links = [(attachment, f"{TITLE}.docx")] if attachment else []
    html = render(text(edit), title=TITLE, pub_date="2026-01-20", info_date="2026-01-20", attachments=links)
    html = html.replace('<div id="vsb_content_2"><div class="v_news_content">', "<div class=wz><div class=nr>")
    html = html.replace("浏览次数:", f"浏览次数: {views}")
    chrome = (
        "<div class=share>分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>"
        '<div class=btn><a href="javascript:window.print()">【打印本页】</a> '
        '<a href="javascript:window.close()">【关闭窗口】</a></div>'
    )
    return html.replace("</form>", chrome + "</form>").encode()


def docx(*, edit: Edit | None = None, revision: int = 1) -> bytes:
    """The DOCX attachment: the title as a heading, the agency as the running header, "第 N 页 共 M
    页" as the footer, and at two page breaks inside the text the footer and header a PDF-to-Word
    conversion leaves there (- 2 -, 第 2 页 共 3 页, the agency, the title).  `revision`: the
    document saved again (other bytes, the same report; zip timestamps alone may not differ)."""
    return _docx(text(edit), revision)


@lru_cache(maxsize=16)
def _docx(report: str, revision: int) -> bytes:
    """Built once per text and revision: python-docx takes seconds over table 3's merged cells."""
    buffer = io.BytesIO()
    path = Path(build_docx(report, _scratch(), title=TITLE))
    document = Docx(str(path))
    path.unlink()
    section = document.sections[0]
    section.header.paragraphs[0].text = AGENCY
    footer = section.footer.paragraphs[0]
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 页 共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 页")
    for number, before in ((2, "三、"), (3, "五、")):
        target = next(p for p in document.paragraphs if p.text.startswith(before))
        for line in (f"- {number - 1} -", f"第 {number - 1} 页 共 3 页", AGENCY, TITLE):
            target.insert_paragraph_before(line)
    document.core_properties.revision = revision
    document.save(buffer)
    return buffer.getvalue()


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): begin, instruction, end."""
    begin, code, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    code.text = instruction
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, end):
        paragraph.add_run()._r.append(element)


def _scratch() -> str:
    handle, name = tempfile.mkstemp(suffix=".docx")
    os.close(handle)
    return name
