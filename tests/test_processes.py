"""Children that end with their parent (`nianbao.procs`), tried with real processes: a parent that
died before its child was tied to it, the kernel's parent-death signal, the watchdog without it,
and the resource tracker that must not wait for every holder of its pipe.  (The crawl's own
processes under `kill -9` are in test_faults.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import GONE_SECONDS, MARK, alive, children, until

pytestmark = pytest.mark.faults


ROOT = Path(__file__).resolve().parents[1]

# the middle process: starts the child given on its command line, says its pid, waits to be killed
PARENT = """
import os, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), *sys.argv[2:]])
print(child.pid, flush=True)
sys.stdin.read()
"""

LATE = """
import os, sys, time
parent, flag = int(sys.argv[1]), sys.argv[2]
while os.getppid() == parent:  # the parent dies before this child ties itself to it
    time.sleep(0.01)
import nianbao.procs
nianbao.procs._watch = lambda parent: None  # the check alone must close the race, not the watchdog
nianbao.procs.die_with_parent(parent)
open(flag, "w").write("returned")
time.sleep(120)
"""

TIED = """
import ctypes, os, sys, time
parent, flag, how = int(sys.argv[1]), sys.argv[2], sys.argv[3]
from nianbao.procs import PR_SET_PDEATHSIG, die_with_parent
die_with_parent(parent)
if how == "watchdog":  # as where the kernel has no parent-death signal
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)
open(flag, "w").write("tied")
time.sleep(120)
"""


@pytest.fixture()
def started() -> Iterator[list[int]]:
    """Pids the test started outside a parent that ends them; killed at the end whatever happened."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def _parent(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, MARK: str(tmp_path)},
    )
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())


def _kill(parent: subprocess.Popen[str]) -> float:
    os.kill(parent.pid, signal.SIGKILL)
    parent.communicate(timeout=30)
    return time.monotonic()


def _gone(pid: int, since: float) -> bool:
    while alive(pid) and time.monotonic() - since < GONE_SECONDS:
        time.sleep(0.02)
    return not alive(pid)


def test_a_child_whose_parent_died_before_it_was_tied_exits_at_once(tmp_path: Path, started: list[int]) -> None:
    flag = tmp_path / "returned"
    parent, child = _parent(tmp_path, LATE, str(flag))
    started.append(child)
    killed = _kill(parent)
    assert _gone(child, killed)
    assert not flag.exists()  # die_with_parent never returned


@pytest.mark.parametrize("how", ["signal", "watchdog"])
def test_a_tied_child_ends_with_its_parent(tmp_path: Path, started: list[int], how: str) -> None:
    flag = tmp_path / "tied"
    parent, child = _parent(tmp_path, TIED, str(flag), how)
    started.append(child)
    until(flag.exists, "the child tied to its parent")
    if how == "signal":  # stopped: no thread of its own can end it, only the kernel
        os.kill(child, signal.SIGSTOP)
    killed = _kill(parent)
    assert _gone(child, killed), how


TRACKER = """
import multiprocessing, sys, time
from nianbao import procs
procs.start_tracker()
context = multiprocessing.get_context("spawn")
lock = context.Lock()  # a named semaphore: the tracker unlinks it if nobody else does
holder = context.Process(target=time.sleep, args=(120,))  # holds the tracker's pipe; not tied to us
holder.start()
print(lock._semlock.name, holder.pid, flush=True)
sys.stdin.read()
"""


def test_the_resource_tracker_ends_with_its_parent_and_still_cleans_up(tmp_path: Path, started: list[int]) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", TRACKER],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARK: str(tmp_path)},
    )
    assert parent.stdout is not None
    name, holder = parent.stdout.readline().split()
    started.append(int(holder))
    [tracker] = until(lambda: children(parent.pid, "tracker"), "the resource tracker")
    semaphore = Path("/dev/shm") / f"sem.{name.lstrip('/')}"
    assert semaphore.exists()
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=30)
    killed = time.monotonic()
    # multiprocessing's own tracker would wait for the holder (two minutes); this one does not
    assert _gone(tracker, killed) and alive(int(holder))
    assert not semaphore.exists()  # what the dead parent left is unlinked all the same
    os.kill(int(holder), signal.SIGKILL)
    out, err = parent.communicate(timeout=30)
    assert err == ""  # no warning about the clean-up: it is the tracker's job
