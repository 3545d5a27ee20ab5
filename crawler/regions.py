"""A page's regions: the template a CMS prints on every page of a site (header, top navigation,
footer, the 友情链接 / 相关链接 / 网站导航 blocks, the site map, the breadcrumb) and the content
between them (a column's list, an index of departments).

A county's template is written once for a province's portals, and its footer links the
neighbouring counties: read as content, those links make the neighbours' portals this county's
sub-sites.  Discovery follows a link into another site only from the content region of an index
page, so each link is placed first, by what CMS templates share:

- the element's own tag (`<header>`, `<footer>`, `<nav>`) and its class or id names (`foot`,
  `bottom`, `copyright`, `yqlj`, `friendlink`, `sitemap`, `position` …);
- a block's heading: the short text before its first link, or the heading element just before it
  (友情链接, 相关链接, 网站导航, 网站地图, 市县网站 …), in a block whose text is mostly its links;
- repetition: a link that was on other pages of the same host already belongs to the template
  (a `nav`/`menu` block once it is seen twice; any block once it is seen on two other pages), and
  a link to another site that one page showed in its template is the template's on every page
  of the host, however differently that page wraps it;
- a breadcrumb is one short line after its words (当前位置), never the block that holds it.

A block headed by other words (部门信息公开, 年度报告) is content, whatever encloses it, unless a
tag or class above it says template; headed by the words of the disclosure navigation, it is
content even when classed like a links block or a menu.  Every placement keeps what told it, for
the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from selectolax.lexbor import LexborNode

from crawler.listing import Link, Page, anchor_link, is_report_title
from crawler.scope import netloc_key

CONTENT = "content"
TEMPLATE_REGIONS = frozenset({"header", "nav", "footer", "links", "sitemap", "breadcrumb", "repeated"})

# class or id names: matched against each name's parts (split at - and _), whole or within
_WHOLE: dict[str, frozenset[str]] = {
    "footer": frozenset({"foot", "bottom", "db", "bq", "dibu", "fot", "ft", "copy"}),
    "header": frozenset({"head", "top", "topbar", "banner", "logo", "toubu"}),
    "links": frozenset({"link", "links", "lj", "yq", "wzq", "zfwz", "sitegroup", "webgroup"}),
    "nav": frozenset({"nav", "menu", "dh", "daohang", "mainnav", "navbar", "topnav"}),
    "breadcrumb": frozenset({"posi", "position", "location", "crumb", "breadcrumb", "dqwz"}),
}
_WITHIN: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "links",
        re.compile(r"yqlj|xglj|wzlj|friend|outlink|footlink|linkbox|linklist|links?list|weblink|sitelink|yqlink"),
    ),
    ("sitemap", re.compile(r"sitemap|wzdt")),
    ("breadcrumb", re.compile(r"crumb|position|dqwz")),
    ("footer", re.compile(r"foot|bottom|copyright|banquan")),
    ("header", re.compile(r"header|topbar|toolbar")),
    ("nav", re.compile(r"nav|menu|daohang")),
)
_TEMPLATE_HEADING = re.compile(
    r"(?:友情|相关|网站|其他|兄弟|外部|常用)链接|链接|友情网站|站群(?:导航)?|网站(?:导航|地图|群)|"
    r"(?:中央|国家|国务院|部委|省|省内|省级|市|市县|市州|县区|区县|旗县区?|县市区?|外省|兄弟|政府|其他|各地)(?:政府)?网站(?:群|链接|导航)?"
)
_SITEMAP_HEADING = re.compile(r"网站地图")
_CRUMB_HEADING = re.compile(r"^(?:当前位置|您的位置|您现在的位置|所在位置|当前栏目|位置)")
_BLOCK_TAGS = frozenset(
    {"div", "ul", "ol", "table", "tbody", "tr", "td", "dl", "dd", "section", "aside", "p", "span", "li"}
)
_HEADING_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "dt", "em", "label", "td", "th"}
)
_MAX_HEADING = 16  # characters of a block's heading
_MAX_CLIMB = 12
_PUNCT = re.compile(r"[\s:：|｜>›»>\-—·•、，,。\u3000]+")
MORE = re.compile(
    r"^[\[【(（<《>》»›\s]*(?:更多|查看更多|更多信息|更多内容|more|查看全部|全部)[\s>》»›+.…\]】)）]*$"
    r"|^[>》»›]{2,}$|^\+$",
    re.I,
)
_BLOCK_HEADING = re.compile(r"年度报告|年报")


@dataclass(frozen=True, slots=True)
class Placed:
    """A link and the region it sits in, with what told it (a tag, a class name, a heading)."""

    link: Link
    region: str  # content | header | nav | footer | links | sitemap | breadcrumb | repeated
    why: str = ""
    node: LexborNode | None = None
    # a menu (`nav`, `menu`) is the template's once the site's other pages show it too; one a single
    # page has (the list of departments on an index, drawn as a menu) is that page's content
    template: bool = False


def _names(node: LexborNode) -> list[str]:
    attributes = node.attributes
    text = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
    return [name for name in text.split() if name]


def _by_names(node: LexborNode) -> tuple[str, str] | None:
    """The template region a tag or a class/id name says, and the name that says it."""
    if node.tag in ("footer", "header"):
        return node.tag, f"<{node.tag}>"
    if node.tag == "nav":
        return "nav", "<nav>"
    for name in _names(node):
        parts = set(re.split(r"[-_]+", name)) | {name}
        for region, words in _WHOLE.items():
            if parts & words:
                return region, f'"{name}"'
        for region, pattern in _WITHIN:
            if pattern.search(name):
                return region, f'"{name}"'
    return None


def _clean(text: str) -> str:
    return _PUNCT.sub("", text)


def heading(node: LexborNode) -> str | None:
    """The block's heading: the short text before its first link, or the text of the heading
    element just before it; None when it has none."""
    if node.tag not in _BLOCK_TAGS:
        return None
    anchors = node.css("a[href]")
    if not anchors or len(anchors) > 80:
        return None
    first = anchors[0].text(strip=True)
    whole = node.text(separator="\n")
    at = whole.find(first) if first else -1
    lead = _clean(whole[:at]) if at > 0 else ""
    if lead and len(lead) <= _MAX_HEADING:
        return lead
    before = node.prev
    while before is not None and before.tag == "-text" and not (before.text() or "").strip():
        before = before.prev
    if before is not None and before.tag in _HEADING_TAGS:
        own = [a for a in before.css("a[href]") if not MORE.match(a.text(strip=True))]
        text = _clean(before.text(separator=""))
        for a in before.css("a[href]"):
            if MORE.match(a.text(strip=True)):
                text = text.replace(_clean(a.text()), "")
        if not own and text and len(text) <= _MAX_HEADING:
            return text
    return None


def _heading_region(text: str) -> str | None:
    if _SITEMAP_HEADING.search(text):
        return "sitemap"
    if _CRUMB_HEADING.match(text):
        return "breadcrumb"
    if _TEMPLATE_HEADING.fullmatch(text) or _TEMPLATE_HEADING.match(text) and len(text) <= 6:
        return "links"
    return None


def _short_line(node: LexborNode) -> bool:
    """A breadcrumb is one short line (当前位置：首页 > 政府信息公开 > 年报), not the block that holds it
    and the page's list under it."""
    if len(node.css("a[href]")) > 8 or len(_clean(node.text())) > 80:
        return False
    return not any(inner.css_first("a[href]") is not None for inner in node.css("div, table, ul, ol, dl, p"))


