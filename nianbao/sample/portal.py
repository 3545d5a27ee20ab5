"""The sample county portal ("某某县"), built from the facts in shared/research/portals.md.

Sites, each its own loopback host (port):
- `county`: Boda VSB, UTF-8 — column tree 政府信息公开年报 → 2025年 → 县政府/各部门/各乡镇, lists numbered
  backwards (`gxz.htm`, `gxz/2.htm`, `gxz/1.htm`), `/info/{tree}/{id}.htm` articles with Word tables,
  `download.jsp` attachments (no extension, Referer required), a duplicate `content.jsp` URL, a
  301 from an old column URL, a JS redirect shell, cut titles, distractors, robots.txt, a page that
  fails with 503 twice, a slow page, a huge file, off-site links and soft 404s;
- `dept`: TRS WCM in GBK with no charset anywhere, `createPageHTML` 0-based and 1-based;
- `hanweb`: Hanweb JCMS, embedded `<datastore>` plus `dataproxy.jsp` (POST and GET) with look-ahead;
- `files`: an attachment server on another port (allowed by allow_hosts);
- `blocked`: a 瑞数-protected host answering 412 to everything;
- `offsite`: a host nobody allowed: the crawler must never request it.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import quote

from nianbao.core.config import Agency, Config, CrawlSettings, Database, EmailSettings, Notify, Portal
from nianbao.sample.homes import build_county_home, build_hanweb_home, build_trs_home
from nianbao.sample.pdf import tiny_pdf
from nianbao.sample.reports import SampleReport, balanced, mixed, report_text
from nianbao.sample.server import Answer, Request, Site, start, stop
from nianbao.sample.wordhtml import render

SITE_NAMES = ("county", "dept", "hanweb", "files", "blocked", "offsite")
UTF8_HTML = {"Content-Type": "text/html; charset=UTF-8"}
SOFT_404 = Answer(
    200,
    "<html><head><meta charset='utf-8'><title>提示信息</title></head><body><div class=err>"
    "对不起，您访问的页面不存在或已被删除！<a href='/'>返回首页</a></div></body></html>".encode(),
    UTF8_HTML,
)
RUISHU = Answer(
    412,
    b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="qhzZrpAm" r=\'m\'><script type="text/javascript">'
    b"$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=81234;$_ts.cd=\"qhzZrpAm\";</script>"
    b'<script type="text/javascript" r=\'m\' charset="iso-8859-1" src="/4QbVtADbnLVIc/d.FxJzG50F.js">'
    b"</script></head><body></body></html>",
    {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": "FSSBBIl1UgzbN7NO=5x; Path=/"},
)


@dataclass
class Planned:
    """One report the portal publishes, and how."""

    sample: SampleReport
    level: str
    site: str  # county | dept | hanweb
    column: str = "gxz"  # county columns: xzf (government), gbm (departments), gxz (townships)
    pub: str | None = "2026-01-20 09:22"
    attachment: bool = False  # the article is a short notice; the report is a PDF behind download.jsp
    cut_title: bool = False  # the list shows "…" and no title attribute
    flaky: bool = False  # the article answers 503 twice, then 200
    slow: float = 0.0
    duplicate: bool = False  # also reachable at content.jsp under a township sub-site
    article_id: int = 0


def default_plan(year: int = 2025) -> list[Planned]:
    """Reports for `year`: one county government, departments on three CMSs, six townships."""

    def rep(agency: str, new: int = 0, **kw: object) -> SampleReport:
        return SampleReport(agency=agency, year=year, applications=balanced(new), **kw)  # type: ignore[arg-type]

    county = SampleReport(agency="某某县人民政府", year=year, applications=mixed(12), normative=(5, 1, 37))
    return [
        Planned(county, "government", "county", "xzf", pub=f"{year + 1}-03-15 10:00"),
        Planned(rep("某某县财政局", 2), "department", "county", "gbm", pub=f"{year + 1}-01-18 09:00"),
        Planned(rep("某某县统计局"), "department", "county", "gbm", pub=f"{year + 1}-01-25 16:30", slow=0.6),
        Planned(rep("某某县马关镇人民政府", 1), "township", "county", pub=f"{year + 1}-01-20 09:22", duplicate=True),
        Planned(rep("某某县闫家乡人民政府"), "township", "county", pub=f"{year + 1}-01-19 08:00", cut_title=True),
        Planned(rep("某某县张棉驿乡人民政府"), "township", "county", pub=f"{year + 1}-01-16 11:00", flaky=True),
        Planned(rep("某某县龙山镇人民政府", 3), "township", "county", pub=f"{year + 1}-01-15 15:00"),
        Planned(rep("某某县恭门镇人民政府"), "township", "county", pub=f"{year + 1}-01-14 10:00"),
        Planned(rep("某某县刘堡镇人民政府"), "township", "county", pub=f"{year + 1}-01-13 10:00", attachment=True),
        Planned(rep("某某县教育局", 4), "department", "dept", pub=f"{year + 1}-01-22 10:00"),
        Planned(rep("某某县卫生健康局", 1), "department", "dept", pub=f"{year + 1}-01-21 10:00"),
        Planned(rep("某某县民政局"), "department", "dept", pub=f"{year + 1}-01-20 10:00"),
        Planned(rep("某某县自然资源局"), "department", "dept", pub=f"{year + 1}-01-12 10:00"),
        Planned(rep("某某县交通运输局", 2), "department", "hanweb", pub=f"{year + 1}-01-23 10:00"),
        Planned(rep("某某县水务局"), "department", "hanweb", pub=f"{year + 1}-01-22 10:00"),
        Planned(rep("某某县农业农村局"), "department", "hanweb", pub=f"{year + 1}-01-21 10:00"),
        Planned(rep("某某县市场监督管理局", 5), "department", "hanweb", pub=f"{year + 1}-01-20 10:00"),
        Planned(rep("某某县应急管理局"), "department", "hanweb", pub=f"{year + 1}-01-19 10:00"),
    ]


@dataclass
class SamplePortal:
    """The running sample portal; `plan` says what it publishes."""

    plan: list[Planned]
    year: int = 2025
    sites: dict[str, Site] = field(default_factory=dict)
    huge_bytes: int = 6 * 1024 * 1024
    # report links of agencies nobody watches that can never be fetched (a soft 404, one behind
    # robots.txt): failed entries of the ledger, which withhold no watched agency's verdict
    failing_links: bool = True
    # fixed ports by site name (`nianbao sample serve --port N`); any free port otherwise
    ports: dict[str, int] = field(default_factory=dict)

    def start(self) -> SamplePortal:
        self.sites = {
            name: Site(name, fallback=SOFT_404 if name in ("county", "dept") else None) for name in SITE_NAMES
        }
        start(list(self.sites.values()), ports=self.ports)
        self._build()
        self.sites["blocked"].fallback = RUISHU
        self.sites["offsite"].fallback = Answer(200, b"<html><body>casino</body></html>", UTF8_HTML)
        return self

    def republish(self, plan: list[Planned]) -> None:
        """Publish a new plan on the running sites (same hosts and ports): a report appears, changes…"""
        self.plan = plan
        self._build()

    def _build(self) -> None:
        for number, planned in enumerate(self.plan):
            planned.article_id = 1327300 + number
        _build_county(self)
        _build_trs(self)
        _build_hanweb(self)
        sites = self.sites
        build_county_home(
            sites["county"], sites["dept"], sites["hanweb"], sites["blocked"], sites["offsite"], self.year
        )
        build_trs_home(sites["dept"])
        build_hanweb_home(sites["hanweb"])

    def stop(self) -> None:
        stop(list(self.sites.values()))

    def __enter__(self) -> SamplePortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def home(self) -> str:
        """The county's home page: where `nianbao discover` starts."""
        return self.sites["county"].url("/index.htm")

    @property
    def expected(self) -> set[tuple[str, int]]:
        return {(p.sample.agency, p.sample.year) for p in self.plan}

    def portals(self, **crawl: object) -> tuple[Portal, ...]:
        settings = CrawlSettings(**{"interval": 0.0, "timeout": 5.0, "retries": 2, **crawl})  # type: ignore[arg-type]
        county, files = self.sites["county"], self.sites["files"]
        return (
            Portal(
                "某某县人民政府",
                (county.url("/zfxxgk/nb.htm"), county.url("/zfxxgk/bmxzxxgk/xzxxgk/mgz/zfxxgknb.htm")),
                allow_hosts=(files.base.removeprefix("http://"),),
                crawl=settings,
            ),
            Portal(
                "某某县部门信息公开(TRS)",
                (self.sites["dept"].url("/xxgk/zfxxgknb/index.html"), self.sites["dept"].url("/xxgk/bmnb/fg.shtml")),
                crawl=settings,
            ),
            Portal("某某县政府部门(大汉)", (self.sites["hanweb"].url("/col/col12152/index.html"),), crawl=settings),
            Portal("某某省人民政府", (self.sites["blocked"].url("/zwgk/zfxxgknb/index.html"),), crawl=settings),
        )

    def config(self, db_path: str, **crawl: object) -> Config:
        portal_of = {"county": "某某县人民政府", "dept": "某某县部门信息公开(TRS)", "hanweb": "某某县政府部门(大汉)"}
        agencies = tuple(Agency(p.sample.agency, p.level, portal_of[p.site]) for p in self.plan)  # type: ignore[arg-type]
        return Config(
            database=Database(db_path),
            portals=self.portals(**crawl),
            agencies=agencies,
            notify=Notify(email=EmailSettings(smtp_host="127.0.0.1", smtp_port=25, to=("watch@example.org",))),
        )


