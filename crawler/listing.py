"""A fetched list page, its links, and what counts as a report link or a report sub-column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from nianbao.core.messages import Said, said

_ITEM_TAGS = frozenset({"li", "tr", "td", "th", "p", "dd", "dt", "div", "span", "em", "font", "h3", "h4", "h5"})
_ITEM_DEPTH = 4  # ancestors climbed to find the entry's own row or item
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_REPORT = re.compile(r"政府信息公开.{0,12}(?:年度报告|工作报告|年报|报告)|政务公开.{0,6}年度报告|年度政府信息公开")
_NOT_REPORT = re.compile(r"网站|事业单位|法人年报|工作要点|报表|预算|决算|通知|征求意见|考核|统计公报")
_CUT = re.compile(r"(…|\.\.\.|．．．)$")
# what a list entry that looks like a report but is none says it is
_DRAFT = re.compile(r"送审稿|征求意见稿|草稿|讨论稿|初稿|代拟稿|审议稿|修改稿|[（(]稿[)）]")
_NOTICE = re.compile(r"通知|公告|通告|征求意见|解读|批复|会议")
_REPORTISH = re.compile(r"报告|年报|报表")
_COLUMN = re.compile(
    r"^\s*(?:\d{4}\s*年|各乡镇|各部门|各街道|乡镇|部门|街道|县政府|区政府|市政府|本级政府|政府信息公开年报|年报|年度报告)"
)


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str
    title: str | None = None
    date: str | None = None  # written in the entry's own row or item
    date_uncertain: bool = False  # a date stood near the link but could not be tied to it

    @property
    def best_title(self) -> str:
        """The `title` attribute when the visible text is cut with "…"."""
        if self.title and len(self.title) >= len(self.text.rstrip("….")):
            return self.title.strip()
        return self.text.strip()


@dataclass(frozen=True, slots=True)
class PageRequest:
    url: str
    data: tuple[tuple[str, str], ...] | None = None  # form fields: a POST (Hanweb's data proxy)
    referer: str | None = None
    column: str | None = None  # the key of the column this page belongs to (set by the crawl)
    position: int = 0  # the order in which the crawl asked for the column's pages, 1 for the first
    number: int | None = None  # the page's number in the list as the CMS numbers it, None when unknown

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...] | None]:
        return self.url, self.data


@dataclass(frozen=True, slots=True)
class Declared:
    """What a column's CMS says about its size: a page count, a record count, or the end of the list
    (a page shorter than a full one).  Completeness is proven against this, never assumed; a pager
    value that is no usable number gives a `note` instead of a size, and the column stays partial."""

    pages: int | None = None
    records: int | None = None
    last: bool = False  # this page is the last one (a short page of a list without a count)
    how: str = ""  # where the CMS says it ("createPageHTML(3, …)", "totalRecord:52", …)
    note: str = ""  # a pager value nianbao could not use ("perPage:0"): the column's size is unknown


@dataclass
class Page:
    url: str
    text: str
    _tree: LexborHTMLParser | None = field(default=None, repr=False)

    @property
    def tree(self) -> LexborHTMLParser:
        if self._tree is None:
            self._tree = LexborHTMLParser(self.text)
        return self._tree

    def links(self, root: str | None = None) -> list[Link]:
        """Every <a href> (resolved against the page's own URL: VSB list depth changes)."""
        scope = (self.tree.css_first(root) if root else None) or self.tree.root
        anchors = scope.css("a[href]") if scope is not None else []
        return [link for a in anchors if (link := _link(self.url, a))]


def anchor_link(base: str, anchor: LexborNode) -> Link | None:
    """The link of one `<a href>` node, as `Page.links` gives it (None for javascript:, #, mailto:)."""
    return _link(base, anchor)


def _link(base: str, anchor: LexborNode) -> Link | None:
    href = (anchor.attributes.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "#", "mailto:")):
        return None
    text = anchor.text(strip=True)
    date, uncertain = _own_date(anchor, text)
    try:
        url = urljoin(base, href)
        urlsplit(url).port  # noqa: B018  (parses the host and port: "http://[::1:80/" fails here)
    except ValueError:  # not a URL at all: kept, marked, so the fetch records it for this link alone
        url = "invalid:" + href
    return Link(url, text, anchor.attributes.get("title"), date, uncertain)


def _own_date(anchor: LexborNode, text: str) -> tuple[str | None, bool]:
    """The date of the anchor's own entry, and whether a date stood near it that could not be tied
    to it.  A date belongs to an entry only when it is written in the entry's own row or item: the
    closest enclosing element that holds no other entry's title.  A `<div>` of links followed by
    their dates ties none of them (the first date is not every link's): "date uncertain"."""
    match = _DATE.search(text)
    if match:
        return _iso(match), False
    node = anchor.parent
    for _ in range(_ITEM_DEPTH):
        if node is None or node.tag not in _ITEM_TAGS:
            break
        context = node.text(separator=" ")
        match = _DATE.search(context) if len(context) < 400 else None
        if _titles_beyond_one(node):
            return None, match is not None  # the item holds other entries: a date in it may be theirs
        if match:
            return _iso(match), False
        node = node.parent
    return None, False


_TITLE_MIN = 6  # characters: an entry's title, not "[PDF]" or "附件" beside it


def _titles_beyond_one(node: LexborNode) -> bool:
    """The element holds the links of more than one entry."""
    titles = 0
    for anchor in node.css("a[href]"):
        if len(anchor.text(strip=True)) >= _TITLE_MIN:
            titles += 1
            if titles > 1:
                return True
    return False


