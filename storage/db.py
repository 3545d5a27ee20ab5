"""Open the nianbao database: WAL, foreign keys, a busy timeout, and every pending migration applied
— in one exclusive transaction, so two processes opening a new database never race through them.

A read-only open (for `status`, `findings list`) applies nothing and works on a read-only file.
`max_size_mb` caps the file (SQLite's max_page_count): past it a write fails as it would on a full
disk, and nianbao treats both alike.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from nianbao.core.errors import StorageError
from storage.migrations import migrations


def open_db(path: str, *, readonly: bool = False, max_size_mb: int | None = None) -> sqlite_utils.Database:
    """Open (creating or upgrading in place, unless `readonly`) the database at `path`."""
    try:
        if readonly:
            return _open_readonly(path)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        if max_size_mb:
            page = db.execute("PRAGMA page_size").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {max_size_mb * 1024 * 1024 // page}")
        _migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: cannot open the database ({exc})") from None
    return db


def _migrate(db: sqlite_utils.Database) -> None:
    """Apply pending migrations, holding the database exclusively while doing so (the second of two
    processes waits, then finds nothing left to do)."""
    if not migrations.pending(db):  # read-only: the common case takes no lock
        return
    db.execute("BEGIN EXCLUSIVE")
    try:
        migrations.apply(db)  # each migration's own transaction nests as a savepoint
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _open_readonly(path: str) -> sqlite_utils.Database:
    if not Path(path).exists():
        raise StorageError(f"{path}: no such database (run `nianbao crawl` first)")
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout = 30000")
    if migrations.pending(db):
        raise StorageError(f"{path}: written by an older nianbao; open it once with write access to upgrade it")
    return db
