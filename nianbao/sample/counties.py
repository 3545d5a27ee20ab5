"""County portals of four templates (TRS, Hanweb JCMS, VSB, a plain one) for `nianbao discover`'s
tests: each with the footer of 友情链接 its province's template gives every page — links to the
neighbouring counties' portals, which are real portals here, with columns and agencies of their own.

A county (甲县 …) has: a home page (top navigation, news, footer); its 政府信息公开 platform (a side
menu); the index of its departments (部门信息公开: two on its own host, and three "departments"
whose links point at addresses no crawler may ask: 169.254.169.254, a private address and an
intranet name) and of its townships (乡镇信息公开: one with its own site on another port); one column
of annual reports in the template's own list markup and pager, holding the county government's,
its departments' and a township's reports among news, and the reports of the region and the city
it republishes (titled with the bare region names 某某自治区 and 某某市).

`hand_config` is the configuration a person would write for it: what discover must find.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from nianbao.core.config import Agency, Config, CrawlSettings, Database, Level, Portal
from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.sample.server import Answer, Request, Site
from nianbao.sample.wordhtml import render

TEMPLATES = ("trs", "hanweb", "vsb", "plain")
# footers marked otherwise than the four templates' own: a table cell heading, an id and a picture,
# a heading block beside the links' block, nothing at all (and a home page whose footer differs)
CHROMES = ("table", "id", "split", "bare")
UTF8 = {"Content-Type": "text/html; charset=utf-8"}
GBK = {"Content-Type": "text/html"}  # TRS: GBK with no charset anywhere
REGION, CITY = "某某自治区", "某某市"
# links of the departments' index to addresses no crawler may ask (never served: nothing listens)
OFF_LIMITS = (
    ("档案局", "http://169.254.169.254/latest/meta-data/"),
    ("信息中心", "http://10.0.0.8/xxgk/index.html"),
    ("大数据局", "http://oa/xxgk/"),
)
PATHS = {
    "trs": {
        "home": "/index.html",
        "platform": "/xxgk/index.html",
        "column": "/xxgk/zfxxgknb/index.html",
        "departments": "/xxgk/bmxxgk/index.html",
        "townships": "/xxgk/xzxxgk/index.html",
    },
    "hanweb": {
        "home": "/index.html",
        "platform": "/col/col100/index.html",
        "column": "/col/col555/index.html",
        "departments": "/col/col101/index.html",
        "townships": "/col/col102/index.html",
    },
    "vsb": {
        "home": "/index.htm",
        "platform": "/zfxxgk.htm",
        "column": "/zfxxgk/zfxxgknb.htm",
        "departments": "/zfxxgk/bmxxgk.htm",
        "townships": "/zfxxgk/xzxxgk.htm",
    },
    "plain": {
        "home": "/",
        "platform": "/zwgk/",
        "column": "/zwgk/nb/list?page=1",
        "departments": "/zwgk/bm/",
        "townships": "/zwgk/xz/",
    },
}


@dataclass
class Entry:
    title: str
    path: str
    report: SampleReport | None = None


@dataclass
class County:
    """One county portal of `template` on `site`; its township 龙山镇 has its own site on `township`."""

    name: str  # 甲县
    template: str
    site: Site
    township: Site
    friends: list[tuple[str, str]] = field(default_factory=list)  # (URL, words) of the footer's 友情链接
    year: int = 2025
    site_name: str = ""  # the SiteName the home page gives (default: the government's name)
    # how the page's template is marked, when not as the template's own (see `CHROMES`)
    chrome: str = ""

    @property
    def government(self) -> str:
        return f"{self.name}人民政府"

    def own(self) -> list[tuple[str, Level]]:
        """(agency, level) of the county's own publishers, as a person would configure them."""
        return [
            (self.government, "government"),
            (f"{self.name}财政局", "department"),
            (f"{self.name}教育局", "department"),
            (f"{self.name}红旗乡人民政府", "township"),
            (f"{self.name}龙山镇人民政府", "township"),
        ]

    def url(self, key: str) -> str:
        return self.site.url(PATHS[self.template][key])

    @property
    def home(self) -> str:
        return self.url("home")

    @property
    def township_column(self) -> str:
        return self.township.url("/nb/index.html")

    def hand_config(self, db_path: str, settings: CrawlSettings) -> Config:
        portals = (
            Portal(self.government, (self.url("column"),), crawl=settings),
            Portal(f"{self.name}龙山镇", (self.township_column,), crawl=settings),
        )
        agencies = tuple(
            Agency(name, level, portals[1].name if "龙山镇" in name else portals[0].name) for name, level in self.own()
        )
        return Config(database=Database(db_path), portals=portals, agencies=agencies)

    def build(self) -> County:
        """Serve every page of the portal (and of its township's site)."""
        builder = {"trs": _trs, "hanweb": _hanweb, "vsb": _vsb, "plain": _plain}[self.template]
        builder(self)
        _township_site(self)
        return self

    # ---- what every template shares ---------------------------------------------------------

    def entries(self) -> list[Entry]:
        """The column's entries, newest first: reports among news."""
        stem = {
            "trs": "/xxgk/zfxxgknb/202601/t20260120_{n}.html",
            "hanweb": "/art/2026/1/20/art_555_{n}.html",
            "vsb": "/info/1063/{n}.htm",
            "plain": "/zwgk/nb/{n}.html",
        }[self.template]
        publishers = [
            self.government,
            f"{self.name}财政局",
            f"{self.name}教育局",
            f"{self.name}红旗乡人民政府",
            REGION,
            CITY,
        ]
        out: list[Entry] = []
        for n in range(14):
            if n % 2 == 1 and publishers:
                agency = publishers.pop(0)
                sample = SampleReport(agency=agency, year=self.year, applications=balanced(n % 4))
                out.append(Entry(sample.title, stem.format(n=3000 + n), sample))
            else:
                out.append(Entry(f"{self.name}召开第{n}次政务公开工作会议", stem.format(n=3000 + n)))
        return out

    def publish(self, entries: list[Entry], encoding: str = "utf-8") -> None:
        headers = GBK if encoding == "gbk" else UTF8
        for entry in entries:
            if entry.report is not None:
                meta = None if encoding == "gbk" else "utf-8"
                page = render(
                    report_text(entry.report), title=entry.title, pub_date="2026-01-20 09:00", charset_meta=meta
                )
            else:
                page = f"<html><head><title>{entry.title}</title></head><body><h1>{entry.title}</h1><p>会议。</p></body></html>"
            self.site.add(entry.path, Answer(200, page.encode(encoding, errors="replace"), headers))

    def friends_html(self, home: bool = False) -> str:
        anchors = [f'<a href="{html.escape(u)}" target="_blank">{html.escape(t)}</a>' for u, t in self.friends]
        links = " ".join(anchors)
        chrome = self.chrome or self.template
        if chrome == "bare" and not home:
            # the inner pages' footer says the neighbours' platforms (政府信息公开 words: navigation, to
            # another host) and differs from the home page's: seen on one other page only, by the time
            # the first index is read; no class, heading or id tells it
            anchors = [
                f'<a href="{html.escape(u)}">{html.escape(t.removesuffix("人民政府"))}政府信息公开</a>'
                for u, t in self.friends
            ]
            return f"<div><div>{' | '.join(anchors)}</div><div>{self.name}人民政府办公室 版权所有</div></div>"
        return {
            # a class name: the TRS template's footer
            "trs": f'<div class="footer"><span>友情链接：</span>{links}<p>主办：{self.name}人民政府办公室</p></div>',
            # no class names at all: a heading before the links
            "hanweb": f"<div><h3>相关链接</h3><ul>{''.join(f'<li>{a}</li>' for a in anchors)}</ul></div>"
            f"<div>主办：{self.name}人民政府办公室 技术支持：大汉网络</div>",
            # neither class nor heading the walk knows: only its repetition on every page tells it
            "vsb": f"<div><p>兄弟县区 {links}</p><p>主办：{self.name}人民政府办公室</p></div>",
            # a bare paragraph headed by the words
            "plain": f"<p>友情链接：{links}</p><p>主办：{self.name}人民政府办公室</p>",
            # a table: the heading in a cell of its own beside the links' cell
            "table": '<table width="100%" cellspacing="0"><tr><td width="90" align="center"><strong>政府网站</strong></td>'
            f"<td>{links}</td></tr></table>"
            f'<table width="100%"><tr><td align="center">{self.name}人民政府办公室主办</td></tr></table>',
            # an id names the block (yqlj), its heading is a picture
            "id": f'<div class="w1200 clearfix"><div id="yqlj"><img src="/images/yqlj.png" alt="">'
            f"<ul>{''.join(f'<li>{a}</li>' for a in anchors)}</ul></div></div>",
            # a heading in a block of its own, the links in the next one, in a wrapper of unknown names
            "split": '<div class="wrap-b"><div class="tit">市县政府网站</div>'
            f'<div class="con">{"".join(f"<span>{a}</span>" for a in anchors)}</div>'
            f"<div>主办：{self.name}人民政府办公室</div></div>",
            "bare": f"<div><div>{' '.join(anchors)}</div><div>{self.name}人民政府办公室 版权所有</div></div>",
        }[chrome]

    def page(self, title: str, body: str, *, home: bool = False) -> str:
        """A page of the portal: header, top navigation, `body`, footer — the same on every page."""
        p = PATHS[self.template]
        nav = "".join(
            f'<li><a href="{href}">{words}</a></li>'
            for href, words in (
                (p["home"], "首页"),
                (p["platform"], "政府信息公开"),
                ("/zwfw/", "政务服务"),
                ("/hdjl/", "互动交流"),
            )
        )
        site_name = self.site_name or self.government
        head = f'<title>{title}-{site_name}</title><meta name="SiteName" content="{html.escape(site_name)}">'
        if (self.chrome or self.template) == "bare":
            # no SiteName, a title that greets before it names the county
            head = f"<title>{title} - 欢迎访问{self.name}人民政府门户网站</title>"
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>'
            f'<div class="header">{self.government} 无障碍 长者模式 '
            '<a href="http://169.254.169.254/xxgk/">政府信息公开</a></div>'
            f'<ul class="nav">{nav}</ul>{body}{self.friends_html(home)}</body></html>'
        )

    def pages(self, encoding: str = "utf-8") -> None:
        """Home, platform and the two indexes, in the template's words."""
        p = PATHS[self.template]
        headers = GBK if encoding == "gbk" else UTF8

        def add(path: str, title: str, body: str) -> None:
            page = self.page(title, body, home=path == p["home"])
            self.site.add(path, Answer(200, page.encode(encoding), headers))

        news = "".join(
            f'<li><a href="/xwzx/{n}.html">{self.name}召开政府信息公开工作推进会部署第{n}项年度任务</a></li>'
            for n in range(3)
        )
        add(p["home"], "首页", f'<div class="news"><ul>{news}</ul></div>')
        side = "".join(
            f'<li><a href="{href}">{words}</a></li>'
            for href, words in (
                ("/zwgk/guide.html", "政府信息公开指南"),
                (p["column"], "政府信息公开年报"),
                (p["departments"], "部门信息公开"),
                (p["townships"], "乡镇信息公开"),
            )
        )
        add(p["platform"], "政府信息公开", f'<ul class="side">{side}</ul>')
        own = [
            (f"/dept/{slug}/index.html", f"{self.name}{name}") for slug, name in (("czj", "财政局"), ("jyj", "教育局"))
        ]
        barred = [(url, f"{self.name}{name}") for name, url in OFF_LIMITS]
        departments = "".join(f'<li><a href="{html.escape(u)}">{t}</a></li>' for u, t in own + barred)
        add(p["departments"], "部门信息公开", f'<div class="list"><h2>部门信息公开</h2><ul>{departments}</ul></div>')
        for path, name in own:
            add(path, name, f'<ul class="side"><li><a href="{p["column"]}">政府信息公开年报</a></li></ul>')
        townships = (
            f'<li><a href="/xz/hqx/index.html">{self.name}红旗乡</a></li>'
            f'<li><a href="{self.township.url("/index.html")}">{self.name}龙山镇</a></li>'
        )
        add(p["townships"], "乡镇信息公开", f'<div class="list"><h2>乡镇信息公开</h2><ul>{townships}</ul></div>')
        add(
            "/xz/hqx/index.html",
            f"{self.name}红旗乡",
            f'<ul class="side"><li><a href="{p["column"]}">政府信息公开年报</a></li></ul>',
        )


