"""The site and the digest in a real browser (Debian's Chromium, headless, through Playwright),
opened from disk with no server: the planted states, the marked cells and their explanations,
keyboard access to the filters, the filters themselves, no console errors, no request leaving the
machine.  Screenshots are kept in test-artifacts/ ($NIANBAO_ARTIFACTS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nianbao.demo import MISSING
from views.status import slug

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.errors = []  # console errors, page errors, requests that would leave the machine
    tab.on("console", lambda m: tab.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(f"page error: {e}"))
    tab.on("request", lambda r: tab.errors.append(f"request {r.url}") if not r.url.startswith("file:") else None)
    tab.on("dialog", lambda d: (tab.errors.append(f"dialog {d.message}"), d.dismiss()))
    yield tab
    context.close()


def drawn(page: Any) -> None:
    """Wait until the grid is drawn from its data files (they load as scripts, after the page)."""
    page.wait_for_selector("#heatmap[aria-busy='false']", state="attached")


@pytest.mark.slow
def test_overview_in_the_browser(demo: Path, page: Any, artifacts: Path) -> None:
    page.goto((demo / "site" / "index.html").as_uri())
    drawn(page)
    state = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('tr.agency')].map(
            r => [r.querySelector('th a').textContent, r.querySelector('td[data-year="2025"]').dataset.state]))"""
    )
    assert state[MISSING] == "missing" and state["某某县恭门镇人民政府"] == "late"
    assert state["某某县龙山镇人民政府"] == "inconsistent" and state["某某省人民政府"] == "not_assessable"
    # colour and sign: the missing cell is drawn red and says 缺
    missing = page.locator("tr.agency", has_text=MISSING).locator("td[data-year='2025']")
    assert missing.evaluate("td => getComputedStyle(td).backgroundColor") == "rgb(183, 28, 28)"
    assert missing.inner_text().strip() == "缺"
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True)

    # the keyboard reaches the filters: Tab from the top of the page lands on each select in turn
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("() => document.activeElement.id || document.activeElement.tagName"))
    assert {"f-portal", "f-level", "f-year", "f-status"} <= set(focused)

    page.select_option("#f-status", "missing")
    drawn(page)
    visible = page.locator("tr.agency:not(.hidden) th a").all_inner_texts()
    assert visible == [MISSING]
    assert "1 个机关" in page.inner_text("#f-shown")
    page.select_option("#f-status", "")
    page.select_option("#f-level", "department")
    drawn(page)
    levels = page.evaluate("() => [...document.querySelectorAll('#heatmap tbody')].map(b => b.dataset.level)")
    assert levels and set(levels) == {"department"}
    page.select_option("#f-level", "")
    page.select_option("#f-portal", "某某县人民政府")
    page.select_option("#f-year", "2025")
    drawn(page)
    portals = page.evaluate("() => [...document.querySelectorAll('#heatmap tbody')].map(b => b.dataset.portal)")
    assert portals and set(portals) == {"某某县人民政府"}
    assert page.locator("#heatmap tr.agency").count() == 10 and "显示 10 个机关" in page.inner_text("#f-shown")
    assert page.locator("#f-more").is_hidden()
    # the stamp is the last build's (data/built.js), whatever build last wrote the page
    assert page.inner_text("#stamp") == "截至2026年4月15日 · 生成于2026年4月15日 20:00（北京时间）"

    # every link of the overview opens a page that exists
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        if href.startswith("file:"):
            assert Path(href.split("#")[0].removeprefix("file://")).is_file(), href
    assert page.errors == []


