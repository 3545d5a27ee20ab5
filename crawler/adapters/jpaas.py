"""Hanweb JPaaS (the newer 集约化 platform): the column's items come from the publishing gateway,
`/api-gateway/jpaas-publish-server/front/page/build/unit?…&paramJson={"pageNo":N,"pageSize":S}`,
as `{"success":true,"data":{"html":"<li>…</li>"}}`.  A bare request gets 403: the Referer is the
column page (and the crawler always sends its agent).  The gateway gives no total: the list ends at
the first page with fewer than S items, and that page is the proof the column was read to its end.
A page size that is no usable number (`pageSize: 0`) is a note: the column's end cannot be proven."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.adapters.safe import count, join, unusable
from crawler.listing import Declared, Link, Page, PageRequest

NAME = "jpaas"
_API = re.compile(r"""["']([^"']*jpaas-publish-server/front/page/build/unit[^"']*)["']""")
_PAGE_SIZE = re.compile(r"""["']?pageSize["']?\s*[:=]\s*["']?(-?\d+)""")
DEFAULT_SIZE = 20


def matches(page: Page) -> bool:
    return "jpaas-publish-server" in page.url or "jpaas-publish-server" in page.text


def _payload(page: Page) -> dict[str, object] | None:
    if "jpaas-publish-server" not in page.url:
        return None
    try:
        data = json.loads(page.text)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    return data if isinstance(data, dict) else None


def _request_page(url: str) -> tuple[int, int] | None:
    """(pageNo, pageSize) of a gateway request; None when its paramJson holds no usable numbers
    (the crawl writes them, but a redirect may bring another URL)."""
    query = dict(parse_qsl(urlsplit(url).query))
    try:
        params = json.loads(query.get("paramJson", "{}") or "{}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(params, dict):
        return None
    number, size = count(params.get("pageNo", 1), least=1), count(params.get("pageSize", DEFAULT_SIZE), least=1)
    return (number, size) if number is not None and size is not None else None


def _column_size(page: Page) -> int | str:
    """The page size the column page asks the gateway for, or the note when it is no usable number."""
    match = _PAGE_SIZE.search(page.text)
    if not match:
        return DEFAULT_SIZE
    size = count(match.group(1), least=1)
    return unusable("JPaaS pageSize", match.group(1)) if size is None else size


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


def next_pages(page: Page) -> Iterator[PageRequest]:
    """Page 1 from the column page; then each full page asks for the one after it."""
    payload = _payload(page)
    if payload is None:  # the column page: ask for page 1
        match, size = _API.search(page.text), _column_size(page)
        if match and isinstance(size, int):
            api = join(page.url, match.group(1).replace("&amp;", "&"))
            if not api.startswith("invalid:"):
                yield PageRequest(_with_page(api, 1, size), referer=page.url, number=2)
        return
    asked = _request_page(page.url)
    if asked is None or len(entries(page)) < asked[1] or not payload.get("success", False):
        return
    yield PageRequest(_with_page(page.url, asked[0] + 1, asked[1]), referer=None, number=asked[0] + 2)


def declared(page: Page) -> Declared | None:
    payload = _payload(page)
    if payload is None:
        size = _column_size(page) if _API.search(page.text) else DEFAULT_SIZE
        return Declared(how="JPaaS column page", note=size) if isinstance(size, str) else None
    asked = _request_page(page.url)
    if asked is None:
        asked_for = dict(parse_qsl(urlsplit(page.url).query)).get("paramJson", "")[:40]
        note = (
            f"JPaaS paramJson {asked_for!r} names no usable pageNo and pageSize: ignored, the column's size is unknown"
        )
        return Declared(how="JPaaS gateway", note=note)
    number, size = asked
    found = len(entries(page))
    if payload.get("success") and found < size:
        return Declared(pages=number, last=True, how=f"JPaaS page {number} lists {found} of {size}: the last")
    return None
