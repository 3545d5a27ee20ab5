"""The CMS variants real portals use, as loopback sites, for the crawler's tests: each lists a
column of many items (news and reports mixed) the way its CMS does, and declares its size the way
its CMS does.  See shared/research/portals.md §2.

- `hanweb`: JCMS with the first group embedded or not, any perPage × groupSize, and a data proxy
  that reads its record window from the URL or only from the form;
- `jpaas`: the JPaaS gateway (JSON; 403 without a Referer), pages until a short one;
- `gkmlpt`: Guangdong's platform (JSON, `total`, 100 a page);
- `trs_split`: a TRS list whose report article runs over `t…_1.html`;
- `plain`: a `?page=N` pager that says "共N页";
- `unknown`: a list of one page with no pager at all (complete on positive evidence);
- `load_more`: a one-page list whose further entries come by script (加载更多): never complete;
- `cut`: a one-page list whose answer stops mid-list: never complete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.sample.server import Answer, Request, Site
from nianbao.sample.wordhtml import render

UTF8 = {"Content-Type": "text/html; charset=utf-8"}
# what surrounds every real column page: a page of scripts alone would rightly look like an anti-bot stub
CHROME = (
    "<div class='head'>某某县人民政府 政府信息公开 首页 政务公开 政务服务 互动交流 走进某某 无障碍浏览 长者模式</div>"
    "<div class='posi'>当前位置：首页 &gt; 政府信息公开 &gt; 法定主动公开内容 &gt; 政府信息公开年报</div>"
)
FOOTER = (
    "<div class='foot'>主办：某某县人民政府办公室 网站标识码 6205250001 陇ICP备05000000号 公安备案 62052502000001</div>"
)
JSON = {"Content-Type": "application/json; charset=utf-8"}


@dataclass(frozen=True)
class Item:
    title: str
    path: str
    report: SampleReport | None = None  # a report article, or a news item


def items(count: int, reports: list[str], *, prefix: str) -> list[Item]:
    """`count` items, the agencies in `reports` among them as their 2025 reports."""
    out: list[Item] = []
    spread = max(1, count // max(1, len(reports)))
    for n in range(count):
        placed = sum(1 for i in out if i.report is not None)
        if n % spread == 1 and placed < len(reports):
            agency = reports[placed]
            sample = SampleReport(agency=agency, year=2025, applications=balanced(n % 5))
            out.append(Item(sample.title, f"{prefix}/{n}.html", sample))
        else:
            out.append(Item(f"关于开展第{n}期政务公开培训的通知", f"{prefix}/{n}.html"))
    return out


def _li(item: Item) -> str:
    return f'<li><a href="{item.path}" title="{item.title}">{item.title}</a><span>2026-01-20</span></li>'


def publish(site: Site, listed: list[Item]) -> None:
    """Every item's own page: a report article, or a short news page."""
    for item in listed:
        if item.report is not None:
            page = render(report_text(item.report), title=item.title, pub_date="2026-01-20 09:00")
        else:
            page = f"<html><body><h1>{item.title}</h1><p>培训通知。</p></body></html>"
        site.add(item.path, Answer(200, page.encode(), UTF8))


# ---- Hanweb JCMS ---------------------------------------------------------------------------


def hanweb(site: Site, listed: list[Item], *, per_page: int, group_size: int, embedded: bool, window: str) -> str:
    """A JCMS column; `window` is "url" or "form": where the data proxy reads startrecord from."""
    publish(site, listed)
    records = "".join(f"<record><![CDATA[{_li(i)}]]></record>\n" for i in listed[: per_page * group_size])
    store = f"<datastore><recordset>{records if embedded else ''}</recordset></datastore>"
    page = (
        f'<html><head><meta charset="utf-8"></head><body>{CHROME}'
        f'<div id="9001"><script type="text/xml">{store}</script></div>{FOOTER}'
        "<script>var param_9001={col:1,appid:1,webid:1,path:'/',columnid:555,unitid:'9001',permissiontype:0};"
        f"$('#9001').jpage({{totalRecord:{len(listed)},perPage:{per_page},groupSize:{group_size},"
        "proxyUrl:'/module/web/jpage/dataproxy.jsp',ajaxParam:param_9001});</script></body></html>"
    )
    site.add("/col/col555/index.html", Answer(200, page.encode(), UTF8))
    site.add("/module/web/jpage/dataproxy.jsp", lambda request: _proxy(request, listed, window))
    return site.url("/col/col555/index.html")