def _iso(match: re.Match[str]) -> str:
    return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"


def is_report_title(title: str) -> bool:
    """An annual report on information disclosure, by its (possibly cut) title (a draft is none)."""
    if not _YEAR.search(title) or _NOT_REPORT.search(title) or title.startswith(("各", "本级")):
        return False  # "各乡镇2025年政府信息公开年报" names a column, not a report
    if _DRAFT.search(title):
        return False  # "…年度报告（送审稿）": a draft, not the published report
    return bool(_REPORT.search(title)) or (bool(_CUT.search(title)) and "政府信息公开" in title)


def not_a_report(title: str) -> str | None:
    """Why an entry whose title looks like a report's is none: "draft", "notice" or "other" (a
    website's or a legal person's annual report, a budget …); None when it does not look like one
    (navigation, news) and is no entry of the ledger."""
    if not _YEAR.search(title) or not _REPORTISH.search(title) or is_report_title(title):
        return None
    if _DRAFT.search(title):
        return "draft"
    if _NOTICE.search(title):
        return "notice"
    return "other"


def is_column_link(link: Link, column_bases: tuple[str, ...]) -> bool:
    """A sub-column of the report column (by year, level or township), within its URL subtree."""
    if is_report_title(link.best_title) or _NOT_REPORT.search(link.text) or not _COLUMN.search(link.text):
        return False
    path = urlsplit(link.url).path
    return any(path.startswith(base) for base in column_bases)


_INDEX_NAMES = re.compile(r"/(?:index|default)\.(?:html?|shtml|jsp|php|aspx?)$", re.I)


def column_key(url: str) -> str:
    """One column however it is linked: `…/zfxxgknb/`, `…/zfxxgknb/index.html`, `index.htm`,
    `index.shtml`, `default.htm`, with or without the trailing slash, its query in any order, over
    http or https (a portal serves one column on both when it redirects one to the other)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    path = _INDEX_NAMES.sub("/", parts.path or "/").rstrip("/") or "/"
    query = "&".join(sorted(q for q in parts.query.split("&") if q))
    return f"{host}{':' + str(port) if port else ''}{path}{'?' + query if query else ''}"


def column_base(url: str) -> str:
    """The URL subtree a column owns: `/a/zfxxgknb.htm` owns `/a/zfxxgknb/`; `/a/b/index.html` owns `/a/b/`."""
    path = urlsplit(url).path
    directory, _, name = path.rpartition("/")
    stem = name.rsplit(".", 1)[0]
    if not stem or stem.startswith(("index", "col")):
        return directory + "/"
    return f"{directory}/{stem}/"


# ---- a list of one page: positive evidence, or the script that could load more ---------------------

_PAGER_WORDS = re.compile(r"下一页|下页|上一页|上页|尾页|末页|共\s*\d+\s*[页条]|第\s*\d+\s*页|每页\s*\d+|跳转到?\s*第?")
_LOAD_MORE = re.compile(r"加载更多|点击加载|滚动加载|点击查看更多|上拉加载")
_SCRIPT_BODY = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_SCRIPT_SRC = re.compile(r"""src\s*=\s*["']?([^"'\s>]+)""", re.I)
_PAGING_SRC = re.compile(r"page\.js|pager|paging|pagination|jpage|loadmore|load_more|infinite|scroll", re.I)
_PAGING_WORDS = re.compile(
    r"pageNo|pageNum|pageIndex|pageSize|curPage|currentPage|totalPage|nextPage|loadMore|load_more|getMore|"
    r"page\s*[:=]|page\+\+|\bpage\s*\+=|createPageHTML|jpage|startrecord",
    re.I,
)
_AJAX = re.compile(r"\$\.(?:ajax|get|post|getJSON)\b|\.load\(|\bfetch\(|XMLHttpRequest|axios|\$http", re.I)
_CLOSED_END = re.compile(r"</html\s*>\s*(?:<!--.*?-->\s*)*$", re.I | re.S)


def more_by_script(page: Page) -> Said | None:
    """Why the page could show more entries than its HTML holds (a 加载更多 button, a script that
    asks a server for further pages), or None.  Such a list is never proven read by its first page."""
    button = _LOAD_MORE.search(page.tree.body.text(separator=" ") if page.tree.body else "")
    if button:
        return said("script.button", button=button.group(0))
    for attributes, body in _SCRIPT_BODY.findall(page.text):
        source = _SCRIPT_SRC.search(attributes)
        if source and _PAGING_SRC.search(source.group(1).rsplit("/", 1)[-1]):
            return said("script.source", name=source.group(1).rsplit("/", 1)[-1])
        if body and _PAGING_WORDS.search(body) and _AJAX.search(body):
            return said("script.inline")
    return None


def one_page(page: Page, entries: int) -> Declared | None:
    """Positive evidence that a list is one page: no pager markup, no paging script, every list
    container closed and the page ended normally (`</html>`): "one page, no pager, N entries".
    None when any of that is missing."""
    text = page.text
    body = page.tree.body.text(separator=" ") if page.tree.body else ""
    if _PAGER_WORDS.search(body) or more_by_script(page) is not None:
        return None
    if not _CLOSED_END.search(text.rstrip()[-2000:]):
        return None  # the page did not end normally: it may have been cut
    lowered = text.lower()
    for tag in ("ul", "ol", "table", "dl"):
        if len(re.findall(rf"<{tag}[\s>]", lowered)) != len(re.findall(rf"</{tag}\s*>", lowered)):
            return None  # a list container left open
    return Declared(pages=1, how=f"one page, no pager, {entries} entries")
