"""Any list page: every link is a possible entry, and the pager's 下一页/尾页/numbered/`?page=`
links are followed.  The crawler always runs this too, as a fallback, stopping on repeats.

Its declaration is only what the page says in words: "共N页" or "共N条".  A list whose pager
nianbao does not understand is never read "completely": its pass is partial, and nobody's report
is called missing from it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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
        return Declared(pages=int(match.group(1)), how=f"pager: {match.group(0)}")
    match = _RECORDS.search(page.text)
    if match:
        return Declared(records=int(match.group(1)), how=f"list: {match.group(0)}")
    return None


def next_pages(page: Page) -> list[PageRequest]:
    here = urlsplit(page.url)
    found = []
    for link in page.links():
        target = urlsplit(link.url)
        if target.netloc != here.netloc:
            continue
        text = link.text.strip()
        if _NEXT.match(text) or (text.isdigit() and len(text) <= 4 and _PAGED_URL.search(link.url)):
            found.append(PageRequest(link.url, referer=page.url))
    return found
