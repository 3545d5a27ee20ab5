"""Every table and view of a freshly migrated database is described in docs/design.md ("The database"):
a new table comes with its line there (CONTRIBUTING.md, "A table")."""

from __future__ import annotations

import re
from pathlib import Path

from storage.db import open_db

DESIGN = Path(__file__).resolve().parents[2] / "docs" / "design.md"
INTERNAL = re.compile(r"^_sqlite_migrations$|^report_search_")  # sqlite-utils' bookkeeping, FTS5's own tables


def undescribed(names: list[str], design: str) -> list[str]:
    section = design.split("\n## The database\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    described = {name for row in rows for name in re.findall(r"`(\w+)`", row.split(" | ")[0])}
    return [name for name in names if not INTERNAL.search(name) and name not in described]


def test_every_table_and_view_is_described(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    names = db.table_names() + db.view_names()
    assert "cell_crops" in names and "status_by_agency_year" in names
    assert undescribed(names, DESIGN.read_text(encoding="utf-8")) == []


def test_a_planted_table_without_its_line_is_caught() -> None:
    assert undescribed(["reports", "planted_table"], DESIGN.read_text(encoding="utf-8")) == ["planted_table"]
