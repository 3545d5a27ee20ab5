"""Render a report written like the seed (` | ` cells) as a Word/WPS-pasted article page.

The markup copies what real portals serve (see shared/research/portals.md §4, §7.4): a VSB
detail page, `class=MsoNormal` paragraphs, numbers split into `<span lang=EN-US>` runs,
unquoted attributes, `<o:p>`, `&nbsp;` in empty cells, rowspan/colspan on the label cells and
full-width digits in some cells.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

# rowspans of the group labels of table 3, as in the official table
_ROWSPAN = {
    "三、本年度办理结果": 22,
    "(三)不予公开": 8,
    "(四)无法提供": 3,
    "(五)不予处理": 5,
    "(六)其他处理": 3,
    "（三）不予公开": 8,
    "（四）无法提供": 3,
    "（五）不予处理": 5,
    "（六）其他处理": 3,
}
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _span_numbers(text: str) -> str:
    """Word splits digits off into their own EN-US runs."""
    escaped = html.escape(text, quote=False)
    return re.sub(r"(\d+)", r"</span><span lang=EN-US style='font-family:\"Times New Roman\"'>\1</span><span>", escaped)


def _paragraph(line: str) -> str:
    bold = re.match(r"^[一二三四五六]、", line) is not None
    inner = f"<span style='font-family:仿宋_GB2312;font-size:16.0pt'>{_span_numbers(line)}</span>"
    if bold:
        inner = f"<b>{inner}</b>"
    return f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{inner}<o:p></o:p></p>\n"


def _cell(text: str, index: int, *, colspan: int = 1) -> str:
    attrs = f" colspan={colspan}" if colspan > 1 else ""
    if text in _ROWSPAN:
        attrs += f" rowspan={_ROWSPAN[text]}"
    if not text:
        body = "&nbsp;"
    elif re.fullmatch(r"\d+", text):
        body = f"<span lang=EN-US>{text.translate(_FULLWIDTH) if index % 3 == 1 else text}</span><o:p></o:p>"
    else:
        body = f"<span style='font-family:仿宋_GB2312'>{html.escape(text)}</span>"
    return (
        f"<td width=64 valign=center nowrap{attrs} style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>"
        f"<p class=MsoNormal align=center style='text-align:center'>{body}</p></td>"
    )


def _table(rows: list[list[str]]) -> str:
    width = max(len(r) for r in rows)
    out = [
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
        "style='border-collapse:collapse;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>\n"
    ]
    for row in rows:
        while len(row) > 1 and not row[-1]:
            row = row[:-1]  # the seed pads rows to the grid width; Word spans the last cell instead
        cells = [_cell(c, i, colspan=(width - len(row) + 1) if i == len(row) - 1 else 1) for i, c in enumerate(row)]
        out.append(f" <tr style='mso-yfti-irow:0;height:20.0pt'>{''.join(cells)}</tr>\n")
    out.append("</table>\n")
    return "".join(out)


def render(
    text: str,
    *,
    title: str | None = None,
    pub_date: str | None = None,
    charset_meta: str | None = "utf-8",
    info_date: str | None = None,
    attachments: Sequence[tuple[str, str]] = (),
) -> str:
    """The article page for `text`; pass charset_meta=None for a page that declares no charset."""
    body: list[str] = []
    table: list[list[str]] = []
    for line in text.splitlines():
        if "|" in line:
            table.append([c.strip() for c in line.split("|")])
            continue
        if table:
            body.append(_table(table))
            table = []
        if line.strip():
            body.append(_paragraph(line.strip()))
    if table:
        body.append(_table(table))
    head = []
    if charset_meta:
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">')
    head.append(f"<title>{html.escape(title or '政府信息公开年报')}-某某县人民政府</title>")
    head.append('<meta name="SiteName" content="某某县人民政府"><meta name="ColumnName" content="政府信息公开年报">')
    if title:
        head.append(f'<meta name="ArticleTitle" content="{html.escape(title)}">')
    if pub_date:
        head.append(f'<meta name="PubDate" content="{pub_date}">')
    info = f"索引号:yjx/2025-00001 时间:{info_date} 来源:&nbsp; 作者:&nbsp;" if info_date else "来源:&nbsp;"
    return (
        "<!DOCTYPE html>\n<html><head>" + "".join(head) + '<script src="/system/resource/js/dynclicks.js"></script>'
        "</head><body>\n<div class=top>简体 繁体 无障碍浏览 长者模式</div>\n"
        '<div class=posi>当前位置: <a href="../index.htm">首页</a> &gt;&gt; 政府信息公开 &gt;&gt; 政府信息公开年报 &gt;&gt; 正文</div>\n'
        '<form name="_newscontent_fromname">\n'
        f"<h1 class=title>{html.escape(title or '')}</h1>\n<div class=info>字号:[ 大 中 小 ] {info} 浏览次数:"
        '<script>_showDynClicks("wbnews", 1655460640, 1327382)</script></div>\n'
        '<div id="vsb_content_2"><div class="v_news_content">\n'
        + "".join(body)
        + "</div></div>\n"
        + _attachment_list(attachments)
        + "</form>\n"
        "<div class=footer>网站标识码:6205250001 陇ICP备05000000号</div></body></html>\n"
    )


def _attachment_list(attachments: Sequence[tuple[str, str]]) -> str:
    """VSB's attachment block: the file name is only in the link text (the URL has no extension)."""
    if not attachments:
        return ""
    items = "".join(
        f'<li>附件【<a href="{html.escape(href)}" target="_blank">{html.escape(name)}</a>】已下载'
        f'<span id="nattach{i}"><script>getClickTimes({i},1327382,"wbnewsfile","attach")</script></span>次</li>'
        for i, (href, name) in enumerate(attachments)
    )
    return f'<ul style="list-style-type:none;">{items}</ul>\n'
