"""`nianbao discover` on county portals built like real ones (TRS, Hanweb JCMS, VSB, a plain one),
each with a footer of 友情链接 to two neighbouring portals on other loopback ports that have columns
and agencies of their own: discover prints exactly this county's columns and agencies, no request
reaches a neighbour or any address off loopback, and the printed TOML, crawled as is, stores what
the hand-written configuration stores.  Also: a latest-reports block with 更多 and a script-only
menu (with and without --browser), the request budget, and control characters in what a portal says.

Every request goes through `LoopbackOnly`: the crawl's own transport, which refuses (and records)
any request to an address off loopback before a packet leaves, so a test that fails sends nothing."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from crawler.hosts import is_loopback
from crawler.scripted import chromium_path
from crawler.transport import AsyncioTransport
from nianbao.cli import cli
from nianbao.core.config import Config, CrawlSettings, from_dict
from nianbao.crawl_runner import crawl_all
from nianbao.discover import DiscoverBug, run_discovery, to_toml, validated
from nianbao.sample.counties import CHROMES, TEMPLATES, Banner, County
from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.sample.server import Answer, Request, Site, start, stop
from nianbao.sample.wordhtml import render
from storage.db import open_db

SETTINGS = CrawlSettings(interval=0.0, timeout=5.0, retries=1)
NOW = "2026-02-10T12:00:00+00:00"
NAMES = {"trs": "甲县", "hanweb": "乙旗", "vsb": "丙区", "plain": "丁县"}
UTF8 = {"Content-Type": "text/html; charset=utf-8"}


class LoopbackOnly(httpx.AsyncBaseTransport):
    """The crawl's own transport for loopback addresses; any other request is recorded and refused
    here, before anything is sent."""

    def __init__(self) -> None:
        self.inner = AsyncioTransport(limits=httpx.Limits(max_connections=50, max_keepalive_connections=0))
        self.sent: list[str] = []
        self.refused: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not is_loopback(request.url.host):
            self.refused.append(str(request.url))
            raise httpx.ConnectError("off loopback: refused by the test", request=request)
        self.sent.append(str(request.url))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@contextmanager
def county_and_neighbours(template: str, chrome: str = "") -> Iterator[tuple[County, list[County]]]:
    """A county of `template` and two neighbours, each a portal on its own port (and its township's
    site on another), every footer linking the other two."""
    sites = [Site(f"site{n}") for n in range(6)]
    start(sites)
    try:
        county = County(NAMES[template], template, sites[0], sites[1], chrome=chrome)
        neighbours = [
            County("戊县", template, sites[2], sites[3], chrome=chrome),
            County("己县", template, sites[4], sites[5], chrome=chrome),
        ]
        everyone = [county, *neighbours]
        for one in everyone:
            one.friends = [(other.home, other.government) for other in everyone if other is not one]
            one.build()
        yield county, neighbours
    finally:
        stop(sites)


def _fast(config: Config) -> Config:
    return replace(config, portals=tuple(replace(p, crawl=SETTINGS) for p in config.portals))


def _stored(config: Config, path: Path) -> set[tuple[str, int, str]]:
    db = open_db(str(path))
    results = crawl_all(config.with_db(str(path)), db, now=NOW)
    assert all(r.outcome == "complete" for r in results), [(r.portal, r.outcome, r.why_partial) for r in results]
    return {
        (r["agency"], r["year"], r["content_hash"])
        for r in db.query("SELECT agency, year, content_hash FROM reports WHERE is_current = 1")
    }


TEMPLATE_REGION = {"trs": "footer", "hanweb": "links block", "vsb": "repeated", "plain": "links block"}


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_county_home_page_gives_its_own_columns_and_agencies_and_nothing_of_its_neighbours(
    template: str, tmp_path: Path
) -> None:
    _one_county(template, "", tmp_path)


# each footer marked otherwise, on a template it does not come with
CHROMED = list(zip(CHROMES, ("hanweb", "vsb", "trs", "plain"), strict=True))


@pytest.mark.parametrize(("chrome", "template"), CHROMED)
def test_footers_told_by_other_evidence_are_template_too(chrome: str, template: str, tmp_path: Path) -> None:
    _one_county(template, chrome, tmp_path)


def _one_county(template: str, chrome: str, tmp_path: Path) -> None:
    with county_and_neighbours(template, chrome) as (county, neighbours):
        transport = LoopbackOnly()
        proposal = run_discovery(county.home, SETTINGS, transport=transport)
        text = to_toml(proposal)
        config = from_dict(tomllib.loads(text), source="printed")  # the printed TOML loads as is

        # exactly this county's columns and agencies, at their levels
        assert sorted(u for p in config.portals for u in p.urls) == sorted(
            [county.url("column"), county.township_column]
        )
        assert {a.name: a.level for a in config.agencies} == dict(county.own())
        # the region's and the city's reports it republishes: listed with where they come from, not watched
        # (bare region names: their 人民政府, at the region's own level)
        assert {(a.name, a.level, a.relation, a.rank) for a in proposal.republished} == {
            ("某某自治区人民政府", "government", "above", "province"),
            ("某某市人民政府", "government", "above", "prefecture"),
        }
        assert "某某自治区人民政府" in text and "转载" in text and "省级" in text and "地市级" in text
        assert not {a.name for a in config.agencies} & {"某某自治区人民政府", "某某市人民政府", "某某自治区", "某某市"}

        # no request reached a neighbour, nor any address off loopback
        for neighbour in neighbours:
            assert neighbour.site.log == [] and neighbour.township.log == []
        assert transport.refused == [] and transport.sent
        # the neighbours in the template's footer were seen, and left as template
        skipped = {url: why.en for url, why in ((u, w) for u, _, w in proposal.skipped)}
        for neighbour in neighbours:
            if not chrome:
                assert f"template region ({TEMPLATE_REGION[template]}" in skipped[neighbour.home]
            else:
                assert neighbour.home in skipped
        # the departments at addresses no crawler may ask: said, never requested
        said = " ".join(why.en for _, why in proposal.problems)
        assert "169.254.169.254 is a link-local address" in said
        assert "10.0.0.8 is an address of a private network" in said
        assert "oa is an intranet name" in said
        # every host in the output carries the evidence that put it there
        for portal in proposal.portals:
            assert all(evidence for _, evidence in portal.hosts)
        [township] = [p for p in proposal.portals if p.urls == [county.township_column]]
        [(_, [why])] = township.hosts
        assert why.template == "host.subsite" and why.params["index"] == county.url("townships")
        # each column's path says the region and the words of every link followed
        [main] = [c for p in proposal.portals for c in p.columns if c.url == county.url("column")]
        assert [(s.text, s.region) for s in main.path] == [("政府信息公开", "nav"), ("政府信息公开年报", "content")]

        # crawled as is, it stores exactly what the hand-written configuration stores
        found = _stored(_fast(config), tmp_path / "found.db")
        by_hand = _stored(county.hand_config(str(tmp_path / "hand.db"), SETTINGS), tmp_path / "hand.db")
        assert found == by_hand and len(by_hand) == 7  # six in the county's column, one on the township's site


def test_republished_reports_are_watched_when_asked(tmp_path: Path) -> None:
    with county_and_neighbours("plain") as (county, _):
        proposal = run_discovery(county.home, SETTINGS, include_republished=True)
        config = validated(to_toml(proposal))
    by_name = {a.name: a for a in config.agencies}
    assert by_name["某某市人民政府"].level == "government" and by_name["某某市人民政府"].aliases == ("某某市",)
    assert by_name["某某自治区人民政府"].portal == "丁县人民政府"


def test_a_script_redirect_to_another_site_is_not_followed(tmp_path: Path) -> None:
    with county_and_neighbours("plain") as (county, neighbours):
        shell = Site("shell")
        start([shell])
        try:
            shell.add(
                "/index.html",
                Answer(
                    200,
                    f'<html><head><script>window.location.href = "{neighbours[0].home}";</script></head></html>'.encode(),
                    UTF8,
                ),
            )
            proposal = run_discovery(shell.url("/index.html"), SETTINGS)
        finally:
            stop([shell])
        assert proposal.portals == [] and neighbours[0].site.log == []
        assert any("redirect leads to another registrable domain" in why.en for _, why in proposal.problems)


# ---- a platform page: a block of the newest reports, 更多, and a menu drawn by script ----------------

AGENCIES = [
    f"某某县{name}" for name in ("财政局", "教育局", "民政局", "水务局", "统计局", "审计局", "商务局", "林业局")
]
MENU = (
    '<div id="leftmenu"></div><script>var menu=[{name:"政府信息公开指南",url:"/xxgk/zn.html"},'
    '{name:"政府信息公开年报",url:"/xxgk/nb/list.html?page=1"}];var box=document.getElementById("leftmenu");'
    'menu.forEach(function(m){var a=document.createElement("a");a.href=m.url;a.textContent=m.name;box.appendChild(a);});'
    "</script>"
)


def _platform(site: Site, *, more: bool, crumbs: bool) -> str:
    """home → 政府信息公开 (a block 年度报告 of the five newest, 更多>> when `more`, a left menu
    drawn by script) → the column, two pages; each report's breadcrumb names the column when `crumbs`."""
    reports = [SampleReport(agency=a, year=2025, applications=balanced(1)) for a in AGENCIES]
    crumb = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/index.html">政府信息公开</a> &gt; '
        '<a href="/xxgk/nb/list.html?page=1">政府信息公开年报</a></div>'
    )
    for n, report in enumerate(reports):
        page = render(report_text(report), title=report.title, pub_date="2026-01-20 09:00")
        site.add(
            f"/xxgk/nb/{n}.html",
            Answer(200, page.replace("<body>", "<body>" + (crumb if crumbs else ""), 1).encode(), UTF8),
        )
    items = [
        f'<li><a href="/xxgk/nb/{n}.html">{r.title}</a><span>2026-01-20</span></li>' for n, r in enumerate(reports)
    ]
    for number, chunk in ((1, items[:5]), (2, items[5:])):
        pager = '<a href="/xxgk/nb/list.html?page=1">1</a> <a href="/xxgk/nb/list.html?page=2">2</a> 共2页'
        body = f"<html><head><title>政府信息公开年报</title></head><body><ul>{''.join(chunk)}</ul><div>{pager}</div></body></html>"
        site.add(f"/xxgk/nb/list.html?page={number}", Answer(200, body.encode(), UTF8))
    site.add(
        "/index.html",
        Answer(
            200,
            '<html><head><title>某某县人民政府</title></head><body><ul class="nav"><li><a href="/xxgk/index.html">政府信息公开</a></li></ul></body></html>'.encode(),
            UTF8,
        ),
    )
    link = '<a class="more" href="/xxgk/nb/list.html?page=1">更多&gt;&gt;</a>' if more else ""
    block = f'<div class="box"><div class="hd"><h3>年度报告</h3>{link}</div><ul>{"".join(items[:5])}</ul></div>'
    platform = f"<html><head><title>政府信息公开-某某县人民政府</title></head><body>{MENU}{block}</body></html>"
    site.add("/xxgk/index.html", Answer(200, platform.encode(), UTF8))
    return site.url("/index.html")


