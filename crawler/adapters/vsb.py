"""Boda VSB (博达站群, zjc.gov.cn and the Tianshui counties): static `x.htm` lists numbered
backwards — `x.htm` is page 1, `x/{N-1}.htm` page 2 … `x/1.htm` the last — with the page count
only in `_simple_list_gotopage_fun(N, …)` (or "共N页").  A list of one page prints no pager.
The count is the portal's word: its pages are made as the crawl asks for them; a count of no
pages, or past any real list, is a note and the column's size unknown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from crawler.adapters.safe import count, unusable
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
        pages = count(match.group(1), least=1)  # the page being read is one: 0 pages is no count
        if pages is None:
            return Declared(how="VSB pager", note=unusable("VSB pager page count", match.group(1)))
        return Declared(pages=pages, how=f"VSB pager: {match.group(0)}")
    if "p_pages" in page.text or "pb_sys_common" in page.text:
        return None  # a pager nianbao cannot read
    return None


def next_pages(page: Page) -> Iterator[PageRequest]:
    """Pages 2… (`x/{N-1}.htm` down to `x/1.htm`), made as they are asked for, from page 1 only."""
    match = _GOTO.search(page.text) or _TOTAL.search(page.text)
    parts = urlsplit(page.url)
    if not match or not parts.path.endswith(".htm") or _NUMBERED.search(parts.path):
        return  # numbered pages are generated once, from page 1
    pages = count(match.group(1), least=1)
    if pages is None:
        return
    stem = parts.path[: -len(".htm")]
    for k in range(pages - 1, 0, -1):
        url = urlunsplit((parts.scheme, parts.netloc, f"{stem}/{k}.htm", "", ""))
        yield PageRequest(url, referer=page.url, number=pages - k + 1)  # x/{N-1}.htm is page 2
