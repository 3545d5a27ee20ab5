"""Many documents on every core: `nianbao parse --jsonl` and `nianbao reparse` stream their documents
in batches to the bounded worker pool, and what comes out is what one document at a time gave — in
the order given, each within the [parse] limits, one line for the one that broke a limit."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.sink import Document
from nianbao.core.config import ParseLimits
from nianbao.ingest import ingest
from nianbao.parse_command import parse_one
from nianbao.parsing import Job, Parsed
from nianbao.sample import hostile
from nianbao.sample.reports import SampleReport, balanced, report_text
from nianbao.sample.wordhtml import render
from nianbao.workers import ParsePool, batch_size
from storage.db import open_db

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-12-07T12:00:00+00:00"


def agency(i: int) -> str:
    return f"某某县第{i}乡人民政府"


def report_page(i: int) -> bytes:
    sample = SampleReport(agency=agency(i), year=2024, applications=balanced(i % 7))
    return render(report_text(sample), title=sample.title).encode()


def big_table(rows: int) -> bytes:
    """A page titled as a report with one long table and none of its parts: slower to read than
    a report (about a second for 50,000 rows), then refused."""
    cells = "".join(f"<tr><td>{i}</td><td>{i * 3}</td><td>{i * 7}</td></tr>" for i in range(rows))
    return f"<html><body><div><p>某某县2024年政府信息公开工作年度报告</p><table>{cells}</table></div></body></html>".encode()


def nianbao(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env
    )


def test_lines_come_out_in_input_order_on_two_workers(tmp_path: Path) -> None:
    """24 inputs in batches of 3 on two workers: the first batch holds a slow page, so the second
    worker ends batches after it first — and still every line is in its input's place, the same
    line one input at a time gives, an unreadable input's error in its place too."""
    names: list[str] = []
    for i in range(24):
        path = tmp_path / f"r{i:02d}.html"
        path.write_bytes(big_table(50_000) if i == 1 else report_page(i))
        names.append(str(path))
    names[5] = str(tmp_path / "missing.html")
    (tmp_path / "empty.html").write_bytes(b"")
    names[17] = str(tmp_path / "empty.html")
    assert batch_size(len(names), 2) == 3

    done = nianbao("parse", "--jsonl", "--workers", "2", *names, cwd=tmp_path)

    assert done.returncode == 1, done.stderr
    assert done.stderr == "nianbao: 3 of 24 inputs could not be parsed (see their error)\n"
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["source"] for line in lines] == names
    for i, line in enumerate(lines):
        if i in (1, 5, 17):
            assert list(line) == ["source", "error"] and names[i] in line["error"], line
        else:
            assert line["agency"] == agency(i), (i, line.get("error"))
    assert "none of the six parts" in lines[1]["error"] and "no such file" in lines[5]["error"]
    for i in (0, 2, 23):  # made in a worker, in a batch: the very document of one input alone
        assert lines[i] == {**parse_one(names[i]), "source": names[i]}


@pytest.mark.parametrize(
    ("limit", "document", "words"),
    [
        # past the limit, an allocation fails (MemoryError), or the worker dies of it: 1.5 million
        # nested elements take some 350 MB to parse, over 256 MB however little the worker's start takes
        (
            "memory_mb = 256",
            lambda: hostile.deep_html(1_500_000),
            ("more memory than a document may use", "over 256 MB"),
        ),
        ("max_pages = 5", lambda: hostile.many_pages(6), ("6 pages, over the 5 page limit",)),
    ],
    ids=["memory", "pages"],
)
def test_a_document_over_a_limit_is_its_one_line_and_the_others_come_out(
    tmp_path: Path, limit: str, document: object, words: tuple[str, ...]
) -> None:
    """The document over a [parse] limit sits in a batch with others (batches of 3, on two workers):
    it comes out as its one-line error, in its place, and every other input as its report."""
    (tmp_path / "nianbao.toml").write_text(f"[parse]\n{limit}\n", encoding="utf-8")
    names = []
    for i in range(24):
        path = tmp_path / f"r{i:02d}.html"
        path.write_bytes(document() if i == 4 else report_page(i))  # type: ignore[operator]
        names.append(str(path))
    assert batch_size(len(names), 2) == 3  # 4 is the middle of the second batch

    done = nianbao("parse", "--jsonl", "--workers", "2", "--config", "nianbao.toml", *names, cwd=tmp_path)

    assert done.returncode == 1 and done.stderr == "nianbao: 1 of 24 inputs could not be parsed (see their error)\n"
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["source"] for line in lines] == names
    assert list(lines[4]) == ["source", "error"] and any(w in lines[4]["error"] for w in words), lines[4]
    assert [line["agency"] for i, line in enumerate(lines) if i != 4] == [agency(i) for i in range(24) if i != 4]


