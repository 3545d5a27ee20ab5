"""TRS WCM (拓尔思): static `index.html`, `index_1.html`, … with the page count only in a script
call `createPageHTML(N, current, "index", "html")` (0-based).  The customised form
`createPageHTML('div', N, current, 'name', 'ext', records)` counts from 1 (`name_2.ext` is page 2);
a commented-out call is stale and a `var countPage = N` then holds the real count."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.listing import Declared, Link, Page, PageRequest

NAME = "trs"
_CALL = re.compile(r"^(?P<prefix>.*?)createPageHTML\((?P<args>[^)]*)\)", re.M)
_COUNT_VAR = re.compile(r"\b(?:countPage|totalPage|pageCount|page_count)\s*=\s*(\d+)")


def matches(page: Page) -> bool:
    return "createPageHTML" in page.text or "TRS_Editor" in page.text


def entries(page: Page) -> list[Link]:
    return page.links()


def declared(page: Page) -> Declared | None:
    """The page count of the list's createPageHTML call (or the count variable a stale call left)."""
    plan = _plan(page)
    if plan is None:
        return None
    return Declared(pages=max(plan[0], 1), how=f"TRS createPageHTML: {plan[0]} pages")


def next_pages(page: Page) -> list[PageRequest]:
    plan = _plan(page)
    if plan is None:
        return []
    count, name, ext, first_suffix = plan
    return [
        PageRequest(urljoin(page.url, f"{name}_{k}.{ext}"), referer=page.url)
        for k in range(first_suffix, first_suffix + count - 1)
    ]


def _plan(page: Page) -> tuple[int, str, str, int] | None:
    """(page count, file stem, extension, suffix of page 2)."""
    for match in _CALL.finditer(page.text):
        if "//" in match.group("prefix"):
            continue  # commented out
        args = [a.strip().strip("'\"") for a in match.group("args").split(",")]
        if len(args) >= 5 and not args[0].isdigit():  # ('div', N, cur, name, ext, records): 1-based
            return int(args[1]), args[3], args[4], 2
        if len(args) >= 4 and args[0].isdigit():
            return int(args[0]), args[2], args[3], 1
    var = _COUNT_VAR.search(page.text)
    if var:
        name = urlsplit(page.url).path.rsplit("/", 1)[-1] or "index.html"
        stem, _, ext = name.partition(".")
        return int(var.group(1)), stem.split("_")[0], ext or "html", 1
    return None
