"""The fault suite: when something breaks under nianbao — a hostile document, a dead writer or
worker, a full disk, two runs at once, a mail server that hangs up — it ends within its bound, says
so in one line with the right exit status, loses nothing already stored, and never turns its own
failure into a `missing` finding."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nianbao.core.config import ParseLimits
from nianbao.sample import hostile
from nianbao.sample.portal import SamplePortal, default_plan
from nianbao.workers import ParsePool
from tests.processes import MARK, assert_all_gone, children, until, writing_a_pipe
from views.status import slug

pytestmark = pytest.mark.faults


ROOT = Path(__file__).resolve().parents[1]
BOUND_SECONDS, BOUND_MB = 15, 600


# ---- documents built to exhaust a parser ---------------------------------------------------


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (hostile.million_characters, "shows 1000002 bytes of text"),
        (hostile.many_rectangles, "draws over 40000 objects"),
        (hostile.inflating_stream, "inflates to over 64 MB"),
        (hostile.many_pages, "100000 pages, over the 300 page limit"),
        (hostile.huge_docx_xml, "document.xml would expand to 191 MB"),
    ],
    ids=["a million characters", "200,000 rectangles", "1 GB inflated", "100,000 pages", "a 190 MB document.xml"],
)
@pytest.mark.slow
def test_a_hostile_document_ends_within_its_bound(tmp_path: Path, make: Callable[[], bytes], words: str) -> None:
    path = tmp_path / "hostile.bin"
    path.write_bytes(make())
    probe = (
        # VmHWM, not ru_maxrss: the latter keeps the peak of the forked test runner across exec
        "import re, time; from nianbao.parsing import parse_document; t = time.time(); "
        f"p = parse_document(open({str(path)!r}, 'rb').read(), url='hostile'); "
        "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024; "
        "print(round(time.time() - t, 2), peak); print(p.error)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]
    seconds, megabytes = done.stdout.splitlines()[0].split()
    error = done.stdout.splitlines()[1]
    assert float(seconds) < BOUND_SECONDS and int(megabytes) < BOUND_MB, done.stdout
    assert words in error, error


def test_deep_html_is_read_not_a_traceback() -> None:
    from nianbao.parsing import parse_document

    parsed = parse_document(hostile.deep_html(5000), url="deep")
    assert parsed.report is not None and parsed.report.agency == "某某县龙山镇人民政府"


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_its_document_tried_again() -> None:
    data = hostile.deep_html(20)
    pool = ParsePool(ParseLimits(workers=1, seconds=30))

    async def go() -> tuple[object, object]:
        first = asyncio.ensure_future(pool.parse(data, url="a", content_type=None))
        await asyncio.sleep(0)
        for _ in range(100):  # the worker is spawned on the first document
            workers = list(getattr(pool._pool, "_processes", {}).values())  # noqa: SLF001
            if workers:
                break
            await asyncio.sleep(0.05)
        os.kill(workers[0].pid, signal.SIGKILL)
        return await first, await pool.parse(data, url="b", content_type=None)

    try:
        first, second = asyncio.run(go())
    finally:
        pool.close()
    assert pool.replaced >= 1
    assert getattr(second, "report", None) is not None  # the fresh worker parses on
    assert getattr(first, "report", None) is not None or "worker died" in getattr(first, "error", "")


@pytest.mark.slow
def test_a_document_over_the_memory_limit_costs_that_document_only() -> None:
    pool = ParsePool(ParseLimits(workers=1, memory_mb=256, seconds=30))
    started = time.monotonic()
    try:
        parsed = asyncio.run(pool.parse(hostile.huge_docx_xml(100), url="x.docx", content_type=None))
        after = asyncio.run(pool.parse(hostile.deep_html(10), url="y", content_type=None))
    finally:
        pool.close()
    assert parsed.report is None and parsed.error and time.monotonic() - started < BOUND_SECONDS
    assert after.report is not None


# ---- PDFs whose structure loops -------------------------------------------------------------

LOOPS = {
    "kids hold their node": (hostile.kids_hold_their_node, "page tree loops (a /Kids array holds its own"),
    "kids hold an ancestor": (hostile.kids_hold_an_ancestor, "page tree loops (a /Kids array holds its own"),
    "parents loop": (hostile.parents_loop, "page tree loops (a /Parent chain comes back"),
    "a reference to itself": (hostile.reference_to_itself, "page tree loops (object 6 is a reference to itself)"),
    "xref to itself": (hostile.xref_to_itself, "cross-reference table loops (its /Prev points back"),
}


@pytest.mark.parametrize("name", sorted(LOOPS))
@pytest.mark.slow
def test_a_pdf_whose_structure_loops_is_one_line(tmp_path: Path, name: str) -> None:
    make, words = LOOPS[name]
    path = tmp_path / "loop.pdf"
    path.write_bytes(make())
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "nianbao", "parse", str(path)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert time.monotonic() - started < BOUND_SECONDS
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()  # no traceback, no library warning: one line
    assert line.startswith(f"nianbao: {path}: the PDF's ") and words in line, line


@pytest.mark.slow
def test_a_looping_pdf_in_a_crawl_is_found_unreadable_with_why(tmp_path: Path) -> None:
    from nianbao.core.config import Config, CrawlSettings, Portal
    from nianbao.crawl_runner import crawl_all
    from nianbao.sample import variants
    from nianbao.sample.server import Answer, Site, start, stop
    from storage.db import open_db

    site = Site("portal")
    start([site])
    try:
        listed = variants.items(6, ["某某县水务局", "某某县民政局"], prefix="/art")
        url = variants.plain(site, listed, per_page=10)
        looping = next(i for i in listed if i.report is not None)
        site.add(looping.path, Answer(200, hostile.kids_hold_their_node(), {"Content-Type": "application/pdf"}))
        settings = CrawlSettings(interval=0.0, timeout=5.0, retries=1)
        db = open_db(str(tmp_path / "n.db"))
        crawl_all(Config(portals=(Portal("县", (url,), crawl=settings),)), db, now="2026-02-10T12:00:00+00:00")
        looping_url = site.url(looping.path)
    finally:
        stop([site])
    rows = {r["url"]: r for r in db.query("SELECT url, agency, parse_error FROM document_urls")}
    unreadable = rows[looping_url]
    assert looping.report is not None and unreadable["agency"] == looping.report.agency
    assert unreadable["parse_error"] == (
        f"{looping_url}: the PDF's page tree loops (a /Kids array holds its own /Pages node or an ancestor)"
    )
    stored = {r["agency"] for r in db.query("SELECT agency FROM reports")}
    assert stored == {"某某县民政局"}  # the crawl went on


@pytest.mark.slow
def test_a_crawl_keeps_the_pdf_libraries_warnings_off_stderr(tmp_path: Path) -> None:
    from nianbao.core.config_doc import toml_value
    from nianbao.sample import variants
    from nianbao.sample.server import Answer, Site, start, stop

    site = Site("portal")
    start([site])
    try:
        listed = variants.items(6, ["某某县刘堡镇人民政府", "某某县民政局"], prefix="/art")
        url = variants.plain(site, listed, per_page=10)
        odd = next(i for i in listed if i.report is not None)  # pdfminer warns on each of its fonts
        site.add(odd.path, Answer(200, hostile.without_font_boxes(), {"Content-Type": "application/pdf"}))
        (tmp_path / "nianbao.toml").write_text(
            f'[database]\npath = "{tmp_path / "n.db"}"\n[crawl]\ninterval = 0\nretries = 1\n'
            f'[[portals]]\nname = "县"\nurls = {toml_value([url])}\n',
            encoding="utf-8",
        )
        crawl = subprocess.run(
            [sys.executable, "-m", "nianbao", "crawl", "--config", "nianbao.toml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        stop([site])
    assert crawl.returncode == 0 and crawl.stderr == ""
    with sqlite3.connect(tmp_path / "n.db") as conn:
        stored = {r[0] for r in conn.execute("SELECT agency FROM reports")}
    assert stored == {"某某县刘堡镇人民政府", "某某县民政局"}  # the PDF was read, in a worker process


# ---- processes: a dead writer, a killed crawl, two crawls -----------------------------------


def _config(tmp_path: Path, portal: SamplePortal, **database: object) -> Path:
    from nianbao.core.config_doc import toml_value

    county = portal.portals()[0]
    extra = "".join(f"{k} = {toml_value(v)}\n" for k, v in database.items())
    path = tmp_path / "nianbao.toml"
    path.write_text(
        f'[database]\npath = "{tmp_path / "n.db"}"\n{extra}[crawl]\ninterval = 0.3\nretries = 2\n'
        f"[[portals]]\nname = {toml_value(county.name)}\nurls = {toml_value(county.urls)}\n"
        f"allow_hosts = {toml_value(county.allow_hosts)}\n"
        f'[[agencies]]\nname = "某某县红旗乡人民政府"\nlevel = "township"\nportal = {toml_value(county.name)}\n',
        encoding="utf-8",
    )
    return path


def _nianbao(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """`nianbao` in `cwd`; it and every process under it carry MARK=str(cwd)."""
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARK: str(cwd)},
    )


def _writer(pid: int) -> int:
    return until(lambda: children(pid, "spawned"), f"the writer of {pid}")[0]


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _passes(db: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        return [(r[0], r[1]) for r in conn.execute("SELECT outcome, detail FROM crawl_runs ORDER BY id")]


def _arguments(process: subprocess.Popen[str]) -> list[str]:
    """What `process` was asked of nianbao (its arguments after `python -m nianbao`)."""
    args = process.args
    assert isinstance(args, list), args
    return [str(a) for a in args[3:]]


def _exited(process: subprocess.Popen[str], timeout: float) -> None:
    """Wait for the process itself (its output ends only when its children are gone too)."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"{_arguments(process)} still running {timeout:g} s later") from None