@pytest.fixture()
def site() -> Iterator[Site]:
    one = Site("portal")
    start([one])
    yield one
    stop([one])


def test_the_column_is_found_through_the_blocks_more_and_the_script_menu_is_reported(site: Site) -> None:
    home = _platform(site, more=True, crumbs=False)
    proposal = run_discovery(home, SETTINGS)
    [portal] = proposal.portals
    [column] = portal.columns
    assert column.url == site.url("/xxgk/nb/list.html?page=1") and column.complete
    assert column.path[-1].region == "block" and "更多" in column.path[-1].words
    assert {a.name for a in proposal.agencies} == set(AGENCIES)  # all eight, not the block's five
    [(url, why)] = [(u, w) for u, w in proposal.problems if "drawn by script" in w.en]
    assert url == site.url("/xxgk/index.html") and "政府信息公开年报" in why.en
    assert portal.scripted == [site.url("/xxgk/index.html")]
    assert "栏目可能不全" in to_toml(proposal)


def test_without_more_or_browser_the_block_is_not_the_column_and_the_menu_is_reported(site: Site) -> None:
    home = _platform(site, more=False, crumbs=False)
    proposal = run_discovery(home, SETTINGS)
    assert proposal.portals == []  # the platform page is no column of its own
    said = [w.en for u, w in proposal.problems if u == site.url("/xxgk/index.html")]
    assert any("drawn by script" in w and "政府信息公开年报" in w for w in said)
    assert any("'年度报告' lists 5 report(s) with no 更多 link" in w and "not taken for the column" in w for w in said)
    result = CliRunner().invoke(cli, ["discover", home, "--lang", "en"])
    assert result.exit_code == 2 and "no annual-report column found" in result.output


