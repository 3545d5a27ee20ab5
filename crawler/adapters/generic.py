"""Any list page: every link is a possible entry, and the pager's 下一页/尾页/numbered/`?page=`
links are followed.  The crawler always runs this too, as a fallback, stopping on repeats.

Its declaration is only what the page says in words: "共N页" or "共N条".  A list whose pager
nianbao does not understand is never read "completely": its pass is partial, and nobody's report
is called missing from it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from crawler.adapters.safe import count, unusable
from crawler.listing import Declared, Link, Page, PageRequest

NAME = "generic"
_NEXT = re.compile(r"^(下一页|下页|后页|尾页|末页|最后一页|next|>|»|>>)$", re.I)
_PAGED_URL = re.compile(r"[?&](?:page|pageNo|pageIndex|PageIndex|curpage|pn)=\d+|_\d+\.s?html?$|/\d+\.htm$")
_PAGES = re.compile(r"共\s*(\d+)\s*页")
_RECORDS = re.compile(r"共\s*(\d+)\s*条")


def matches(page: Page) -> bool:
    return True


def entries(page: Page) -> list[Link]:
    return page.links()


def declared(page: Page) -> Declared | None:
    match = _PAGES.search(page.text)
    if match:
        pages = count(match.group(1))
        if pages is None:
            return Declared(how="pager", note=unusable("the pager's 共…页", match.group(1)))
        return Declared(pages=pages, how=f"pager: {match.group(0)}")
    match = _RECORDS.search(page.text)
    if match:
        records = count(match.group(1))
        if records is None:
            return Declared(how="list", note=unusable("the list's 共…条", match.group(1)))
        return Declared(records=records, how=f"list: {match.group(0)}")
    return None


def next_pages(page: Page) -> Iterator[PageRequest]:
    """The pager's links to further pages of the list (same host), as they are asked for."""
    here = urlsplit(page.url)
    for link in page.links():
        if urlsplit(link.url).netloc != here.netloc:  # links are URLs or marked "invalid:" (listing._link)
            continue
        text = link.text.strip()
        if text.isdigit() and len(text) <= 4 and _PAGED_URL.search(link.url):
            yield PageRequest(link.url, referer=page.url, number=int(text))  # a numbered link says its place
        elif _NEXT.match(text):
            yield PageRequest(link.url, referer=page.url)  # 下一页, 尾页: its place in the list is not said
