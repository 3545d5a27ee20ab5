"""Hanweb JPaaS (the newer 集约化 platform): the column's items come from the publishing gateway,
`/api-gateway/jpaas-publish-server/front/page/build/unit?…&paramJson={"pageNo":N,"pageSize":S}`,
as `{"success":true,"data":{"html":"<li>…</li>"}}`.  A bare request gets 403: the Referer is the
column page (and the crawler always sends its agent).  The gateway gives no total: the list ends at
the first page with fewer than S items, and that page is the proof the column was read to its end."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.listing import Declared, Link, Page, PageRequest

NAME = "jpaas"
_API = re.compile(r"""["']([^"']*jpaas-publish-server/front/page/build/unit[^"']*)["']""")
_PAGE_SIZE = re.compile(r"""["']?pageSize["']?\s*[:=]\s*["']?(\d+)""")


def matches(page: Page) -> bool:
    return "jpaas-publish-server" in page.url or "jpaas-publish-server" in page.text


def _payload(page: Page) -> dict[str, object] | None:
    if "jpaas-publish-server" not in page.url:
        return None
    try:
        data = json.loads(page.text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _request_page(url: str) -> tuple[int, int]:
    """(pageNo, pageSize) of a gateway request."""
    query = dict(parse_qsl(urlsplit(url).query))
    params = json.loads(query.get("paramJson", "{}") or "{}")
    return int(params.get("pageNo", 1)), int(params.get("pageSize", 20))


def entries(page: Page) -> list[Link]:
    payload = _payload(page)
    if payload is None:
        return []  # the column page itself: its items come from the gateway
    data = payload.get("data")
    html = data.get("html", "") if isinstance(data, dict) else ""
    return Page(page.url, str(html)).links()


def _with_page(url: str, number: int, size: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "paramJson"]
    query.append(("paramJson", json.dumps({"pageNo": number, "pageSize": size}, separators=(",", ":"))))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def next_pages(page: Page) -> list[PageRequest]:
    payload = _payload(page)
    if payload is None:  # the column page: ask for page 1
        match, size_match = _API.search(page.text), _PAGE_SIZE.search(page.text)
        if not match:
            return []
        api = urljoin(page.url, match.group(1).replace("&amp;", "&"))
        return [PageRequest(_with_page(api, 1, int(size_match.group(1)) if size_match else 20), referer=page.url)]
    number, size = _request_page(page.url)
    if len(entries(page)) < size or not payload.get("success", False):
        return []
    return [PageRequest(_with_page(page.url, number + 1, size), referer=None)]


def declared(page: Page) -> Declared | None:
    payload = _payload(page)
    if payload is None:
        return None
    number, size = _request_page(page.url)
    found = len(entries(page))
    if payload.get("success") and found < size:
        return Declared(pages=number, last=True, how=f"JPaaS page {number} lists {found} of {size}: the last")
    return None