def test_the_listed_reports_breadcrumbs_lead_to_the_column(site: Site) -> None:
    home = _platform(site, more=False, crumbs=True)
    proposal = run_discovery(home, SETTINGS)
    [column] = [c for p in proposal.portals for c in p.columns]
    assert column.url == site.url("/xxgk/nb/list.html?page=1") and column.path[-1].region == "breadcrumb"
    assert {a.name for a in proposal.agencies} == set(AGENCIES)


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_with_browser_the_column_is_found_through_the_script_menu(site: Site) -> None:
    home = _platform(site, more=False, crumbs=False)
    transport = LoopbackOnly()
    proposal = run_discovery(home, SETTINGS, browser=True, transport=transport)
    [column] = [c for p in proposal.portals for c in p.columns]
    assert column.url == site.url("/xxgk/nb/list.html?page=1")
    assert column.path[-1].region.startswith("script:") and column.path[-1].text == "政府信息公开年报"
    assert {a.name for a in proposal.agencies} == set(AGENCIES)
    assert transport.refused == []
    # Chromium's requests went through the walk's fetcher: each one is in the server's log and counted
    assert proposal.requests == len(site.log)


# ---- the budget, and what a portal says -----------------------------------------------------------


def test_the_budget_counts_every_request_inside_a_column(site: Site) -> None:
    """An endless column (每页 a 下一页 to the next) read with --budget 80: 80 requests, robots.txt and
    list pages included, and the column is said to be cut by the budget."""

    def endless(request: Request) -> Answer:
        n = int(request.query.get("page", "1"))
        body = (
            f'<html><body><ul><li><a href="/art/{n}.html">某某县第{n}次政务公开工作会议</a></li></ul>'
            f'<a href="/nb/list?page={n + 1}">下一页</a></body></html>'
        )
        return Answer(200, body.encode(), UTF8)

    site.add("/nb/list", endless)
    site.add(
        "/index.html",
        Answer(200, '<html><body><a href="/nb/list?page=1">政府信息公开年报</a></body></html>'.encode(), UTF8),
    )
    proposal = run_discovery(site.url("/index.html"), SETTINGS, budget=80)
    assert len(site.log) == 80 and proposal.requests == 80
    assert site.requested("/robots.txt")  # counted too
    [column] = [c for p in proposal.portals for c in p.columns]
    assert not column.complete and column.why_said is not None and "request budget (80)" in column.why_said.en


