"""Guangdong's 政府信息公开目录平台 (gkmlpt): the column page `/gkmlpt/index` names its site id
(`SID`) and category; the items come as JSON from `/gkmlpt/api/all/{category}?page=N&sid=…`,
`{"articles":[{"id","title","url","publisher","display_publish_time"}], "total": N}`, 100 a page.
The CMS declares `total`: the column is complete when that many articles were listed; a `total`
that is no count (text, negative, a fraction) is a note and the column's size unknown."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.adapters.safe import count, join, unusable
from crawler.listing import Declared, Link, Page, PageRequest

NAME = "gkmlpt"
PER_PAGE = 100
_SID = re.compile(r"""\bSID\s*[:=]\s*["']?(\w+)""")
_CATEGORY = re.compile(r"""\b(?:CAT_?ID|catId|category)\s*[:=]\s*["']?(\d+)""", re.I)


def matches(page: Page) -> bool:
    return "/gkmlpt/" in page.url


def _payload(page: Page) -> dict[str, object] | None:
    if "/gkmlpt/api/" not in page.url:
        return None
    try:
        data = json.loads(page.text)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    return data if isinstance(data, dict) else None


def entries(page: Page) -> list[Link]:
    payload = _payload(page)
    if payload is None:
        return []
    links = []
    articles = payload.get("articles")
    for article in articles if isinstance(articles, list) else []:
        if not isinstance(article, dict) or not article.get("url"):
            continue
        date = _date(article.get("display_publish_time"))
        links.append(Link(join(page.url, str(article["url"])), str(article.get("title") or ""), None, date))
    return links


def _date(stamp: object) -> str | None:
    """The publishing date of a Unix time in seconds (a number or its text); None for anything else."""
    if not stamp or not isinstance(stamp, (int, float, str)) or isinstance(stamp, bool):
        return None
    try:
        return datetime.fromtimestamp(int(stamp), timezone.utc).date().isoformat()
    except (ValueError, OverflowError, OSError):  # "abc", 10**40, inf, nan
        return None


def _total(payload: dict[str, object]) -> int | str | None:
    """The declared `total`; the note when it is no count (a string of letters, negative, 1.5);
    None when the payload declares none."""
    if "total" not in payload:
        return None
    total = count(payload["total"])
    return unusable("gkmlpt total", payload["total"]) if total is None else total


def declared(page: Page) -> Declared | None:
    payload = _payload(page)
    total = _total(payload) if payload is not None else None
    if isinstance(total, str):
        return Declared(how="gkmlpt total", note=total)
    if total is None:
        return None
    return Declared(records=total, how=f"gkmlpt total:{total}")


def next_pages(page: Page) -> Iterator[PageRequest]:
    """Page 1 from the column page; pages 2… from page 1, made as the crawl asks for them."""
    payload = _payload(page)
    if payload is None:  # the column page: ask for page 1
        sid, category = _SID.search(page.text), _CATEGORY.search(page.text)
        if sid and category:
            api = f"/gkmlpt/api/all/{category.group(1)}?{urlencode({'page': 1, 'sid': sid.group(1)})}"
            yield PageRequest(join(page.url, api), referer=page.url, number=2)  # after the page that holds none
        return
    query = dict(parse_qsl(urlsplit(page.url).query))
    total = _total(payload)
    if query.get("page") != "1" or not isinstance(total, int):
        return  # every further page is asked for from page 1, once
    base = page.url.split("?", 1)[0]
    for n in range(2, -(-total // PER_PAGE) + 1):
        yield PageRequest(f"{base}?{urlencode({**query, 'page': n})}", referer=None, number=n + 1)
