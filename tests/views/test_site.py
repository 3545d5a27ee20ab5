"""The static site built by a real cycle over the sample portal: every page there, every link
resolving, the planted cases in their states, the offending cells marked; hostile text shown as text."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from nianbao.core.config import Deadlines
from nianbao.core.findings import FindingRecord
from nianbao.demo import MISSING
from storage.db import open_db
from storage.findings import upsert_findings
from views.site import build_site
from views.status import slug

PLANTED = {
    MISSING: "missing",
    "某某县恭门镇人民政府": "late",
    "某某县龙山镇人民政府": "inconsistent",
    "某某省人民政府": "not_assessable",
    "某某县人民政府": "on_time",
    "某某县刘堡镇人民政府": "on_time",  # a PDF-only report, read
}


def _page(path: Path) -> LexborHTMLParser:
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def _one(tree: LexborHTMLParser | LexborNode, selector: str) -> LexborNode:
    """The first node `selector` matches; the test fails, naming the selector, when none does."""
    node = tree.css_first(selector)
    assert node is not None, f"no {selector!r} on the page"
    return node


def grid_of(site: Path) -> dict[str, dict[int, str]]:
    """The overview's grid as its data files give it (what the page draws): agency -> year -> state."""
    manifest = json.loads(_one(_page(site / "index.html"), "script#grid-files").text())
    out: dict[str, dict[int, str]] = {}
    for entry in manifest["files"]:
        text = (site / entry["src"]).read_text(encoding="utf-8")
        data = json.loads(text.removeprefix("nianbaoGrid(").removesuffix(");\n"))
        assert data["src"] == entry["src"]
        for group in data["groups"]:
            for name, _page_of, codes, _titles in group["rows"]:
                out[name] = {year: manifest["states"][int(c)] for year, c in zip(manifest["years"], codes, strict=True)}
    return out


@pytest.mark.slow
def test_every_page_is_written_and_every_link_resolves(demo: Path) -> None:
    site = demo / "site"
    pages = sorted(site.rglob("*.html"))
    assert {"index.html", "trends.html"} <= {p.name for p in pages}
    assert len(list((site / "agency").glob("*.html"))) == 20
    checked = 0
    for page in pages:
        tree = _page(page)
        for node in tree.css("a[href], link[href], script[src]"):
            target = node.attributes.get("href") or node.attributes.get("src") or ""
            parts = urlsplit(target)
            if parts.scheme in ("http", "https"):
                continue  # the reports' own pages on the portal
            assert parts.scheme == "", f"{page.name}: {target}"
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert path.is_file(), f"{page.relative_to(site)} links to a missing {target}"
            if parts.fragment and path.suffix == ".html":
                assert _page(path).css_first(f"#{parts.fragment}") is not None, f"{page.name}: #{parts.fragment}"
            checked += 1
    assert checked > 200
    manifest = json.loads(_one(_page(site / "index.html"), "script#grid-files").text())
    assert manifest["files"] and all((site / entry["src"]).is_file() for entry in manifest["files"])
    assert not list(site.rglob("*.js")) or all(
        "http" not in p.read_text(encoding="utf-8") for p in site.rglob("*.js")
    )  # nothing fetched at view time


@pytest.mark.slow
def test_the_grid_shows_the_planted_cases(demo: Path) -> None:
    tree = _page(demo / "site" / "index.html")
    states = {name: years[2025] for name, years in grid_of(demo / "site").items()}
    for agency, state in PLANTED.items():
        assert states[agency] == state, agency
    assert sum(s == "on_time" for s in states.values()) == 16
    legend = {n.attributes["data-count"]: int(n.text()) for n in tree.css("[data-count]")}
    assert legend["missing"] == 1 and legend["late"] == 1 and legend["inconsistent"] == 1
    assert legend["not_assessable"] == 1