def test_a_control_character_in_a_site_name_cannot_break_the_printed_toml(site: Site) -> None:
    report = SampleReport(agency="某某县财政局", year=2025, applications=balanced(1))
    site.add("/nb/1.html", Answer(200, render(report_text(report), title=report.title).encode(), UTF8))
    site.add(
        "/nb/index.html",
        Answer(
            200,
            (
                '<html><head><title>政府信息公开年报</title><meta name="SiteName" content="某某县\x7f人民\x00政府\u2028">'
                f'</head><body><ul><li><a href="/nb/1.html">{report.title}</a></li></ul><div>共1页</div></body></html>'
            ).encode(),
            UTF8,
        ),
    )
    site.add(
        "/index.html",
        Answer(200, '<html><body><a href="/nb/index.html">政府信息公开年报</a></body></html>'.encode(), UTF8),
    )
    result = CliRunner().invoke(cli, ["discover", site.url("/index.html")])
    assert result.exit_code == 0, result.output
    config = from_dict(tomllib.loads(result.stdout), source="printed")
    assert [p.name for p in config.portals] == ["某某县人民政府"]


def test_every_control_character_is_escaped_by_the_writer() -> None:
    from crawler.discover import Discovery
    from nianbao.discover import propose

    found = Discovery("http://127.0.0.1:1/")
    proposal = propose(found, {})
    from nianbao.discover import ProposedAgency, ProposedPortal

    name = "县" + "".join(chr(c) for c in [*range(0x20), 0x7F, 0x85, 0x2028]) + "府"
    proposal.portals = [ProposedPortal(name, ["http://127.0.0.1:1/nb/"], [])]
    proposal.agencies = [ProposedAgency("某某县财政局\x7f", "department", name)]
    config = validated(to_toml(proposal))
    assert config.portals[0].name == name and config.agencies[0].portal == name


