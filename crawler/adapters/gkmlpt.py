"""Guangdong's 政府信息公开目录平台 (gkmlpt): the column page `/gkmlpt/index` names its site id
(`SID`) and category; the items come as JSON from `/gkmlpt/api/all/{category}?page=N&sid=…`,
`{"articles":[{"id","title","url","publisher","display_publish_time"}], "total": N}`, 100 a page.
The CMS declares `total`: the column is complete when that many articles were listed."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

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
    except ValueError:
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
        stamp = article.get("display_publish_time")
        date = datetime.fromtimestamp(int(stamp), timezone.utc).date().isoformat() if stamp else None
        links.append(Link(urljoin(page.url, str(article["url"])), str(article.get("title") or ""), None, date))
    return links


def declared(page: Page) -> Declared | None:
    payload = _payload(page)
    if payload is None or not isinstance(payload.get("total"), int):
        return None
    return Declared(records=int(payload["total"]), how=f"gkmlpt total:{payload['total']}")  # type: ignore[call-overload]


def next_pages(page: Page) -> list[PageRequest]:
    payload = _payload(page)
    if payload is None:  # the column page: ask for page 1
        sid, category = _SID.search(page.text), _CATEGORY.search(page.text)
        if not (sid and category):
            return []
        api = urljoin(page.url, f"/gkmlpt/api/all/{category.group(1)}?{urlencode({'page': 1, 'sid': sid.group(1)})}")
        return [PageRequest(api, referer=page.url)]
    query = dict(parse_qsl(urlsplit(page.url).query))
    if query.get("page") != "1" or not isinstance(payload.get("total"), int):
        return []  # every further page is asked for from page 1, once
    pages = math.ceil(int(payload["total"]) / PER_PAGE)  # type: ignore[call-overload]
    base = page.url.split("?", 1)[0]
    return [PageRequest(f"{base}?{urlencode({**query, 'page': n})}", referer=None) for n in range(2, pages + 1)]
