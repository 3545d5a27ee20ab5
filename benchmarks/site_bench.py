"""Benchmark: the status site for a whole province — 10,000 agencies × 5 years by default.

    python benchmarks/site_bench.py [--agencies 10000] [--years 5]

Builds a database the way nianbao fills it (reports stored with their cells, readings and rule
findings; one complete pass per portal; `check` run over it), with planted cases: about 3 % of
the reports missing, 5 % late and 3 % inconsistent.  Then times `build_site` and reports the
pages written, their size and the peak memory.  Only the site is timed; filling the database
takes a few minutes more.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks.registry import check_report  # noqa: E402
from checks.run import run_checks  # noqa: E402
from nianbao.core.config import Agency, Config, Deadlines, Portal  # noqa: E402
from nianbao.sample.reports import SampleReport, balanced, mixed, report_text  # noqa: E402
from parsers import parse_bytes  # noqa: E402
from storage.db import open_db  # noqa: E402
from storage.documents import save_document  # noqa: E402
from storage.reports import save_report  # noqa: E402
from storage.runs import begin_run, finish_run  # noqa: E402
from views.site import build_site  # noqa: E402

AS_OF = date(2026, 4, 15)


def _level(i: int) -> tuple[str, str]:
    if i % 50 == 0:
        return "government", f"某某市第{i}县人民政府"
    if i % 3 == 0:
        return "township", f"某某县第{i}镇人民政府"
    return "department", f"某某县第{i}局"


def fill(db_path: str, agencies: int, years: int) -> Config:
    rng = random.Random(2026)
    good = parse_bytes(report_text(SampleReport(agency="模板", year=2020, applications=mixed(9))).encode())
    bad_sample = SampleReport(agency="模板", year=2020, applications={**mixed(9), "total": [9, 1, 0, 0, 0, 0, 12]})
    bad = parse_bytes(report_text(bad_sample).encode())
    plain = parse_bytes(report_text(SampleReport(agency="模板", year=2020, applications=balanced(4))).encode())
    db = open_db(db_path)
    first_year = AS_OF.year - years
    portals = [
        Portal(f"第{p}区政务公开", (f"http://portal{p}.example.gov.cn/zfxxgk/nb.htm",))
        for p in range(agencies // 100 + 1)
    ]
    configured = []
    for i in range(agencies):
        level, name = _level(i)
        portal = portals[i // 100].name
        configured.append(Agency(name, level, portal))
        for year in range(first_year, first_year + years):
            draw = rng.random()
            if draw < 0.03:
                continue  # missing
            template = bad if draw < 0.06 else (good if i % 2 else plain)
            due = date(year + 1, 3, 31) if level == "government" else date(year + 1, 1, 31)
            published = due.replace(day=10) if draw > 0.11 else date(year + 1, 5, 20)  # 5 % late
            report = replace(
                template,
                agency=name,
                year=year,
                title_year=year,
                period_year=year,  # the template's own 统计期限 would be another year for every report
                title=f"{name}{year}年度政府信息公开工作报告",
                published_at=published.isoformat(),
            )
            url = f"http://portal{i // 100}.example.gov.cn/info/{i}/{year}.htm"
            digest = save_document(db, f"{name}|{year}".encode(), url=url, now=f"{year + 1}-02-01T00:00:00")
            save_report(
                db,
                report,
                check_report(report),
                sha256=digest,
                now=f"{year + 1}-02-01T00:00:00",
                url=url,
                portal=portal,
                published_source="page",
            )
    now = f"{AS_OF.isoformat()}T06:00:00+00:00"
    for portal in portals:
        run_id, _ = begin_run(db, portal.name, now=now)
        finish_run(
            db,
            run_id,
            portal=portal.name,
            now=now,
            values={"outcome": "complete", "pages": 3, "reports": 100, "errors": 0, "detail": "", "evidence": []},
        )
    config = Config(portals=tuple(portals), agencies=tuple(configured), deadlines=Deadlines())
    run_checks(db, config, as_of=AS_OF, now=now)
    return config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        config = fill(str(Path(tmp) / "province.db"), args.agencies, args.years)
        filled = time.perf_counter() - started
        db = open_db(str(Path(tmp) / "province.db"))
        reports = db["reports"].count
        findings = db.execute("SELECT kind, count(*) FROM findings GROUP BY kind").fetchall()
        built = build_site(db, Path(tmp) / "site", as_of=AS_OF, deadlines=config.deadlines, now="bench")
        overview = (Path(tmp) / "site" / "index.html").stat().st_size
    print(
        f"{args.agencies} agencies × {args.years} years: {reports} reports, findings {dict(findings)} "
        f"(database filled in {filled:.0f} s)"
    )
    print(
        f"site: {built.pages} pages, {built.bytes / 1e6:.0f} MB ({overview / 1e6:.1f} MB overview) in "
        f"{built.seconds:.1f} s = {built.pages / built.seconds:.0f} pages/s; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
