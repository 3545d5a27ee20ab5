"""Benchmark: the status site for a whole province — 10,000 agencies × 5 years by default — built by
main's code and by this tree's, in one run, on the same database.

    python benchmarks/site_bench.py [--agencies 10000] [--years 5] [--before main] [--changed 0.01]

Builds a database the way nianbao fills it (reports stored with their cells, readings and rule
findings; one complete pass per portal; `check` run over it), with planted cases: about 3 % of
the reports missing, 5 % late and 3 % inconsistent.  Then each code builds the site into a folder
of its own (each build in a process of its own, so each peak RSS is its own): the full build, its
size, the largest page, the peak memory.  Then a day's run: `--changed` of the reports get a new
version (other numbers, another publication date), `check` runs again, and each code rebuilds its
folder on the next day.  `--before` is a git revision (`git archive`d into a temporary folder);
`--before ''` measures this tree alone.  Only the builds are timed; filling the database takes a
few minutes more.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 4, 15)


def _level(i: int) -> tuple[str, str]:
    if i % 50 == 0:
        return "government", f"某某市第{i}县人民政府"
    if i % 3 == 0:
        return "township", f"某某县第{i}镇人民政府"
    return "department", f"某某县第{i}局"


def _imports() -> None:
    """This tree's code, for filling the database (a build imports the code it measures)."""
    sys.path.insert(0, str(ROOT))


def fill(db_path: str, agencies: int, years: int) -> Any:
    _imports()
    from dataclasses import replace

    from checks.registry import check_report
    from checks.run import run_checks
    from nianbao.core.config import Agency, Config, Deadlines, Portal
    from nianbao.sample.reports import SampleReport, balanced, mixed, report_text
    from parsers import parse_bytes
    from storage.db import open_db
    from storage.documents import save_document
    from storage.reports import save_report
    from storage.runs import begin_run, finish_run

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


def change(db_path: str, config: Any, share: float) -> int:
    """A day's run: `share` of the current reports get a new version (other numbers, published
    later), and `check` runs again on the next day.  Returns how many reports changed."""
    from dataclasses import replace

    from checks.registry import check_report
    from checks.run import run_checks
    from nianbao.sample.reports import SampleReport, balanced, report_text
    from parsers import parse_bytes
    from storage.db import open_db
    from storage.documents import save_document
    from storage.reports import save_report

    rng = random.Random(17)
    revised = parse_bytes(report_text(SampleReport(agency="模板", year=2020, applications=balanced(7))).encode())
    db = open_db(db_path)
    current = list(db.query("SELECT agency, year, url, portal FROM reports WHERE is_current = 1 ORDER BY id"))
    day = AS_OF + timedelta(days=1)
    now = f"{day.isoformat()}T06:00:00+00:00"
    chosen = rng.sample(current, max(1, round(share * len(current))))
    for row in chosen:
        report = replace(
            revised,
            agency=row["agency"],
            year=row["year"],
            title_year=row["year"],
            period_year=row["year"],
            title=f"{row['agency']}{row['year']}年度政府信息公开工作报告（更新）",
            published_at=date(row["year"] + 1, 2, 20).isoformat(),
        )
        digest = save_document(db, f"{row['agency']}|{row['year']}|revised".encode(), url=row["url"], now=now)
        save_report(
            db, report, check_report(report), sha256=digest, now=now, url=row["url"], portal=row["portal"],
            published_source="page",
        )  # fmt: skip
    run_checks(db, config, as_of=day, now=now)
    return len(chosen)


def build(root: Path, db_path: str, out: Path, as_of: date) -> dict[str, Any]:
    """One build by the code under `root`, in a process of its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--build", str(root), db_path, str(out), as_of.isoformat()],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if done.returncode != 0:
        raise SystemExit(f"the build by {root} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _build_here(root: str, db_path: str, out: str, as_of: str) -> None:
    """The worker: build with the code under `root`, print what it measured as JSON."""
    sys.path.insert(0, root)
    from nianbao.core.config import Deadlines
    from storage.db import open_db
    from views import site

    assert Path(site.__file__).resolve().is_relative_to(Path(root).resolve()), site.__file__
    db = open_db(db_path)
    day = date.fromisoformat(as_of)
    started = time.perf_counter()
    site.build_site(db, Path(out), as_of=day, deadlines=Deadlines(), now=f"{as_of}T06:30:00+00:00")
    seconds = time.perf_counter() - started
    files = [p for p in Path(out).rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    shown = [p for p in files if p.suffix in (".html", ".js")]  # what a browser loads
    largest = max(shown, key=lambda p: p.stat().st_size)
    written = sum(1 for p in files if p.stat().st_mtime >= time.time() - seconds - 1)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "pages": len(pages),
                "files": len(files),
                "bytes": sum(p.stat().st_size for p in files),
                "largest": str(largest.relative_to(out)),
                "largest_bytes": largest.stat().st_size,
                "overview_bytes": (Path(out) / "index.html").stat().st_size,
                "written": written,
                "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _line(label: str, b: dict[str, Any]) -> str:
    return (
        f"  {label}: {b['seconds']:.1f} s, {b['pages']} pages ({b['files']} files, {b['written']} written), "
        f"{b['bytes'] / 1e6:.0f} MB; largest {b['largest']} {b['largest_bytes'] / 1e6:.2f} MB, overview "
        f"{b['overview_bytes'] / 1e6:.2f} MB; peak RSS {b['rss']:.0f} MB"
    )


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--build":
        _build_here(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--before", default="main", help="git revision of the code to compare with ('' for none)")
    parser.add_argument("--changed", type=float, default=0.01, help="share of the reports a day's run changes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        codes = {"after": ROOT}
        if args.before:
            before = Path(tmp) / "before"
            before.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.before], capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
            codes = {f"before ({args.before})": before, **codes}
        db_path = str(Path(tmp) / "province.db")
        started = time.perf_counter()
        config = fill(db_path, args.agencies, args.years)
        filled = time.perf_counter() - started
        from storage.db import open_db

        db = open_db(db_path)
        reports = db["reports"].count
        findings = dict(db.execute("SELECT kind, count(*) FROM findings GROUP BY kind").fetchall())
        db.close()
        print(
            f"{args.agencies} agencies × {args.years} years: {reports} reports, findings {findings} "
            f"(database filled in {filled:.0f} s)",
            flush=True,
        )
        full = {
            label: build(root, db_path, Path(tmp) / f"site-{n}", AS_OF) for n, (label, root) in enumerate(codes.items())
        }
        changed = change(db_path, config, args.changed)
        again = {
            label: build(root, db_path, Path(tmp) / f"site-{n}", AS_OF + timedelta(days=1))
            for n, (label, root) in enumerate(codes.items())
        }
    print("full build:")
    for label, b in full.items():
        print(_line(label, b))
    print(f"rebuild on the next day, after {changed} reports ({100 * changed / reports:.1f} %) got a new version:")
    for label, b in again.items():
        print(_line(label, b))


if __name__ == "__main__":
    main()