def _mostly_links(node: LexborNode) -> bool:
    """Link density: the block's text is mostly the words of its links (a links block, not a page)."""
    whole = len(_clean(node.text()))
    linked = sum(len(_clean(a.text())) for a in node.css("a"))
    return whole > 0 and linked / whole >= 0.5


def place(anchor: LexborNode, repeated: int) -> tuple[str, str]:
    """(region, why) of one `<a>`; `repeated`: on how many other pages of the host it was seen."""
    region, why, _ = _place(anchor, repeated)
    return region, why


def _place(anchor: LexborNode, repeated: int) -> tuple[str, str, bool]:
    """(region, why, headed): `headed` when a block heading of other words (部门信息公开) holds it."""
    node = anchor.parent
    nav: tuple[str, str] | None = None
    headed = False  # a content heading seen below: only a tag or a class above it can still say template
    # a block headed 部门信息公开 (or 年度报告 …) is the page's content even when its list is classed
    # like a links block (`<ul class="links">`): the class says how it looks, the heading what it is
    disclosure = _disclosure_block(anchor)
    for _ in range(_MAX_CLIMB):
        if node is None or node.tag in ("body", "html", None):
            break
        found = _by_names(node)
        if found is not None and disclosure is not None and found[0] in _LOOKS_ONLY:
            found = None
        if node.mem_id == disclosure:
            disclosure, headed = None, True  # above the heading's block, a class says template again
        if found is not None:
            region, why = found
            if region != "nav":
                return region, why, headed
            nav = nav or found
        if not headed:
            text = heading(node)
            if text is not None:
                region_of = _heading_region(text)
                if region_of is not None and (_short_line(node) if region_of == "breadcrumb" else _mostly_links(node)):
                    return region_of, f"heading {text}", False
                headed = True
        node = node.parent
    if nav is not None:
        return nav[0], nav[1] + (", on other pages of this host too" if repeated >= 1 else ""), headed
    if repeated >= 2:
        return "repeated", f"on {repeated} other pages of this host", headed
    return CONTENT, "", headed


_DISCLOSURE_HEADING = re.compile(r"(?:部门|乡镇|街道|镇街|苏木|单位).{0,4}(?:信息公开|政务公开|公开)|年度报告|年报")
_LOOKS_ONLY = frozenset({"links", "nav", "sitemap"})