def test_output_that_would_not_load_is_a_bug_in_one_line() -> None:
    with pytest.raises(DiscoverBug) as caught:
        validated(
            '[[portals]]\nname = "县"\nurl = "http://127.0.0.1:1/nb/"\n\n[[agencies]]\nname = "x"\nportal = "乡"\n'
        )
    assert "\n" not in str(caught.value) and "a bug of nianbao's" in str(caught.value)
    assert "names no configured portal" in str(caught.value)


def test_hosts_in_the_output_are_the_loopback_ports_of_this_county_only(tmp_path: Path) -> None:
    with county_and_neighbours("trs") as (county, neighbours):
        proposal = run_discovery(county.home, SETTINGS)
        own = {(urlsplit(u).hostname, urlsplit(u).port) for u in (county.home, county.township_column)}
        theirs = {urlsplit(u).port for n in neighbours for u in (n.home, n.township_column)}
    hosts = {h for p in proposal.portals for h, _ in p.hosts}
    assert hosts == own
    assert not theirs & {port for _, port in hosts}


def test_a_home_page_redirected_by_script_to_an_off_limits_address_asks_nothing_there(site: Site) -> None:
    site.add(
        "/index.html",
        Answer(
            200,
            b'<html><head><script>window.location.href="http://169.254.169.254/xxgk/";</script></head></html>',
            UTF8,
        ),
    )
    transport = LoopbackOnly()
    proposal = run_discovery(site.url("/index.html"), SETTINGS, transport=transport)
    assert proposal.portals == [] and transport.refused == []
    assert any("169.254.169.254 is a link-local address" in why.en for _, why in proposal.problems)


