"""The sample portal's home pages and the navigation the standard requires (国办公开办函〔2019〕61号):
the county home → 政府信息公开 → 政府信息公开年报, 部门信息公开 (departments on the county site, on a TRS
host, on a Hanweb host, one behind an anti-bot wall) and 乡镇信息公开 (townships' own sub-sites).

`nianbao discover` starts from `SamplePortal.home`; what it finds must crawl to the same result
as the hand-written sample configuration.
"""

from __future__ import annotations

import html

from nianbao.sample.server import Answer, Site

UTF8_HTML = {"Content-Type": "text/html; charset=UTF-8"}


def _a(href: str, text: str) -> str:
    return f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>'


def _vsb(title: str, site_name: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-{site_name}</title>'
        f'<meta name="SiteName" content="{site_name}"><script src="/system/resource/js/dynclicks.js"></script>'
        '<script src="/system/resource/js/ajax.js"></script></head><body>'
        '<div class="top">简体 繁体 无障碍浏览 长者模式 <a href="/index.htm">首页</a></div>'
        f"{body}<div class='foot'>主办：{site_name}办公室 网站标识码 6205250001 陇ICP备05000000号</div></body></html>"
    ).encode()


def build_county_home(county: Site, dept: Site, hanweb: Site, blocked: Site, offsite: Site, year: int) -> None:
    """The county's home page and its 政府信息公开 platform, VSB-built."""
    menu = "".join(
        _a(href, text)
        for href, text in (
            ("index.htm", "首页"),
            ("zjmm.htm", "走进某某"),
            ("xwzx.htm", "新闻中心"),
            ("zfxxgk.htm", "政府信息公开"),
            ("zwfw.htm", "政务服务"),
            ("hdjl.htm", "互动交流"),
        )
    )
    news = "".join(
        _a(f"info/1011/{n}.htm", text)
        for n, text in enumerate(
            (
                f"某某县召开{year + 1}年政务公开工作推进会",
                "县政府常务会议研究部署政府信息公开工作",
                "关于开展第3期政务公开培训的通知",
            ),
            start=2001,
        )
    )
    friends = _a(blocked.url("/"), "某某省人民政府") + _a(offsite.url("/"), "中国政府网")
    county.add(
        "/index.htm",
        Answer(
            200,
            _vsb(
                "首页",
                "某某县人民政府",
                f'<ul class="nav">{menu}</ul><div class="news"><ul>{news}</ul></div>'
                f'<div class="yqlj">友情链接<ul>{friends}</ul></div>',
            ),
            UTF8_HTML,
        ),
    )
    county.add("/", Answer(302, b"", {"Location": "/index.htm"}))
    platform = "".join(
        _a(href, text)
        for href, text in (
            ("zfxxgk/gkzn.htm", "政府信息公开指南"),
            ("zfxxgk/gkzd.htm", "政府信息公开制度"),
            ("zfxxgk/fdzdgknr.htm", "法定主动公开内容"),
            ("zfxxgk/nb.htm", "政府信息公开年报"),
            ("zfxxgk/ysqgk.htm", "依申请公开"),
            ("zfxxgk/bmxxgk.htm", "部门信息公开"),
            ("zfxxgk/bmxzxxgk/xzxxgk.htm", "乡镇信息公开"),
            ("zfxxgk/zfwzgznb.htm", "政府网站工作年报"),
        )
    )
    county.add(
        "/zfxxgk.htm",
        Answer(200, _vsb("政府信息公开", "某某县人民政府", f'<ul class="side">{platform}</ul>'), UTF8_HTML),
    )
    departments = "".join(
        _a(href, name)
        for href, name in (
            ("bmxxgk/czj.htm", "某某县财政局"),
            ("bmxxgk/tjj.htm", "某某县统计局"),
            (dept.url("/xxgk/index.html"), "某某县教育局"),
            (dept.url("/xxgk/index.html"), "某某县卫生健康局"),
            (dept.url("/xxgk/index.html"), "某某县民政局"),
            (hanweb.url("/index.html"), "某某县交通运输局"),
            (hanweb.url("/index.html"), "某某县水务局"),
            (blocked.url("/sjj/index.html"), "某某县审计局"),
        )
    )
    county.add(
        "/zfxxgk/bmxxgk.htm",
        Answer(200, _vsb("部门信息公开", "某某县人民政府", f'<ul class="list">{departments}</ul>'), UTF8_HTML),
    )
    for slug, name in (("czj", "某某县财政局"), ("tjj", "某某县统计局")):
        county.add(
            f"/zfxxgk/bmxxgk/{slug}.htm",
            Answer(
                200,
                _vsb(
                    name,
                    "某某县人民政府",
                    f'<ul class="side">{_a("../nb.htm", "政府信息公开年报")}{_a("jgzn.htm", "机构职能")}</ul>',
                ),
                UTF8_HTML,
            ),
        )
    townships = (
        ("mgz", "马关镇"),
        ("yjx", "闫家乡"),
        ("zmyx", "张棉驿乡"),
        ("lsz", "龙山镇"),
        ("gmz", "恭门镇"),
        ("lbz", "刘堡镇"),
        ("hqx", "红旗乡"),
    )
    county.add(
        "/zfxxgk/bmxzxxgk/xzxxgk.htm",
        Answer(
            200,
            _vsb(
                "乡镇信息公开",
                "某某县人民政府",
                '<ul class="list">' + "".join(_a(f"xzxxgk/{s}.htm", n) for s, n in townships) + "</ul>",
            ),
            UTF8_HTML,
        ),
    )
    for slug, name in townships:
        own = (
            _a(f"{slug}/zfxxgknb.htm", "政府信息公开年报") if slug == "mgz" else _a("../../nb.htm", "政府信息公开年报")
        )
        county.add(
            f"/zfxxgk/bmxzxxgk/xzxxgk/{slug}.htm",
            Answer(
                200,
                _vsb(name, "某某县人民政府", f'<ul class="side">{_a(f"{slug}/jgzn.htm", "机构职能")}{own}</ul>'),
                UTF8_HTML,
            ),
        )