def _li(entry: Entry) -> str:
    title = html.escape(entry.title)
    return f'<li><a href="{entry.path}" title="{title}" target="_blank">{title}</a><span>2026-01-20</span></li>'


def _trs(county: County) -> None:
    """TRS WCM: index.html, index_1.html told by createPageHTML, GBK."""
    entries = county.entries()
    county.publish(entries, "gbk")
    county.pages("gbk")
    chunks = [entries[:8], entries[8:]]
    for number, chunk in enumerate(chunks):
        body = (
            f'<div class="list"><ul>{"".join(_li(e) for e in chunk)}</ul></div>'
            f'<div class="page"><script>createPageHTML({len(chunks)}, {number}, "index", "html");</script></div>'
        )
        page = county.page("政府信息公开年报", body)
        name = "index.html" if number == 0 else f"index_{number}.html"
        county.site.add(f"/xxgk/zfxxgknb/{name}", Answer(200, page.encode("gbk"), GBK))


def _hanweb(county: County) -> None:
    """Hanweb JCMS: the first group embedded in a <datastore>, the rest from dataproxy.jsp."""
    entries = county.entries()
    county.publish(entries)
    county.pages()
    per_page, group = 5, 1
    records = "".join(f"<record><![CDATA[{_li(e)}]]></record>\n" for e in entries[: per_page * group])
    body = (
        f'<div id="9001"><script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script></div>'
        "<script>var param_9001={col:1,appid:1,webid:1,path:'/',columnid:555,unitid:'9001',permissiontype:0};"
        f"$('#9001').jpage({{totalRecord:{len(entries)},perPage:{per_page},groupSize:{group},"
        "proxyUrl:'/module/web/jpage/dataproxy.jsp',ajaxParam:param_9001});</script>"
    )
    county.site.add("/col/col555/index.html", Answer(200, county.page("政府信息公开年报", body).encode(), UTF8))

    def proxy(request: Request) -> Answer:
        source = {**request.query, **request.form}
        start, end = int(source.get("startrecord", "1")), int(source.get("endrecord", str(per_page)))
        chunk = entries[max(start - 2, 0) : end]
        data = "".join(f"<record><![CDATA[{_li(e)}]]></record>\n" for e in chunk)
        text = f"<datastore><totalrecord>{len(entries)}</totalrecord><recordset>{data}</recordset></datastore>"
        return Answer(200, text.encode(), {"Content-Type": "text/xml;charset=UTF-8"})

    county.site.add("/module/web/jpage/dataproxy.jsp", proxy)


