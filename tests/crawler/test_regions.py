"""A page's regions told by what CMS templates share, on markup of no fixture's template: class
and id names, headings (in a cell of a table too), link density, and links another page of the
host showed in its template; blocks of reports and their 更多 in the words sites use."""

from __future__ import annotations

import pytest

from crawler.listing import Page
from crawler.regions import MORE, Template, report_blocks
from nianbao.core.divisions import RANK_NAMES, own_government, read_name, relation

HOST = "http://127.0.0.1:8001"
FRIENDS = '<a href="http://127.0.0.1:8002/">戊县人民政府</a> <a href="http://127.0.0.1:8003/">己县人民政府</a>'


def _regions(body: str, url: str = f"{HOST}/a.html", template: Template | None = None) -> dict[str, tuple[str, bool]]:
    placed = (template or Template()).place(Page(url, f"<html><body>{body}</body></html>"))
    return {p.link.url: (p.region, p.template) for p in placed}


@pytest.mark.parametrize(
    "footer",
    [
        f'<div id="bottom-wrap"><div class="w1200">{FRIENDS}</div></div>',
        f'<div class="Yqlj_box">{FRIENDS}</div>',
        f'<div class="ft-links">{FRIENDS}</div>',
        f'<div class="friendLink"><ul><li>{FRIENDS}</li></ul></div>',
        f"<footer><div>{FRIENDS}</div></footer>",
        f'<table><tr><td width="90">友情链接</td><td>{FRIENDS}</td></tr></table>',
        f'<div><div class="t">县区政府网站</div><div class="c">{FRIENDS}</div></div>',
        f"<p>相关链接：{FRIENDS}</p>",
        f"<div><h4>网站群导航</h4><ul><li>{FRIENDS}</li></ul></div>",
        f'<div class="pagefoot"><div>{FRIENDS}</div></div>',
        f'<div class="webLink"><span>{FRIENDS}</span></div>',
        f'<div id="pageBottom"><div>{FRIENDS}</div></div>',
    ],
)
def test_a_footer_of_links_is_template_whatever_marks_it(footer: str) -> None:
    content = '<div class="list"><h2>部门信息公开</h2><ul><li><a href="/dept/czj/">甲县财政局</a></li></ul></div>'
    found = _regions(content + footer)
    assert found[f"{HOST}/dept/czj/"] == ("content", False)
    assert found["http://127.0.0.1:8002/"][1] and found["http://127.0.0.1:8003/"][1]


def test_links_another_page_showed_in_its_template_are_template_here_unmarked() -> None:
    template = Template()
    _regions(f'<div class="footer">{FRIENDS}</div>', f"{HOST}/", template)
    found = _regions(f"<div><div>{FRIENDS}</div></div>", f"{HOST}/bm/", template)
    assert found["http://127.0.0.1:8002/"] == ("footer", True)
    # under a heading of other words, the same link is this page's content
    template = Template()
    _regions(f'<div class="footer">{FRIENDS}</div>', f"{HOST}/", template)
    found = _regions(f"<div><h2>乡镇信息公开</h2><ul><li>{FRIENDS}</li></ul></div>", f"{HOST}/xz/", template)
    assert found["http://127.0.0.1:8002/"] == ("content", False)


@pytest.mark.parametrize(
    "more", ["更多>>", "[更多]", "more+", "MORE", "查看更多 ›", ">>", '<img src="/i/more.png" alt="更多">']
)
def test_a_block_of_the_newest_reports_points_through_its_more(more: str) -> None:
    items = "".join(
        f'<li><a href="/nb/{n}.html">某某县第{n}局2025年度政府信息公开工作年度报告</a></li>' for n in range(5)
    )
    body = (
        f'<div class="box"><div class="tt"><span>年度报告</span><a href="/nb/">{more}</a></div><ul>{items}</ul></div>'
    )
    page = Page(f"{HOST}/xxgk/", f"<html><body>{body}</body></html>")
    blocks, loose = report_blocks(page, Template().place(page))
    assert loose == [] and len(blocks) == 1 and blocks[0].more is not None
    assert blocks[0].more.url == f"{HOST}/nb/" and len(blocks[0].reports) == 5


def test_more_words() -> None:
    assert all(MORE.match(w) for w in ("更多", "更多>>", "【更多】", "more>>", "+", "》》"))
    assert not any(MORE.match(w) for w in ("更多政策解读", "政府信息公开年报", "首页"))


@pytest.mark.parametrize(
    ("written", "lawful", "level", "rank", "where"),
    [
        ("内蒙古自治区", "内蒙古自治区人民政府", "government", "province", "above"),
        ("鄂尔多斯市", "鄂尔多斯市人民政府", "government", "prefecture", "above"),
        ("阿拉善盟", "阿拉善盟人民政府", "government", "prefecture", "above"),
        ("北京市", "北京市人民政府", "government", "province", "above"),
        ("达拉特旗", "达拉特旗人民政府", "government", "county", "beside"),
        ("恩格贝生态示范区", "恩格贝生态示范区人民政府", "government", "county", "own"),
        ("恩格贝生态示范区财政局", "恩格贝生态示范区财政局", "department", "county", "own"),
    ],
)
def test_a_bare_region_name_is_its_government_at_its_level(
    written: str, lawful: str, level: str, rank: str, where: str
) -> None:
    own = own_government("恩格贝生态示范区管理委员会")
    name = read_name(written)
    assert (name.lawful, name.level, RANK_NAMES[name.rank or 0], relation(name, own)) == (lawful, level, rank, where)


@pytest.mark.parametrize("site_name", ["欢迎访问丁县人民政府门户网站", "中国·丁县", "丁县政府网", "丁县人民政府"])
def test_the_portals_own_government_from_its_sites_name(site_name: str) -> None:
    own = own_government(site_name)
    assert own is not None and own.written == "丁县人民政府"
    assert relation(read_name("丁县财政局"), own) == "own" and relation(read_name("戊县人民政府"), own) == "beside"


@pytest.mark.parametrize("cls", ["links", "link-list", "menu", "bmlj links"])
def test_a_list_headed_by_its_index_words_is_content_whatever_its_class(cls: str) -> None:
    content = (
        f'<div class="main"><h2>部门信息公开</h2><ul class="{cls}">'
        '<li><a href="http://127.0.0.1:8009/">甲县财政局</a></li><li><a href="/jyj/">甲县教育局</a></li></ul></div>'
    )
    found = _regions(content + f'<div class="footer">{FRIENDS}</div>')
    assert found["http://127.0.0.1:8009/"][1] is False and found[f"{HOST}/jyj/"][1] is False
    assert found["http://127.0.0.1:8002/"] == ("footer", True)