# ---- shared markup ---------------------------------------------------------------------------


def _li(href: str, text: str, date: str, title_attr: str | None) -> str:
    attr = f' title="{html.escape(title_attr)}"' if title_attr else ""
    return f'<li><a href="{html.escape(href)}" target="_blank"{attr}>{html.escape(text)}</a><span>{date}</span></li>\n'


def _entry(planned: Planned, href: str) -> str:
    title = planned.sample.title
    if planned.cut_title:
        return _li(href, title[:24] + "…", (planned.pub or "")[:10], None)
    return _li(href, title, (planned.pub or "")[:10], title)


def _article(
    planned: Planned, *, charset_meta: str | None = "utf-8", attachments: Sequence[tuple[str, str]] = ()
) -> str:
    text = report_text(planned.sample)
    if planned.attachment:
        text = f"{planned.sample.title}全文详见附件。\n"
    return render(
        text,
        title=planned.sample.title,
        pub_date=planned.pub,
        info_date=planned.pub,
        charset_meta=charset_meta,
        attachments=attachments,
    )


def _rel(from_path: str, to_path: str) -> str:
    return posixpath.relpath(to_path, posixpath.dirname(from_path))


# ---- Boda VSB county site --------------------------------------------------------------------


def _vsb_page(title: str, body: str, pager: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-某某县人民政府</title>'
        f'<meta name="SiteName" content="某某县人民政府"><meta name="ColumnName" content="{title}">'
        '<script src="/system/resource/js/dynclicks.js"></script></head><body>'
        '<div class="top">简体 繁体 无障碍浏览 长者模式 <a href="http://lahohwa.com/gov">友情链接</a></div>'
        f'<div class="posi">当前位置: 首页 &gt;&gt; 政府信息公开 &gt;&gt; {title}</div>'
        f'<ul class="txtList">\n{body}</ul><div class="pagebar">{pager}</div></body></html>'
    ).encode()