def _proxy(request: Request, listed: list[Item], window: str) -> Answer:
    source = request.query if window == "url" else request.form
    if "startrecord" not in source:
        return Answer(200, b"<datastore><totalrecord>0</totalrecord></datastore>")
    start, end = int(source["startrecord"]), int(source["endrecord"])
    chunk = listed[max(start - 2, 0) : end]  # groups after the first repeat one look-ahead record
    records = "".join(f"<record><![CDATA[{_li(i)}]]></record>\n" for i in chunk)
    body = f"<datastore><totalrecord>{len(listed)}</totalrecord><recordset>{records}</recordset></datastore>"
    return Answer(200, body.encode(), {"Content-Type": "text/xml;charset=UTF-8"})


# ---- Hanweb JPaaS ---------------------------------------------------------------------------

GATEWAY = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def jpaas(site: Site, listed: list[Item], *, page_size: int) -> str:
    publish(site, listed)
    api = f"{GATEWAY}?parseType=bulidstatic&webId=1&tplSetId=5&pageType=column&tagId={quote('信息列表')}&editType=null&pageId=77"
    page = (
        f'<html><head><meta charset="utf-8"></head><body>{CHROME}<div class="list" id="list"></div>{FOOTER}'
        f'<script>var listConfig = {{url: "{api}", pageSize: {page_size}}};</script></body></html>'
    )
    site.add("/col/jpaas/index.html", Answer(200, page.encode(), UTF8))
    site.add(GATEWAY, lambda request: _gateway(request, listed, site))
    return site.url("/col/jpaas/index.html")


def _gateway(request: Request, listed: list[Item], site: Site) -> Answer:
    if "/col/jpaas/" not in request.headers.get("referer", ""):
        return Answer(403, b'{"success":false,"message":"forbidden"}', JSON)
    params = json.loads(parse_qs(urlsplit(request.path).query).get("paramJson", ["{}"])[0])
    number, size = int(params.get("pageNo", 1)), int(params.get("pageSize", 20))
    chunk = listed[(number - 1) * size : number * size]
    html = "".join(f'<li class="clearfix">{_li(i)}</li>' for i in chunk)
    return Answer(200, json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False).encode(), JSON)


# ---- Guangdong gkmlpt -----------------------------------------------------------------------


def gkmlpt(site: Site, listed: list[Item]) -> str:
    publish(site, listed)
    page = (
        '<html><head><meta charset="utf-8"><script>window.SID = "4402"; var catId = 2473;</script></head>'
        f"<body>{CHROME}<div id='app'>正在加载…</div>{FOOTER}</body></html>"
    )
    site.add("/gkmlpt/index", Answer(200, page.encode(), UTF8))

    def api(request: Request) -> Answer:
        number = int(request.query.get("page", "1"))
        chunk = listed[(number - 1) * 100 : number * 100]
        articles = [
            {"id": n, "title": i.title, "url": i.path, "publisher": "某某局", "display_publish_time": 1768870800}
            for n, i in enumerate(chunk)
        ]
        return Answer(200, json.dumps({"articles": articles, "total": len(listed)}, ensure_ascii=False).encode(), JSON)

    site.add("/gkmlpt/api/all/2473", api)
    return site.url("/gkmlpt/index")


# ---- TRS, a report article split over two pages ---------------------------------------------