def test_a_configuration_that_would_not_load_exits_2_with_one_line(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug of discover's own (here: an agency naming a portal the output lacks) is never printed."""
    import nianbao.discover

    report = SampleReport(agency="某某县财政局", year=2025, applications=balanced(1))
    site.add("/nb/1.html", Answer(200, render(report_text(report), title=report.title).encode(), UTF8))
    listing = f'<html><body><ul><li><a href="/nb/1.html">{report.title}</a></li></ul><div>共1页</div></body></html>'
    site.add("/nb/index.html", Answer(200, listing.encode(), UTF8))
    site.add(
        "/index.html",
        Answer(200, '<html><body><a href="/nb/index.html">政府信息公开年报</a></body></html>'.encode(), UTF8),
    )
    real = nianbao.discover.to_toml
    monkeypatch.setattr(
        nianbao.discover, "to_toml", lambda *a, **k: real(*a, **k).replace("portal = ", 'portal = "乙" #', 1)
    )
    result = CliRunner().invoke(cli, ["discover", site.url("/index.html"), "--lang", "en"])
    assert result.exit_code == 2 and result.stdout == ""
    [line] = [x for x in result.stderr.splitlines() if "bug" in x]
    assert line.startswith("nianbao: a bug of nianbao's") and "names no configured portal" in line


def test_a_portal_in_markup_of_no_template_here(tmp_path: Path) -> None:
    """Pictures for navigation, a greeting title, [更多], an index table under a breadcrumb, a
    department's own site named "…信息公开", a footer `<dl>`: the same result as by hand."""
    sites = [Site(f"banner{n}") for n in range(6)]
    start(sites)
    try:
        names = ("戊旗", "己旗", "庚旗")
        banners = [Banner(name, sites[2 * n], sites[2 * n + 1]) for n, name in enumerate(names)]
        for one in banners:
            one.friends = [(other.home, f"{other.name}人民政府") for other in banners if other is not one]
            one.build()
        county, neighbours = banners[0], banners[1:]
        transport = LoopbackOnly()
        proposal = run_discovery(county.home, SETTINGS, transport=transport)
        config = from_dict(tomllib.loads(to_toml(proposal)), source="printed")
        assert sorted(u for p in config.portals for u in p.urls) == sorted([county.column, county.dept_column])
        assert {a.name: a.level for a in config.agencies} == dict(county.own())
        assert {(a.name, a.rank) for a in proposal.republished} == {
            ("某某自治区人民政府", "province"),
            ("某某盟人民政府", "prefecture"),
        }
        assert transport.refused == [] and all(n.site.log == [] and n.dept.log == [] for n in neighbours)
        [main] = [c for p in proposal.portals for c in p.columns if c.url == county.column]
        assert main.path[-1].region == "block" and "更多" in main.path[-1].words
        found = _stored(_fast(config), tmp_path / "found.db")
        by_hand = _stored(county.hand_config(str(tmp_path / "hand.db"), SETTINGS), tmp_path / "hand.db")
        assert found == by_hand and len(by_hand) == 6
    finally:
        stop(sites)


def test_an_unmarked_footer_seen_once_before_still_names_no_sub_site() -> None:
    """The index is the second page read and its footer has no class, heading or id, nor was it on
    two pages before: a neighbour's 人民政府 or 政府信息公开 there is still another region's."""
    sites = [Site(f"s{n}") for n in range(3)]
    start(sites)
    try:
        home, dept, neighbour = sites
        report = SampleReport(agency="甲县财政局", year=2025, applications=balanced(1))
        dept.add("/robots.txt", Answer(404, b""))
        dept.add("/", Answer(200, '<html><body><a href="/nb/">政府信息公开年报</a></body></html>'.encode(), UTF8))
        listing = f'<html><body><ul><li><a href="/nb/1.html">{report.title}</a></li></ul><div>共1页</div></body></html>'
        dept.add("/nb/", Answer(200, listing.encode(), UTF8))
        dept.add("/nb/1.html", Answer(200, render(report_text(report), title=report.title).encode(), UTF8))
        footer = (
            f'<div><div><a href="{neighbour.url("/")}">戊县人民政府</a> '
            f'<a href="{neighbour.url("/xxgk/")}">戊县政府信息公开</a></div><div>甲县人民政府 版权所有</div></div>'
        )
        head = "<html><head><title>欢迎访问甲县人民政府门户网站</title></head><body>"
        home.add(
            "/",
            Answer(200, f'{head}<a href="/bm.html">部门信息公开</a><div>首页新闻</div></body></html>'.encode(), UTF8),
        )
        index = f'{head}<ul><li><a href="{dept.url("/")}">甲县财政局</a></li></ul>{footer}</body></html>'
        home.add("/bm.html", Answer(200, index.encode(), UTF8))
        transport = LoopbackOnly()
        proposal = run_discovery(home.url("/"), SETTINGS, transport=transport)
        assert [p.urls for p in proposal.portals] == [[dept.url("/nb/")]]
        assert neighbour.log == [] and transport.refused == []
        skipped = {url: why.en for url, _, why in proposal.skipped}
        assert (
            "another region's" in skipped[neighbour.url("/")] and "another region's" in skipped[neighbour.url("/xxgk/")]
        )
    finally:
        stop(sites)


def test_with_no_name_for_the_portal_a_county_government_on_an_index_is_no_sub_site() -> None:
    """Neither the home page nor the index says whose portal it is: a 人民政府 of county level on a
    部门 index is a neighbour's portal, never a department."""
    sites = [Site(f"s{n}") for n in range(2)]
    start(sites)
    try:
        home, neighbour = sites
        home.add("/", Answer(200, '<html><body><a href="/bm.html">部门信息公开</a></body></html>'.encode(), UTF8))
        index = f'<html><body><ul><li><a href="{neighbour.url("/")}">戊县人民政府</a></li></ul></body></html>'
        home.add("/bm.html", Answer(200, index.encode(), UTF8))
        proposal = run_discovery(home.url("/"), SETTINGS)
        assert neighbour.log == [] and proposal.portals == []
        assert any("county level or above" in why.en for _, _, why in proposal.skipped)
    finally:
        stop(sites)
