"""Any list page: every link is a possible entry, and the pager's 下一页/尾页/numbered/`?page=`
links are followed.  The crawler always runs this too, as a fallback, stopping on repeats."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.listing import Link, Page, PageRequest

NAME = "generic"
_NEXT = re.compile(r"^(下一页|下页|后页|尾页|末页|最后一页|next|>|»|>>)$", re.I)
_PAGED_URL = re.compile(r"[?&](?:page|pageNo|pageIndex|PageIndex|curpage|pn)=\d+|_\d+\.s?html?$|/\d+\.htm$")


def matches(page: Page) -> bool:
    return True


def entries(page: Page) -> list[Link]:
    return page.links()


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
