"""Every adapter in ADAPTERS fulfils the `Adapter` contract on a page of its own CMS, and their order
follows the rule written in crawler/adapters/__init__.py; a module that falls short is caught."""

from __future__ import annotations

import itertools
import types
from collections.abc import Iterator

import pytest

from crawler.adapters import ADAPTERS, EVIDENCE, Adapter, adapter_for, generic, hanweb, order_problems, problems, vsb
from crawler.listing import Declared, Link, Page, PageRequest

# One column page of each CMS, as the portals serve it.  A new adapter needs one here: the test below
# fails until it has.
PAGES: dict[str, Page] = {
    "gkmlpt": Page("http://h/gkmlpt/index", "<script>window.SID = '4402'; var catId = 2473;</script>"),
    "jpaas": Page(
        "http://h/col/jpaas/index.html",
        '<script>var listConfig = {url: "/api-gateway/jpaas-publish-server/front/page/build/unit?webId=1", '
        "pageSize: 20};</script>",
    ),
    "hanweb": Page(
        "http://h/col/col7/index.html",
        "<script type='text/xml'><datastore><recordset><record><![CDATA[<li><a href='/art/1.html'>"
        "某县财政局2025年政府信息公开工作年度报告</a></li>]]></record></recordset></datastore></script>"
        "<script>$('#7').jpage({totalRecord:31,perPage:15,groupSize:1,"
        "proxyUrl:'/module/web/jpage/dataproxy.jsp'});</script>",
    ),
    "vsb": Page(
        "http://h/zfxxgk/nb.htm",
        "<a href='info/1.htm'>某县2025年政府信息公开工作年度报告</a>"
        "<script>_simple_list_gotopage_fun(3,'GOPAGE',2)</script>",
    ),
    "trs": Page(
        "http://h/xxgk/nb/index.html",
        "<a href='./t1.html'>某县2025年政府信息公开工作年度报告</a>"
        '<script>createPageHTML(3, 0, "index", "html");</script>',
    ),
    "generic": Page(
        "http://h/list?page=1",
        "<a href='/a/1.html'>某县2025年政府信息公开工作年度报告</a><a href='/list?page=2'>下一页</a><p>共2页</p>",
    ),
}


def _conforms(adapter: object) -> list[str]:
    """`problems` plus what the adapter does on its own CMS's page: each answer of the promised type."""
    found = problems(adapter)
    name = getattr(adapter, "NAME", None)
    page = PAGES.get(name) if isinstance(name, str) else None
    if found or page is None:
        return found or [f"{name}: no page of its CMS in PAGES"]
    assert isinstance(adapter, types.ModuleType)
    if adapter.matches(page) is not True:
        found.append("matches: does not recognise a page of its own CMS")
    listed = adapter.entries(page)
    if not isinstance(listed, list) or not all(isinstance(link, Link) for link in listed):
        found.append(f"entries: gave {listed!r}, not a list of Link")
    size = adapter.declared(page)
    if size is not None and not isinstance(size, Declared):
        found.append(f"declared: gave {size!r}, not a Declared or None")
    pages = adapter.next_pages(page)
    if not isinstance(pages, Iterator) or not all(isinstance(r, PageRequest) for r in itertools.islice(pages, 50)):
        found.append("next_pages: not an iterator of PageRequest")
    return found


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.NAME)
def test_every_adapter_fulfils_the_contract(adapter: Adapter) -> None:
    assert _conforms(adapter) == []


def test_adapter_names_are_distinct_and_each_has_a_page() -> None:
    names = [a.NAME for a in ADAPTERS]
    assert len(set(names)) == len(names) and set(names) == set(PAGES)


def _planted(**without: object) -> types.ModuleType:
    """An adapter module copied from vsb's page handling, with names removed or replaced."""
    module = types.ModuleType("planted")
    module.NAME = "vsb"  # type: ignore[attr-defined]
    for method in ("matches", "entries", "next_pages", "declared"):
        setattr(module, method, getattr(adapter_for(PAGES["vsb"]), method))
    for name, value in without.items():
        if value is None:
            delattr(module, name)
        else:
            setattr(module, name, value)
    return module


def test_the_contract_check_passes_a_complete_module() -> None:
    assert _conforms(_planted()) == []  # the planted modules below differ from a conforming one in one name


def test_the_contract_check_fails_on_an_adapter_missing_a_method() -> None:
    assert _conforms(_planted(next_pages=None)) == ["next_pages: missing"]
    assert _conforms(_planted(declared=None)) == ["declared: missing"]


def test_the_contract_check_fails_on_a_wrong_shape() -> None:
    def declared(page: Page, strict: bool) -> None:
        return None

    def next_pages(page: Page) -> list[PageRequest]:  # a list: every page made at once
        return []

    def entries(page: Page) -> tuple[Link, ...]:
        return ()

    assert _conforms(_planted(declared=declared)) == [
        "declared: takes (page: 'Page', strict: 'bool') -> 'None', not (page)"
    ]
    assert _conforms(_planted(next_pages=next_pages)) == [
        "next_pages: not a generator (pages must be made as the crawl asks for them)"
    ]
    assert _conforms(_planted(entries=entries)) == ["entries: gave (), not a list of Link"]
    assert _conforms(_planted(NAME=7)) == ["NAME: missing or not a str"]


# -- the order rule (crawler/adapters/__init__.py) ---------------------------------------------------


def test_each_cms_page_goes_to_its_own_adapter() -> None:
    assert {name: adapter_for(page).NAME for name, page in PAGES.items()} == {name: name for name in PAGES}


def test_the_order_follows_the_rule() -> None:
    assert order_problems(ADAPTERS) == []


def test_the_order_check_fails_on_a_planted_order() -> None:
    swapped = tuple(vsb if a is hanweb else hanweb if a is vsb else a for a in ADAPTERS)
    assert order_problems(swapped) == ["hanweb (DATA) after vsb (MARKUP)"]
    assert order_problems((*ADAPTERS[1:], ADAPTERS[0])) == [
        "gkmlpt (ADDRESS) after generic (ANY)",
        "generic is not last",
    ]
    unranked = types.ModuleType("planted")
    unranked.NAME = "planted"  # type: ignore[attr-defined]
    assert order_problems((unranked, *ADAPTERS)) == ["planted: no EVIDENCE kind"]


def test_generic_is_last_and_takes_any_page() -> None:
    assert ADAPTERS[-1] is generic
    bare = Page("http://h/list.html", "<a href='/a/1.html'>某县2025年政府信息公开工作年度报告</a>")
    assert [a.NAME for a in ADAPTERS if a.matches(bare)] == ["generic"]


@pytest.mark.parametrize(
    ("first", "later"),
    [(a, b) for a, b in itertools.permutations(sorted(PAGES), 2) if EVIDENCE[a] < EVIDENCE[b] and b != "generic"],
    ids=str,
)
def test_a_page_keeps_its_adapter_when_a_less_trusted_cms_markers_are_left_in_it(first: str, later: str) -> None:
    """A column page carrying the markers of a CMS known by weaker evidence (a template's leftover
    scripts) is still its own CMS's, whatever the order of ADAPTERS says."""
    page = PAGES[first]
    mixed = Page(page.url, page.text + PAGES[later].text)
    assert adapter_for(mixed).NAME == first
