"""Shared fixtures: the real reports and the seed (public government documents, copied into
tests/fixtures/ so that the suite runs from the repository alone), helpers to mutate them.

With NIANBAO_NO_SKIP=1 (as `.ci/run` sets it) a skipped test fails the run: every test must run."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import settings

from nianbao.sample.server import Answer, Site
from storage.ledger import ledger_violations
from tests.run_cache import RunCache, run_folder

# Property tests: the suite runs the same examples every time (a CI run must not fail by luck);
# `--hypothesis-profile=explore` searches further with fresh random examples.
settings.register_profile("suite", max_examples=50, derandomize=True, database=None)
settings.register_profile("explore", max_examples=2000)
settings.load_profile("suite")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEED = FIXTURES / "seeds" / "yanjia-2024.txt"
REPORTS = FIXTURES / "reports"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def run_cache(tmp_path_factory: pytest.TempPathFactory) -> RunCache:
    """What the run makes once for all its workers: LibreOffice's conversions (tests/run_cache.py)."""
    return RunCache(run_folder(tmp_path_factory) / "run-cache")


@pytest.fixture(autouse=True)
def _every_ledger_adds_up(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test, each database it left in its tmp_path keeps the ledger's equation: per column
    and pass, listed = stored + not_report + failed, and no entry outside a column."""
    yield
    folder = request.node.funcargs.get("tmp_path") if hasattr(request.node, "funcargs") else None
    for path in sorted(Path(folder).rglob("*.db")) if folder else []:
        try:
            db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
            problems = ledger_violations(db) if db["crawl_columns"].exists() else []
            db.close()
        except sqlite3.DatabaseError:
            continue  # not a database of nianbao's (or one a fault test broke on purpose)
        assert not problems, f"{path}: " + "; ".join(problems)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under NIANBAO_NO_SKIP=1 a skip is a failure: a test that cannot run here proves nothing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("NIANBAO_NO_SKIP") == "1" and reporter is not None and skipped and exitstatus == 0:
        reporter.write_line(f"NIANBAO_NO_SKIP: {len(skipped)} test(s) skipped; failing the run", red=True)
        session.exitstatus = 1


def answer_at(site: Site, path: str) -> Answer:
    """The fixed answer `site` gives at `path` (a test that built it there reads it back)."""
    route = site.routes[path]
    assert isinstance(route, Answer), f"{path} is answered by a function, not a fixed answer"
    return route


def set_row(text: str, label: str, values: list[int | str]) -> str:
    """Replace the numbers of the table row whose label cell starts with `label`."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        cells = [c.strip() for c in line.split("|")]
        if "|" in line and any(c.startswith(label) for c in cells):
            first = next(i for i, c in enumerate(cells) if re.fullmatch(r"\d+(\.\d+)?", c))
            cells[first : first + len(values)] = [str(v) for v in values]
            lines[index] = " | ".join(cells)
            return "\n".join(lines)
    raise AssertionError(f"no row {label!r}")


def set_review_row(text: str, values: list[int]) -> str:
    """Replace the 15 numbers of the review/lawsuit table."""
    zeros = " | ".join(["0"] * 15) + " |"
    assert zeros in text
    return text.replace(zeros, " | ".join(map(str, values)) + " |")


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A parse's JSON with its reading evidence reduced to what every format shares: which row was
    placed where, how, and whether surely (the cells as printed and PDF positions differ by format)."""
    out = {k: v for k, v in doc.items() if k != "source"}
    out["reading"] = [(r["part"], r["key"], r["how"], r["certain"]) for r in doc.get("reading", [])]
    return out
