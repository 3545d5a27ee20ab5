"""Open the nianbao database: WAL, foreign keys, a busy timeout, and every pending migration applied."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from nianbao.core.errors import StorageError
from storage.migrations import migrations


def open_db(path: str) -> sqlite_utils.Database:
    """Open (creating or upgrading in place) the database at `path`."""
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: cannot open the database ({exc})") from None
    return db
