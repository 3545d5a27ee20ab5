"""Fetch one URL for `nianbao parse URL`: the same polite fetcher (robots.txt, size cap, retries,
the whole-request timeout), scoped to that URL's own host."""

from __future__ import annotations

import asyncio

from crawler.fetch import Fetcher, build_client
from crawler.scope import Scope
from nianbao.core.config import CrawlSettings
from nianbao.core.errors import FetchError


def fetch_once(url: str, settings: CrawlSettings | None = None) -> tuple[bytes, str | None]:
    """(body, content type) of `url`; raises FetchError with a one-line reason."""
    return asyncio.run(_fetch(url, settings or CrawlSettings()))


async def _fetch(url: str, settings: CrawlSettings) -> tuple[bytes, str | None]:
    async with build_client(settings) as client:
        response = await Fetcher(client, Scope.of((url,)), settings).get(url)
    if response.outcome != "ok":
        raise FetchError(f"{url}: {response.outcome} (HTTP {response.status})", url=url)
    return response.content, response.content_type
