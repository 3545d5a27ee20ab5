"""CMS adapters on literal pages: page counts from scripts, backwards VSB numbering, Hanweb proxy requests;
hostile numbers: declared pages made lazily, a value that is no number a note and no size."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from collections.abc import Iterator

import pytest

from crawler.adapters import Adapter, adapter_for, generic, gkmlpt, hanweb, jpaas, trs, vsb
from crawler.crawl import ColumnRead
from crawler.listing import Link, Page, column_base, is_column_link, is_report_title


def test_trs_zero_based_one_based_and_stale_comment() -> None:
    zero = Page("http://h/xxgk/nb/index.html", '<script>createPageHTML(3, 0, "index", "html");</script>')
    assert [r.url for r in trs.next_pages(zero)] == ["http://h/xxgk/nb/index_1.html", "http://h/xxgk/nb/index_2.html"]
    one = Page("http://h/a/fg.shtml", "<script>createPageHTML('page_div',3, 1,'fg','shtml',40)</script>")
    assert [r.url for r in trs.next_pages(one)] == ["http://h/a/fg_2.shtml", "http://h/a/fg_3.shtml"]
    stale = Page(
        "http://h/a/index.html", '<script>\n//createPageHTML(9, 0, "index", "html");\nvar countPage = 2;</script>'
    )
    assert [r.url for r in trs.next_pages(stale)] == ["http://h/a/index_1.html"]
    # a page without newlines: a URL earlier on the line is no comment
    one_line = Page(
        "http://h/a/index.html",
        '<a href="http://h/">首页</a><ul></ul><script>createPageHTML(2, 0, "index", "html");</script>',
    )
    assert [r.url for r in trs.next_pages(one_line)] == ["http://h/a/index_1.html"]


def test_vsb_pages_backwards_from_page_one_only() -> None:
    first = Page(
        "http://h/zfxxgk/a2025/gxz.htm", '<a onclick="_simple_list_gotopage_fun(4,&quot;u13&quot;,2)">跳转</a>'
    )
    assert adapter_for(first) is vsb
    assert [r.url for r in vsb.next_pages(first)] == [
        "http://h/zfxxgk/a2025/gxz/3.htm",
        "http://h/zfxxgk/a2025/gxz/2.htm",
        "http://h/zfxxgk/a2025/gxz/1.htm",
    ]
    assert list(vsb.next_pages(Page("http://h/zfxxgk/a2025/gxz/3.htm", first.text))) == []


def test_hanweb_records_and_proxy_requests() -> None:
    page = Page(
        "http://h/col/col1/index.html",
        (
            "<script type='text/xml'><datastore><recordset>"
            "<record><![CDATA[<li><a href='/art/2026/1/2/art_1_9.html' title='某县财政局2025年政府信息公开工作年度报告'>某县财政局2025年…</a>"
            "<span>2026-01-02</span></li>]]></record></recordset></datastore></script>"
            "<script>var param_7={col:1,appid:1,webid:3,path:'/',columnid:1,unitid:'7',webname:'某县',permissiontype:0};"
            "$('#7').jpage({totalRecord:31,perPage:15,groupSize:1,proxyUrl:'/module/web/jpage/dataproxy.jsp',ajaxParam:param_7});</script>"
        ),
    )
    assert adapter_for(page) is hanweb
    [entry] = hanweb.entries(page)
    assert entry.url == "http://h/art/2026/1/2/art_1_9.html" and entry.date == "2026-01-02"
    assert entry.best_title == "某县财政局2025年政府信息公开工作年度报告"
    requests = list(hanweb.next_pages(page))
    assert [r.url for r in requests] == [
        "http://h/module/web/jpage/dataproxy.jsp?startrecord=2&endrecord=16&perpage=15",
        "http://h/module/web/jpage/dataproxy.jsp?startrecord=17&endrecord=31&perpage=15",
    ]
    assert dict(requests[0].data or ())["columnid"] == "1" and requests[0].referer == page.url


def test_generic_pager_links() -> None:
    page = Page(
        "http://h/list?page=1",
        "<a href='?page=2'>下一页</a><a href='?page=9'>尾页</a><a href='/x'>首页</a>"
        "<a href='http://other/?page=3'>下一页</a>",
    )
    assert [r.url for r in generic.next_pages(page)] == ["http://h/list?page=2", "http://h/list?page=9"]


def test_report_titles_and_columns() -> None:
    assert is_report_title("张家川县马关镇人民政府2025年度政府信息公开工作报告")
    assert is_report_title("某某县闫家乡人民政府2025年度政府信息公开工作…")
    assert not is_report_title("某某县人民政府网站2025年工作年度报表")
    assert not is_report_title("某某县2025年事业单位法人年报")
    assert not is_report_title("各乡镇2025年政府信息公开年报")
    bases = (column_base("http://h/zfxxgk/zfxxgknb.htm"),)
    assert is_column_link(Link("http://h/zfxxgk/zfxxgknb/a2025.htm", "2025年"), bases)
    assert not is_column_link(Link("http://h/zfxxgk/zfwzgznb.htm", "政府网站工作年报"), bases)


# ---- hostile numbers: pages made lazily, values that are no number give a note, never an exception ----

BIG = "9" * 5000  # int() of it raises (the 4300-digit limit); float() of it is inf
HANWEB = (
    "<script type='text/xml'><datastore><recordset>"
    "<record><![CDATA[<li><a href='/art/1.html'>某县财政局2025年政府信息公开工作年度报告</a></li>]]></record>"
    "</recordset></datastore></script><script>$('#7').jpage({{{options},proxyUrl:'/module/web/jpage/dataproxy.jsp'}});</script>"
)
GKMLPT_API = "http://h/gkmlpt/api/all/2473?page=1&sid=4402"
JPAAS_API = "http://h/api-gateway/jpaas-publish-server/front/page/build/unit?webId=1&paramJson="
HOSTILE: dict[str, tuple[Adapter, Page]] = {
    "trs createPageHTML(abc, …)": (
        trs,
        Page("http://h/nb/index.html", '<script>createPageHTML(abc, 0, "index", "html");</script>'),
    ),
    "trs createPageHTML(-1, …)": (
        trs,
        Page("http://h/nb/index.html", '<script>createPageHTML(-1, 0, "index", "html");</script>'),
    ),
    "trs createPageHTML(5000 digits, …)": (
        trs,
        Page("http://h/nb/index.html", f'<script>createPageHTML({BIG}, 0, "index", "html");</script>'),
    ),
    "trs customised createPageHTML('div', abc, …)": (
        trs,
        Page("http://h/a/fg.shtml", "<script>createPageHTML('page_div', abc, 1, 'fg', 'shtml', 40)</script>"),
    ),
    "trs var countPage = 5000 digits": (
        trs,
        Page(
            "http://h/a/index.html",
            f"<script>//createPageHTML(9, 0, 'index', 'html');\nvar countPage = {BIG};</script>",
        ),
    ),
    "vsb _simple_list_gotopage_fun(0, …)": (
        vsb,
        Page("http://h/a/gxz.htm", '<a onclick="_simple_list_gotopage_fun(0,&quot;u13&quot;,2)">跳转</a>'),
    ),
    "vsb _simple_list_gotopage_fun(5000 digits, …)": (
        vsb,
        Page("http://h/a/gxz.htm", f'<a onclick="_simple_list_gotopage_fun({BIG},&quot;u13&quot;,2)">跳转</a>'),
    ),
    "hanweb perPage:0": (
        hanweb,
        Page("http://h/col/col1/index.html", HANWEB.format(options="totalRecord:40,perPage:0")),
    ),
    "hanweb perPage:-5": (
        hanweb,
        Page("http://h/col/col1/index.html", HANWEB.format(options="totalRecord:40,perPage:-5")),
    ),
    "hanweb totalRecord:abc": (
        hanweb,
        Page("http://h/col/col1/index.html", HANWEB.format(options="totalRecord:abc,perPage:15")),
    ),
    "hanweb groupSize:0": (
        hanweb,
        Page("http://h/col/col1/index.html", HANWEB.format(options="totalRecord:40,perPage:15,groupSize:0")),
    ),
    "hanweb totalRecord of 5000 digits": (
        hanweb,
        Page("http://h/col/col1/index.html", HANWEB.format(options=f"totalRecord:{BIG},perPage:15")),
    ),
    "hanweb proxy <totalrecord> of 5000 digits": (
        hanweb,
        Page(
            "http://h/module/web/jpage/dataproxy.jsp?startrecord=2",
            f"<datastore><totalrecord>{BIG}</totalrecord></datastore>",
        ),
    ),
    "gkmlpt total 'abc'": (gkmlpt, Page(GKMLPT_API, '{"articles": [], "total": "abc"}')),
    "gkmlpt total -5": (gkmlpt, Page(GKMLPT_API, '{"articles": [], "total": -5}')),
    "gkmlpt total 1.5": (gkmlpt, Page(GKMLPT_API, '{"articles": [], "total": 1.5}')),
    "gkmlpt total true": (gkmlpt, Page(GKMLPT_API, '{"articles": [], "total": true}')),
    "gkmlpt total Infinity": (gkmlpt, Page(GKMLPT_API, '{"articles": [], "total": Infinity}')),
    "jpaas pageSize: 0": (
        jpaas,
        Page(
            "http://h/col/jpaas/index.html",
            '<script>var c = {url: "/api-gateway/jpaas-publish-server/front/page/build/unit?webId=1", pageSize: 0};</script>',
        ),
    ),
    "jpaas a gateway page whose paramJson is no JSON": (
        jpaas,
        Page(JPAAS_API + "%7Bnope", '{"success": true, "data": {"html": "<li><a href=\\"/a.html\\">x</a></li>"}}'),
    ),
    "jpaas a gateway page whose pageSize is -1": (
        jpaas,
        Page(JPAAS_API + '{"pageNo":1,"pageSize":-1}', '{"success": true, "data": {"html": ""}}'),
    ),
    "generic 共(5000 digits)页": (generic, Page("http://h/list?page=1", f"<div>共{BIG}页</div>")),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_pager_value_that_is_no_number_gives_a_note_and_no_size(name: str) -> None:
    adapter, page = HOSTILE[name]
    assert adapter_for(page) is adapter
    found = adapter.declared(page)
    assert found is not None and "usable" in found.note  # the value, named, and why it is not used
    assert (found.pages, found.records, found.last) == (None, None, False)  # no size: the column stays partial
    assert list(adapter.next_pages(page)) == []  # nothing asked for on a number nianbao cannot use
    adapter.entries(page)  # the entries already listed are still read


def test_a_column_with_a_note_is_never_complete() -> None:
    column = ColumnRead("http://h/col/col1/index.html", cms="hanweb", read_pages=1, records={"http://h/art/1.html"})
    column.declared = hanweb.declared(HOSTILE["hanweb perPage:0"][1])
    assert not column.complete and "perPage" in column.why_not


def test_gkmlpt_dates_and_links_that_are_no_dates_or_urls_cost_nothing_else() -> None:
    page = Page(
        GKMLPT_API,
        '{"total": 3, "articles": ['
        '{"url": "/a/1.html", "title": "甲", "display_publish_time": "abc"},'
        '{"url": "/a/2.html", "title": "乙", "display_publish_time": 1e40},'
        '{"url": "http://[::1:80/x.html", "title": "丙", "display_publish_time": 1768870800}]}',
    )
    links = gkmlpt.entries(page)
    assert [(link.url, link.date) for link in links] == [
        ("http://h/a/1.html", None),
        ("http://h/a/2.html", None),
        ("invalid:http://[::1:80/x.html", "2026-01-20"),  # kept, marked: its fetch fails for it alone
    ]


LAZY: dict[str, tuple[Adapter, Page]] = {
    "trs": (trs, Page("http://h/nb/index.html", '<script>createPageHTML(1000000, 0, "index", "html");</script>')),
    "vsb": (
        vsb,
        Page("http://h/a/gxz.htm", '<a onclick="_simple_list_gotopage_fun(1000000,&quot;u13&quot;,2)">x</a>'),
    ),
    "hanweb": (hanweb, Page("http://h/col/col1/index.html", HANWEB.format(options="totalRecord:1000000,perPage:1"))),
    "gkmlpt": (gkmlpt, Page(GKMLPT_API, '{"articles": [], "total": 100000000}')),
}


@pytest.mark.parametrize("name", sorted(LAZY))
def test_a_declared_million_is_evidence_and_its_pages_are_made_lazily(name: str) -> None:
    adapter, page = LAZY[name]
    found = adapter.declared(page)
    assert found is not None and not found.note and max(found.pages or 0, found.records or 0) >= 10**6
    tracemalloc.start()
    try:
        started = time.perf_counter()
        requests = adapter.next_pages(page)
        first = list(itertools.islice(requests, 3))
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(requests, Iterator) and len(first) == 3
    assert peak < 1_000_000 and elapsed < 1.0  # three requests made, not a million
