"""Child processes that end with their parent.

The writer, its parse workers and multiprocessing's resource tracker must not outlive the process
that started them (a `kill -9`, an out-of-memory kill): a writer left running would write the
database beside the next crawl, and nobody would ever stop it (it ignores SIGTERM, as the tracker
does).  Each child, first thing, asks Linux for a parent-death signal and then checks its parent
is still the one that started it (the signal is not sent when the parent died before it was asked
for); a watchdog thread that checks the parent's pid covers what the signal does not (it is sent
when the *thread* that started the child ends; other systems have none).

This module imports only the standard library, so a child ties itself to its parent before the
imports that take most of its start-up.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import resource
import signal
import sys
import threading
import time
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.2  # how often the watchdog checks the parent; the signal itself is immediate
ORPHANED = 70  # the exit status of a child whose parent ended before it was tied to it
GRACE_SECONDS = 1.0  # the resource tracker's wait, after its parent ended, for the others to end


class ParentGone(BaseException):
    """Raised in the resource tracker when its parent ended (a BaseException: its loop catches Exception)."""


def _death_signal(signum: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass


def die_with_parent(parent: int) -> None:
    """End this process when `parent` ends: at once by the parent-death signal, else within
    WATCH_SECONDS by the watchdog.  Exits at once if `parent` is already gone."""
    _death_signal(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(ORPHANED)
    threading.Thread(target=_watch, args=(parent,), name="nianbao-parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(ORPHANED)


def run(parent: int, target: str, *args: Any) -> None:
    """A child process's entry point: tied to `parent` first, then `target` ("module:function")
    imported and called with `args`."""
    die_with_parent(parent)
    module, function = target.split(":")
    getattr(importlib.import_module(module), function)(*args)


def worker_setup(parent: int, memory_mb: int) -> None:
    """A parse worker: dies with its parent (the writer), ignores Ctrl-C (the parent decides when
    parsing stops), and may not use more than `memory_mb` of address space."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# ---- the resource tracker ------------------------------------------------------------------------


def start_tracker() -> None:
    """Start multiprocessing's resource tracker as a child that ends with this process, unless one
    runs already (started here, or inherited from a parent).  Call before starting processes.

    multiprocessing starts the tracker itself with `spawn`, and that tracker ends only when every
    process holding its pipe has ended — never, while a child of a killed crawl lives on.  This one
    runs the same loop (so it still unlinks the semaphores of processes that died) but also ends,
    after that clean-up, when its parent does."""
    from multiprocessing import resource_tracker, spawn, util

    tracker: Any = resource_tracker._resource_tracker  # noqa: SLF001 - the only hook multiprocessing has
    with tracker._lock:
        if tracker._fd is not None:
            return
        passed = []
        try:
            passed.append(sys.stderr.fileno())  # its warnings go where ours do
        except (AttributeError, OSError, ValueError):
            pass
        r, w = os.pipe()
        try:
            passed.append(r)
            root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # nianbao importable
            code = f"import sys; sys.path.insert(0, {root!r}); import nianbao.procs as p; p.track({r}, {os.getpid()})"
            exe = spawn.get_executable()
            flags: list[str] = util._args_from_interpreter_flags()  # type: ignore[attr-defined]  # as multiprocessing
            pid = util.spawnv_passfds(os.fsencode(exe), [exe, *flags, "-c", code], passed)
        except BaseException:
            os.close(w)
            raise
        finally:
            os.close(r)
        tracker._fd, tracker._pid = w, pid


def track(fd: int, parent: int) -> None:
    """The resource tracker's process: multiprocessing's loop, which ends when every process that
    could register something has ended (the end of its pipe), and then unlinks what they left.
    When `parent` ends (the parent-death signal, or a timer checking the parent's pid), its
    children end too and the pipe with them; if the pipe is still open GRACE_SECONDS later, the
    loop is interrupted, to the same clean-up."""
    import warnings
    from multiprocessing import resource_tracker

    gone_since: list[float] = []

    def check(signum: int, frame: object) -> None:
        if os.getppid() == parent:
            return
        gone_since[:] = gone_since or [time.monotonic()]
        if time.monotonic() - gone_since[0] >= GRACE_SECONDS:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_IGN)  # the clean-up runs uninterrupted
            raise ParentGone

    # what dead processes left is unlinked, as it should be: that is no warning for a person
    warnings.filterwarnings("ignore", message="resource_tracker: There appear to be")
    try:
        signal.signal(signal.SIGALRM, check)
        _death_signal(signal.SIGALRM)
        signal.setitimer(signal.ITIMER_REAL, WATCH_SECONDS, WATCH_SECONDS)
        resource_tracker.main(fd)
    except ParentGone:
        os._exit(0)
