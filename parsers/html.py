"""HTML article pages (as portals publish them) -> SourceText, with selectolax.

Word/WPS-pasted tables keep their spanning labels once (no rowspan/colspan expansion), which is
exactly the seed's text layout, so the label-driven table parser handles both the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from parsers.dates import find_published_date, iso_date
from parsers.source import SourceText

_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer center blockquote "
    "pre form dd dt dl hr tbody thead".split()
)
_SKIP = frozenset("script style noscript head iframe object template select button input textarea -comment".split())
_CELLS = frozenset(("td", "th"))
_SECTIONS = frozenset(("tbody", "thead", "tfoot"))
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
# the name each selector looks for, as it appears in a page's source (lowered: quirks-mode pages match any case)
_BODY_NAMES = tuple(re.sub(r"^\[id\^=|^[.#]|\]$", "", s).lower().encode() for s in _BODY_SELECTORS)
_REAL_TEXT = 200  # characters a container must hold to be taken for the article
_TITLE_META = ("ArticleTitle",)
_DATE_META = ("PubDate", "pubdate", "publishdate", "firstpublishedtime")
_WS = re.compile(r"\s+")
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|｜—]{1,2})\s*")


IMAGE = "\x00image:"  # where an <img> of the article stood, as a line of its own until it is read


def from_html(
    page: str | bytes,
    *,
    encoding: str | None = None,
    source: bytes | None = None,
    images: Callable[[tuple[str, ...]], SourceText] | None = None,
) -> SourceText:
    """Parse a report page: body lines from the article container, title and date from metadata.

    `page` is the decoded text, or the page's bytes when they are known to be valid UTF-8 (lexbor
    reads those as they are: a UTF-8 page is not re-encoded).  `source`: the page's bytes in an
    ASCII-compatible encoding (GBK, UTF-8 …), when the caller has them; tag and class names are
    ASCII, so they let whole-page searches for containers that are not there be skipped."""
    try:
        tree = LexborHTMLParser(page)
    except SelectolaxError as exc:  # lexbor reads any markup: it fails only when it cannot allocate
        raise MemoryError(f"lexbor: {exc}") from exc
    raw = page if isinstance(page, bytes) else source
    lowered = raw.lower() if raw is not None else None
    metas = _metas(tree)
    text = _article_text(tree, lowered)
    lines = tuple(line.strip() for line in text.split("\n"))
    published = _published(metas)
    if images is not None and IMAGE in text:  # tables pasted as pictures: read where they stood
        kept = tuple(line for line in lines if line)
        read = images(kept)
        return SourceText(
            lines=read.lines,
            kind=read.kind,
            title=_title(tree, metas),
            published_at=published,
            encoding=encoding,
            geometry=read.geometry,
        )
    lines = tuple(line for line in lines if not line.startswith(IMAGE))
    if published is None and tree.body is not None:  # the info line (发布时间：…) outside the article
        published = find_published_date(tree.body.text(separator=" "))
    return SourceText(
        lines=tuple(line for line in lines if line),
        kind="html",
        title=_title(tree, metas),
        published_at=published,
        encoding=encoding,
    )


def _article_text(tree: LexborHTMLParser, lowered: bytes | None) -> str:
    """The text of the article container: the first node of the first of `_BODY_SELECTORS` whose
    text holds more than `_REAL_TEXT` characters (not counting whitespace), else the body's.

    Each selector costs a walk of the whole tree; one whose name is not in the page's source is
    skipped.  A candidate's text is the one returned, so the container is walked once."""
    for selector, name in zip(_BODY_SELECTORS, _BODY_NAMES, strict=True):
        if lowered is not None and name not in lowered:
            continue
        for node in tree.css(selector):
            text = "".join(_text_of(node, lowered))
            if len(text) > _REAL_TEXT and sum(map(len, text.split())) > _REAL_TEXT:
                return text
    root = tree.body or tree.root
    return "".join(_text_of(root, lowered)) if root is not None else ""


def _text_of(root: LexborNode, lowered: bytes | None) -> list[str]:
    """The container's text, tables row by row.  A table holding another table is walked as blocks;
    finding out costs a walk of each table, so it is asked only when the page's source has more
    `<table` tags than the tables met (tables outside the container, or nested ones)."""
    pieces: list[str] = []
    flat: list[LexborNode] = []
    _walk(root, pieces, flat, check_nesting=lowered is None)
    if lowered is not None and lowered.count(b"<table") > len(flat) and any(map(_holds_table, flat)):
        pieces = []
        _walk(root, pieces, [], check_nesting=True)
    return pieces