def _disclosure_block(anchor: LexborNode) -> int | None:
    """The enclosing block (its `mem_id`) whose heading names a part of the disclosure navigation
    (部门信息公开, 乡镇信息公开, 年度报告), or None."""
    node = anchor.parent
    for _ in range(_MAX_CLIMB):
        if node is None or node.tag in ("body", "html", None) or node.tag in ("footer", "header"):
            return None
        text = heading(node)
        if text is not None:
            return node.mem_id if _DISCLOSURE_HEADING.search(text) and _heading_region(text) is None else None
        node = node.parent
    return None


class Template:
    """What the pages of each host read so far share: each link (URL and words) and the pages it
    was on.  One per discovery: a host's template shows itself as its pages are read."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, int | None], dict[tuple[str, str], set[str]]] = {}
        # each link placed in a template region of a page: (region, the page)
        self._template: dict[tuple[str, int | None], dict[tuple[str, str], tuple[str, str]]] = {}

    def place(self, page: Page) -> list[Placed]:
        """Every link of `page`, placed in its region; the page's links are then remembered.

        A link to another site that another page of the host showed in a template region (its
        footer's 友情链接, told there by a class or a heading) is the template's here too, when no
        heading of other words holds it on this page: a template prints the same links on every
        page, however differently each page wraps them."""
        host = netloc_key(page.url)
        seen = self._seen.setdefault(host, {})
        marked = self._template.setdefault(host, {})
        out: list[Placed] = []
        for anchor in page.tree.css("a[href]"):
            link = anchor_link(page.url, anchor)
            if link is None:
                continue
            if not link.text.strip() and not link.title and (image := anchor.css_first("img")) is not None:
                link = replace(link, text=(image.attributes.get("alt") or image.attributes.get("title") or "").strip())
            key = (link.url, link.text.strip())
            others = len(seen.get(key, set()) - {page.url})
            region, why, headed = _place(anchor, others)
            template = region in TEMPLATE_REGIONS and (region != "nav" or others >= 1)
            elsewhere = marked.get(key)
            if not template and not headed and elsewhere is not None and netloc_key(link.url) != host:
                region, why, template = elsewhere[0], f"as on {elsewhere[1]}", True
            out.append(Placed(link, region, why, anchor, template))
        for placed in out:
            key = (placed.link.url, placed.link.text.strip())
            seen.setdefault(key, set()).add(page.url)
            if placed.template and key not in marked:
                marked[key] = (placed.region, page.url)
        return out


# ---- blocks of reports, and their 更多 ---------------------------------------------------------------


@dataclass
class Block:
    """A block of report links under a heading (年度报告), and its 更多 link when it has one."""

    heading: str
    reports: list[Link]
    more: Link | None


def report_blocks(page: Page, placed: Iterable[Placed]) -> tuple[list[Block], list[Placed]]:
    """The headed blocks the page's report links sit in (年度报告 with its five newest and a
    更多>>), and the report links in no such block (a list of the page's own)."""
    blocks: dict[int, Block] = {}
    loose: list[Placed] = []
    for item in placed:
        if item.template or item.node is None or not is_report_title(item.link.best_title):
            continue
        found = _block_of(page, item.node)
        if found is None:
            loose.append(item)
            continue
        key, block = found
        blocks.setdefault(key, block).reports.append(item.link)
    return list(blocks.values()), loose


def _block_of(page: Page, anchor: LexborNode) -> tuple[int, Block] | None:
    node = anchor.parent
    for _ in range(6):
        if node is None or node.tag in ("body", "html"):
            return None
        text = heading(node) or ""
        more = _more_in(page, node)
        if more is None and text and node.prev is not None:
            more = _more_in(page, node.prev)
        if more is not None or _BLOCK_HEADING.search(text):
            return node.mem_id, Block(text, [], more)
        if text:
            return None  # headed by other words: a list of its own
        node = node.parent
    return None


def _more_in(page: Page, node: LexborNode) -> Link | None:
    if node.tag == "-text":
        return None
    for anchor in node.css("a[href]"):
        words = anchor.text(strip=True)
        if not words:  # a picture's words, or the link's title
            image = anchor.css_first("img")
            alt = image.attributes.get("alt") if image is not None else None
            words = (alt or anchor.attributes.get("title") or "").strip()
        names = " ".join(_names(anchor) + (_names(anchor.parent) if anchor.parent is not None else []))
        if MORE.match(words) or (not words and "more" in names):
            link = anchor_link(page.url, anchor)
            if link is not None and not link.url.startswith("invalid:"):
                return link
    return None


def breadcrumb(placed: Iterable[Placed]) -> list[Link]:
    """The links of the page's breadcrumb (当前位置：首页 > 政府信息公开 > 政府信息公开年报), in order."""
    return [p.link for p in placed if p.region == "breadcrumb"]


def names_itself(page: Page, words: re.Pattern[str]) -> bool:
    """The page says it is such a column: its ColumnName, its <title>'s first part, or the last
    words of its breadcrumb match `words`."""
    meta = page.tree.css_first('meta[name="ColumnName"]')
    if meta is not None and words.search(meta.attributes.get("content") or ""):
        return True
    title = page.tree.css_first("title")
    first = re.split(r"[-_|｜—–]", title.text(strip=True))[0] if title is not None else ""
    return bool(words.search(first))