@pytest.mark.slow
def test_the_inconsistent_report_has_its_cells_marked(demo: Path) -> None:
    tree = _page(demo / "site" / "agency" / f"{slug('agency', '某某县龙山镇人民政府')}.html")
    bad = {td.attributes["data-cell"]: td for td in tree.css("td.cell.bad")}
    assert set(bad) == {"applications.total.natural_person", "applications.total.total"}
    tip = _one(bad["applications.total.total"], ".tip").text()
    assert "（七）总计" in tip and "applications.outcome_total" in tip and "办理结果各项之和为2，但（七）总计为3" in tip
    assert bad["applications.total.total"].attributes["tabindex"] == "0"  # reachable by keyboard
    assert [th.text() for th in tree.css("table#y2025-applications thead th[scope=col]")][1] == "申请人情况"
    clean = _page(demo / "site" / "agency" / f"{slug('agency', '某某县财政局')}.html")
    assert clean.css("td.cell.bad") == [] and len(clean.css("table.report")) == 3


@pytest.mark.slow
def test_the_blocked_portal_page_says_so(demo: Path) -> None:
    tree = _page(demo / "site" / "portal" / f"{slug('portal', '某某省人民政府')}.html")
    assert tree.css_first(".badge.o-blocked") is not None
    county = _page(demo / "site" / "portal" / f"{slug('portal', '某某县人民政府')}.html")
    assert "网站声明的数量与实际读取的数量" in _one(county, "body").text() and county.css("table.list tbody tr")


def test_hostile_text_is_shown_as_text(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    evil = '某某县<script>alert("x")</script><img src=x onerror=alert(1)>镇人民政府'
    upsert_findings(
        db,
        [
            FindingRecord(
                kind="missing",
                agency=evil,
                year=2025,
                portal='<b onmouseover="alert(2)">portal</b>',
                rule="deadline",
                severity="error",
                message='not found <script>alert("m")</script>',
                evidence={"read": ['<iframe src="javascript:alert(3)">']},
                url="javascript:alert(4)",
            )
        ],
        now="2026-04-15T12:00:00+00:00",
    )
    built = build_site(db, tmp_path / "site", as_of=date(2026, 4, 15), deadlines=Deadlines(), now="2026-04-15")
    for page in built.out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text and "<iframe" not in text, page
        assert 'href="javascript:' not in text and "<b onmouseover" not in text, page
    agency = (built.out / "agency" / f"{slug('agency', evil)}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in agency
    # the grid's data (scripts, and the overview's own JSON): no markup a name could close a script with
    data = [p.read_text(encoding="utf-8") for p in (built.out / "data").glob("*.js")]
    data.append(_one(_page(built.out / "index.html"), "script#grid-files").text())
    assert data and all("<" not in text and ">" not in text for text in data)
    assert evil in grid_of(built.out)


@pytest.mark.slow
def test_the_site_speaks_the_chosen_language(demo: Path, tmp_path: Path) -> None:
    """Chinese by default (the demo's site); English when asked: chrome, states and findings alike."""
    import re

    from nianbao.core.messages import TEMPLATES, VOCABULARY

    english = {w.lower() for t in [*TEMPLATES.values(), *VOCABULARY.values()] for w in re.findall(r"[A-Za-z]{4,}", t)}
    english |= {"overview", "legend", "rules", "portals", "trends", "findings", "deadline", "evidence"}
    for page in (demo / "site" / "index.html", demo / "site" / "agency" / f"{slug('agency', MISSING)}.html"):
        tree = _page(page)
        assert _one(tree, "html").attributes["lang"] == "zh-CN"
        for node in tree.css("script, code, style"):
            node.decompose()
        words = re.findall(r"[A-Za-z]{4,}", re.sub(r"https?://\S+|nianbao", " ", _one(tree, "body").text()))
        assert [w for w in words if w.lower() in english] == [], page.name
    db = open_db(str(demo / "nianbao.db"), readonly=True)
    out = tmp_path / "en"
    build_site(db, out, as_of=date(2026, 4, 15), deadlines=Deadlines(), now="2026-04-15T12:00:00+00:00", lang="en")
    overview = _page(out / "index.html")
    assert _one(overview, "html").attributes["lang"] == "en"
    assert "Overview" in _one(overview, "body").text() and "总览" not in _one(overview, "body").text()
    agency = (out / "agency" / f"{slug('agency', '某某县龙山镇人民政府')}.html").read_text(encoding="utf-8")
    assert "the outcome rows (granted … other) add up to 2 but total is 3" in agency
