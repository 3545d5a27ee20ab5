"""Shared fixtures: paths to the real reports in ../shared, the seed text, helpers to mutate it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "yanjia-2024.txt"
REPORTS = SHARED / "reports"


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip("../shared/seeds/yanjia-2024.txt is not present")
    return SEED.read_text(encoding="utf-8")


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
