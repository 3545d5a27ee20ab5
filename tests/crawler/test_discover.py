"""`nianbao discover`: from a home page alone to a configuration that crawls like the hand-written
one; home pages of each CMS kind; a sub-site behind robots.txt and a JavaScript menu are reported,
not guessed; `--merge` adds what is new and leaves every existing line as it was."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.crawl import CrawlResult
from crawler.discover import link_kind
from crawler.listing import Link
from nianbao.cli import cli
from nianbao.core.config import Config, CrawlSettings, from_dict
from nianbao.crawl_runner import crawl_all
from nianbao.discover import merge, run_discovery, to_toml
from nianbao.sample import variants
from nianbao.sample.homes import cms_home
from nianbao.sample.portal import SamplePortal, default_plan
from nianbao.sample.server import Answer, Site, start, stop
from storage.db import open_db

SETTINGS = CrawlSettings(interval=0.0, timeout=5.0, retries=2)  # the sample's flaky page answers 503 twice
NOW = "2026-02-10T12:00:00+00:00"


@pytest.fixture(scope="module")
def sample() -> Iterator[SamplePortal]:
    with SamplePortal(default_plan()) as portal:
        yield portal


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("portal")
    start([portal])
    yield portal
    stop([portal])


def _crawl(config: Config, tmp_path: Path, name: str) -> tuple[set[tuple[str, int, str]], list[CrawlResult]]:
    db = open_db(str(tmp_path / name))
    results = crawl_all(config.with_db(str(tmp_path / name)), db, now=NOW)
    reports = {
        (r["agency"], r["year"], r["content_hash"])
        for r in db.query("SELECT agency, year, content_hash FROM reports WHERE is_current = 1")
    }
    return reports, results


@pytest.mark.slow
def test_the_sample_home_page_gives_a_config_that_crawls_like_the_hand_written_one(
    sample: SamplePortal, tmp_path: Path
) -> None:
    proposal = run_discovery(sample.home, SETTINGS)
    text = to_toml(proposal)
    config = from_dict(tomllib.loads(text), source="discovered")
    hand = sample.config(str(tmp_path / "hand.db"), interval=0.0, timeout=5.0, retries=2)

    # every agency of the hand-written configuration, at its level
    levels = {a.name: a.level for a in config.agencies}
    assert {a.name: a.level for a in hand.agencies}.items() <= levels.items()
    # the portals: the county's column and its township's sub-column, the TRS host's two, the Hanweb column
    urls = sorted(u for p in config.portals for u in p.urls)
    assert len(config.portals) == 3 and len(urls) == 5
    assert {p.name for p in config.portals} == {"某某县人民政府", "某某县部门信息公开", "某某县政府部门"}

    discovered, results = _crawl(replace_crawl(config), tmp_path, "found.db")
    by_hand, hand_results = _crawl(hand, tmp_path, "hand.db")
    assert discovered == by_hand and len(by_hand) == len(sample.expected)
    assert sorted(r.outcome for r in results) == sorted(r.outcome for r in hand_results if r.outcome != "blocked")

    # what could not be read is said: the 审计局's sub-site behind the anti-bot wall
    assert any("某某县审计局" in why.en and "anti-bot" in why.en for _, why in proposal.problems)
    assert "反爬虫" in text and "经由 政府信息公开" in text


def replace_crawl(config: Config) -> Config:
    return replace(config, portals=tuple(replace(p, crawl=SETTINGS) for p in config.portals))


def _trs(site: Site, listed: list[variants.Item]) -> str:
    """A TRS WCM column in GBK: index.html, index_1.html, index_2.html, told by createPageHTML."""
    variants.publish(site, listed)
    chunks = [listed[n : n + 10] for n in range(0, len(listed), 10)]
    for number, chunk in enumerate(chunks):
        items = "".join(
            f'<li><a href="{i.path}" title="{i.title}">{i.title}</a><span>2026-01-20</span></li>' for i in chunk
        )
        page = (
            f"<html><head><title>政府信息公开年报</title></head><body><ul>{items}</ul>"
            f'<script>createPageHTML({len(chunks)}, {number}, "index", "html");</script></body></html>'
        )
        name = "index.html" if number == 0 else f"index_{number}.html"
        site.add(f"/xxgk/zfxxgknb/{name}", Answer(200, page.encode("gbk"), {"Content-Type": "text/html"}))
    return site.url("/xxgk/zfxxgknb/index.html")


CMS: dict[str, Callable[[Site, list[variants.Item]], str]] = {
    "trs": _trs,
    "hanweb": lambda s, i: variants.hanweb(s, i, per_page=5, group_size=3, embedded=False, window="form"),
    "jpaas": lambda s, i: variants.jpaas(s, i, page_size=10),
    "gkmlpt": variants.gkmlpt,
    "plain": lambda s, i: variants.plain(s, i, per_page=10),
}
EXPECTED_CMS = {"trs": "trs", "hanweb": "hanweb", "jpaas": "jpaas", "gkmlpt": "gkmlpt", "plain": "generic"}
AGENCIES = ["某某区水务局", "某某区民政局", "某某区大桥街道办事处"]


@pytest.mark.parametrize("cms", sorted(CMS))
def test_home_pages_of_each_cms_kind(site: Site, cms: str) -> None:
    listed = variants.items(23, AGENCIES, prefix="/art")
    column = CMS[cms](site, listed)
    path = column.removeprefix(site.base) if cms != "gkmlpt" else "/gkmlpt/index#2473"
    home = cms_home(site, cms, path)
    proposal = run_discovery(home, SETTINGS)
    [portal] = proposal.portals
    [found] = portal.columns
    assert found.cms == EXPECTED_CMS[cms] and found.complete, found.why_not
    assert {a.name: a.level for a in proposal.agencies} == {
        "某某区水务局": "department",
        "某某区民政局": "department",
        "某某区大桥街道办事处": "township",
    }
    assert all(a.years == {2025} for a in proposal.agencies)
    # the news headline that names 政府信息公开 is not navigation
    assert not any("/xwzx/1.html" in r.path for r in site.log)


def test_a_sub_site_behind_robots_txt_is_reported_and_not_crawled(site: Site) -> None:
    site.add("/robots.txt", Answer(200, b"User-agent: *\nDisallow: /bmxxgk/jyj/\n", {"Content-Type": "text/plain"}))
    listed = variants.items(4, ["某某区民政局"], prefix="/bmxxgk/mzj/art")
    variants.publish(site, listed)
    items = "".join(f'<li><a href="{i.path}">{i.title}</a><span>2026-01-20</span></li>' for i in listed)
    site.add(
        "/bmxxgk/mzj/nb/index.html",
        Answer(200, f"<html><body><ul>{items}</ul><div>共1页</div></body></html>".encode(), variants.UTF8),
    )
    pages = {
        "/index.html": '<a href="/xxgk/index.html">政府信息公开</a>',
        "/xxgk/index.html": '<a href="/bmxxgk/index.html">部门信息公开</a>',
        "/bmxxgk/index.html": '<a href="/bmxxgk/jyj/index.html">某某区教育局</a><a href="/bmxxgk/mzj/index.html">某某区民政局</a>',
        "/bmxxgk/mzj/index.html": '<a href="nb/index.html">政府信息公开年报</a>',
        "/bmxxgk/jyj/index.html": '<a href="nb/index.html">政府信息公开年报</a>',
    }
    for path, body in pages.items():
        site.add(
            path,
            Answer(200, f"<html><head><title>某某区</title></head><body>{body}</body></html>".encode(), variants.UTF8),
        )
    proposal = run_discovery(site.url("/index.html"), SETTINGS)
    assert [c.url for p in proposal.portals for c in p.columns] == [site.url("/bmxxgk/mzj/nb/index.html")]
    [(url, why)] = [(u, w) for u, w in proposal.problems if "robots" in w.en]
    assert url == site.url("/bmxxgk/jyj/index.html") and "某某区教育局" in why.en
    assert not any(r.path.startswith("/bmxxgk/jyj/") for r in site.log)


def test_a_javascript_menu_is_reported_not_guessed(site: Site, tmp_path: Path) -> None:
    home = (
        '<html><head><meta charset="utf-8"><title>某某县人民政府</title>'
        '<script src="/js/menu.js"></script></head><body><div id="nav"></div>'
        "<script>var menu=[{name:'政府信息公开',url:'/xxgk/'}];renderMenu('#nav',menu);</script>"
        '<a href="/wza.html">无障碍</a></body></html>'
    )
    site.add("/index.html", Answer(200, home.encode(), variants.UTF8))
    proposal = run_discovery(site.url("/index.html"), SETTINGS)
    assert proposal.portals == []
    assert any("drawn by script" in why.en for _, why in proposal.problems)
    result = CliRunner().invoke(cli, ["discover", site.url("/index.html"), "--lang", "en"])
    assert result.exit_code == 2 and "no annual-report column found" in result.output


def test_merge_adds_what_is_new_and_keeps_every_line(sample: SamplePortal, tmp_path: Path) -> None:
    original = (
        "# my watch list — hand-kept\n"
        "[crawl]\ninterval = 0.0  # loopback\n\n"
        "[[portals]]\n"
        'name = "县政府"  # my own name for it\n'
        f'url = "{sample.sites["county"].url("/zfxxgk/zfxxgknb.htm")}"\n\n'
        "[[agencies]]\n"
        'name = "某某县人民政府"\nlevel = "government"\nportal = "县政府"\n'
    )
    path = tmp_path / "nianbao.toml"
    path.write_text(original, encoding="utf-8")
    result = CliRunner().invoke(cli, ["discover", sample.home, "--config", str(path), "--merge", str(path)])
    assert result.exit_code == 0, result.output
    merged = path.read_text(encoding="utf-8")
    assert merged.startswith(original)
    config = from_dict(tomllib.loads(merged), source=str(path))
    names = {p.name for p in config.portals}
    assert "县政府" in names and "某某县人民政府" not in names  # the county's column was known: not added again
    by_name = {a.name: a for a in config.agencies}
    assert by_name["某某县马关镇人民政府"].portal == "县政府"  # new agencies of a known portal go under its name
    assert by_name["某某县教育局"].portal == "某某县部门信息公开"
    # a second merge finds nothing new and leaves the file as it is
    again = merge(run_discovery(sample.home, SETTINGS), str(path))
    assert again == (0, 0) and path.read_text(encoding="utf-8") == merged


def test_link_kinds() -> None:
    assert link_kind(Link("http://x/zfxxgk/index.htm", "政府信息公开")) == "nav"
    assert link_kind(Link("http://x/zfxxgk/zfxxgknb.htm", "政府信息公开年报")) == "column"
    assert link_kind(Link("http://x/zfxxgk/bmxzxxgk/xzxxgk.htm", "乡镇信息公开")) == "subsites"
    assert link_kind(Link("http://x/zfxxgk/wzgznb.htm", "政府网站工作年报")) is None
    assert link_kind(Link("http://x/zfxxgk/gkzn.htm", "政府信息公开指南")) is None
    assert link_kind(Link("http://x/info/1.htm", "县政府常务会议研究部署政府信息公开工作")) is None
    assert link_kind(Link("http://x/info/2.htm", "某某县2025年政府信息公开工作年度报告")) is None  # a report
