"""A fetched list page, its links, and what counts as a report link or a report sub-column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

_ITEM_TAGS = frozenset({"li", "tr", "td", "p", "dd", "div"})
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_REPORT = re.compile(r"政府信息公开.{0,12}(?:年度报告|工作报告|年报|报告)|政务公开.{0,6}年度报告|年度政府信息公开")
_NOT_REPORT = re.compile(r"网站|事业单位|法人年报|工作要点|报表|预算|决算|通知|征求意见|考核|统计公报")
_CUT = re.compile(r"(…|\.\.\.|．．．)$")
_COLUMN = re.compile(
    r"^\s*(?:\d{4}\s*年|各乡镇|各部门|各街道|乡镇|部门|街道|县政府|区政府|市政府|本级政府|政府信息公开年报|年报|年度报告)"
)


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str
    title: str | None = None
    date: str | None = None

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
    column: str | None = None  # the first page of the column this page belongs to (set by the crawl)

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


def _link(base: str, anchor: LexborNode) -> Link | None:
    href = (anchor.attributes.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "#", "mailto:")):
        return None
    text = anchor.text(strip=True)
    parent = anchor.parent
    context = parent.text(separator=" ") if parent is not None and parent.tag in _ITEM_TAGS else text
    match = _DATE.search(context if len(context) < 400 else text)
    date = f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}" if match else None
    try:
        url = urljoin(base, href)
        urlsplit(url).port  # noqa: B018  (parses the host and port: "http://[::1:80/" fails here)
    except ValueError:  # not a URL at all: kept, marked, so the fetch records it for this link alone
        url = "invalid:" + href
    return Link(url, text, anchor.attributes.get("title"), date)


def is_report_title(title: str) -> bool:
    """An annual report on information disclosure, by its (possibly cut) title."""
    if not _YEAR.search(title) or _NOT_REPORT.search(title) or title.startswith(("各", "本级")):
        return False  # "各乡镇2025年政府信息公开年报" names a column, not a report
    return bool(_REPORT.search(title)) or (bool(_CUT.search(title)) and "政府信息公开" in title)


def is_column_link(link: Link, column_bases: tuple[str, ...]) -> bool:
    """A sub-column of the report column (by year, level or township), within its URL subtree."""
    if is_report_title(link.best_title) or _NOT_REPORT.search(link.text) or not _COLUMN.search(link.text):
        return False
    path = urlsplit(link.url).path
    return any(path.startswith(base) for base in column_bases)


def column_base(url: str) -> str:
    """The URL subtree a column owns: `/a/zfxxgknb.htm` owns `/a/zfxxgknb/`; `/a/b/index.html` owns `/a/b/`."""
    path = urlsplit(url).path
    directory, _, name = path.rpartition("/")
    stem = name.rsplit(".", 1)[0]
    if not stem or stem.startswith(("index", "col")):
        return directory + "/"
    return f"{directory}/{stem}/"
