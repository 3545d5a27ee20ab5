"""CMS adapters on literal pages: page counts from scripts, backwards VSB numbering, Hanweb proxy requests."""

from __future__ import annotations

from crawler.adapters import adapter_for, generic, hanweb, trs, vsb
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
    assert vsb.next_pages(Page("http://h/zfxxgk/a2025/gxz/3.htm", first.text)) == []


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
    requests = hanweb.next_pages(page)
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
