"""Benchmark: HTML reports parsed (and checked) per second on one core, and peak memory; with
--cli, the same files through `nianbao parse --jsonl` beside it, in the same run.

    python benchmarks/parse_bench.py [--reports 2000] [--cli [--workers 1 2] [--before DIR]]

Reports are synthetic Word-pasted article pages (nianbao.sample) with varied numbers, about the
size of a real one (about 60 KB of Word-pasted HTML); each is parsed from bytes, as the crawler hands them over.

With --cli the pages are written to files and each round runs, one after the other: the in-process
loop (timed by the clock on the wall too, as the command is), then the command line with each
--workers (and, with --before, the command of another checkout, e.g. `git archive` of an older
commit unpacked in /tmp, run by this Python).  The command's rate is the steady one: from its
first lines out to its last (its start — Python, imports, spawning the workers — is shown apart,
and the rate with it), and beside it the CPU a report costs (the command and its workers, less
their start), which other people's work on a shared machine barely moves.  Every round is printed,
with the load average: what slows one round is other people's work.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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


def in_process(pages: list[bytes]) -> tuple[float, float]:
    """(seconds on the wall, CPU seconds) to parse and check every page here, one after the other."""
    start, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        check_report(parse_bytes(page, source="bench"))
    return time.perf_counter() - start, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Run:
    steady: float  # reports/s from the first lines out to the last
    whole: float  # reports/s from the command's start to its end
    start: float  # seconds before the first lines
    cpu: float  # CPU seconds of the command and its workers, start included


def command_line(files: list[str], workers: int, code: str | None = None) -> Run:
    """`nianbao parse --jsonl --workers N` over `files` (`code`: another checkout's, run by this Python)."""
    command = [sys.executable, "-m", "nianbao", "parse", "--jsonl", *files]
    if workers:
        command[5:5] = ["--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": code, "PYTHONDONTWRITEBYTECODE": "1"} if code else None
    cpu = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=code)
    assert process.stdout is not None
    first: tuple[float, int] | None = None
    lines = 0
    while chunk := process.stdout.read1(1 << 16):
        lines += chunk.count(b"\n")
        if first is None:
            first = (time.perf_counter(), lines)
    end = time.perf_counter()
    process.wait()
    assert lines == len(files) and process.returncode == 0 and first is not None, (lines, process.returncode)
    steady = (lines - first[1]) / (end - first[0]) if end > first[0] else float("nan")
    return Run(steady, lines / (end - start), first[0] - start, _children_cpu() - cpu)


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def side_by_side(pages: list[bytes], workers: list[int], rounds: int, before: str | None) -> None:
    """The in-process loop and the command line on the same files, interleaved round by round
    (and, with `before`, the command line of that checkout, one worker as it had).  Besides the
    rates on the wall, the CPU each costs a report, which a busy machine barely moves: for the
    command, its CPU and its workers' over all the files less that over the first two (its start)."""
    n = len(pages)
    here: list[tuple[float, float]] = []
    cli: dict[str, list[tuple[Run, float]]] = {}
    commands = [(f"--workers {w}", w, None) for w in workers] + ([("before", 0, before)] if before else [])
    print(f"{n} reports, {sum(map(len, pages)) / n / 1024:.1f} KB each on average; load average at start: {_load()}")
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for i, page in enumerate(pages):
            path = Path(folder) / f"r{i:05d}.html"
            path.write_bytes(page)
            files.append(str(path))
        for round_ in range(1, rounds + 1):
            wall, cpu = in_process(pages)
            here.append((n / wall, cpu / n))
            shown = [f"in process {n / wall:.0f}/s {cpu * 1000 / n:.2f} CPU-ms"]
            for name, w, code in commands:
                start = command_line(files[:2], w, code).cpu
                run = command_line(files, w, code)
                each = (run.cpu - start) / (n - 2)
                cli.setdefault(name, []).append((run, each))
                shown.append(f"{name} {run.steady:.0f}/s ({run.whole:.0f}/s start included) {each * 1000:.2f} CPU-ms")
            print(f"round {round_}: {'; '.join(shown)}; load {_load()}", flush=True)
    best = max(rate for rate, _ in here)
    cpu = min(c for _, c in here)
    print(
        f"in process: best {best:.0f} reports/s, median {statistics.median(r for r, _ in here):.0f}; "
        f"{cpu * 1000:.2f} CPU-ms a report (least)"
    )
    one = cli.get(f"--workers {workers[0]}")
    for name, runs in cli.items():
        rate = max(r.steady for r, _ in runs)
        each = min(c for _, c in runs)
        ratios = [r.steady / h for (r, _), (h, _) in zip(runs, here, strict=True)]
        line = (
            f"nianbao parse --jsonl {name}: best {rate:.0f} reports/s = {rate / best:.0%} of the best in process "
            f"(round by round: {', '.join(f'{x:.0%}' for x in ratios)}); "
            f"median {statistics.median(r.steady for r, _ in runs):.0f}/s; "
            f"start included best {max(r.whole for r, _ in runs):.0f}/s; start {min(r.start for r, _ in runs):.2f} s; "
            f"{each * 1000:.2f} CPU-ms a report after the start (least; command and workers) = "
            f"{cpu / each:.0%} of in process's rate by CPU"
        )
        if one and name.startswith("--workers") and runs is not one:
            pairs = [r.steady / o.steady for (r, _), (o, _) in zip(runs, one, strict=True)]
            line += (
                f"; {rate / max(o.steady for o, _ in one):.2f}x the best of {workers[0]} "
                f"(round by round: {', '.join(f'{x:.2f}x' for x in pairs)})"
            )
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="the best round counts (a shared machine is noisy)")
    parser.add_argument("--cli", action="store_true", help="the command line beside it, on the same files")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="with --cli: --workers to run")
    parser.add_argument("--before", metavar="DIR", help="with --cli: also the command line of this checkout")
    args = parser.parse_args()
    pages = make_pages(args.reports)
    if args.cli:
        side_by_side(pages, args.workers, args.rounds, args.before)
        return
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