def trs_split(site: Site, sample: SampleReport) -> str:
    """A TRS list of one page whose only report runs over `t…_1.html` (table 3 on the second page)."""
    text = report_text(sample)
    head, tail = text.split("三、收到和处理政府信息公开申请情况")
    stem = "t20260120_4401"
    pager = f'<script>createPageHTML(2, 0, "{stem}", "html");</script>'
    first = render(head, title=sample.title).replace('<div class="v_news_content">', '<div class="TRS_Editor">')
    second = render("三、收到和处理政府信息公开申请情况\n" + tail).replace(
        '<div class="v_news_content">', '<div class="TRS_Editor">'
    )
    site.add(f"/xxgk/nb/202601/{stem}.html", Answer(200, first.replace("</form>", pager + "</form>").encode(), UTF8))
    site.add(f"/xxgk/nb/202601/{stem}_1.html", Answer(200, second.encode(), UTF8))
    listing = (
        '<html><head><meta charset="utf-8"></head><body><ul>'
        f'<li><a href="./202601/{stem}.html">{sample.title}</a><span>2026-01-20</span></li></ul>'
        '<script>createPageHTML(1, 0, "index", "html");</script><div class="TRS_Editor"></div></body></html>'
    )
    site.add("/xxgk/nb/index.html", Answer(200, listing.encode(), UTF8))
    return site.url("/xxgk/nb/index.html")


# ---- a plain pager, and a list without one ---------------------------------------------------


def plain(site: Site, listed: list[Item], *, per_page: int, broken_page: int | None = None) -> str:
    """`/news/list?page=N` with "共N页" and numbered links; `broken_page` always answers 500."""
    publish(site, listed)
    pages = -(-len(listed) // per_page)
    for number in range(1, pages + 1):
        chunk = listed[(number - 1) * per_page : number * per_page]
        pager = "".join(f'<a href="/news/list?page={k}">{k}</a>' for k in range(1, pages + 1))
        body = f"<html><body><ul>{''.join(_li(i) for i in chunk)}</ul><div>{pager} 共{pages}页</div></body></html>"
        answer = Answer(500, b"busy") if number == broken_page else Answer(200, body.encode(), UTF8)
        site.add(f"/news/list?page={number}", answer)
    site.add("/news/list", Answer(301, b"", {"Location": "/news/list?page=1"}))
    return site.url("/news/list?page=1")


def unknown(site: Site, listed: list[Item]) -> str:
    """A list of one page with no pager and no count, closed and ended: one page, on evidence."""
    publish(site, listed)
    body = f"<html><body><ul>{''.join(_li(i) for i in listed)}</ul></body></html>"
    site.add("/lists/nb.html", Answer(200, body.encode(), UTF8))
    return site.url("/lists/nb.html")


def load_more(site: Site, listed: list[Item], *, first: int = 5) -> str:
    """A VSB list of one page that shows its first entries and loads the rest by script when a
    "加载更多" button is clicked (its HTML holds no pager): never proven read by its first page."""
    publish(site, listed)
    shown = "".join(_li(i) for i in listed[:first])
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title>'
        '<script src="/system/resource/js/dynclicks.js"></script></head>'
        f'<body>{CHROME}<ul class="txtList" id="list">{shown}</ul>'
        '<div class="more"><a href="javascript:;" id="more">加载更多</a></div>'
        "<script>var pageNo = 1; $('#more').click(function(){ pageNo++;"
        " $.get('/system/resource/list.jsp', {pageNo: pageNo, treeid: 1063}, function(html){ $('#list').append(html); });"
        f" }});</script>{FOOTER}</body></html>"
    )
    site.add("/zfxxgk/nb.htm", Answer(200, page.encode(), UTF8))
    rest = "".join(_li(i) for i in listed[first:])
    site.add("/system/resource/list.jsp", Answer(200, rest.encode(), UTF8))
    return site.url("/zfxxgk/nb.htm")


def cut(site: Site, listed: list[Item]) -> str:
    """A list of one page whose answer stops mid-list (no closing tags): no proof it is whole."""
    publish(site, listed)
    body = f"<html><body><ul>{''.join(_li(i) for i in listed)}"
    site.add("/lists/cut.html", Answer(200, body.encode(), UTF8))
    return site.url("/lists/cut.html")
