"""Boda VSB (博达站群, zjc.gov.cn and the Tianshui counties): static `x.htm` lists numbered
backwards — `x.htm` is page 1, `x/{N-1}.htm` page 2 … `x/1.htm` the last — with the page count
only in `_simple_list_gotopage_fun(N, …)` (or "共N页").  A list of one page prints no pager."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from crawler.listing import Declared, Link, Page, PageRequest

NAME = "vsb"
_GOTO = re.compile(r"_simple_list_gotopage_fun\(\s*(\d+)")
_TOTAL = re.compile(r"共\s*(\d+)\s*页")
_NUMBERED = re.compile(r"/\d+\.htm$")


def matches(page: Page) -> bool:
    text = page.text
    return "_simple_list_gotopage_fun" in text or "/system/resource/js/" in text or "vsb_content" in text


def entries(page: Page) -> list[Link]:
    return page.links()


def declared(page: Page) -> Declared | None:
    """The page count the pager gives.  A page with no pager at all may be a list of one page: the
    crawl decides that from positive evidence (`listing.one_page`), as for any CMS, since some VSB
    lists load further entries by script."""
    match = _GOTO.search(page.text) or _TOTAL.search(page.text)
    if match:
        return Declared(pages=int(match.group(1)), how=f"VSB pager: {match.group(0)}")
    if "p_pages" in page.text or "pb_sys_common" in page.text:
        return None  # a pager nianbao cannot read
    return None


def next_pages(page: Page) -> list[PageRequest]:
    match = _GOTO.search(page.text) or _TOTAL.search(page.text)
    parts = urlsplit(page.url)
    if not match or not parts.path.endswith(".htm") or _NUMBERED.search(parts.path):
        return []  # numbered pages are generated once, from page 1
    count = int(match.group(1))
    stem = parts.path[: -len(".htm")]
    return [
        PageRequest(urlunsplit((parts.scheme, parts.netloc, f"{stem}/{k}.htm", "", "")), referer=page.url)
        for k in range(count - 1, 0, -1)
    ]
