"""Benchmark: HTML reports parsed (and checked) per second on one core, and peak memory.

    python benchmarks/parse_bench.py [--reports 2000]

Reports are synthetic Word-pasted article pages (nianbao.sample) with varied numbers, about the
size of a real one (about 60 KB of Word-pasted HTML); each is parsed from bytes, as the crawler hands them over.
"""

from __future__ import annotations

import argparse
import random
import resource
import time

from checks.registry import check_report
from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.sample.wordhtml import render
from parsers import parse_bytes


def make_pages(count: int) -> list[bytes]:
    rng = random.Random(7)
    pages = []
    for i in range(count):
        sample = SampleReport(
            agency=f"某某县第{i}乡人民政府", year=2020 + i % 5, applications=balanced(rng.randint(0, 40))
        )
        text = report_text(sample)
        encoding = "gbk" if i % 2 else "utf-8"
        pages.append(
            render(
                text, title=sample.title, pub_date="2025-01-20 09:00", charset_meta=None if i % 4 == 1 else encoding
            ).encode(encoding)
        )
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="the best round counts (a shared machine is noisy)")
    args = parser.parse_args()
    pages = make_pages(args.reports)
    size = sum(map(len, pages)) / len(pages)
    rounds = []
    for _ in range(args.rounds):
        start = time.process_time()
        for page in pages:
            check_report(parse_bytes(page, source="bench"))
        rounds.append(time.process_time() - start)
    elapsed = min(rounds)
    print(f"rounds: {', '.join(f'{args.reports / r:.0f}' for r in rounds)} reports/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.reports} HTML reports, {size / 1024:.1f} KB each on average")
    print(
        f"parse+check: {args.reports / elapsed:.0f} reports/s on one core ({elapsed * 1000 / args.reports:.2f} ms each)"
    )
    print(f"peak RSS: {peak:.0f} MB (the generated pages included)")


if __name__ == "__main__":
    main()
