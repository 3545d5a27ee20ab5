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


@pytest.mark.slow
def test_overview_in_the_browser(demo: Path, page: Any, artifacts: Path) -> None:
    page.goto((demo / "site" / "index.html").as_uri())
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
    visible = page.locator("tr.agency:not(.hidden) th a").all_inner_texts()
    assert visible == [MISSING]
    assert "1 个机关" in page.inner_text("#f-shown")
    page.select_option("#f-status", "")
    page.select_option("#f-level", "department")
    levels = page.evaluate("() => [...document.querySelectorAll('tbody:not(.hidden)')].map(b => b.dataset.level)")
    assert levels and set(levels) == {"department"}

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