def _ended(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """Its output once it and every process holding its output have ended; a failed test (not a
    hung one) if that takes longer than `timeout`."""
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"{_arguments(process)}: its output still open {timeout:g} s later") from None


def _next_crawl_completes(tmp_path: Path) -> None:
    again = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    out, err = _ended(again, 180)
    assert again.returncode == 0 and err == "", err


@pytest.fixture()
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(default_plan(), failing_links=False) as running:
        yield running


def _reports(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0


@pytest.mark.parametrize("when", ["as its parse workers start", "a report stored", "with the pipe to it full"])
@pytest.mark.slow
def test_a_dead_writer_ends_the_crawl_within_5_s_with_one_line(portal: SamplePortal, tmp_path: Path, when: str) -> None:
    _config(tmp_path, portal)
    crawl = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    writer = _writer(crawl.pid)
    if when == "as its parse workers start":  # one may be starting: it must end silently
        until(lambda: children(writer, "spawned"), "a parse worker")
    elif when == "a report stored":
        until(lambda: _reports(tmp_path / "n.db"), "a report stored", every=0.05)
    else:  # a writer that reads nothing more (busy, swapping) before it is killed
        os.kill(writer, signal.SIGSTOP)
        until(lambda: writing_a_pipe(crawl.pid), "the crawl waiting to hand more to the writer")
    os.kill(writer, signal.SIGKILL)
    killed = time.monotonic()
    _exited(crawl, 60)
    took = time.monotonic() - killed
    assert_all_gone(str(tmp_path), since=killed)  # its parse workers, the resource tracker
    out, err = _ended(crawl, 10)
    assert crawl.returncode == 2 and took < 5, (took, err)
    assert err.splitlines() == [
        "nianbao: the writer process died (exit code -9): the crawl stopped; the next run resumes it"
    ]
    db = tmp_path / "n.db"
    assert _integrity(db) == "ok" and [o for o, _ in _passes(db)] == ["running"]  # nobody left to close it
    _next_crawl_completes(tmp_path)
    assert [o for o, _ in _passes(db)] == ["interrupted", "complete"]
    assert _passes(db)[0][1] == "the process running this pass ended before it did"


def _at(moment: str, running: subprocess.Popen[str], db: Path) -> None:
    """Wait for `moment` in the life of a crawl (or daemon) process."""
    if moment == "tracker started":  # the writer not yet started
        until(lambda: children(running.pid, "tracker"), "the resource tracker")
    elif moment == "writer starting":  # as soon as it exists: before it could tie itself to its parent
        _writer(running.pid)
    elif moment == "parse workers starting":
        until(lambda: children(_writer(running.pid), "spawned"), "a parse worker")
    elif moment == "a report stored":  # mid-pass: parsing and storing under way, more to come
        until(lambda: _reports(db), "a report stored", every=0.05)
    elif moment == "writer stopped":  # frozen: only the kernel can end it (no watchdog thread runs)
        writer = _writer(running.pid)
        until(lambda: children(writer, "spawned"), "a parse worker")
        os.kill(writer, signal.SIGSTOP)
    elif moment == "closing":  # the writer has said it stored everything; it stops its workers
        stdout = running.stdout
        assert stdout is not None
        until(lambda: select.select([stdout], [], [], 0)[0], "the crawl's summary", timeout=180)
    else:
        raise AssertionError(moment)


@pytest.mark.parametrize(
    ("command", "moment"),
    [
        ("crawl", "tracker started"),
        ("crawl", "writer starting"),
        ("crawl", "parse workers starting"),
        ("crawl", "a report stored"),
        ("crawl", "writer stopped"),
        ("crawl", "closing"),
        ("daemon", "a report stored"),
    ],
)
@pytest.mark.slow
def test_kill_9_leaves_no_process_of_nianbao_behind(
    portal: SamplePortal, tmp_path: Path, command: str, moment: str
) -> None:
    config = _config(tmp_path, portal)
    if command == "daemon":
        config.write_text(config.read_text(encoding="utf-8") + '[schedule]\ncron = "* * * * * *"\n', encoding="utf-8")
    running = _nianbao(command, "--config", "nianbao.toml", cwd=tmp_path)
    db = tmp_path / "n.db"
    _at(moment, running, db)
    os.kill(running.pid, signal.SIGKILL)
    killed = time.monotonic()
    _exited(running, 30)
    assert_all_gone(str(tmp_path), since=killed)  # writer, parse workers, resource tracker
    out, err = _ended(running, 10)
    assert "Traceback" not in err and (err == "" or command == "daemon"), err  # none of them says a word
    if moment in ("a report stored", "writer stopped"):  # a pass was under way: the next one closes it
        assert _integrity(db) == "ok"
        _next_crawl_completes(tmp_path)
        outcomes = [o for o, _ in _passes(db)]
        assert outcomes[0] == "interrupted" and outcomes[-1] == "complete", outcomes


@pytest.mark.slow
def test_a_second_crawl_is_refused_while_the_first_writes(portal: SamplePortal, tmp_path: Path) -> None:
    _config(tmp_path, portal)
    first = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    writer = _writer(first.pid)
    os.kill(writer, signal.SIGSTOP)  # the first crawl cannot finish before the second has tried
    try:
        second = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
        out, err = _ended(second, 60)
    finally:
        os.kill(writer, signal.SIGCONT)
    assert second.returncode == 2 and "is writing to this database" in err and f"pid {first.pid}" in err
    _ended(first, 180)
    assert first.returncode == 0


@pytest.mark.slow
def test_new_database_opened_by_several_processes_at_once(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    probe = f"from storage.db import open_db; open_db({str(path)!r}); print('ok')"
    runs = [
        subprocess.Popen([sys.executable, "-c", probe], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    assert [r.communicate(timeout=60)[0].strip() for r in runs] == [b"ok"] * 4


@pytest.mark.slow
def test_a_full_disk_is_an_error_and_never_a_false_missing_finding(portal: SamplePortal, tmp_path: Path) -> None:
    _config(tmp_path, portal, max_size_mb=1)  # past 1 MB every write fails, as on a full disk
    crawl = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 2 and "write(s) failed" in err and "full" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with sqlite3.connect(tmp_path / "n.db") as conn:
        runs = conn.execute("SELECT id, outcome, detail FROM crawl_runs").fetchall()
        for run_id, outcome, detail in runs:  # a pass that lost writes is partial, or its ledger holds each
            failed = int(detail.split(" write(s) failed")[0]) if " write(s) failed" in (detail or "") else 0
            doubts = conn.execute(
                "SELECT count(*) FROM crawl_doubts WHERE run_id = ? AND reason = 'lost'", [run_id]
            ).fetchone()[0]
            entries = conn.execute(
                "SELECT count(*) FROM list_entries WHERE run_id = ? AND reason = 'lost'", [run_id]
            ).fetchone()[0]
            assert outcome != "complete" or doubts + entries == failed, (outcome, detail)
    _config(tmp_path, portal)  # room again: the next check finds nothing missing from a pass that lost writes
    check = _nianbao("check", "--config", "nianbao.toml", "--as-of", "2026-04-15", cwd=tmp_path)
    _, err = check.communicate(timeout=60)
    assert check.returncode == 0, err
    with sqlite3.connect(tmp_path / "n.db") as conn:
        missing = {r[0] for r in conn.execute("SELECT agency FROM findings WHERE kind = 'missing'")}
        lost = {r[0] for r in conn.execute("SELECT agency FROM crawl_doubts WHERE reason = 'lost'")}
    # the writes lost withhold the verdicts of their own agencies (where the disk filled decides which:
    # 刘堡镇's report is in a PDF, say); the township no list names at all, in columns read completely,
    # may be found missing, as it is — and nobody else is
    assert not missing & lost
    assert missing <= {"某某县红旗乡人民政府"}


@pytest.mark.slow
def test_read_only_commands_change_nothing(portal: SamplePortal, tmp_path: Path) -> None:
    _config(tmp_path, portal)
    crawl = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    _, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 0 and err == "", err
    db = tmp_path / "n.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.read_bytes()
    for args in (["status"], ["findings", "list"]):
        done = _nianbao(*args, "--config", "nianbao.toml", cwd=tmp_path)
        done.communicate(timeout=60)
        assert done.returncode == 0
    assert db.read_bytes() == before


# ---- a database on a read-only medium --------------------------------------------------------
# The tests run as root, whom permission bits do not bind: the medium is made read-only for root
# too, by a read-only bind mount in a private mount namespace, or by immutable files (chattr +i).


def _populated(folder: Path, *, unflushed: bool) -> str:
    """A database holding two reports, as found on the medium: `unflushed`, the second report is
    still only in its `-wal` (copied while a reader held a snapshot, so no checkpoint moved it)."""
    from crawler.sink import Document
    from nianbao.ingest import ingest
    from nianbao.sample.reports import SampleReport, balanced, report_text
    from storage.db import open_db

    source = folder / "source.db"
    now = "2026-02-10T12:00:00+00:00"
    first = SampleReport(agency="某某县龙山镇人民政府", year=2025, applications=balanced(2))
    writer = open_db(str(source))
    ingest(writer, Document("http://x/1.txt", report_text(first).encode()), now=now)
    writer.conn.close()
    reader = sqlite3.connect(source)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM reports").fetchone()
    second = SampleReport(agency="某某县红旗乡人民政府", year=2025, applications=balanced(3))
    writer = open_db(str(source))
    ingest(writer, Document("http://x/2.txt", report_text(second).encode()), now=now)
    writer.conn.close()
    medium = folder / "medium"
    medium.mkdir()
    (medium / "n.db").write_bytes(source.read_bytes())
    wal = Path(f"{source}-wal")
    if unflushed:
        assert wal.stat().st_size > 0
        (medium / "n.db-wal").write_bytes(wal.read_bytes())
    reader.close()
    if not unflushed:  # the last connection closed: checkpointed, its -wal gone
        (medium / "n.db").write_bytes(source.read_bytes())
        assert not wal.exists()
    return "某某县红旗乡人民政府"


def _on_read_only_medium(how: str, medium: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    for file in medium.iterdir():
        file.chmod(0o444)
    medium.chmod(0o555)
    if how == "read-only mount":
        mount = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount, str(medium)]
        run = [*prefix, *command]
        probe = [*prefix, "touch", str(medium / "probe")]
    else:
        subprocess.run(["chattr", "+i", *[str(f) for f in medium.iterdir()], str(medium)], check=True)
        run, probe = command, ["touch", str(medium / "probe")]
    try:
        assert subprocess.run(probe, capture_output=True).returncode != 0  # binds root: nothing can be created
        return subprocess.run(run, capture_output=True, text=True, timeout=60, cwd="/")
    finally:
        if how == "immutable files":
            subprocess.run(["chattr", "-i", *[str(f) for f in medium.iterdir()], str(medium)], check=True)
        medium.chmod(0o755)


@pytest.mark.parametrize("unflushed", [False, True], ids=["checkpointed", "writes still in its -wal"])
@pytest.mark.parametrize("how", ["read-only mount", "immutable files"])
@pytest.mark.slow
def test_read_only_commands_open_a_database_on_a_read_only_medium(tmp_path: Path, how: str, unflushed: bool) -> None:
    latest = _populated(tmp_path, unflushed=unflushed)
    medium = tmp_path / "medium"
    files = sorted(f.name for f in medium.iterdir())
    db = str(medium / "n.db")
    site = tmp_path / "site"
    for args in (["status"], ["findings", "list"], ["notify", "--dry-run"], ["site", "--out", str(site)]):
        done = _on_read_only_medium(how, medium, [sys.executable, "-m", "nianbao", *args, "--db", db])
        assert done.returncode == 0 and done.stderr == "", done.stderr
        if args == ["status"]:
            assert "某某县龙山镇人民政府" in done.stdout and latest in done.stdout  # the -wal's report too
    grid = "".join(p.read_text(encoding="utf-8") for p in (site / "data").glob("grid-*.js"))  # the overview's rows
    assert latest in grid and (site / "agency" / f"{slug('agency', latest)}.html").is_file()
    assert sorted(f.name for f in medium.iterdir()) == files  # nothing written beside it