def _vsb(county: County) -> None:
    """Boda VSB: zfxxgknb.htm, then zfxxgknb/2.htm, zfxxgknb/1.htm (numbered backwards), 共3页."""
    entries = county.entries()
    county.publish(entries)
    county.pages()
    chunks = [entries[n : n + 5] for n in range(0, len(entries), 5)]
    total = len(chunks)
    for number, chunk in enumerate(chunks, start=1):
        path = "/zfxxgk/zfxxgknb.htm" if number == 1 else f"/zfxxgk/zfxxgknb/{total - number + 1}.htm"
        pager = ""
        if number == 1:
            pages = "".join(
                f'<span class="p_no"><a href="zfxxgknb/{total - k + 1}.htm">{k}</a></span>' for k in range(2, total + 1)
            )
            pager = (
                f'<div class="pb_sys_common pb_sys_full"><span class="p_pages">{pages}'
                f'<span class="p_next p_fun"><a href="zfxxgknb/{total - 1}.htm">下页</a></span></span>'
                f'<span class="p_t">共{total}页</span></div>'
            )
        links = "".join(_li(e) for e in chunk)
        body = f'<ul class="txtList">{links}</ul><div class="pagebar">{pager}</div>'
        page = county.page("政府信息公开年报", body).replace(
            "<head>", '<head><script src="/system/resource/js/dynclicks.js"></script>'
        )
        county.site.add(path, Answer(200, page.encode(), UTF8))