def _holds_table(table: LexborNode) -> bool:
    """A table inside one of this table's cells.  (A selector such as "td table" would also match
    this table itself when it sits in a layout table's cell: lexbor matches ancestors outside the
    node asked; so the cell is looked for between the two tables.)"""
    for inner in table.css("table"):  # this table and every table below it
        node = inner.parent
        while node is not None and inner.mem_id != table.mem_id and node.mem_id != table.mem_id:
            if node.tag in _CELLS:
                return True
            node = node.parent
    return False


def _walk(node: LexborNode, out: list[str], flat: list[LexborNode], *, check_nesting: bool) -> None:
    """The node's text in reading order, a line break around every block and table row; the tables
    read row by row are put in `flat`.  Iterative: a page of a thousand unclosed <span>s is as deep
    as it likes, and costs no recursion."""
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
        elif tag == "img":
            src = child.attributes.get("src") or ""
            if src.startswith("data:image/"):
                append(f"\n{IMAGE}{src}\n")
        elif tag == "table" and not (check_nesting and _holds_table(child)):
            append("\n")
            flat.append(child)
            _table_rows(child, append)
        else:
            if tag in _BLOCK:
                append("\n")
                push("\n")
            children: list[LexborNode | str] = [*child.iter(include_text=True)]
            children.reverse()
            stack += children


def _table_rows(table: LexborNode, append: Callable[[str], None]) -> None:
    for tr in _rows(table):
        # a cell's paragraphs and spans join without spaces: Word splits "2025" from "年" into spans
        texts = [td.text() for td in tr.iter() if td.tag in _CELLS]
        row = "".join(texts)
        if row.isprintable() and "  " not in row and "|" not in row:  # most rows: no cell needs cleaning
            cells = [text.strip() for text in texts]
        else:
            cells = [_cell_text(text) for text in texts]
        if any(cells):
            append(" | ".join(cells) + "\n")


def _rows(table: LexborNode) -> Iterator[LexborNode]:
    """The table's own rows (the HTML parser puts each under the table or its tbody/thead/tfoot)."""
    for child in table.iter():
        if child.tag == "tr":
            yield child
        elif child.tag in _SECTIONS:
            yield from (row for row in child.iter() if row.tag == "tr")


def _cell_text(text: str) -> str:
    """A cell's text on one line, its "|" made full-width (it separates cells in nianbao's text)."""
    if text.isprintable() and "  " not in text and "|" not in text:  # no whitespace but single spaces
        return text.strip()
    if not text or text.isspace():
        return ""  # most cells of a Word-pasted table: empty, or a lone &nbsp;
    return _WS.sub(" ", text.replace("|", "｜")).strip()


def _metas(tree: LexborHTMLParser) -> dict[str, str]:
    """name -> content of the page's <meta name=…> tags (the first of each name).  The head is read
    first; the body (a walk of the whole page) only when the head lacks a name nianbao reads."""
    out: dict[str, str] = {}
    for scope in (tree.head, tree.body):
        if scope is None:
            continue
        for node in scope.css("meta[name]"):
            attributes = node.attributes
            out.setdefault(attributes.get("name") or "", (attributes.get("content") or "").strip())
        if _decided(out, _TITLE_META) and _decided(out, _DATE_META):
            break
    return out


def _decided(metas: dict[str, str], names: tuple[str, ...]) -> bool:
    """True when `_meta(metas, *names)` cannot change with tags read later in the page: each name it
    asks before its answer is there as spelt (the first tag of a name is the one read)."""
    for name in names:
        if name not in metas:
            return False
        if metas[name]:
            return True
    return True


def _meta(metas: dict[str, str], *names: str) -> str | None:
    """The content of the first of `names` given (a name as spelt, else in lower case)."""
    for name in names:
        content = metas[name] if name in metas else metas.get(name.lower(), "")
        if content:
            return content
    return None


def _title(tree: LexborHTMLParser, metas: dict[str, str]) -> str | None:
    title = _meta(metas, *_TITLE_META)
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
    value = _meta(metas, *_DATE_META)
    return iso_date(value) if value else None
