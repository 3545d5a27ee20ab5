"""The outputs README.md shows, run again, so that what it shows is what nianbao prints.

    python -m nianbao.readme_outputs           # exit 1 with a diff when a shown output is out of date
    python -m nianbao.readme_outputs --write   # rewrite the shown outputs from what the commands print now

A fenced block right after an `<!-- output -->` line is a shell session: each `$ command` line
(its continuation lines indented by four spaces) is followed by what the command printed, stdout
and stderr together as a terminal shows them.  The sessions run in document order, in one fresh
folder (with a copy of the checkout's `config/`), in a shell where `.venv` is activated; a command
written as `.venv/bin/…` runs as it would before activation, with the environment off PATH.

- `<!-- file: NAME -->` before a fenced block writes the block into the folder as NAME first.
- `<!-- output: background -->`: the session's one command is a server.  What is shown is what it
  printed until it fell silent; it keeps running for the sessions after it and gets Ctrl-C at the
  end.  A `--port N` in it is given a free run of ports on the machine, shown as N, N+1, ….
- `<!-- output: apart -->` (or `background apart`): a story that needs nothing of the others and
  leaves nothing they need (the sample portal's: a minute of polite requests).  The sessions so
  marked run in document order in a fresh folder of their own, the others in theirs; `--write` and
  the check run the two at the same time, and the tests each on its own.

Outputs are compared with ports, the folder and the environment's path normalised: the folder is
shown as /home/you/nianbao, the environment as .venv/bin, a port no `--port` fixed as it happened.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent  # the environment nianbao runs in: its console scripts
SHOWN_FOLDER = "/home/you/nianbao"
MARKER = re.compile(r"^<!-- (output|file)(?::\s*(.*?))? -->\n(```[^\n]*\n)(.*?)^```$", re.M | re.S)
ANY_PORT = re.compile(r"127\.0\.0\.1:\d+")


@dataclass
class Block:
    """One marked fenced block: where its body lies in the README, and what it says."""

    kind: str  # output | file
    option: str  # background and/or apart, or the file's name
    start: int
    end: int
    body: str

    @property
    def apart(self) -> bool:
        return self.kind == "output" and "apart" in self.option.split()


@dataclass
class Command:
    line: str  # as written, continuation lines included
    shown: str  # the output the README shows


@dataclass
class Run:
    """The folder the sessions share, the servers left running, the ports shown for real ones."""

    folder: Path
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: dict[int, int] = field(default_factory=dict)  # real port -> the port the README shows


def blocks(text: str) -> list[Block]:
    return [
        Block(m.group(1), (m.group(2) or "").strip(), m.start(4), m.end(4), m.group(4)) for m in MARKER.finditer(text)
    ]


def commands(session: str) -> tuple[list[Command], bool]:
    """The session's commands with the output shown after each, and whether a blank line parts them."""
    found: list[Command] = []
    spaced = False
    for chunk in re.split(r"^(?=\$ )", session, flags=re.M):
        if not chunk.startswith("$ "):
            continue
        lines = chunk.split("\n")
        taken = 1
        while taken < len(lines) and lines[taken].startswith("    "):
            taken += 1
        shown = "\n".join(lines[taken:])
        spaced = spaced or shown.endswith("\n\n")
        found.append(Command("\n".join(lines[:taken])[2:], shown.rstrip("\n")))
    return found, spaced


def normalised(text: str) -> str:
    return ANY_PORT.sub("127.0.0.1:PORT", text)


def _env(activated: bool) -> dict[str, str]:
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != BIN]
    return {**os.environ, "PATH": os.pathsep.join([str(BIN), *path] if activated else path)}


