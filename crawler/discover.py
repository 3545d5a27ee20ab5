"""From a portal's home page to its annual-report columns: the navigation the standard requires
(国办公开办函〔2019〕61号's uniform 政府信息公开 column), walked politely and within a page budget.

The walk follows only links whose words or URL slugs say what they are:

- `nav`: the disclosure platform (政府信息公开, 信息公开, 政务公开; `zfxxgk`, `xxgk`, `zwgk`);
- `column`: the annual-report column (政府信息公开年报, 年度报告; `zfxxgknb`, `gknb`, `xxgknb`);
- `subsites`: the index of the departments' and townships' own sites (部门信息公开, 乡镇信息公开;
  `bmxxgk`, `xzxxgk`, `bmxzxxgk`);
- `agency`: one department's or township's site, named on such an index (…局, …镇, …街道).

A department's site may live on another host: a host becomes part of the walk only when a
`subsites`/`agency`/`nav`/`column` link leads to it, never through a 友情链接 or a news item.
Every column found is then listed by the crawl's own adapters (VSB, TRS, Hanweb, JPaaS, gkmlpt,
the generic pager), without fetching a report: the titles it lists say who publishes there.

What could not be reached is said, not guessed: a robots.txt that disallows a page, an anti-bot
wall, a menu drawn by JavaScript (a page with scripts and no link nianbao can follow).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.adapters import adapter_for, generic
from crawler.crawl import ColumnRead, PortalCrawl
from crawler.errors import OutOfScope, RobotsDisallowed
from crawler.fetch import Fetcher, FetchRecord
from crawler.listing import Link, Page, is_report_title
from crawler.scope import Scope, netloc_key
from crawler.sink import Document, Known
from nianbao.core.config import CrawlSettings, Portal
from nianbao.core.encoding import decode
from nianbao.core.errors import FetchError

_NAV_TEXT = re.compile(r"^(?:政府)?信息公开$|政府信息公开|^政务公开$|信息公开(?:平台|专栏|目录)")
_NAV_SLUG = re.compile(r"/(?:zfxxgk|xxgk|zwgk|gkml|xxgkml|zfxxgkpt)(?:[/._?#]|$)", re.I)
_COLUMN_TEXT = re.compile(r"(?:信息公开|政务公开)?(?:工作)?(?:年度报告|年报)")
_COLUMN_SLUG = re.compile(r"zfxxgknb|xxgknb|gknb|zwgknb|/nb(?:[/._?#]|$)|ndbg", re.I)
_NOT_COLUMN = re.compile(r"网站|事业单位|法人|统计|预算|决算|工作要点|报表|信用|社会责任")
_SUBSITES_TEXT = re.compile(r"(?:部门|乡镇|镇街|街道|镇(?:（街道）|\(街道\))?)(?:政府)?信息公开|部门公开|乡镇公开")
_SUBSITES_SLUG = re.compile(r"bmxxgk|xzxxgk|bmxzxxgk|jdxxgk|zjxxgk|xzjdxxgk", re.I)
_AGENCY_TEXT = re.compile(r"(?:局|委员会|委|办公室|办|中心|院|所|站|镇|乡|街道|办事处|人民政府|管委会)$")
_NOT_NAV = re.compile(r"指南|制度|依申请|申请|规定|办法|意见|通知|要点|公告|解读|考核|评议")
_GENERIC_NAME = re.compile(
    r"(?:政府)?信息公开(?:年报|专栏|平台|目录|网)?|政府信息公开年报|政务公开|首页|网站首页|年报|列表页?|栏目|\d{4}年?"
)
_MENU_SCRIPT = re.compile(r"<script\b", re.I)
MAX_LABEL = 14  # a menu label; longer link texts are headlines

PRIORITY = {"column": 0, "nav": 1, "subsites": 2, "agency": 3, "home": 0}
MAX_DEPTH = 6  # home → 信息公开 → 乡镇信息公开 → a township → its 信息公开 → its 年报


@dataclass(frozen=True, slots=True)
class Step:
    """How a page was reached: the link's words and where it was."""

    text: str
    url: str


@dataclass
class Column:
    """An annual-report column found, how it was reached, and what its CMS lists in it."""

    url: str
    site: str  # the site's own name (its <meta name="SiteName">, else its <title>'s tail), or its host
    path: tuple[Step, ...]
    cms: str = ""
    read: ColumnRead | None = None
    titles: list[tuple[str, str]] = field(default_factory=list)  # (title, url) of every report listed
    complete: bool = False
    why_not: str = ""