def _plain(county: County) -> None:
    """A plain pager: ?page=N with numbered links and 共N页."""
    entries = county.entries()
    county.publish(entries)
    county.pages()
    chunks = [entries[:7], entries[7:]]
    for number, chunk in enumerate(chunks, start=1):
        pager = "".join(f'<a href="/zwgk/nb/list?page={k}">{k}</a> ' for k in range(1, len(chunks) + 1))
        body = f'<ul class="list">{"".join(_li(e) for e in chunk)}</ul><div>{pager}共{len(chunks)}页</div>'
        county.site.add(
            f"/zwgk/nb/list?page={number}", Answer(200, county.page("政府信息公开年报", body).encode(), UTF8)
        )


def _township_site(county: County) -> None:
    """龙山镇's own site on another port: its 政府信息公开年报, one page with its report."""
    site = county.township
    name = f"{county.name}龙山镇人民政府"
    sample = SampleReport(agency=name, year=county.year, applications=balanced(2))
    site.add("/robots.txt", Answer(404, b""))
    site.add(
        "/index.html",
        Answer(
            200,
            (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{county.name}龙山镇</title></head><body>'
                '<ul class="side"><li><a href="/nb/index.html">政府信息公开年报</a></li></ul></body></html>'
            ).encode(),
            UTF8,
        ),
    )
    site.add(
        "/nb/index.html",
        Answer(
            200,
            (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报-{county.name}龙山镇</title>'
                f'</head><body><ul><li><a href="/nb/1.html">{sample.title}</a><span>2026-01-18</span></li></ul>'
                "<div>共1页</div></body></html>"
            ).encode(),
            UTF8,
        ),
    )
    site.add(
        "/nb/1.html",
        Answer(200, render(report_text(sample), title=sample.title, pub_date="2026-01-18 09:00").encode(), UTF8),
    )


