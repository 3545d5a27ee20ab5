"""A new user's first hour: commands run in a fresh folder as a person runs them (real processes),
and each refusal is one line that says what to do, with nothing left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "nianbao.example.toml"
PLACEHOLDER = "http://www.example.invalid/zfxxgk/zfxxgknb.htm"


def nianbao(*args: str, cwd: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """The console script, as a shell finds it: on PATH (an activated .venv) unless `path` says otherwise."""
    script = Path(sys.executable).parent / "nianbao"
    env = {**os.environ, "PATH": path if path is not None else f"{script.parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [["crawl"], ["check"], ["notify"], ["run", "--once"], ["daemon"]])
@pytest.mark.slow
def test_a_command_that_needs_a_configuration_refuses_without_one(tmp_path: Path, command: list[str]) -> None:
    done = nianbao(*command, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"nianbao: {tmp_path / 'nianbao.toml'}: no configuration file ({command[0]} needs one: pass --config FILE, "
        "or start from the example: nianbao config example > nianbao.toml, then edit it)\n"
    )
    assert list(tmp_path.iterdir()) == []  # no empty database, no lock file


@pytest.mark.parametrize(
    "command", [["reparse"], ["findings", "reopen", "1"], ["status"], ["findings", "list"], ["notify", "--dry-run"]]
)
@pytest.mark.slow
def test_a_command_on_a_missing_database_says_so_and_creates_none(tmp_path: Path, command: list[str]) -> None:
    done = nianbao(*command, "--db", "nowhere.db", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "nianbao: nowhere.db: no such database (run `nianbao crawl` first)\n"
    assert list(tmp_path.iterdir()) == []


def test_check_with_a_configuration_but_no_database_creates_none(tmp_path: Path) -> None:
    (tmp_path / "nianbao.toml").write_text('[database]\npath = "n.db"\n', encoding="utf-8")
    done = nianbao("check", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr == "nianbao: n.db: no such database (run `nianbao crawl` first)\n"
    assert [p.name for p in tmp_path.iterdir()] == ["nianbao.toml"]


@pytest.mark.slow
def test_config_check_says_what_it_checked(tmp_path: Path) -> None:
    """No file: exit 2, saying nothing was checked.  The untouched example: exit 2, its placeholder
    named.  ./nianbao.toml: checked and named."""
    nothing = nianbao("config", "check", cwd=tmp_path)
    assert nothing.returncode == 2 and nothing.stdout == ""
    assert nothing.stderr == (
        f"nianbao: {tmp_path / 'nianbao.toml'}: no configuration file, nothing checked (the built-in defaults are "
        "valid and watch no portal); write one with: nianbao config example > nianbao.toml\n"
    )
    example = nianbao("config", "example", cwd=tmp_path)
    (tmp_path / "nianbao.toml").write_text(example.stdout, encoding="utf-8")
    untouched = nianbao("config", "check", cwd=tmp_path)
    placeholder = (
        f"nianbao: nianbao.toml: portals[0].url: {PLACEHOLDER} is the example's placeholder (a .invalid host never "
        "resolves): edit it to the page where your portal lists its annual reports\n"
    )
    assert (untouched.returncode, untouched.stderr) == (2, placeholder)
    (tmp_path / "nianbao.toml").write_text(example.stdout.replace(PLACEHOLDER, "http://127.0.0.1:9/nb.htm"), "utf-8")
    edited = nianbao("config", "check", cwd=tmp_path)
    assert (edited.returncode, edited.stdout) == (0, "nianbao.toml: ok (1 portals, 1 agencies)\n")


@pytest.mark.parametrize("command", [["crawl"], ["run", "--once"], ["daemon"]])
@pytest.mark.slow
def test_the_untouched_example_crawls_nothing(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "nianbao.toml").write_bytes(EXAMPLE.read_bytes())
    done = nianbao(*command, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"nianbao: nianbao.toml: portals[0].url: {PLACEHOLDER} is the example's placeholder")
    assert [p.name for p in tmp_path.iterdir()] == ["nianbao.toml"]  # no database: nothing was started


@pytest.mark.slow
def test_hints_name_the_command_as_this_shell_reaches_it(tmp_path: Path) -> None:
    """Without the environment on PATH (the README's `.venv/bin/nianbao demo`), a hint gives the path
    that works; with it (activated), the bare name."""
    bare = nianbao("crawl", cwd=tmp_path, path="/usr/bin:/bin")
    script = Path(sys.executable).parent / "nianbao"
    assert f"start from the example: {script} config example > nianbao.toml" in bare.stderr
    checkout = script.parent.parent.parent  # the .venv's folder: a checkout, with no nianbao.toml of its own
    assert not (checkout / "nianbao.toml").exists()
    relative = nianbao("config", "check", cwd=checkout, path="/usr/bin:/bin")
    assert f"write one with: {os.path.relpath(script, checkout)} config example > nianbao.toml" in relative.stderr
    hinted = relative.stderr.split("write one with: ")[1].split(" > ")[0].split()
    shown = subprocess.run(hinted, cwd=checkout, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stdout == EXAMPLE.read_text(encoding="utf-8")  # the hint runs as printed


def _free_ports(count: int) -> int:
    """A port with the `count` - 1 after it free too (asked of the kernel, then released)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first: int = probe.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            with contextlib.ExitStack() as held:
                for port in range(first, first + count):
                    s = held.enter_context(socket.socket())
                    s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise AssertionError("no run of free ports on loopback")


@pytest.mark.slow
def test_sample_serve_then_discover_as_printed(tmp_path: Path) -> None:
    """`nianbao sample serve` prints the home page and a ready discover line; that line, run in
    another process, finds the sample's three CMS columns and its agencies; Ctrl-C stops it cleanly."""
    port = _free_ports(6)
    script = Path(sys.executable).parent / "nianbao"
    env = {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ['PATH']}"}
    server = subprocess.Popen(
        [str(script), "sample", "serve", "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert server.stdout is not None
        shown = [server.stdout.readline() for _ in range(4)]
        home = f"http://127.0.0.1:{port}/index.htm"
        assert shown == [
            f"示例县门户（某某县）已在127.0.0.1上运行，首页：{home}\n",
            "在另一个终端中找出它的年报栏目和发布机关：\n",
            f"  nianbao discover {home}\n",
            "按Ctrl-C停止。\n",
        ]
        (tmp_path / "fast.toml").write_text("[crawl]\ninterval = 0.0\n", encoding="utf-8")  # polite, but not slow
        found = nianbao(*shown[2].split()[1:], "--config", "fast.toml", cwd=tmp_path)
        assert found.returncode == 0, found.stderr
        assert f"http://127.0.0.1:{port + 4}/sjj/index.html: 该页面返回反爬虫验证页面：未读取" in found.stderr
        (tmp_path / "nianbao.toml").write_text(found.stdout, encoding="utf-8")
        from nianbao.core.config import load

        config = load(str(tmp_path / "nianbao.toml"))
        hosts = {url.split("/")[2] for portal in config.portals for url in portal.urls}
        assert hosts == {f"127.0.0.1:{port + n}" for n in range(3)}  # county (VSB), dept (TRS), hanweb: N … N+2
        assert {"某某县人民政府", "某某县教育局", "某某县交通运输局", "某某县龙山镇人民政府"} <= {
            a.name for a in config.agencies
        }
    finally:
        server.send_signal(signal.SIGINT)
        rest, _ = server.communicate(timeout=30)
    assert server.returncode == 0 and rest == "示例门户已停止。\n"
    with socket.socket() as again:  # the port is free once more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


@pytest.mark.slow
def test_sample_serve_on_a_taken_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = nianbao("sample", "serve", "--port", str(port), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"nianbao: 127.0.0.1:{port}: cannot serve the sample portal there (Address already in use)\n"