@dataclass
class Discovery:
    home: str
    columns: list[Column] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (url, what could not be read and why)
    pages: int = 0
    budget_left: int = 0


def link_kind(link: Link) -> str | None:
    """What a link leads to in the disclosure navigation, by its words and its URL; None when nothing."""
    text = re.sub(r"\s+", "", link.best_title)
    path = urlsplit(link.url).path if not link.url.startswith("invalid:") else ""
    if is_report_title(text) or len(text) > MAX_LABEL:
        return None  # a report itself (listed, not navigated) or a news headline
    if _NOT_COLUMN.search(text) or _NOT_NAV.search(text):
        return None
    if _COLUMN_TEXT.search(text) or (not text and _COLUMN_SLUG.search(path)):
        return "column"
    if _SUBSITES_TEXT.search(text) or _SUBSITES_SLUG.search(path) and not _AGENCY_TEXT.search(text):
        return "subsites"
    if _NAV_TEXT.search(text) or (_NAV_SLUG.search(path) and len(text) <= 6 and "公开" in text):
        return "nav"
    if _COLUMN_SLUG.search(path) and "公开" in text:
        return "column"
    return None


def site_name(page: Page) -> str:
    """The site's own name: <meta name="SiteName">, else the last part of its <title> that is not
    a generic word (政府信息公开, 首页, 年报)."""
    meta = page.tree.css_first('meta[name="SiteName"]')
    if meta is not None and (meta.attributes.get("content") or "").strip():
        return (meta.attributes.get("content") or "").strip()[:60]
    title = page.tree.css_first("title")
    text = title.text(strip=True) if title is not None else ""
    parts = [p.strip() for p in re.split(r"[-_|｜—–]", text) if p.strip() and not _GENERIC_NAME.fullmatch(p.strip())]
    return parts[-1][:60] if parts else ""


