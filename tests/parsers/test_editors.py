"""Every real report of the fixtures, published as HTML by the other editors portals use, reads as
its text: the same tables cell for cell, the same findings.

The Word-pasted page (nianbao.sample.wordhtml) is one way a report reaches a portal; CMS editors
write others: UEditor (inline styles, a long label broken by <br/>, width attributes), TRS (upper
case tags, <font> around every cell), plain tables (no <tbody>, no paragraphs), header cells as
<th> padded with &nbsp;.  Each has its own container (class, id) in the page's chrome."""

from __future__ import annotations

import html
from typing import Any

import pytest

from checks.registry import check_report
from nianbao.core.report import to_json
from parsers import parse_bytes
from parsers.source import from_text
from tests.conftest import REPORTS, SEED

CONTAINERS = {
    "ueditor": '<div class="article-content">',
    "trs": "<DIV class=TRS_Editor>",
    "plain": '<div id="zoom">',
    "th": '<div id="UCAP-CONTENT">',
}


def _cell(text: str, index: int, editor: str) -> str:
    text = html.escape(text)
    if editor == "ueditor":
        broken = text.replace("、", "、<br/>", 1) if len(text) > 12 else text
        return f'<td style="border:1px solid #000;word-break:break-all;" width="80">{broken}</td>'
    if editor == "trs":
        return f'<TD align="center"><FONT face="仿宋_GB2312" size="3">{text}</FONT></TD>'
    if editor == "th":
        tag = "th" if index == 0 else "td"
        return f"<{tag}>&nbsp;{text}&nbsp;</{tag}>"
    return f"<td>{text}</td>"


def _page(lines: tuple[str, ...], editor: str) -> str:
    body: list[str] = []
    rows: list[str] = []

    def end_table() -> None:
        if rows:
            inner = "".join(rows) if editor == "plain" else f"<tbody>\n{''.join(rows)}</tbody>"
            body.append(f"<table border=1>{inner}</table>\n")
            rows.clear()

    for line in lines:
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            rows.append("<tr>" + "".join(_cell(c, i, editor) for i, c in enumerate(cells)) + "</tr>\n")
            continue
        end_table()
        text = html.escape(line)
        body.append(
            f"<P><FONT face=仿宋>{text}</FONT></P>\n" if editor == "trs" else f'<p style="text-indent:2em">{text}</p>\n'
        )
    end_table()
    return (
        "<html><head><title>政府信息公开工作年度报告</title></head><body><div class=nav>首页 &gt; 信息公开</div>"
        f"{CONTAINERS[editor]}{''.join(body)}</div><div class=foot>版权所有</div></body></html>"
    )


def _reading(data: bytes) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    report = parse_bytes(data, source="x")
    doc = to_json(report, check_report(report))
    tables = {k: doc[k] for k in ("active_disclosure", "applications", "review_litigation", "year", "format")}
    # the title is the page's, not the text's: its rule aside, every finding must be the same
    return tables, sorted((f["rule"], f["severity"]) for f in doc["findings"] if f["rule"] != "report.title")


TEXTS = sorted([*REPORTS.glob("*.txt"), SEED])


@pytest.mark.parametrize("editor", sorted(CONTAINERS))
def test_real_reports_read_alike_from_every_editors_html(editor: str) -> None:
    tried = 0
    for path in TEXTS:
        lines = from_text(path.read_text(encoding="utf-8")).lines
        if not any(" | " in line for line in lines):
            continue  # tables run together or stated in sentences: nothing a table editor would write
        text_reading = _reading("\n".join(lines).encode())
        for encoding in ("utf-8", "gb18030"):
            assert _reading(_page(lines, editor).encode(encoding)) == text_reading, (path.name, encoding)
        tried += 1
    assert tried >= 8  # the fixtures whose tables have cells