def test_a_batch_past_the_time_limit_is_stopped_and_each_document_parsed_again(tmp_path: Path) -> None:
    """A worker that stops answering in the middle of a batch (SIGSTOP: the batch takes as long as a
    document too slow to parse would) is killed when the batch's time is up, and each document of
    the batch is parsed again, alone, on a fresh worker: none is lost, none waits past the limit twice."""
    seconds = 8.0
    pool = ParsePool(ParseLimits(workers=1, seconds=seconds))
    jobs = [Job(report_page(i), f"r{i}") for i in range(6)] + [Job(big_table(60_000), "slow")]

    async def go() -> tuple[list[Parsed], float]:
        batch = asyncio.ensure_future(pool.parse_batch(jobs))
        for _ in range(600):  # the worker is spawned on the batch
            workers = list(getattr(pool._pool, "_processes", {}).values())  # noqa: SLF001
            if workers:
                break
            await asyncio.sleep(0.05)
        os.kill(workers[0].pid, signal.SIGSTOP)
        started = time.monotonic()
        parsed = await batch
        return parsed, time.monotonic() - started

    try:
        parsed, waited = asyncio.run(go())
    finally:
        pool.close()
    assert pool.replaced == 1
    assert [(p.report.agency if p.report else None) for p in parsed[:6]] == [agency(i) for i in range(6)]
    assert "none of the six parts" in (parsed[6].error or "")
    assert seconds - 1 < waited < 3 * seconds + 30, waited


@pytest.mark.parametrize("command", ["parse", "reparse"])
@pytest.mark.parametrize("value", ["0", "33", "two"])
def test_workers_is_checked(tmp_path: Path, command: str, value: str) -> None:
    args = ["--jsonl", "a.html", "b.html"] if command == "parse" else ["--db", "n.db"]
    done = nianbao(command, "--workers", value, *args, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "'--workers'" in done.stderr and value in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_reparse_parses_in_the_bounded_pool(tmp_path: Path, workers: str) -> None:
    """Stored bytes are re-parsed by the workers, within [parse]: a document over the memory limit
    (read in this process, without a limit, it is a report) is found unreadable with why, and the
    others are stored, each as its own report."""
    db = open_db(str(tmp_path / "n.db"), create=True)
    urls = [f"http://127.0.0.1/{i}.htm" for i in range(16)]
    for i, url in enumerate(urls):
        content = hostile.deep_html(1_500_000) if i == 3 else report_page(i)  # some 350 MB to parse
        ingest(db, Document(url, content), now=NOW, parsed=Parsed(None, (), f"{url}: not parsed yet"))
    db.conn.close()
    (tmp_path / "nianbao.toml").write_text('[parse]\nmemory_mb = 256\n[database]\npath = "n.db"\n', encoding="utf-8")

    done = nianbao("reparse", "--workers", workers, "--as-of", "2026-12-07", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    db = open_db(str(tmp_path / "n.db"))
    stored = {row["url"]: row["agency"] for row in db.query("SELECT url, agency FROM reports")}
    assert stored == {url: agency(i) for i, url in enumerate(urls) if i != 3}
    error = db.table("document_urls").get(urls[3])["parse_error"]
    assert "more memory than a document may use" in error or "over 256 MB" in error, error


def test_urls_among_the_inputs_are_fetched_in_their_place() -> None:
    """URLs are fetched (one at a time, in a thread beside the event loop) and parsed with the files."""
    from click.testing import CliRunner

    from nianbao.cli import cli
    from nianbao.sample.server import Answer, Site, start, stop

    site = Site("one")
    start([site])
    try:
        for i in range(4):
            site.add(f"/info/{i}.htm", Answer(200, report_page(i), {"Content-Type": "text/html; charset=UTF-8"}))
        urls = [site.url(f"/info/{i}.htm") for i in range(4)] + [site.url("/info/404.htm")]
        done = CliRunner().invoke(cli, ["parse", "--jsonl", "--workers", "2", *urls])
    finally:
        stop([site])
    assert done.exit_code == 1, done.output
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["source"] for line in lines] == urls
    assert [line.get("agency") for line in lines] == [agency(i) for i in range(4)] + [None]
    assert "not_found" in lines[4]["error"]


def test_files_named_to_the_workers_read_as_their_bytes_sent(tmp_path: Path) -> None:
    """Without a database the worker reads each file itself (the parent sends its name): the lines
    are those of the same bytes sent through the pipe; a file gone before the worker reads it is its
    one-line error, in its place; a page of pictures is set aside for OCR, and read as bytes when OCR
    is off."""
    from nianbao.parsing import parse_many

    paths = []
    for i in range(4):
        path = tmp_path / f"r{i}.html"
        path.write_bytes(report_page(i))
        paths.append(path)
    pictured = tmp_path / "pictures.html"
    pictured.write_bytes(report_page(9).replace(b"<body>", b'<body><img src="data:image/png;base64,iVBO">', 1))
    gone = tmp_path / "gone.html"
    gone.write_bytes(report_page(5))
    named = [Job(b"", str(p), path=str(p), length=p.stat().st_size) for p in [*paths, gone, pictured]]
    gone.unlink()
    sent = [Job(p.read_bytes(), str(p)) for p in paths]

    as_named = parse_many(named, max_pages=300, render=True, pictures_aside=True)
    as_sent = parse_many(sent, max_pages=300, render=True)

    assert [line.text for line in as_named[:4]] == [line.text for line in as_sent]
    assert as_named[4].failed and f"{gone}: no such file" in json.loads(as_named[4].text)["error"]
    assert as_named[5].needs_ocr and not as_named[4].needs_ocr
    [without_ocr] = parse_many(named[5:], max_pages=300, render=True, pictures_aside=False)
    assert json.loads(without_ocr.text)["agency"] == agency(9)
    pool = ParsePool(ParseLimits(workers=1, ocr=False))
    try:
        lines = asyncio.run(pool.parse_batch(named, render=True))
    finally:
        pool.close()
    assert [line.text for line in lines] == [line.text for line in as_named[:5]] + [without_ocr.text]
