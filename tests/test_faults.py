"""The fault suite: when something breaks under nianbao — a hostile document, a dead writer or
worker, a full disk, two runs at once, a mail server that hangs up — it ends within its bound, says
so in one line with the right exit status, loses nothing already stored, and never turns its own
failure into a `missing` finding."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nianbao.core.config import ParseLimits
from nianbao.sample import hostile
from nianbao.sample.portal import SamplePortal, default_plan
from nianbao.workers import ParsePool

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
def test_a_hostile_document_ends_within_its_bound(tmp_path: Path, make: object, words: str) -> None:
    path = tmp_path / "hostile.bin"
    path.write_bytes(make())  # type: ignore[operator]
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
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().split(") ")[1].split()[1]) == pid:
                out.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _writer_of(pid: int) -> int:
    for _ in range(100):
        for child in _children(pid):
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace"):  # not the tracker
                return child
        time.sleep(0.1)
    raise AssertionError("no writer process")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.fixture()
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(default_plan(), failing_links=False) as running:
        yield running


def test_a_dead_writer_stops_the_crawl_with_one_line(portal: SamplePortal, tmp_path: Path) -> None:
    _config(tmp_path, portal)
    crawl = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    writer = _writer_of(crawl.pid)
    time.sleep(1.0)
    os.kill(writer, signal.SIGKILL)
    out, err = crawl.communicate(timeout=30)
    assert crawl.returncode == 2 and "the writer process died" in err and len(err.strip().splitlines()) == 1
    assert _integrity(tmp_path / "n.db") == "ok"
    again = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    with sqlite3.connect(tmp_path / "n.db") as conn:
        outcomes = [r[0] for r in conn.execute("SELECT outcome FROM crawl_runs ORDER BY id")]
    assert outcomes == ["interrupted", "complete"]


@pytest.mark.parametrize("command", ["crawl", "daemon"])
def test_kill_9_mid_pass_leaves_no_process_and_the_next_run_completes(
    portal: SamplePortal, tmp_path: Path, command: str
) -> None:
    config = _config(tmp_path, portal)
    if command == "daemon":
        config.write_text(config.read_text(encoding="utf-8") + '[schedule]\ncron = "* * * * * *"\n', encoding="utf-8")
    running = _nianbao(command, "--config", "nianbao.toml", cwd=tmp_path)
    writer = _writer_of(running.pid)
    time.sleep(1.5)
    workers = _children(writer)
    os.kill(running.pid, signal.SIGKILL)
    running.communicate(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in [writer, *workers]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in [writer, *workers] if _alive(p)]  # no child outlives its parent
    assert _integrity(tmp_path / "n.db") == "ok"
    again = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    with sqlite3.connect(tmp_path / "n.db") as conn:
        outcomes = [r[0] for r in conn.execute("SELECT outcome FROM crawl_runs ORDER BY id")]
    assert outcomes[0] == "interrupted" and outcomes[-1] == "complete"


def test_a_second_crawl_is_refused_while_the_first_writes(portal: SamplePortal, tmp_path: Path) -> None:
    _config(tmp_path, portal)
    first = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    _writer_of(first.pid)
    second = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 2 and "is writing to this database" in err and f"pid {first.pid}" in err
    first.communicate(timeout=120)
    assert first.returncode == 0


def test_new_database_opened_by_several_processes_at_once(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    probe = f"from storage.db import open_db; open_db({str(path)!r}); print('ok')"
    runs = [
        subprocess.Popen([sys.executable, "-c", probe], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    assert [r.communicate(timeout=60)[0].strip() for r in runs] == [b"ok"] * 4


def test_a_full_disk_is_an_error_and_never_a_missing_finding(portal: SamplePortal, tmp_path: Path) -> None:
    _config(tmp_path, portal, max_size_mb=1)  # past 1 MB every write fails, as on a full disk
    crawl = _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path)
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 2 and "write(s) failed" in err and "full" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with sqlite3.connect(tmp_path / "n.db") as conn:
        assert "complete" not in {r[0] for r in conn.execute("SELECT outcome FROM crawl_runs")}
    _config(tmp_path, portal)  # room again: the next check finds nothing missing from a pass that lost writes
    check = _nianbao("check", "--config", "nianbao.toml", "--as-of", "2026-04-15", cwd=tmp_path)
    check.communicate(timeout=60)
    with sqlite3.connect(tmp_path / "n.db") as conn:
        assert conn.execute("SELECT count(*) FROM findings WHERE kind = 'missing'").fetchone()[0] == 0


def test_read_only_commands_change_nothing(portal: SamplePortal, tmp_path: Path) -> None:
    _config(tmp_path, portal)
    assert _nianbao("crawl", "--config", "nianbao.toml", cwd=tmp_path).communicate(timeout=120) is not None
    db = tmp_path / "n.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.read_bytes()
    for args in (["status"], ["findings", "list"]):
        done = _nianbao(*args, "--config", "nianbao.toml", cwd=tmp_path)
        done.communicate(timeout=60)
        assert done.returncode == 0
    assert db.read_bytes() == before
