"""TRS WCM (拓尔思): static `index.html`, `index_1.html`, … with the page count only in a script
call `createPageHTML(N, current, "index", "html")` (0-based).  The customised form
`createPageHTML('div', N, current, 'name', 'ext', records)` counts from 1 (`name_2.ext` is page 2);
a commented-out call is stale and a `var countPage = N` then holds the real count (as it does when
the call passes the variable itself: `createPageHTML(countPage, …)`).

The count is the portal's word: the pages it names are generated one at a time as the crawl asks
(`createPageHTML(1000000000, …)` costs what `max_pages` allows), and a count that is no number
(`createPageHTML(abc, …)`) is a note, the column's size unknown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from crawler.adapters.safe import count, join, unusable
from crawler.listing import Declared, Link, Page, PageRequest

NAME = "trs"
_CALL = re.compile(r"^(?P<prefix>.*?)createPageHTML\((?P<args>[^)]*)\)", re.M)
_COUNT_VAR = re.compile(r"\b(?:countPage|totalPage|pageCount|page_count)\s*=\s*(\d+)")

Plan = tuple[int, str, str, int]  # (page count, file stem, extension, suffix of page 2)


def matches(page: Page) -> bool:
    return "createPageHTML" in page.text or "TRS_Editor" in page.text


def entries(page: Page) -> list[Link]:
    return page.links()


def declared(page: Page) -> Declared | None:
    """The page count of the list's createPageHTML call (or the count variable a stale call left)."""
    plan = _plan(page)
    if isinstance(plan, str):
        return Declared(how="TRS createPageHTML", note=plan)
    if plan is None:
        return None
    return Declared(pages=max(plan[0], 1), how=f"TRS createPageHTML: {plan[0]} pages")


def next_pages(page: Page) -> Iterator[PageRequest]:
    """Pages 2… of the list, made as they are asked for (never a list as long as the declared count)."""
    plan = _plan(page)
    if not isinstance(plan, tuple):
        return
    number, name, ext, first_suffix = plan
    for k in range(first_suffix, first_suffix + number - 1):
        yield PageRequest(join(page.url, f"{name}_{k}.{ext}"), referer=page.url, number=k - first_suffix + 2)


def _plan(page: Page) -> Plan | str | None:
    """The list's plan; a note when its call gives a count that is no number; None with no call."""
    note = ""
    for match in _CALL.finditer(page.text):
        if "//" in match.group("prefix").rsplit(">", 1)[-1].rsplit(";", 1)[-1]:
            continue  # commented out (a URL earlier on the line, as in a page without newlines, is no comment)
        args = [a.strip().strip("'\"") for a in match.group("args").split(",")]
        if len(args) >= 5 and not args[0].isdigit():  # ('div', N, cur, name, ext, records): 1-based
            pages = count(args[1])
            if pages is not None:
                return pages, args[3], args[4], 2
            note = note or unusable("TRS createPageHTML page count", args[1])
        elif len(args) >= 4:
            pages = count(args[0])
            if pages is not None:
                return pages, args[2], args[3], 1
            note = note or unusable("TRS createPageHTML page count", args[0])
    var = _COUNT_VAR.search(page.text)
    if var:
        pages = count(var.group(1))
        if pages is None:
            return unusable("TRS page count variable", var.group(1))
        name = urlsplit(page.url).path.rsplit("/", 1)[-1] or "index.html"
        stem, _, ext = name.partition(".")
        return pages, stem.split("_")[0], ext or "html", 1
    return note or None
