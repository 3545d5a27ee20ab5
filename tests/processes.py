"""What /proc says about the processes a test started: who is whose child, what each one is, and
which are left after a kill.

Every process a test starts carries MARK=<a value of the test's own> in its environment, and so
does every process started under it (the writer, its parse workers, the resource tracker,
LibreOffice), whatever its parent is after a kill.  Waits are on conditions, with generous
timeouts: a busy machine makes a test slower, never wrong."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

MARK = "NIANBAO_TEST_MARK"
GONE_SECONDS = 5.0  # how long a process of nianbao may outlive its parent
T = TypeVar("T")


def until(condition: Callable[[], T], what: str, timeout: float = 60.0, every: float = 0.005) -> T:
    """The first true value of `condition`, polled every `every` s; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(every)
    return value


def alive(pid: int) -> bool:
    """Running (a zombie has ended: only its exit status waits for its new parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def role(pid: int) -> str:
    """What a process of nianbao is: the resource tracker, a spawned child (writer, parse worker) …"""
    command = cmdline(pid)
    if "p.track(" in command or "resource_tracker" in command:
        return "tracker"
    if "spawn_main" in command:
        return "spawned"
    return command[:80]


def children(pid: int, of_role: str | None = None) -> list[int]:
    """The live children of `pid`, whichever of its threads started them."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    except OSError:
        return []
    return [c for c in found if alive(c) and (of_role is None or role(c) == of_role)]


def marked(mark: str) -> list[int]:
    """The live processes whose environment carries MARK=mark."""
    needle = f"\0{MARK}={mark}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = b"\0" + (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def assert_all_gone(mark: str, since: float, within: float = GONE_SECONDS) -> None:
    """No process carrying `mark` is left `within` s after `since` (a time.monotonic())."""
    while (left := marked(mark)) and time.monotonic() - since < within:
        time.sleep(0.05)
    assert not left, [f"{pid}: {role(pid)}" for pid in left]


def writing_a_pipe(pid: int) -> bool:
    """A thread of `pid` waits in write(2) on a full pipe other than its stdout or stderr."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if "pipe_write" not in (task / "wchan").read_text():
                continue
            fd = int((task / "syscall").read_text().split()[1], 16)
            if fd > 2 and Path(f"/proc/{pid}/fd/{fd}").readlink().name.startswith("pipe:"):
                return True
        except (OSError, IndexError, ValueError):
            continue
    return False