def _free_run(count: int) -> int:
    """A port whose `count` - 1 successors are free too."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + count > 65535:
            continue
        try:
            with ExitStack() as held:
                for port in range(first, first + count):
                    held.enter_context(socket.socket()).bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise OSError("no free run of ports on 127.0.0.1")


def _prepared(command: str, run: Run) -> tuple[str, dict[str, str]]:
    """The command as the shell runs it here: `.venv/bin/` made this environment's, `--port N`
    given a free run of six ports (the sample's sites), remembered to be shown as N, N+1, …."""
    activated = not command.startswith(".venv/bin/")
    command = re.sub(r"(?<![\w/.])\.venv/bin/", f"{BIN}/", command)
    fixed = re.search(r"--port (\d+)", command)
    if fixed:
        shown, real = int(fixed.group(1)), _free_run(6)
        run.ports.update({real + k: shown + k for k in range(6)})
        command = command.replace(fixed.group(0), f"--port {real}")
    real_of = {shown: real for real, shown in run.ports.items()}  # a URL on a port the README shows
    return _ports(command, real_of), _env(activated)


def _ports(text: str, mapping: dict[int, int]) -> str:
    """Every 127.0.0.1:PORT in `text` with its port mapped (ports the mapping lacks kept)."""

    def mapped(match: re.Match[str]) -> str:
        port = int(match.group(0).rsplit(":", 1)[1])
        return f"127.0.0.1:{mapping.get(port, port)}"

    return ANY_PORT.sub(mapped, text)


def _as_shown(output: str, run: Run) -> str:
    output = output.replace(str(BIN), ".venv/bin").replace(str(run.folder), SHOWN_FOLDER)
    return _ports(output, run.ports)


def _run(command: str, run: Run) -> str:
    line, env = _prepared(command, run)
    done = subprocess.run(
        ["bash", "-c", line], cwd=run.folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600
    )
    return _as_shown(done.stdout.decode("utf-8", "replace"), run)


def _start(command: str, run: Run) -> str:
    """A server: started, read until it has printed something and then nothing for a second."""
    line, env = _prepared(command, run)
    server = subprocess.Popen(
        ["bash", "-c", f"exec {line}"], cwd=run.folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    run.servers.append(server)
    assert server.stdout is not None
    os.set_blocking(server.stdout.fileno(), False)
    printed, quiet_since, deadline = b"", time.monotonic(), time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        chunk = server.stdout.read() or b""
        if chunk:
            printed, quiet_since = printed + chunk, time.monotonic()
        elif printed and time.monotonic() - quiet_since > 1.0:
            break
        time.sleep(0.05)
    return _as_shown(printed.decode("utf-8", "replace"), run)


def _session(block: Block, run: Run) -> str:
    """The block's session as the commands print it now."""
    found, spaced = commands(block.body)
    parts = []
    for command in found:
        background = "background" in block.option.split()
        output = _start(command.line, run) if background else _run(command.line, run)
        parts.append(f"$ {command.line}\n{output}".rstrip("\n"))
    return ("\n\n" if spaced else "\n").join(parts) + "\n"


@contextmanager
def _folder() -> Iterator[Run]:
    with tempfile.TemporaryDirectory(prefix="nianbao-readme-") as name:
        run = Run(Path(name).resolve())
        shutil.copytree(ROOT / "config", run.folder / "config")
        try:
            yield run
        finally:
            for server in run.servers:
                server.send_signal(signal.SIGINT)
                server.communicate(timeout=30)


def regenerated(text: str, apart: bool | None = None) -> list[tuple[Block, str]]:
    """Each marked session of `text` with what its commands print now: the sessions marked apart
    (`apart=True`), the others (False), or both, each in its folder, at the same time (None)."""
    if apart is None:
        with ThreadPoolExecutor(2) as both:
            stories = list(both.map(lambda which: regenerated(text, which), (False, True)))
        return sorted(stories[0] + stories[1], key=lambda pair: pair[0].start)
    out = []
    with _folder() as run:
        for block in blocks(text):
            if block.apart != apart:
                continue
            if block.kind == "file":
                (run.folder / block.option).parent.mkdir(parents=True, exist_ok=True)
                (run.folder / block.option).write_text(block.body, encoding="utf-8")
            else:
                out.append((block, _session(block, run)))
    return out


def differences(text: str, apart: bool | None = None) -> list[str]:
    """A unified diff per session whose shown output is not what its commands print now (of the
    sessions `regenerated` runs with `apart`)."""
    found = []
    for block, now in regenerated(text, apart):
        if normalised(block.body) != normalised(now):
            diff = difflib.unified_diff(block.body.splitlines(), now.splitlines(), "README.md", "now", lineterm="")
            found.append("\n".join(diff))
    return found


def rewritten(text: str) -> str:
    """`text` with every session that changed (ports aside) replaced by what its commands print now."""
    for block, now in sorted(regenerated(text), key=lambda pair: -pair[0].start):
        if normalised(block.body) != normalised(now):
            text = text[: block.start] + now + text[block.end :]
    return text


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    if argv == ["--write"]:
        README.write_text(rewritten(text), encoding="utf-8")
        return 0
    if argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    found = differences(text)
    for diff in found:
        print(diff)
    if found:
        print(f"{len(found)} output(s) out of date: python -m nianbao.readme_outputs --write", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