class _ListOnly:
    """A sink that stores nothing: discovery lists columns, it fetches no report."""

    def known(self, url: str) -> Known | None:
        return None

    def stored(self, url: str) -> bytes | None:
        return None

    def skip(self, url: str) -> bool:
        return True

    def save_page(
        self,
        url: str,
        content: bytes,
        *,
        portal: str,
        content_type: str | None,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        return None

    def save_document(self, document: Document) -> None:
        return None

    def save_failure(self, url: str, *, portal: str, title: str, date: str | None, error: str) -> None:
        return None

    def record_fetch(self, portal: str, record: FetchRecord) -> None:
        return None

    async def ready(self) -> None:
        return None


class Discoverer:
    """One discovery: a priority walk from the home page (columns first, then the platform, then
    the sub-site indexes, then the sub-sites), bounded by `budget` pages."""

    def __init__(self, home: str, fetcher: Fetcher, settings: CrawlSettings, *, budget: int = 80) -> None:
        self.fetcher, self.settings = fetcher, settings
        self.result = Discovery(home)
        self.budget = budget
        self.queue: list[tuple[int, int, str, str, tuple[Step, ...]]] = []
        self.seen: set[str] = set()
        self.order = 0
        self.hosts = {netloc_key(home)}
        self.names: dict[tuple[str, int | None], str] = {}  # each host's name, from the first of its pages read
        self._push(home, "home", ())

    def _push(self, url: str, kind: str, path: tuple[Step, ...]) -> None:
        key = url.split("#", 1)[0]
        if key in self.seen or len(path) > MAX_DEPTH:
            return
        self.seen.add(key)
        self.order += 1
        heapq.heappush(self.queue, (PRIORITY[kind] + len(path), self.order, key, kind, path))

    def _widen(self, url: str) -> None:
        """A sub-site on another host joins the walk (and so the fetcher's scope)."""
        key = netloc_key(url)
        if key not in self.hosts:
            self.hosts.add(key)
            self.fetcher.scope = Scope(frozenset(self.hosts))

    async def run(self) -> Discovery:
        self.fetcher.scope = Scope(frozenset(self.hosts))
        while self.queue:
            if self.result.pages >= self.budget:
                left = len(self.queue)
                self.result.problems.append(
                    (self.result.home, f"page budget of {self.budget} spent; {left} link(s) not followed")
                )
                break
            _, _, url, kind, path = heapq.heappop(self.queue)
            page = await self._fetch(url, path)
            if page is None:
                continue
            if kind == "column" or self._lists_reports(page):
                await self._column(page, path)
            else:
                self._expand(page, kind, path)
        self.result.budget_left = max(0, self.budget - self.result.pages)
        return self.result

    async def _fetch(self, url: str, path: tuple[Step, ...]) -> Page | None:
        for _ in range(3):  # a JS redirect shell stands for its target
            try:
                response = await self.fetcher.get(url, referer=path[-1].url if path else None)
            except RobotsDisallowed:
                self._problem(url, path, "robots.txt disallows it: not crawled")
                return None
            except OutOfScope:
                return None
            except FetchError as exc:
                self._problem(url, path, f"could not be fetched: {exc}")
                return None
            self.result.pages += 1
            if response.outcome == "redirect_shell" and response.shell_target:
                url = response.shell_target
                self._widen(url)
                continue
            if response.outcome != "ok":
                what = "an anti-bot wall" if response.outcome == "blocked" else response.outcome
                self._problem(url, path, f"{what} (HTTP {response.status}): not read")
                return None
            text, _ = decode(response.content, content_type=response.content_type)
            page = Page(response.url, text)
            host = netloc_key(page.url)
            if host not in self.names and (name := site_name(page)):
                self.names[host] = name
            return page
        self._problem(url, path, "redirect shells lead on and on: not followed")
        return None

    def _problem(self, url: str, path: tuple[Step, ...], why: str) -> None:
        where = f" (reached by {' > '.join(s.text for s in path)})" if path else ""
        self.result.problems.append((url, why + where))

    @staticmethod
    def _lists_reports(page: Page) -> bool:
        return any(is_report_title(link.best_title) for link in page.links())

    def _expand(self, page: Page, kind: str, path: tuple[Step, ...]) -> None:
        links = page.links()
        follow = 0
        for link in links:
            found = link_kind(link)
            if found is None and kind == "subsites" and _AGENCY_TEXT.search(link.best_title.strip()):
                found = "agency"  # a department or township named on the index of sub-sites
            if found is None or link.url.startswith("invalid:") or urlsplit(link.url).scheme not in ("http", "https"):
                continue
            if kind == "agency" and found == "subsites":
                continue  # a sub-site's own copy of the county menu leads back, not down
            self._widen(link.url)
            self._push(link.url, found, (*path, Step(link.best_title.strip() or link.url, page.url)))
            follow += 1
        if follow == 0 and kind in ("home", "nav", "subsites") and _looks_scripted(page, links):
            self._problem(
                page.url,
                path,
                "its menu is drawn by JavaScript (no link to follow): give its columns by hand",
            )

    async def _column(self, page: Page, path: tuple[Step, ...]) -> None:
        """List the column with the crawl's own adapters (no report fetched)."""
        name = self.names.get(netloc_key(page.url)) or ""
        column = Column(page.url, name, path, cms=adapter_for(page).NAME)
        portal = Portal(name or page.url, (page.url,), crawl=self.settings)
        self.fetcher.scope = Scope(frozenset(self.hosts))
        crawl = PortalCrawl(portal, self.fetcher, _ListOnly())
        await crawl.list_only()
        self.result.pages += crawl.result.pages
        self.seen.update(crawl.columns)  # its sub-columns are read with it: not columns of their own
        read = crawl.columns.get(page.url)
        column.read = read
        column.cms = (read.cms if read and read.cms else column.cms) or generic.NAME
        # a report listed on a host outside the walk (a mirror) is not this portal's
        column.titles = [
            (link.best_title, url) for url, link in crawl.candidates.items() if self.fetcher.scope.allows(url)
        ]
        reasons = [c.why_not for c in crawl.columns.values() if not c.complete]
        column.complete, column.why_not = not reasons, "; ".join(reasons)
        self.result.columns.append(column)


def _looks_scripted(page: Page, links: Iterable[Link]) -> bool:
    """A page whose navigation comes from scripts: scripts present, and next to no plain links."""
    scripts = len(_MENU_SCRIPT.findall(page.text))
    return scripts > 0 and sum(1 for _ in links) < 5


async def discover(home: str, fetcher: Fetcher, settings: CrawlSettings, *, budget: int = 80) -> Discovery:
    """The annual-report columns reachable from `home`, and what could not be read."""
    return await Discoverer(home, fetcher, settings, budget=budget).run()
