"""Menus that exist only in script, and headless Chromium to draw them (`nianbao discover --browser`).

Many portals draw their left menu or their whole navigation from a script: a list of names and
URLs in an inline script, a `document.write`, or an empty `<div id="nav">` a script fills from the
server.  The static walk sees no link there.  `script_menu` says what gives such a menu away;
without `--browser` the menu is reported, not guessed.  With it, `Browser` loads only those pages
in Debian's Chromium (driven by Playwright through `executable_path`) and every request Chromium
makes is answered through the walk's own fetcher: the same hosts, robots.txt, interval, user agent
and request budget, and no request of Chromium's own reaches the network (pictures, fonts and
style sheets are not fetched at all).
"""

from __future__ import annotations

import os
import re
import shutil
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from crawler.listing import Link, Page
from nianbao.core.errors import FetchError, NianbaoError
from nianbao.core.messages import Said, said

if TYPE_CHECKING:
    from crawler.fetch import Fetcher

_WORDS = re.compile(r"政府信息公开年报|部门信息公开|乡镇信息公开|政府信息公开|年度报告|信息公开|政务公开|年报")
_SLUGS = re.compile(r"/(?:zfxxgk|xxgk|zwgk|zfxxgknb|xxgknb|gknb|bmxxgk|xzxxgk)(?:[/._?#'\"]|$)", re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_STRING = re.compile(r"'([^'\n]{1,300})'|\"([^\"\n]{1,300})\"|`([^`]{1,300})`")
_MENU_BOX = re.compile(r"nav|menu|tree|lanmu|side|left|column|catalog|mulu|dh", re.I)
_SKIPPED = frozenset({"image", "media", "font", "stylesheet", "websocket", "manifest", "texttrack", "eventsource"})


def script_menu(page: Page, links: list[Link], *, followed: int = 0) -> Said | None:
    """What shows that the page's menu exists only in script, or None: a script's string names the
    disclosure navigation (政府信息公开, 年报, `/xxgk/`) that no link of the page carries; an empty
    menu box (`<div id="nav"></div>`) on a page with scripts; scripts, next to no link, and none the
    walk could follow (`followed`)."""
    static = " ".join(link.best_title for link in links) + " " + " ".join(urlsplit(link.url).path for link in links)
    scripts = [(a, b) for a, b in _SCRIPT.findall(page.text) if "text/xml" not in a.lower()]
    for _, body in scripts:
        for match in _STRING.finditer(body):
            literal = next(g for g in match.groups() if g is not None)
            for pattern in (_WORDS, _SLUGS):
                found = pattern.search(literal)
                if found and found.group(0).strip("/'\"?#.") not in static:
                    return said("script.names", words=found.group(0).strip())
    if not scripts:
        return None
    for node in page.tree.css("div, ul, nav, td"):
        name = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}".strip()
        if name and _MENU_BOX.search(name) and node.css_first("a") is None and not node.text(strip=True):
            return said("script.empty_box", name=name.split()[0])
    if len(links) < 5 and not followed:
        return said("script.few_links")
    return None


class BrowserUnavailable(NianbaoError):
    """--browser was asked for, but Playwright or Debian's Chromium is not installed."""


def chromium_path() -> str | None:
    """Debian's Chromium (NIANBAO_CHROMIUM names another build)."""
    return os.environ.get("NIANBAO_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


# Chromium is left nothing to reach on its own: every request of the page is answered through the
# fetcher (context.route), and names resolve to nothing, so a request that escaped would fail
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--dns-prefetch-disable",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class Browser:
    """Headless Chromium for the pages whose menus exist only in script; started at the first."""

    def __init__(self, fetcher: Fetcher, *, timeout: float = 20.0) -> None:
        self.fetcher, self.timeout = fetcher, timeout
        self._playwright: Any = None
        self._browser: Any = None
        self.refused: list[str] = []  # what Chromium asked for outside the walk's hosts (not requested)
        self.requests = 0

    async def _start(self) -> Any:
        if self._browser is not None:
            return self._browser
        path = chromium_path()
        try:
            from playwright.async_api import async_playwright
        except ImportError as exc:
            raise BrowserUnavailable(
                "--browser needs Playwright (pip install 'nianbao[browser]') and Debian's chromium"
            ) from exc
        if path is None:
            raise BrowserUnavailable("--browser needs Debian's chromium (apt-get install chromium)")
        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(executable_path=path, args=_ARGS)
        return self._browser

    async def render(self, url: str, html: str) -> str | None:
        """The page at `url` (whose HTML the walk read already: `html`) as Chromium draws it, after
        its scripts ran; None when it could not be drawn."""
        browser = await self._start()
        context = await browser.new_context(
            user_agent=self.fetcher.settings.user_agent, service_workers="block", java_script_enabled=True
        )
        first: dict[str, str | None] = {"url": url, "html": html}

        async def answer(route: Any) -> None:
            request = route.request
            if request.url == first["url"] and request.resource_type == "document" and first["html"] is not None:
                body, first["html"] = first["html"], None
                await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
                return
            if request.resource_type in _SKIPPED:
                await route.abort()
                return
            if not self.fetcher.scope.allows(request.url):
                self.refused.append(request.url)
                await route.abort("blockedbyclient")
                return
            data = dict(parse_qsl(request.post_data or "")) if request.method == "POST" else None
            try:
                self.requests += 1
                got = await self.fetcher.get(request.url, referer=request.headers.get("referer"), data=data)
            except FetchError:
                await route.abort()
                return
            headers = {"content-type": got.headers.get("content-type", "application/octet-stream")}
            await route.fulfill(status=got.status, headers=headers, body=got.content)

        try:
            await context.route("**/*", answer)
            page = await context.new_page()
            await page.goto(url, wait_until="load", timeout=self.timeout * 1000)
            try:
                await page.wait_for_load_state("networkidle", timeout=self.timeout * 500)
            except Exception:  # noqa: BLE001 - a page that keeps polling is drawn as it stands
                pass
            return str(await page.content())
        except Exception:  # noqa: BLE001 - Playwright's errors: the page is reported as not drawn
            return None
        finally:
            await context.close()

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None
