"""The configured portals and agencies, mirrored into `portals` and `agencies` for SQL users."""

from __future__ import annotations

import sqlite_utils


def sync_config(
    db: sqlite_utils.Database, portals: list[tuple[str, str]], agencies: list[tuple[str, str, str | None]]
) -> None:
    """Mirror the configured portals (name, first URL) and agencies (name, level, portal)."""
    with db.atomic():
        for name, url in portals:
            _upsert(db, "portals", name, {"url": url})
        for name, level, portal in agencies:
            _upsert(db, "agencies", name, {"level": level, "portal": portal})


def _upsert(db: sqlite_utils.Database, table: str, name: str, values: dict[str, str | None]) -> None:
    row = db.execute(f"SELECT id FROM {table} WHERE name = ?", [name]).fetchone()
    if row:
        db.table(table).update(row[0], values)
    else:
        db.table(table).insert({"name": name, **values})