def _vsb_pager(base_stem: str, pages: int) -> str:
    links = "".join(
        f'<span class="p_no"><a href="{base_stem}/{pages - k + 1}.htm">{k}</a></span>' for k in range(2, pages + 1)
    )
    return (
        '<div class="pb_sys_common pb_sys_full pb_sys_style1"><span class="p_pages">'
        '<span class="p_first_d p_fun_d">首页</span><span class="p_prev_d p_fun_d">上页</span><span class="p_no_d">1</span>'
        f'{links}<span class="p_next p_fun"><a href="{base_stem}/{pages - 1}.htm">下页</a></span>'
        f'<span class="p_last p_fun"><a href="{base_stem}/1.htm">尾页</a></span></span><span class="p_t">共{pages}页</span>'
        f'<span class="p_goto"><a href="javascript:;" onclick="_simple_list_gotopage_fun({pages},&quot;u13_goto&quot;,2)">'
        "跳转</a></span></div>"
    )


def _build_county(portal: SamplePortal) -> None:
    """Boda VSB: the column, its year page with three sub-columns (paged backwards), the articles,
    decoys in the department list, and a township sub-site behind a JS redirect shell."""
    site, files, year = portal.sites["county"], portal.sites["files"], portal.year
    site.add(
        "/robots.txt",
        Answer(
            200, b"User-agent: *\nDisallow: /system/admin/\nDisallow: /zfxxgk/nbgl/\n", {"Content-Type": "text/plain"}
        ),
    )
    site.add("/zfxxgk/nb.htm", Answer(301, b"", {"Location": "/zfxxgk/zfxxgknb.htm"}))
    _county_columns(site, year)
    articles = [p for p in portal.plan if p.site == "county"]
    for planned in articles:
        _county_article(site, files, planned, portal.huge_bytes)
    for column in ("xzf", "gbm", "gxz"):
        _county_list(portal, column, [p for p in articles if p.column == column])
    _township_subsite(site, [p for p in articles if p.duplicate])


