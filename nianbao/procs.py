"""Child processes that end with their parent.

The writer, its parse workers and multiprocessing's resource tracker must not outlive the process
that started them (a `kill -9`, an out-of-memory kill): a writer left running would write the
database beside the next crawl, and nobody would ever stop it (it ignores SIGTERM, as the tracker
does).  Each child, first thing, asks Linux to kill it when its parent dies (PR_SET_PDEATHSIG),
then checks that its parent is still the process that started it (no signal comes for a parent
that died before it was asked for); a watchdog thread checking the parent's pid is the fallback
where there is no such signal.

"First thing" is in the bootstrap: processes started with CONTEXT (multiprocessing's `spawn`)
run `spawn_main` here, which ties the child before it reads what its parent sends it — a child
whose parent is killed while starting it ends silently, instead of printing multiprocessing's
traceback for the missing data into the crawl's stderr, or living on until its own imports end.

Linux sends that signal when the *thread* that started the child ends: the writer is started by
the thread that runs the crawl (the daemon's cycle thread, which lives as long as the daemon), its
workers by the writer's event loop, and both outlive their children.  The tracker, started once
and shared by later cycles, is only asked to check its parent when the signal comes.

This module imports only the standard library, so a child ties itself to its parent within
milliseconds of its start.
"""

from __future__ import annotations

import ctypes
import io
import logging
import os
import resource
import signal
import sys
import threading
import time
from multiprocessing import context, popen_spawn_posix, reduction, spawn, util
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.2  # how often the watchdog checks the parent; the signal itself is immediate
ORPHANED = 70  # the exit status of a child whose parent ended before it was tied to it
# The writer and its parse workers give way to the crawling process on a busy machine: a request's
# send time is what politeness is measured by, a parse or a store can wait a few milliseconds
# (a nice value, inherited by the workers; 0 is a normal process)
WRITER_NICENESS = 5
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


def spawn_main(parent: int, tracker_fd: int, pipe_handle: int) -> None:
    """The bootstrap of a process started with CONTEXT: tied to `parent`, then multiprocessing's own."""
    die_with_parent(parent)
    spawn.spawn_main(tracker_fd=tracker_fd, pipe_handle=pipe_handle)


def _python(code: str) -> list[str]:
    """The command line that runs `code` in this Python (its flags, nianbao importable)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    flags: list[str] = util._args_from_interpreter_flags()  # type: ignore[attr-defined]  # as multiprocessing
    return [spawn.get_executable(), *flags, "-c", f"import sys; sys.path.insert(0, {root!r}); {code}"]


class _TiedPopen(popen_spawn_posix.Popen):
    """multiprocessing's spawn (its `_launch`, the same in Python 3.11 to 3.13) with the bootstrap
    above, and the resource tracker below."""

    _fds: list[int]

    def _launch(self, process_obj: Any) -> None:
        start_tracker()
        from multiprocessing import resource_tracker

        tracker_fd = resource_tracker.getfd()
        assert tracker_fd is not None  # started just above, or inherited
        self._fds.append(tracker_fd)
        prep_data = spawn.get_preparation_data(process_obj._name)
        fp = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, fp)
            reduction.dump(process_obj, fp)
        finally:
            context.set_spawning_popen(None)
        parent_r = child_w = child_r = parent_w = None
        try:
            parent_r, child_w = os.pipe()
            child_r, parent_w = os.pipe()
            code = f"import nianbao.procs as p; p.spawn_main({os.getpid()}, {tracker_fd}, {child_r})"
            cmd = [*_python(code), "--multiprocessing-fork"]
            self._fds.extend([child_r, child_w])
            self.pid = util.spawnv_passfds(os.fsencode(cmd[0]), cmd, self._fds)
            self.sentinel = parent_r
            with open(parent_w, "wb", closefd=False) as f:
                f.write(fp.getbuffer())
        finally:
            self.finalizer = util.Finalize(self, _close, [fd for fd in (parent_r, parent_w) if fd is not None])
            for fd in (child_r, child_w):
                if fd is not None:
                    os.close(fd)


def _close(*fds: int) -> None:
    for fd in fds:
        os.close(fd)


class TiedProcess(context.SpawnProcess):
    """A spawned process tied to its parent from its first instruction."""

    @staticmethod
    def _Popen(process_obj: Any) -> _TiedPopen:  # multiprocessing's name
        return _TiedPopen(process_obj)


class TiedContext(context.SpawnContext):
    """`spawn`, with processes tied to their parent and nianbao's resource tracker."""

    Process = TiedProcess

    def get_context(self, method: str | None = None) -> Any:
        """Asked by every queue, lock or semaphore made with this context, before it registers
        with the resource tracker: the tracker is started here first, so it is ours."""
        start_tracker()
        return super().get_context(method)


CONTEXT = TiedContext()  # for the writer and the parse workers (ProcessPoolExecutor's mp_context)


def give_way(pid: int | None) -> None:
    """Lower the priority of the process `pid` (the writer, just started) by WRITER_NICENESS below
    this one's.  Best effort: a system that refuses it only makes the crawl less smooth."""
    if pid is None:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0) + WRITER_NICENESS)
    except OSError:  # pragma: no cover - the process has ended already, or the system says no
        pass


def worker_setup(
    memory_mb: int, logging_setup: tuple[int, str] = (logging.WARNING, "text"), ocr_memory_mb: int | None = None
) -> None:
    """A parse worker (tied to its parent, the writer, by CONTEXT): ignores Ctrl-C (the parent
    decides when parsing stops), may not use more than `memory_mb` of address space (`ocr_memory_mb`
    while it reads a scan: the OCR models' runtime reserves more; see `parsing.allow_ocr_memory`),
    and logs as its parent does (a spawned process starts with no handler: Python's last resort
    would print the PDF libraries' warnings)."""
    from nianbao import logs

    logs.configure_level(*logging_setup)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, max(limit, (ocr_memory_mb or 0) * 1024 * 1024)))


# ---- the resource tracker ------------------------------------------------------------------------


def start_tracker() -> None:
    """Start multiprocessing's resource tracker as a child that ends with this process, unless one
    runs already (started here, or inherited from a parent).  Call before starting processes.

    multiprocessing starts the tracker itself with `spawn`, and that tracker ends only when every
    process holding its pipe has ended — never, while a child of a killed crawl lives on.  This one
    runs the same loop (so it still unlinks the semaphores of processes that died) but also ends,
    after that clean-up, when its parent does."""
    from multiprocessing import resource_tracker

    tracker: Any = resource_tracker._resource_tracker  # private: the only hook multiprocessing has
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
            cmd = _python(f"import nianbao.procs as p; p.track({r}, {os.getpid()})")
            pid = util.spawnv_passfds(os.fsencode(cmd[0]), cmd, passed)
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
