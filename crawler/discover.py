"""From a portal's home page to its annual-report columns: the navigation the standard requires
(国办公开办函〔2019〕61号's uniform 政府信息公开 column), walked politely and within a request budget.

The walk follows only links whose words or URL slugs say what they are:

- `nav`: the disclosure platform (政府信息公开, 信息公开, 政务公开; `zfxxgk`, `xxgk`, `zwgk`);
- `column`: the annual-report column (政府信息公开年报, 年度报告; `zfxxgknb`, `gknb`, `xxgknb`);
- `subsites`: the index of the departments' and townships' own sites (部门信息公开, 乡镇信息公开;
  `bmxxgk`, `xzxxgk`, `bmxzxxgk`);
- `agency`: one department's or township's site, named in the content of such an index (…局, …镇).

Each link is placed in its page's regions first (`crawler.regions`): the template every page of a
site repeats (header, navigation, footer, 友情链接 blocks) or the content.  The walk stays on the
home page's host and on the hosts the portal itself declares: a sub-site named in the content of
a 部门/乡镇 index, a redirect within the home's registrable domain.  A link in a template region
never adds a host, nor does a script's redirect to another registrable domain, and some addresses
are never asked whatever links them (`crawler.hosts`).  Every host keeps the evidence that added it.

A block of a few reports under a heading (年度报告 … 更多>>) points to the column: its 更多 is
followed, or, without one, the listed reports' breadcrumbs; the page that holds it is not the
column unless it is the paged list itself.  A menu that exists only in script is drawn by headless
Chromium with `--browser` (`crawler.scripted`), and reported, not guessed, without it.

Every column found is listed by the crawl's own adapters (VSB, TRS, Hanweb, JPaaS, gkmlpt, the
generic pager) without fetching a report.  Every request — robots.txt, list pages, Chromium's —
counts against the budget.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.adapters import adapter_for, generic
from crawler.crawl import ColumnRead, PortalCrawl
from crawler.errors import BudgetSpent, OutOfScope, RobotsDisallowed
from crawler.fetch import Fetcher, FetchRecord, RequestBudget
from crawler.hosts import refusal, same_registrable
from crawler.listing import Link, Page, is_report_title
from crawler.regions import Placed, Template, breadcrumb, names_itself, report_blocks
from crawler.scope import Scope, netloc_key
from crawler.scripted import Browser, script_menu
from crawler.sink import Document, Known
from nianbao.core.config import CrawlSettings, Portal
from nianbao.core.divisions import COUNTY, Name, own_government, read_name, relation
from nianbao.core.encoding import decode
from nianbao.core.errors import FetchError
from nianbao.core.messages import Said, said

_NAV_TEXT = re.compile(r"^(?:政府)?信息公开$|政府信息公开|^政务公开$|信息公开(?:平台|专栏|目录)")
_NAV_SLUG = re.compile(r"/(?:zfxxgk|xxgk|zwgk|gkml|xxgkml|zfxxgkpt)(?:[/._?#]|$)", re.I)
COLUMN_TEXT = re.compile(r"(?:信息公开|政务公开)?(?:工作)?(?:年度报告|年报)")
_COLUMN_SLUG = re.compile(r"zfxxgknb|xxgknb|gknb|zwgknb|/nb(?:[/._?#]|$)|ndbg", re.I)
_NOT_COLUMN = re.compile(r"网站|事业单位|法人|统计|预算|决算|工作要点|报表|信用|社会责任")
_SUBSITES_TEXT = re.compile(
    r"(?:部门|乡镇|镇街|街道|苏木|镇(?:（街道）|\(街道\))?)(?:政府)?(?:信息|政务)公开|部门公开|乡镇公开|镇街公开"
)
_SUBSITES_SLUG = re.compile(r"bmxxgk|xzxxgk|bmxzxxgk|jdxxgk|zjxxgk|xzjdxxgk", re.I)
_AGENCY_TEXT = re.compile(
    r"(?:局|委员会|委|办公室|办|中心|院|所|站|镇|乡|街道|办事处|人民政府|政府|管委会|管理委员会|苏木|嘎查|"
    r"支队|大队|队|馆|联合会|联|总工会|供销社|分局|厅|处|署)"
    r"(?:(?:政府)?信息公开(?:专栏|平台|网|目录)?|政务公开)?$"
)  # an organ's name, alone or with the words of its disclosure site (某某县财政局信息公开)
_NOT_AGENCY = re.compile(r"网站$|首页$|导航$|地图$|加油站$|服务站$")


def names_agency(text: str) -> bool:
    """The words name a department's or a township's organ (财政局, 红旗乡, 某某镇人民政府), not a site."""
    text = re.sub(r"\s+", "", text)
    return bool(_AGENCY_TEXT.search(text)) and not _NOT_AGENCY.search(text) and len(text) <= 30


_NOT_NAV = re.compile(r"指南|制度|依申请|申请|规定|办法|意见|通知|要点|公告|解读|考核|评议")
MAX_LABEL = 14  # a menu label; longer link texts are headlines
MAX_CRUMBS = 2  # listed reports whose breadcrumbs are read, for a block without 更多

PRIORITY = {"column": 0, "report": 0, "nav": 1, "subsites": 2, "agency": 3, "home": 0}
MAX_DEPTH = 6  # home → 信息公开 → 乡镇信息公开 → a township → its 信息公开 → its 年报
_SCRIPT_KINDS = frozenset({"home", "nav", "subsites", "agency"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffd]")


@dataclass(frozen=True, slots=True)
class Step:
    """How a page was reached: the link's words, the page it was on, the region it sat in (content,
    nav, a block 年度报告, a breadcrumb, a menu drawn by script) and what justified following it."""

    text: str
    url: str
    region: str = ""
    words: str = ""
    why: str = ""  # what placed the link in its region: a tag, a class name, a heading


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
    why_said: Said | None = None


@dataclass
class Discovery:
    home: str
    budget: int = 0
    columns: list[Column] = field(default_factory=list)
    problems: list[tuple[str, Said]] = field(default_factory=list)  # (url, what could not be read and why)
    pages: int = 0  # pages read
    requests: int = 0  # requests made (robots.txt and list pages included): what the budget counts
    # every host of the walk and the evidence that put it there
    hosts: dict[tuple[str, int | None], list[Said]] = field(default_factory=dict)
    scripted: list[str] = field(default_factory=list)  # pages whose script-drawn menu was not followed
    drawn: list[str] = field(default_factory=list)  # pages Chromium drew (--browser)
    skipped: list[tuple[str, str, Said]] = field(default_factory=list)  # links to other sites not followed
    own: Name | None = None  # the portal's own government, from the home page's name
    records: list[FetchRecord] = field(default_factory=list)  # every request, as the fetcher reported it

    @property
    def budget_left(self) -> int:
        return max(0, self.budget - self.requests)


def link_reason(link: Link) -> tuple[str, str] | None:
    """What a link leads to in the disclosure navigation and the words (or URL slug) that say so."""
    text = re.sub(r"\s+", "", link.best_title)
    path = urlsplit(link.url).path if not link.url.startswith("invalid:") else ""
    if is_report_title(text) or len(text) > MAX_LABEL:
        return None  # a report itself (listed, not navigated) or a news headline
    if _NOT_COLUMN.search(text) or _NOT_NAV.search(text):
        return None
    if found := COLUMN_TEXT.search(text):
        return "column", found.group(0)
    if not text and (found := _COLUMN_SLUG.search(path)):
        return "column", found.group(0).strip("/")
    if found := _SUBSITES_TEXT.search(text):
        return "subsites", found.group(0)
    if (found := _SUBSITES_SLUG.search(path)) and not names_agency(text):
        return "subsites", found.group(0)
    if found := _NAV_TEXT.search(text):
        return "nav", found.group(0)
    if (found := _NAV_SLUG.search(path)) and len(text) <= 6 and "公开" in text:
        return "nav", f"{text} {found.group(0).strip('/')}"
    if (found := _COLUMN_SLUG.search(path)) and "公开" in text:
        return "column", f"{text} {found.group(0).strip('/')}"
    return None


def link_kind(link: Link) -> str | None:
    """What a link leads to in the disclosure navigation, by its words and its URL; None when nothing."""
    reason = link_reason(link)
    return reason[0] if reason else None


def site_name(page: Page) -> str:
    """The site's own name: <meta name="SiteName">, else the last part of its <title> that is not
    a generic word (政府信息公开, 首页, 年报); control characters dropped (they are no one's name)."""
    meta = page.tree.css_first('meta[name="SiteName"]')
    content = _CONTROL.sub("", meta.attributes.get("content") or "").strip() if meta is not None else ""
    if content:
        return content[:60]
    title = page.tree.css_first("title")
    text = _CONTROL.sub("", title.text(strip=True)) if title is not None else ""
    parts = [p.strip() for p in re.split(r"[-_|｜—–]", text) if p.strip() and not _GENERIC_NAME.fullmatch(p.strip())]
    return _GREETING.sub("", parts[-1])[:60] if parts else ""


_GREETING = re.compile(r"^(?:欢迎(?:您)?(?:访问|来到|光临|登录|进入)?)\s*")

_GENERIC_NAME = re.compile(
    r"(?:政府)?信息公开(?:年报|专栏|平台|目录|网)?|政府信息公开年报|政务公开|首页|网站首页|年报|列表页?|栏目|\d{4}年?"
)


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
    the sub-site indexes, then the sub-sites), bounded by `budget` requests."""

    def __init__(
        self,
        home: str,
        fetcher: Fetcher,
        settings: CrawlSettings,
        *,
        budget: int = 80,
        browser: Browser | None = None,
    ) -> None:
        self.fetcher, self.settings, self.browser = fetcher, settings, browser
        self.budget = RequestBudget(budget)
        fetcher.budget = self.budget
        reported = fetcher.on_fetch
        self.result = Discovery(home, budget=budget)

        def record(entry: FetchRecord) -> None:
            self.result.records.append(entry)
            reported(entry)

        fetcher.on_fetch = record
        self.home_host = urlsplit(home).hostname or ""
        self.template = Template()
        self.queue: list[tuple[int, int, str, str, tuple[Step, ...]]] = []
        self.seen: set[str] = set()
        self.order = 0
        # the home page's host is the user's word, not a link's: it is asked whatever it is
        self.result.hosts[netloc_key(home)] = [said("host.home", url=home)]
        self.names: dict[tuple[str, int | None], str] = {}  # each host's name, from the first of its pages read
        # a page whose reports' breadcrumbs are read -> (the block's heading, its reports, one of them)
        self.pointers: dict[str, tuple[str, int, str]] = {}
        self._push(home, "home", ())

    def _push(self, url: str, kind: str, path: tuple[Step, ...]) -> None:
        key = url.split("#", 1)[0]
        if key in self.seen or len(path) > MAX_DEPTH:
            return
        self.seen.add(key)
        self.order += 1
        heapq.heappush(self.queue, (PRIORITY[kind] + len(path), self.order, key, kind, path))

    def _scope(self) -> None:
        self.fetcher.scope = Scope(frozenset(self.result.hosts))

    def _admit(self, url: str, evidence: Said) -> None:
        """A host joins the walk (and so the fetcher's scope), with the evidence for it."""
        key = netloc_key(url)
        if key not in self.result.hosts:
            self.result.hosts[key] = [evidence]
            self._scope()

    async def run(self) -> Discovery:
        self._scope()
        try:
            while self.queue:
                if self.budget.spent:
                    self.result.problems.append(
                        (self.result.home, said("discover.budget", budget=self.budget.limit, left=len(self.queue)))
                    )
                    break
                _, _, url, kind, path = heapq.heappop(self.queue)
                page = await self._fetch(url, path)
                if page is None:
                    continue
                if (
                    self.result.own is None
                    and kind != "report"
                    and netloc_key(page.url) == netloc_key(self.result.home)
                ):
                    # the home page's name, else the first page of the home's host that names a region
                    # (a report's page names its publisher, who may be the region above)
                    self.result.own = own_government(site_name(page))
                await self._read(page, kind, path)
            for holder, (heading, count, report) in self.pointers.items():
                self._problem(holder, (), said("discover.pointer_lost", heading=heading or "—", n=count, report=report))
        finally:
            if self.browser is not None:
                await self.browser.close()
        self.result.requests = self.budget.used
        return self.result

    async def _fetch(self, url: str, path: tuple[Step, ...]) -> Page | None:
        for _ in range(4):  # a JS redirect shell stands for its target; a redirect may add its host once
            try:
                response = await self.fetcher.get(url, referer=path[-1].url if path else None)
            except RobotsDisallowed:
                self._problem(url, path, said("discover.robots"))
                return None
            except BudgetSpent:
                return None  # the walk's loop says so, once
            except OutOfScope as exc:  # a redirect to a host outside the walk
                if self._redirect(url, exc.url, path, how="HTTP"):
                    continue
                return None
            except FetchError as exc:
                self._problem(url, path, said("discover.failed", failure=f"failure.{exc.kind}"))
                return None
            if response.outcome == "redirect_shell" and response.shell_target:
                target = response.shell_target
                if netloc_key(target) in self.result.hosts or self._redirect(url, target, path, how="script"):
                    url = target
                    continue
                return None
            self.result.pages += 1
            if response.outcome != "ok":
                self._problem(url, path, said("discover.not_read", failure=_failure(response.outcome, response.status)))
                return None
            text, _ = decode(response.content, content_type=response.content_type)
            page = Page(response.url, text)
            host = netloc_key(page.url)
            if host not in self.names and (name := site_name(page)):
                self.names[host] = name
            return page
        self._problem(url, path, said("discover.shells"))
        return None

    def _redirect(self, source: str, target: str, path: tuple[Step, ...], *, how: str) -> bool:
        """A redirect to another host is followed when that host may be asked and is of the same
        registrable domain as the page that redirects (www.x.gov.cn → xxgk.x.gov.cn)."""
        host = urlsplit(target).hostname or ""
        refused = refusal(host, self.home_host)
        if refused is not None:
            self._problem(target, path, said("discover.redirect_refused", source=source, why=refused))
            return False
        if not same_registrable(source, target):
            self._problem(source, path, said("discover.redirect_away", how=how, target=target))
            return False
        self._admit(target, said("host.redirect", how=how, source=source))
        return True

    def _problem(self, url: str, path: tuple[Step, ...], why: Said) -> None:
        if path:
            why = said("discover.reached", inner=why, path=" > ".join(s.text for s in path))
        self.result.problems.append((url, why))

    async def _read(self, page: Page, kind: str, path: tuple[Step, ...]) -> None:
        """A page read: a column to list, a pointer to the column (a block with 更多, a report's
        breadcrumb), or a page of navigation to follow."""
        placed = self.template.place(page)
        if kind == "report":
            self._crumbs(page, path, placed)
            return
        blocks, loose = report_blocks(page, placed)
        pointers = [b for b in blocks if b.more is not None]
        if pointers and not loose:
            for block in pointers:
                assert block.more is not None
                words = f"{block.heading} 更多"
                step = Step(block.more.text.strip() or "更多", page.url, "block", words, block.heading)
                self._follow(block.more, "column", path, step)
        elif kind == "column" or (loose and self._is_list(page)) or (blocks and names_itself(page, COLUMN_TEXT)):
            await self._column(page, path)
            return
        elif loose or blocks:
            reports = [p.link for p in loose] or [r for b in blocks for r in b.reports]
            heading = blocks[0].heading if blocks else ""
            for report in reports[:MAX_CRUMBS]:
                if netloc_key(report.url) in self.result.hosts:
                    self.pointers[page.url] = (heading, len(reports), report.url)
                    self._push(report.url, "report", (*path, Step(report.best_title, page.url, "block", heading)))
        await self._expand(page, kind, path, placed)

    @staticmethod
    def _is_list(page: Page) -> bool:
        """The page is the paged list itself: its CMS declares its size, or it names itself a column
        of annual reports (ColumnName, the first words of its title)."""
        adapter = adapter_for(page)
        return adapter.declared(page) is not None or names_itself(page, COLUMN_TEXT)

    def _crumbs(self, page: Page, path: tuple[Step, ...], placed: list[Placed]) -> None:
        """A listed report's breadcrumb leads to its column (当前位置：首页 > 政府信息公开 > 年报)."""
        holder = path[-1].url if path else ""
        for link in reversed(breadcrumb(placed)):
            reason = link_reason(link)
            if reason is not None and reason[0] == "column" and netloc_key(link.url) in self.result.hosts:
                self.pointers.pop(holder, None)  # one breadcrumb answers for its block
                self._follow(link, "column", path[:-1], Step(link.text.strip(), page.url, "breadcrumb", reason[1]))
                return

    def _follow(self, link: Link, kind: str, path: tuple[Step, ...], step: Step) -> None:
        if netloc_key(link.url) in self.result.hosts:
            self._push(link.url, kind, (*path, step))

    async def _expand(
        self, page: Page, kind: str, path: tuple[Step, ...], placed: list[Placed], *, drawn: bool = False
    ) -> None:
        links = [p.link for p in placed]
        followed = 0
        for item in placed:
            link = item.link
            if link.url.startswith("invalid:") or urlsplit(link.url).scheme not in ("http", "https"):
                continue
            title = link.best_title.strip()
            reason = link_reason(link)
            if reason is None and kind == "subsites" and names_agency(title):
                if item.template:  # a name in the template (a neighbour in the footer): never a sub-site
                    if netloc_key(link.url) not in self.result.hosts:
                        skip = said("skip.template", region=f"region.{item.region}")
                        self.result.skipped.append((link.url, title, skip))
                    continue
                reason = ("agency", title)  # a department or township named in the index's content
            if reason is None:
                continue
            found, words = reason
            if kind == "agency" and found == "subsites":
                continue  # a sub-site's own copy of the county menu leads back, not down
            if netloc_key(link.url) not in self.result.hosts:
                if not self._declared(page, kind, item, found):
                    continue
            elif found == "agency" and not self._ours(link, title):
                continue
            region = f"script:{item.region}" if drawn else item.region
            self._push(link.url, found, (*path, Step(title or link.url, page.url, region, words, item.why)))
            followed += 1
        if drawn or kind not in _SCRIPT_KINDS:
            return
        sign = script_menu(page, links, followed=followed)
        if sign is None:
            return
        if self.browser is None:
            self.result.scripted.append(page.url)
            self._problem(page.url, path, said("discover.script_menu", sign=sign))
            return
        html = await self.browser.render(page.url, page.text)
        self.result.drawn.append(page.url)
        if html is None:
            self._problem(page.url, path, said("discover.not_drawn", sign=sign))
            return
        static = {(link.url, link.text.strip()) for link in links}
        new = [p for p in self.template.place(Page(page.url, html)) if (p.link.url, p.link.text.strip()) not in static]
        await self._expand(page, kind, path, new, drawn=True)

    def _ours(self, link: Link, title: str) -> bool:
        """A department or township of this portal's own government, not a neighbour or a superior
        (乙县人民政府 on 甲县's index is the neighbour's portal, whatever region it sits in)."""
        name = read_name(title)
        if self.result.own is None and name.is_government and name.rank is not None and name.rank <= COUNTY:
            # whose portal this is nobody said: still, a 部门/乡镇 index lists no county's government
            self.result.skipped.append((link.url, title, said("skip.government", name=title)))
            return False
        found = relation(name, self.result.own)
        if found == "own":
            return True
        self.result.skipped.append((link.url, title, said(f"skip.{found}", name=title)))
        return False

    def _declared(self, page: Page, kind: str, item: Placed, found: str) -> bool:
        """A link to another host: followed only from the content of a 部门/乡镇 index, to a host that
        may be asked; the host then joins the walk with the evidence."""
        link, title = item.link, item.link.best_title.strip()
        if item.template:
            self.result.skipped.append((link.url, title, said("skip.template", region=f"region.{item.region}")))
            return False
        if kind != "subsites":
            self.result.skipped.append((link.url, title, said("skip.not_index")))
            return False
        if not self._ours(link, title):
            return False  # a name of another region's (a neighbour's 政府信息公开 too) names no sub-site
        refused = refusal(urlsplit(link.url).hostname or "", self.home_host)
        if refused is not None:
            self.result.skipped.append((link.url, title, refused))
            self._problem(link.url, (), said("discover.refused", name=title, why=refused))
            return False
        self._admit(link.url, said("host.subsite", name=title, index=page.url))
        return True

    async def _column(self, page: Page, path: tuple[Step, ...]) -> None:
        """List the column with the crawl's own adapters (no report fetched)."""
        name = self.names.get(netloc_key(page.url)) or ""
        column = Column(page.url, name, path, cms=adapter_for(page).NAME)
        portal = Portal(name or page.url, (page.url,), crawl=self.settings)
        self._scope()
        crawl = PortalCrawl(portal, self.fetcher, _ListOnly())
        await crawl.list_only()
        self.result.pages += crawl.result.pages
        self.seen.update(crawl.columns)  # its sub-columns are read with it: not columns of their own
        read = crawl.columns.get(page.url) or next(iter(crawl.columns.values()), None)
        column.read = read
        column.cms = (read.cms if read and read.cms else column.cms) or generic.NAME
        # a report listed on a host outside the walk (a mirror) is not this portal's
        column.titles = [
            (link.best_title, url) for url, link in crawl.candidates.items() if self.fetcher.scope.allows(url)
        ]
        unread = [c for c in crawl.columns.values() if not c.complete]
        column.complete = not unread
        column.why_not = "; ".join(c.why_not for c in unread)
        column.why_said = unread[0].why_said if unread else None
        self.result.columns.append(column)


def _failure(outcome: str, status: int) -> str:
    """The word of the vocabulary for an answer that is not the page."""
    if outcome == "blocked":
        return "failure.challenge"
    if outcome in ("soft404", "not_found", "unasked_304"):
        return f"failure.{outcome}"
    return "failure.http_5xx" if status >= 500 else "failure.http_4xx"


async def discover(
    home: str, fetcher: Fetcher, settings: CrawlSettings, *, budget: int = 80, browser: Browser | None = None
) -> Discovery:
    """The annual-report columns reachable from `home`, and what could not be read."""
    return await Discoverer(home, fetcher, settings, budget=budget, browser=browser).run()