def build_trs_home(dept: Site) -> None:
    """The departments' TRS platform: its 政府信息公开 page, in GBK with no charset."""
    body = (
        "<!DOCTYPE html><html><head><title>政府信息公开-某某县部门信息公开</title></head><body>"
        '<div class="nav"><ul>'
        + _a("./zfxxgknb/index.html", "政府信息公开年报")
        + _a("./bmnb/fg.shtml", "部门年报汇总")
        + _a("./zcwj/index.html", "政策文件")
        + "</ul></div></body></html>"
    )
    dept.add("/xxgk/index.html", Answer(200, body.encode("gbk"), {"Content-Type": "text/html"}))


def build_hanweb_home(hanweb: Site) -> None:
    """A Hanweb JCMS site: home → 政府信息公开 (col12150) → 政府信息公开年报 (col12152)."""
    home = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>某某县政府部门</title></head><body>'
        + '<ul class="nav">'
        + _a("/col/col12150/index.html", "政府信息公开")
        + _a("/col/col12100/index.html", "工作动态")
        + "</ul><p class='produced'>Produced By 大汉网络 大汉版通发布系统</p></body></html>"
    )
    hanweb.add("/index.html", Answer(200, home.encode(), UTF8_HTML))
    platform = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开_某某县政府部门</title></head><body>'
        + '<ul class="side">'
        + _a("/col/col12151/index.html", "政府信息公开指南")
        + _a("/col/col12152/index.html", "政府信息公开年报")
        + "</ul></body></html>"
    )
    hanweb.add("/col/col12150/index.html", Answer(200, platform.encode(), UTF8_HTML))


def cms_home(site: Site, cms: str, column: str) -> str:
    """A home page and 政府信息公开 page in the style of `cms`, leading to the report `column` (a
    path on `site`, built by `nianbao.sample.variants`); returns the home page's URL."""
    platform, label = {
        "trs": ("/xxgk/index.html", "政府信息公开年报"),
        "hanweb": ("/col/col1/index.html", "政府信息公开年报"),
        "jpaas": ("/col/col2/index.html", "年度报告"),
        "gkmlpt": ("/zwgk/index.html", "政府信息公开年报"),
        "plain": ("/zwgk/", "政府信息公开年报"),
    }[cms]
    nav = "政务公开" if cms == "plain" else "政府信息公开"
    home = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>某某市某某区人民政府</title></head><body>'
        '<div class="head">无障碍 长者模式</div><ul class="nav">'
        + _a("/index.html", "首页")
        + _a(platform, nav)
        + _a("/xwzx/index.html", "新闻中心")
        + "</ul><ul class='news'>"
        + _a("/xwzx/1.html", "区政府召开政府信息公开工作专题会议部署年度报告编制工作")
        + "</ul></body></html>"
    )
    page = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{nav}_某某市某某区人民政府</title></head><body>'
        '<ul class="side">'
        + _a("guide.html", "政府信息公开指南")
        + _a(column, label)
        + _a("/zwgk/fdzdgknr.html", "法定主动公开内容")
        + "</ul></body></html>"
    )
    encoding = "gbk" if cms == "trs" else "utf-8"
    headers = {"Content-Type": "text/html"} if cms == "trs" else UTF8_HTML
    site.add("/index.html", Answer(200, home.encode(encoding), headers))
    site.add(platform, Answer(200, page.encode(encoding), headers))
    return site.url("/index.html")
