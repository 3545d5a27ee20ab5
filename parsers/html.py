"""HTML article pages (as portals publish them) -> SourceText, with selectolax.

Word/WPS-pasted tables keep their spanning labels once (no rowspan/colspan expansion), which is
exactly the seed's text layout, so the label-driven table parser handles both the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.dates import find_published_date, iso_date
from parsers.source import SourceText

_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer center blockquote "
    "pre form dd dt dl hr tbody thead".split()
)
_SKIP = frozenset("script style noscript head iframe object template select button input textarea -comment".split())
_CELLS = frozenset(("td", "th"))
_BODY_SELECTORS = (
    "[id^=vsb_content]",
    ".v_news_content",
    ".TRS_Editor",
    "#zoom",
    "#Zoom",
    ".zoom",
    "#ivs_content",
    "#webeditorview",
    ".article-content",
    ".xxgk_content",
    "#UCAP-CONTENT",
    "#content",
)
_WS = re.compile(r"\s+")
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|｜—]{1,2})\s*")


def from_html(page: str | bytes, *, encoding: str | None = None) -> SourceText:
    """Parse a report page: body lines from the article container, title and date from metadata.

    `page` is the decoded text, or the page's bytes when they are known to be valid UTF-8 (lexbor
    reads those as they are: a UTF-8 page is not re-encoded)."""
    tree = LexborHTMLParser(page)
    metas = _metas(tree)
    root = _content_root(tree)
    pieces: list[str] = []
    if root is not None:
        _walk(root, pieces)
    lines = tuple(line.strip() for line in "".join(pieces).split("\n"))
    published = _published(metas)
    if published is None and tree.body is not None:  # the info line (发布时间：…) outside the article
        published = find_published_date(tree.body.text(separator=" "))
    return SourceText(
        lines=tuple(line for line in lines if line),
        kind="html",
        title=_title(tree, metas),
        published_at=published,
        encoding=encoding,
    )


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in _BODY_SELECTORS:
        for node in tree.css(selector):
            if len(node.text(strip=True)) > 200:
                return node
    return tree.body or tree.root


def _walk(node: LexborNode, out: list[str]) -> None:
    """The node's text in reading order, a line break around every block and table row.  Iterative:
    a page of a thousand unclosed <span>s is as deep as it likes, and costs no recursion."""
    stack: list[LexborNode | str] = [*node.iter(include_text=True)]
    stack.reverse()
    push, pop, append = stack.append, stack.pop, out.append
    while stack:
        child = pop()
        if isinstance(child, str):  # the line break that closes a block
            append(child)
            continue
        tag = child.tag
        if tag == "-text":
            text = child.text_content or ""
            # most text nodes hold no whitespace but single spaces (isprintable is False for every other \s)
            append(text if text.isprintable() and "  " not in text else _WS.sub(" ", text))
        elif tag in _SKIP:
            continue
        elif tag == "table" and child.css_first("td table, th table") is None:
            append("\n")
            _table_rows(child, append)
        else:
            if tag in _BLOCK:
                append("\n")
                push("\n")
            children: list[LexborNode | str] = [*child.iter(include_text=True)]
            children.reverse()
            stack += children


def _table_rows(table: LexborNode, append: Callable[[str], None]) -> None:
    for tr in table.css("tr"):
        cells = [_cell_text(td) for td in tr.iter() if td.tag in _CELLS]
        if any(cells):
            append(" | ".join(cells) + "\n")


def _cell_text(td: LexborNode) -> str:
    # A cell's paragraphs and spans join without spaces: Word splits "2025" from "年" into spans.
    text = td.text(separator="", strip=False)
    if not text or text.isspace():
        return ""  # most cells of a Word-pasted table: empty, or a lone &nbsp;
    return _WS.sub(" ", text.replace("|", "｜")).strip()


def _metas(tree: LexborHTMLParser) -> dict[str, str]:
    """name -> content of the page's <meta name=…> tags (the first of each name), read in one pass."""
    out: dict[str, str] = {}
    for node in tree.css("meta[name]"):
        attributes = node.attributes
        out.setdefault(attributes.get("name") or "", (attributes.get("content") or "").strip())
    return out


def _meta(metas: dict[str, str], *names: str) -> str | None:
    """The content of the first of `names` given (a name as spelt, else in lower case)."""
    for name in names:
        content = metas[name] if name in metas else metas.get(name.lower(), "")
        if content:
            return content
    return None


def _title(tree: LexborHTMLParser, metas: dict[str, str]) -> str | None:
    title = _meta(metas, "ArticleTitle")
    if title:
        return title
    for h in tree.css("h1, h2, .title, .article-title"):
        text = _WS.sub("", h.text())
        if "报告" in text and len(text) < 80:
            return text
    node = tree.css_first("title")
    text = node.text().strip() if node else ""
    return _TITLE_SPLIT.split(text)[0] if "报告" in text else None


def _published(metas: dict[str, str]) -> str | None:
    value = _meta(metas, "PubDate", "pubdate", "publishdate", "firstpublishedtime")
    return iso_date(value) if value else None
