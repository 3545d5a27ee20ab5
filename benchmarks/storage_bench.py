"""Benchmark: 100,000 reports' cells stored — time, size on disk, and the status view's answer time.

    python benchmarks/storage_bench.py [--reports 100000] [--db /tmp/nianbao-bench.db]

Each report is parsed once from a synthetic text (so the numbers vary), then stored under a new
sha256 with its 200 cells and its full text, in one transaction per report, as the crawler does.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from dataclasses import replace

from checks.registry import check_report
from nianbao.sample.reports import SampleReport, balanced, report_text
from parsers import parse_bytes
from storage.db import open_db
from storage.documents import save_document
from storage.reports import save_report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/nianbao-bench.db")
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    db = open_db(args.db)
    rng = random.Random(1)
    templates = []
    for _ in range(50):
        text = report_text(SampleReport(agency="模板", year=2024, applications=balanced(rng.randint(0, 30))))
        report = parse_bytes(text.encode())
        templates.append((text, report, check_report(report)))
    start = time.perf_counter()
    for i in range(args.reports):
        text, report, findings = templates[i % len(templates)]
        agency, year = f"某某县第{i // 5}机关", 2020 + i % 5
        content = text.replace("模板", agency).replace("2024年", f"{year}年").encode()
        digest = save_document(db, content, url=f"http://127.0.0.1/info/{i}.htm", now="2026-02-01")
        save_report(db, replace(report, agency=agency, year=year), findings, sha256=digest, now="2026-02-01")
    elapsed = time.perf_counter() - start
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = os.path.getsize(args.db) / 1024 / 1024
    cells = db["report_cells"].count
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        rows = db.execute("SELECT * FROM status_by_agency_year WHERE agency = ?", ["某某县第777机关"]).fetchall()
        timings.append(time.perf_counter() - t)
    t = time.perf_counter()
    total = db.execute("SELECT count(*) FROM status_by_agency_year WHERE year = 2024").fetchone()[0]
    full = time.perf_counter() - t
    print(f"{args.reports} reports, {cells} cells stored in {elapsed:.1f} s ({args.reports / elapsed:.0f} reports/s)")
    print(f"database size: {size:.0f} MB (raw documents and full-text index included)")
    print(
        f"status view, one agency: {min(timings) * 1000:.1f} ms ({len(rows)} rows); "
        f"whole year ({total} rows): {full * 1000:.0f} ms"
    )
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
