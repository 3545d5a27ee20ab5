"""Benchmark: `nianbao export` and `nianbao bulletin` for a prefecture — 1,000 agencies × 5 years by
default (about a million numbers: near the rows one Excel sheet holds).

    python benchmarks/export_bench.py [--agencies 1000] [--years 5]

Fills a database as site_bench.py does (planted missing, late and inconsistent reports, `check` run
over it), then times the workbook, the CSV files and the 通报 draft of the last year, each in a
process of its own so that each peak memory is its own.  Only the exports are timed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.site_bench import AS_OF, fill  # noqa: E402
from nianbao.core.config import Deadlines  # noqa: E402
from nianbao.export import export_sheets  # noqa: E402
from storage.db import open_db  # noqa: E402
from views.bulletin import draft  # noqa: E402
from views.bulletin_docx import write_docx  # noqa: E402
from views.sheets import write_csv, write_xlsx  # noqa: E402


def _run(what: str, db_path: str, out: Path, queue: multiprocessing.Queue[str]) -> None:
    db = open_db(db_path, readonly=True)
    started = time.perf_counter()
    if what == "bulletin":
        found = draft(db, AS_OF.year - 1, deadlines=Deadlines())
        assert found is not None
        write_docx(found, out / "bulletin.docx")
        detail = f"{found.counts['agencies']} agencies, {sum(len(s.entries) for s in found.sections)} named"
    else:
        sheets = export_sheets(db, deadlines=Deadlines())
        if what == "xlsx":
            rows = write_xlsx(sheets, out / "export.xlsx")
            detail = ", ".join(f"{n:,} rows" for n in rows.values())
        else:
            detail = f"{len(write_csv(sheets, out / 'csv'))} files"
    seconds = time.perf_counter() - started
    made = {
        "xlsx": [out / "export.xlsx"],
        "csv": list((out / "csv").glob("*.csv")),
        "bulletin": [out / "bulletin.docx"],
    }
    size = sum(p.stat().st_size for p in made[what])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(f"{what}: {detail}; {size / 1e6:.1f} MB in {seconds:.1f} s, peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = str(Path(tmp) / "prefecture.db")
        started = time.perf_counter()
        fill(db_path, args.agencies, args.years)
        cells = open_db(db_path).execute("SELECT count(*) FROM report_cells").fetchone()[0]
        filled = time.perf_counter() - started
        print(f"{args.agencies} agencies × {args.years} years: {cells:,} numbers (filled in {filled:.0f} s)")
        context = multiprocessing.get_context("spawn")
        for what in ("xlsx", "csv", "bulletin"):
            queue: multiprocessing.Queue[str] = context.Queue()
            process = context.Process(target=_run, args=(what, db_path, Path(tmp), queue))
            process.start()
            print(queue.get())
            process.join()


if __name__ == "__main__":
    main()