@pytest.mark.slow
def test_agency_page_marks_and_explains_the_cells(demo: Path, page: Any, artifacts: Path) -> None:
    page.goto((demo / "site" / "agency" / f"{slug('agency', '某某县龙山镇人民政府')}.html").as_uri())
    bad = page.locator("td.cell.bad")
    assert bad.count() == 2
    cell = page.locator("td.cell.bad[data-cell='applications.total.total']")
    tip = cell.locator(".tip")
    assert not tip.is_visible()
    cell.focus()  # keyboard focus shows the explanation, as hovering does
    assert tip.is_visible() and "办理结果各项之和为2，但（七）总计为3" in tip.inner_text()
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") == "rgb(255, 205, 210)"
    page.mouse.move(0, 0)
    page.locator("td.cell.bad[data-cell='applications.total.natural_person']").hover()
    assert page.locator("td.cell.bad[data-cell='applications.total.natural_person'] .tip").is_visible()
    assert page.get_attribute("html", "lang") == "zh-CN"
    page.screenshot(path=str(artifacts / "agency.png"), full_page=True)
    assert page.errors == []


@pytest.mark.slow
def test_digest_html_in_the_browser(digest_html: str, page: Any, tmp_path: Path, artifacts: Path) -> None:
    path = tmp_path / "digest.html"
    path.write_text(digest_html, encoding="utf-8")
    page.goto(path.as_uri())
    offending = page.locator("td.offending")
    cells = sorted(offending.evaluate_all("tds => tds.map(td => td.dataset.cell)"))
    assert cells == ["applications.total.natural_person", "applications.total.total"]
    assert offending.first.evaluate("td => getComputedStyle(td).backgroundColor") == "rgb(255, 205, 210)"
    rows = page.locator("table.digest-table tbody th").all_inner_texts()
    assert "三、本年度办理结果 （一）予以公开" in rows  # the rows the rule added up, beside the total
    page.screenshot(path=str(artifacts / "digest.png"), full_page=True)
    assert page.errors == []


def test_a_large_portal_in_the_browser(tmp_path: Path, page: Any) -> None:
    """A portal of 700 agencies (its data cut by level) beside a small one: the first 500 rows drawn
    and the rest on request, counts known before any row is, filters over every file."""
    from datetime import date

    from nianbao.core.config import Deadlines
    from storage.db import open_db
    from views.overview import LIMIT
    from views.site import build_site

    db = open_db(str(tmp_path / "n.db"))
    big, small = "第一区政务公开", "第二区政务公开"
    rows = [{"name": f"某某区第{i:03d}局", "level": "department", "portal": big} for i in range(400)]
    rows += [{"name": f"某某区第{i:03d}镇人民政府", "level": "township", "portal": big} for i in range(300)]
    rows += [{"name": f"某某县第{i}局", "level": "department", "portal": small} for i in range(5)]
    db.table("agencies").insert_all(rows)
    built = build_site(db, tmp_path / "site", as_of=date(2026, 4, 15), deadlines=Deadlines(), now="2026-04-15")
    assert (built.out / "index.html").stat().st_size < 50_000
    assert len(list((built.out / "data").glob("grid-*.js"))) == 3  # the large portal's by level
    page.goto((built.out / "index.html").as_uri())
    drawn(page)
    assert page.locator("#heatmap tr.agency").count() == LIMIT == 500
    assert "显示 705 个机关" in page.inner_text("#f-shown") and page.locator("#f-more").is_visible()
    page.click("#f-more")
    drawn(page)
    assert page.locator("#heatmap tr.agency").count() == 705 and page.locator("#f-more").is_hidden()
    page.select_option("#f-level", "township")
    drawn(page)
    names = page.locator("#heatmap tr.agency th a").all_inner_texts()
    assert len(names) == 300 and all(n.endswith("镇人民政府") for n in names)
    assert "显示 300 个机关" in page.inner_text("#f-shown")
    page.select_option("#f-level", "")
    page.select_option("#f-portal", small)
    drawn(page)
    assert page.locator("#heatmap tr.agency th a").all_inner_texts() == [f"某某县第{i}局" for i in range(5)]
    # a status filter reads every row of every file asked for: none of these agencies is missing
    page.select_option("#f-portal", "")
    page.select_option("#f-status", "missing")
    drawn(page)
    assert page.locator("#heatmap tr.agency").count() == 0 and "显示 0 个机关" in page.inner_text("#f-shown")
    page.select_option("#f-status", "none")
    drawn(page)
    assert page.locator("#heatmap tr.agency").count() == 500 and "显示 705 个机关" in page.inner_text("#f-shown")
    assert page.errors == []
