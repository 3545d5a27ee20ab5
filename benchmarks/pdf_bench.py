"""Benchmark: PDF pages per second, the reader before (pdfplumber) against the reader now (PDFium),
on the same files in one run, and `nianbao parse --jsonl` over the same files.

    python benchmarks/pdf_bench.py [--reports 8] [--rounds 3]

The PDFs (made with python-docx and LibreOffice, so it needs soffice):
- synthetic reports (`--reports`), ~5 pages each with table 3 across a page break;
- every fixture report (tests/fixtures/reports and the seed) written as a Word file and printed to
  PDF (cached in --cache; `benchmarks/pdf_equivalence.py --reports` checks both readers read them
  alike).
Each reader runs in its own process (its peak memory measured alone), the readers take turns
round after round (the machine is shared: interleaved, every round printed), CPU time of one core:
- before: pdfplumber's pages, tables, lines and words, then parsed (`nianbao parse` until PDFium);
- now: `parse_bytes` as `nianbao parse` runs it (PDFium, pdfplumber's geometry);
- pypdfium2 text: PDFium's plain text only (no tables), the floor;
- command line: `nianbao parse --jsonl` over all the files, wall time (start-up included).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nianbao.sample.docx_report import build_docx  # noqa: E402
from nianbao.sample.reports import SampleReport, balanced, report_text  # noqa: E402
from parsers.office import convert  # noqa: E402


def make_pdfs(count: int) -> list[bytes]:
    pdfs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            sample = SampleReport(agency=f"某某县第{i}乡人民政府", year=2025, applications=balanced(i))
            docx = build_docx(report_text(sample), Path(tmp) / f"r{i}.docx", title=sample.title).read_bytes()
            pdfs.append(convert(docx, source=f"r{i}", suffix=".docx", target="pdf"))
    return pdfs


def run_now(pdfs: list[bytes]) -> int:
    from parsers import parse_bytes

    pages = 0
    for data in pdfs:
        parse_bytes(data, source="bench")
        pages += _count(data)
    return pages


def run_before(pdfs: list[bytes]) -> int:
    import parsers.pdf

    def pdfplumber_only(data: bytes, *, source: str) -> tuple[list[parsers.pdf.RawPage], int, int]:
        return parsers.pdf._read_pdfplumber(data, source=source)

    parsers.pdf._read = pdfplumber_only  # type: ignore[assignment]
    return run_now(pdfs)


def run_pypdfium2_text(pdfs: list[bytes]) -> int:
    import pypdfium2

    pages = 0
    for data in pdfs:
        pdf = pypdfium2.PdfDocument(data)
        for page in pdf:
            page.get_textpage().get_text_range()
            pages += 1
        pdf.close()
    return pages


def _count(data: bytes) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(data))


READERS = {
    "before: pdfplumber": run_before,
    "now: PDFium": run_now,
    "pypdfium2 text only": run_pypdfium2_text,
}


def _measure(name: str, pdfs: list[bytes], out: multiprocessing.Queue) -> None:
    func = READERS[name]
    func(pdfs[:1])  # imports and first-call costs out of the figure
    start = time.process_time()
    pages = func(pdfs)
    elapsed = time.process_time() - start
    out.put((name, pages, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def command_line(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds (the command and its workers) of `nianbao parse --jsonl FILES` (a fresh
    interpreter, the command's default workers).  On a shared machine the CPU figure is the
    one that says what the command costs; wall time says what the machine gave it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "nianbao", "parse", "--jsonl", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stdout.count("\n")
    if lines != len(files):
        raise SystemExit(f"nianbao parse --jsonl wrote {lines} lines for {len(files)} files: {done.stderr[-500:]}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/nianbao-report-pdfs"))
    parser.add_argument("--uptime", action="store_true", help="print the machine's load before each round")
    args = parser.parse_args()
    from benchmarks.pdf_equivalence import report_pdfs

    fixtures = report_pdfs(args.cache)
    synthetic = make_pdfs(args.reports)
    folder = args.cache / "synthetic"
    folder.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(synthetic):
        (folder / f"r{i}.pdf").write_bytes(data)
    files = [*fixtures, *sorted(folder.glob("r*.pdf"))[: args.reports]]
    pdfs = [path.read_bytes() for path in files]
    total = sum(map(_count, pdfs))
    print(
        f"{len(fixtures)} fixture reports and {args.reports} synthetic reports as PDF: {len(files)} files, "
        f"{total} pages; {args.rounds} rounds, readers interleaved"
    )
    context = multiprocessing.get_context("spawn")
    figures: dict[str, list[float]] = {
        name: [] for name in [*READERS, "nianbao parse --jsonl", "nianbao parse --jsonl (CPU)"]
    }
    for round_ in range(1, args.rounds + 1):
        if args.uptime:
            print(subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip())
        for name in READERS:
            queue = context.Queue()
            proc = context.Process(target=_measure, args=(name, pdfs, queue))
            proc.start()
            _, pages, elapsed, rss = queue.get()
            proc.join()
            figures[name].append(pages / elapsed)
            print(f"round {round_}  {name:28} {pages / elapsed:8.1f} pages/s  (CPU)  peak RSS {rss:5.0f} MB")
        elapsed, cpu = command_line(files)
        figures["nianbao parse --jsonl"].append(total / elapsed)
        figures["nianbao parse --jsonl (CPU)"].append(total / cpu)
        print(
            f"round {round_}  {'nianbao parse --jsonl':28} {total / elapsed:8.1f} pages/s  (wall, start-up included)"
            f"  {total / cpu:8.1f} pages/s of CPU (command and workers)"
        )
    before, now = figures["before: pdfplumber"], figures["now: PDFium"]
    print("now / before, per round: " + ", ".join(f"{b / a:.1f}×" for a, b in zip(before, now, strict=True)))
    for name, values in figures.items():
        print(f"{name:28} " + " ".join(f"{v:7.1f}" for v in values) + " pages/s")


if __name__ == "__main__":
    main()
