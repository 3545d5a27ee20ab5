"""Agency pages built from reports and addresses streamed agency by agency: the database's order of
names (UTF-8 bytes) must be the one the site takes agencies in (code points), or a page would miss
its reports.  Names that UTF-8, UTF-16 and byte length order differently, one reached through an
alias (its reports listed under the name `check` maps them to), over a real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from checks.registry import check_report
from checks.run import run_checks
from nianbao.core.config import Agency, Config, Deadlines, Portal
from nianbao.sample.reports import SampleReport, balanced, report_text
from parsers import parse_bytes
from storage.db import open_db
from storage.documents import save_document
from storage.reports import save_report
from views.site import build_site
from views.status import slug

AS_OF = date(2026, 4, 15)
PORTAL = Portal("某某县政务公开", ("http://portal.example.gov.cn/nb.htm",))
# ASCII, 2-, 3- and 4-byte UTF-8; U+E001 sorts before U+20000 by code point, after it in UTF-16
NAMES = ("A局", "ä局", "가局", "\ue001局", "𠀀局", "某某县局")
ALIAS = ("𠀀局", "某某县甲局")  # a report under the alias is the agency's


def _urls(page: Path) -> set[str]:
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    return {a.attributes.get("href") or "" for a in tree.css("a") if "/info/" in (a.attributes.get("href") or "")}


def test_every_agency_page_lists_its_own_reports(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    template = parse_bytes(report_text(SampleReport(agency="模板", year=2024, applications=balanced(4))).encode())
    written = [*NAMES, ALIAS[1]]
    expected: dict[str, set[str]] = {name: set() for name in NAMES}
    for index, name in enumerate(written):
        for year in (2024, 2025):
            url = f"http://portal.example.gov.cn/info/{index}/{year}.htm"
            report = replace(
                template, agency=name, year=year, title_year=year, period_year=year, title=f"{name}{year}年度报告"
            )
            digest = save_document(db, f"{name}|{year}".encode(), url=url, now=f"{year + 1}-02-01T00:00:00")
            save_report(
                db, report, check_report(report), sha256=digest, now=f"{year + 1}-02-01T00:00:00", url=url,
                portal=PORTAL.name, published_source="page",
            )  # fmt: skip
            expected[ALIAS[0] if name == ALIAS[1] else name].add(url)
    agencies = tuple(
        Agency(name, "department", PORTAL.name, aliases=(ALIAS[1],) if name == ALIAS[0] else ()) for name in NAMES
    )
    run_checks(db, Config(portals=(PORTAL,), agencies=agencies), as_of=AS_OF, now="2026-04-15T06:00:00+00:00")
    built = build_site(db, tmp_path / "site", as_of=AS_OF, deadlines=Deadlines(), now="2026-04-15T06:30:00+00:00")
    shown = {name: _urls(built.out / "agency" / f"{slug('agency', name)}.html") for name in NAMES}
    assert shown == expected
    assert len(shown[ALIAS[0]]) == 4 and not (built.out / "agency" / f"{slug('agency', ALIAS[1])}.html").exists()