# ---- a portal in markup of no template above -------------------------------------------------------


@dataclass
class Banner:
    """A county (a 旗) portal of .shtml pages in markup none of the four templates uses: navigation
    drawn as pictures (their alt words), a greeting in the title and no SiteName, a platform page
    whose 年度报告 block of the newest reports points to the column by "[更多]", a 部门信息公开 index
    that is a table under a breadcrumb, one department with its own site on another port named
    "…信息公开", 乡镇（街道）信息公开, and a footer of 友情链接 in a `<dl>` under `<div id="foot">`."""

    name: str  # 戊旗
    site: Site
    dept: Site  # the 交通运输局's own site
    friends: list[tuple[str, str]] = field(default_factory=list)
    year: int = 2025

    @property
    def home(self) -> str:
        return self.site.url("/")

    @property
    def column(self) -> str:
        return self.site.url("/zwgk/nb/index.shtml")

    @property
    def dept_column(self) -> str:
        return self.dept.url("/nb/")

    def own(self) -> list[tuple[str, Level]]:
        return [
            (f"{self.name}人民政府", "government"),
            (f"{self.name}水利局", "department"),
            (f"{self.name}白云镇人民政府", "township"),
            (f"{self.name}交通运输局", "department"),
        ]

    def hand_config(self, db_path: str, settings: CrawlSettings) -> Config:
        portals = (
            Portal(f"{self.name}人民政府", (self.column,), crawl=settings),
            Portal(f"{self.name}交通运输局", (self.dept_column,), crawl=settings),
        )
        agencies = tuple(
            Agency(name, level, portals[1].name if "交通" in name else portals[0].name) for name, level in self.own()
        )
        return Config(database=Database(db_path), portals=portals, agencies=agencies)

    def page(self, title: str, body: str) -> bytes:
        friends = "".join(f'<dd><a href="{html.escape(u)}" target="_blank">{t}</a></dd>' for u, t in self.friends)
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_欢迎访问{self.name}人民政府网</title>'
            f'</head><body><div class="topbox"><a href="/"><img src="/logo.png" alt="{self.name}人民政府"></a></div>'
            '<div class="mainnav"><a href="/"><img src="/n1.png" alt="首页"></a>'
            '<a href="/zwgk/index.shtml"><img src="/n2.png" alt="政府信息公开"></a></div>'
            f'{body}<div id="foot"><dl class="w"><dt>友情链接</dt>{friends}</dl>'
            f"<p>{self.name}人民政府 版权所有</p></div></body></html>"
        ).encode()

    def build(self) -> Banner:
        site, n = self.site, self.name
        publishers = [f"{n}人民政府", f"{n}水利局", REGION, "某某盟", f"{n}白云镇人民政府"]
        reports = [
            SampleReport(agency=a, year=self.year, applications=balanced(i % 3)) for i, a in enumerate(publishers)
        ]
        for i, report in enumerate(reports):
            page = render(report_text(report), title=report.title, pub_date="2026-01-20 09:00")
            site.add(f"/zwgk/nb/{i}.shtml", Answer(200, page.encode(), UTF8))
        items = "".join(
            f'<li><a href="/zwgk/nb/{i}.shtml" title="{r.title}">{r.title}</a><em>2026-01-2{i}</em></li>'
            for i, r in enumerate(reports)
        )
        news = '<div class="c1"><ul><li><a href="/xw/1.shtml">旗政府召开常务会议研究部署今年重点工作任务</a></li></ul></div>'
        site.add("/", Answer(200, self.page("首页", news), UTF8))
        block = (
            '<div class="gkbox"><div class="gktit"><b>年度报告</b>'
            f'<a href="/zwgk/nb/index.shtml" class="more">[更多]</a></div><ul>{items}</ul></div>'
        )
        menu = (
            '<div class="gkleft"><ul><li><a href="/zwgk/zn.shtml">政府信息公开指南</a></li>'
            '<li><a href="/zwgk/bm.shtml">部门信息公开</a></li>'
            '<li><a href="/zwgk/xz.shtml">乡镇（街道）信息公开</a></li></ul></div>'
        )
        site.add("/zwgk/index.shtml", Answer(200, self.page("政府信息公开", menu + block), UTF8))
        listing = f'<div class="listbox"><ul>{items}</ul><div class="fy">共1页 1</div></div>'
        site.add("/zwgk/nb/index.shtml", Answer(200, self.page("政府信息公开年报", listing), UTF8))
        crumb = (
            '<div class="pos">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/index.shtml">政府信息公开</a></div>'
        )
        barred = "".join(f'<td><a href="{html.escape(u)}">{n}{t}</a></td>' for t, u in OFF_LIMITS)
        rows = (
            f'<tr><td><a href="{self.dept.url("/")}">{n}交通运输局信息公开</a></td>'
            f'<td><a href="/bm/sl.shtml">{n}水利局</a></td></tr><tr>{barred}</tr>'
        )
        index = f'<div class="rightbox">{crumb}<table class="bmlb">{rows}</table></div>'
        site.add("/zwgk/bm.shtml", Answer(200, self.page("部门信息公开", index), UTF8))
        back = '<ul><li><a href="/zwgk/nb/index.shtml">政府信息公开年报</a></li></ul>'
        site.add("/bm/sl.shtml", Answer(200, self.page(f"{n}水利局", back), UTF8))
        townships = f'<div class="rightbox">{crumb}<ul><li><a href="/xz/by.shtml">{n}白云镇</a></li></ul></div>'
        site.add("/zwgk/xz.shtml", Answer(200, self.page("乡镇（街道）信息公开", townships), UTF8))
        site.add("/xz/by.shtml", Answer(200, self.page(f"{n}白云镇", back), UTF8))
        own = SampleReport(agency=f"{n}交通运输局", year=self.year, applications=balanced(1))
        dept = self.dept
        dept.add("/robots.txt", Answer(404, b""))
        dept.add(
            "/",
            Answer(
                200,
                f'<html><head><title>{n}交通运输局</title></head><body><a href="/nb/">政府信息公开年报</a></body></html>'.encode(),
                UTF8,
            ),
        )
        dept.add(
            "/nb/",
            Answer(
                200,
                (
                    "<html><head><title>政府信息公开年报</title></head><body><ul>"
                    f'<li><a href="/nb/1.html">{own.title}</a></li></ul><div>共1页</div></body></html>'
                ).encode(),
                UTF8,
            ),
        )
        dept.add("/nb/1.html", Answer(200, render(report_text(own), title=own.title).encode(), UTF8))
        return self