def _county_columns(site: Site, year: int) -> None:
    """The annual-report column (with two look-alike neighbours) and its page for one year."""
    links = [
        _li(f"zfxxgknb/a{year}.htm", f"{year}年", "", None),
        _li("zfwzgznb.htm", "政府网站工作年报", "", None),
        _li("sydwfrnb.htm", "事业单位法人年报", "", None),
    ]
    site.add("/zfxxgk/zfxxgknb.htm", Answer(200, _vsb_page("政府信息公开年报", "".join(links)), UTF8_HTML))
    columns = (
        ("xzf", "县政府"),
        ("gbm", f"各部门{year}年政府信息公开年报"),
        ("gxz", f"各乡镇{year}年政府信息公开年报"),
    )
    body = "".join(_li(f"a{year}/{slug}.htm", label, "", None) for slug, label in columns)
    site.add(f"/zfxxgk/zfxxgknb/a{year}.htm", Answer(200, _vsb_page(f"{year}年", body), UTF8_HTML))


def _county_list(portal: SamplePortal, column: str, items: list[Planned]) -> None:
    """One sub-column's list, VSB-paged backwards (x.htm, x/N-1.htm … x/1.htm)."""
    site, year = portal.sites["county"], portal.year
    per_page = 2 if column == "gxz" else 10
    chunks = [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        stem = f"/zfxxgk/zfxxgknb/a{year}/{column}"
        path = f"{stem}.htm" if number == 1 else f"{stem}/{len(chunks) - number + 1}.htm"
        body = "".join(_entry(p, _rel(path, f"/info/12152/{p.article_id}.htm")) for p in chunk)
        if column == "gbm":
            body += _decoys(portal, path)
        pager = _vsb_pager(posixpath.basename(stem), len(chunks)) if number == 1 and len(chunks) > 1 else ""
        site.add(path, Answer(200, _vsb_page(f"{column}", body, pager), UTF8_HTML))


def _decoys(portal: SamplePortal, path: str) -> str:
    """Links a crawler must not follow or count: a website report, a mirror on another host, a draft
    behind robots.txt (no report: never asked for); and (with `failing_links`) report links of
    agencies nobody watches that cannot be had — a soft 404 and one behind robots.txt."""
    year, offsite = portal.year, portal.sites["offsite"]
    links = [
        _li(_rel(path, f"/info/12152/{year + 1}0001.htm"), f"某某县人民政府网站{year}年工作年度报表", "", None),
        _li(offsite.url("/art/1.html"), f"某某县{year}年政府信息公开工作年度报告（镜像）", "", None),
        _li(_rel(path, "/zfxxgk/nbgl/12.htm"), f"某某县档案馆{year}年政府信息公开工作年度报告(送审稿)", "", None),
    ]
    if portal.failing_links:
        links += [
            _li(_rel(path, "/info/12152/9999999.htm"), f"某某县审计局{year}年政府信息公开工作年度报告", "", None),
            _li(_rel(path, "/zfxxgk/nbgl/13.htm"), f"某某县档案馆{year}年政府信息公开工作年度报告", "", None),
        ]
    return "".join(links)


def _township_subsite(site: Site, duplicates: list[Planned]) -> None:
    """A township's own sub-site: a JS redirect shell in front of a list holding duplicate URLs."""
    site.add(
        "/zfxxgk/bmxzxxgk/xzxxgk/mgz/zfxxgknb.htm",
        Answer(
            200,
            b'<html><head><script>location.replace("./nb/index.htm");</script></head><body></body></html>',
            UTF8_HTML,
        ),
    )
    dupes = "".join(
        _li(
            f"/content.jsp?urltype=news.NewsContentUrl&wbtreeid=12152&wbnewsid={p.article_id}",
            p.sample.title,
            (p.pub or "")[:10],
            p.sample.title,
        )
        for p in duplicates
    )
    site.add("/zfxxgk/bmxzxxgk/xzxxgk/mgz/nb/index.htm", Answer(200, _vsb_page("政府信息公开年报", dupes), UTF8_HTML))


def _county_article(site: Site, files: Site, planned: Planned, huge_bytes: int) -> None:
    path = f"/info/12152/{planned.article_id}.htm"
    attachments: list[tuple[str, str]] = []
    if planned.attachment:
        download = f"/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1655460640&wbfileid={planned.article_id}"
        name = f"{planned.sample.title}.pdf"
        attachments.append((download, name))
        pdf = _attachment_pdf(planned)
        site.add(download, partial(_download, pdf=pdf, name=name, referer_path=path))
        attachments.append((files.url(f"/files/{planned.article_id}"), "统计附表.pdf"))
        # a damaged upload: the first 200 bytes of a PDF (the crawl must record it and go on)
        files.add(
            f"/files/{planned.article_id}",
            Answer(200, tiny_pdf("tables")[:200], {"Content-Type": "application/octet-stream"}),
        )
        attachments.append((f"/system/_content/download.jsp?wbfileid=huge{planned.article_id}", "原始数据.xls"))
        site.add(
            f"/system/_content/download.jsp?wbfileid=huge{planned.article_id}",
            Answer(200, b"\xd0\xcf\x11\xe0" + bytes(huge_bytes), {"Content-Type": "application/vnd.ms-excel"}),
        )
    page = Answer(200, _article(planned, attachments=attachments).encode(), UTF8_HTML, delay=planned.slow)
    if planned.flaky:
        state = {"calls": 0}

        def flaky(request: Request, page: Answer = page) -> Answer:
            state["calls"] += 1
            return page if state["calls"] > 2 else Answer(503, b"Service Unavailable", {"Retry-After": "0"})

        site.add(path, flaky)
    else:
        site.add(path, page)
    if planned.duplicate:
        site.add(f"/content.jsp?urltype=news.NewsContentUrl&wbtreeid=12152&wbnewsid={planned.article_id}", page)


def _attachment_pdf(planned: Planned) -> bytes:
    """The bundled report PDF for the agency it was made for; a one-line PDF for anyone else."""
    path = Path(__file__).with_name("data") / "attachment-report.pdf"
    if planned.sample.agency == "某某县刘堡镇人民政府" and planned.sample.year == 2025 and path.exists():
        return path.read_bytes()
    return tiny_pdf(f"report {planned.article_id}")


def _download(request: Request, pdf: bytes, name: str, referer_path: str) -> Answer:
    if referer_path not in request.headers.get("referer", ""):
        return Answer(200, "<html><body>非法下载请求，请从正文页面下载附件。</body></html>".encode(), UTF8_HTML)
    return Answer(
        200,
        pdf,
        {
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        },
    )


# ---- TRS WCM department portal, GBK with no charset declared anywhere ------------------------


def _trs_list(items: str, script: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>政府信息公开年报-某某县</title>"
        '<meta name="ColumnName" content="政府信息公开年报"><script src="/images/page.js"></script></head><body>'
        f'<div class="list"><ul>\n{items}</ul></div><div class="page"><script>{script}</script></div>'
        "</body></html>"
    ).encode("gbk")


def _build_trs(portal: SamplePortal) -> None:
    site = portal.sites["dept"]
    site.add("/robots.txt", Answer(404, b"not found"))
    items = [p for p in portal.plan if p.site == "dept"]
    for planned in items:
        page = _article(planned, charset_meta=None).encode("gbk")
        site.add(
            f"/xxgk/zfxxgknb/202601/t20260120_{planned.article_id}.html",
            Answer(200, page, {"Content-Type": "text/html"}),
        )
    first, rest = items[:3], items[3:]
    pages = [first[:1], first[1:3], rest]
    for number, chunk in enumerate(pages):
        name = "index.html" if number == 0 else f"index_{number}.html"
        body = "".join(_entry(p, f"./202601/t20260120_{p.article_id}.html") for p in chunk)
        site.add(
            f"/xxgk/zfxxgknb/{name}",
            Answer(
                200,
                _trs_list(body, f'createPageHTML({len(pages)}, {number}, "index", "html");'),
                {"Content-Type": "text/html"},
            ),
        )
    # the 1-based customised variant, container id first and record count last; second page holds nothing new
    site.add(
        "/xxgk/bmnb/fg.shtml",
        Answer(
            200,
            _trs_list(
                _li("../zfxxgknb/index.html", "政府信息公开年报", "", None),
                "createPageHTML('page_div',2,1,'fg','shtml',3)",
            ),
            {"Content-Type": "text/html"},
        ),
    )
    site.add(
        "/xxgk/bmnb/fg_2.shtml",
        Answer(
            200,
            _trs_list(
                "".join(_entry(p, f"../zfxxgknb/202601/t20260120_{p.article_id}.html") for p in rest[:1]),
                "createPageHTML('page_div',2,2,'fg','shtml',3)",
            ),
            {"Content-Type": "text/html"},
        ),
    )


# ---- Hanweb JCMS ----------------------------------------------------------------------------


def _hanweb_record(planned: Planned) -> str:
    pub = planned.pub or "2026-01-01"
    y, m, d = (int(x) for x in pub[:10].split("-"))
    href = f"/art/{y}/{m}/{d}/art_12152_{planned.article_id}.html"
    return f"<record><![CDATA[{_entry(planned, href).strip()}]]></record>\n"


def _build_hanweb(portal: SamplePortal) -> None:
    site = portal.sites["hanweb"]
    items = [p for p in portal.plan if p.site == "hanweb"]
    for planned in items:
        pub = planned.pub or "2026-01-01"
        y, m, d = (int(x) for x in pub[:10].split("-"))
        site.add(
            f"/art/{y}/{m}/{d}/art_12152_{planned.article_id}.html", Answer(200, _article(planned).encode(), UTF8_HTML)
        )
    per_page, total = 2, len(items)
    first = "".join(_hanweb_record(p) for p in items[:per_page])
    column = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
        '<div id="298451"><script type="text/xml"><datastore>\n<nextgroup><![CDATA[<a href="/module/web/jpage/'
        'dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=12152&unitid=298451&webname=%E6%9F%90&permissiontype=0">'
        f"</a>]]></nextgroup>\n<recordset>\n{first}</recordset></datastore></script></div>"
        '<script src="/module/web/jpage/jquery.jpage.js"></script>'
        "<script>var param_298451={col:1,appid:1,webid:1,path:'/',columnid:12152,sourceContentType:1,unitid:'298451',"
        "webname:'某某县人民政府',permissiontype:0};"
        f"$(function(){{$('#298451').jpage({{themeName:'default',showMode:'full',totalRecord:{total},openCookies:false,"
        "dataBefore:'<ul>',dataStore:null,dataAfter:'</ul>',groupSize:1,proxyUrl:'/module/web/jpage/dataproxy.jsp',"
        f"perPage:{per_page},barPosition:'bottom',ajaxParam:param_298451}});}});</script>"
        "<p class='produced'>Produced By 大汉网络 大汉版通发布系统</p></body></html>"
    )
    site.add("/col/col12152/index.html", Answer(200, column.encode(), UTF8_HTML))
    site.add("/module/web/jpage/dataproxy.jsp", lambda r: _dataproxy(r, items, per_page))
    site.add("/module/jpage/dataproxy.jsp", Answer(404, b"Not Found"))


def _dataproxy(request: Request, items: list[Planned], per_page: int) -> Answer:
    params = {**request.query, **request.form}
    if params.get("columnid") != "12152":
        return Answer(200, b"<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>0</totalrecord></datastore>")
    if "startrecord" in params:
        start, end = int(params["startrecord"]), int(params["endrecord"])
    else:
        page = int(params.get("page", "1"))
        start, end = (page - 1) * per_page + 1, page * per_page
    # groups after the first repeat the previous group's last record (the look-ahead real servers send)
    chunk = items[max(start - 2, 0) : end]
    records = "".join(_hanweb_record(p) for p in chunk)
    pages = -(-len(items) // per_page)
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>{len(items)}</totalrecord>\n'
        f"<totalpage>{pages}</totalpage>\n<recordset>\n{records}</recordset>\n</datastore>"
    )
    return Answer(200, body.encode(), {"Content-Type": "text/xml;charset=UTF-8"})
