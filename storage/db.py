"""Open the nianbao database: WAL, foreign keys, a busy timeout, and every pending migration applied
— in one exclusive transaction, so two processes opening a new database never race through them.

A read-only open (for `status`, `findings list`, `site`) applies nothing and works on a read-only
file, and on a read-only medium, where SQLite cannot create the WAL's `-shm` beside the database.
`max_size_mb` caps the file (SQLite's max_page_count): past it a write fails as it would on a full
disk, and nianbao treats both alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlite_utils

from nianbao.core.errors import StorageError
from storage.migrations import migrations

NO_DATABASE = "{path}: no such database (run `nianbao crawl` first)"


def open_db(
    path: str, *, readonly: bool = False, max_size_mb: int | None = None, create: bool = True
) -> sqlite_utils.Database:
    """Open (creating or upgrading in place, unless `readonly`) the database at `path`.  With
    `create` false a missing file is an error, as for a read-only open: a command that works on what
    a crawl stored (check, notify, reparse …) must not leave an empty database behind."""
    try:
        if readonly:
            return _open_readonly(path)
        if not create and not Path(path).exists():
            raise StorageError(NO_DATABASE.format(path=path))
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
        raise StorageError(NO_DATABASE.format(path=path))
    file = Path(path).resolve()
    try:
        db = _connect(file, "mode=ro")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_CANTOPEN or _shm(file).exists():
            raise
        db = _connect_unshared(file)
    if migrations.pending(db):
        raise StorageError(f"{path}: written by an older nianbao; open it once with write access to upgrade it")
    return db


def _shm(file: Path) -> Path:
    return file.with_name(file.name + "-shm")


def _connect_unshared(file: Path) -> sqlite_utils.Database:
    """The database on a read-only medium: no `-shm` exists and none can be made.  No process has it
    open (a writer keeps its `-shm` while it runs), so nothing needs locking: with writes still in
    its `-wal`, SQLite reads them with a private wal-index (no locks, exclusive mode); with none,
    the file alone is the whole database (`immutable`)."""
    wal = file.with_name(file.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return _connect(file, "mode=ro&vfs=unix-none", exclusive=True)
    return _connect(file, "mode=ro&immutable=1")


def _connect(file: Path, query: str, *, exclusive: bool = False) -> sqlite_utils.Database:
    """A read-only connection, opened now: SQLite opens the file on first use, and a file it cannot
    open must fail here."""
    conn = sqlite3.connect(f"{file.as_uri()}?{query}", uri=True, timeout=30, check_same_thread=False)
    try:
        if exclusive:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


# ---- the rows a crawl writes per request --------------------------------------------------------
# sqlite-utils' insert and upsert look the table and its columns up on every call; a crawl writes a
# few rows per request, thousands a second, so those rows go through these prepared statements.


@lru_cache(maxsize=128)
def _insert_sql(table: str, columns: tuple[str, ...], ignore: bool, conflict: str | None) -> str:
    names = ", ".join(f"[{c}]" for c in columns)
    sql = f"INSERT{' OR IGNORE' if ignore else ''} INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})"
    if conflict is not None:
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != conflict)
        sql += f" ON CONFLICT([{conflict}]) DO UPDATE SET {updates}"
    return sql


def insert_row(db: sqlite_utils.Database, table: str, row: dict[str, Any], *, ignore: bool = False) -> int:
    """Insert one row of plain values (text, numbers, bytes, None); `ignore`: keep an existing row.
    Returns the new row's rowid."""
    return int(db.execute(_insert_sql(table, tuple(row), ignore, None), list(row.values())).lastrowid or 0)


def insert_rows(db: sqlite_utils.Database, table: str, rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows of plain values that all have the same columns, in one prepared statement."""
    rows = list(rows)
    if rows:
        db.conn.executemany(_insert_sql(table, tuple(rows[0]), False, None), [tuple(r.values()) for r in rows])


def upsert_row(db: sqlite_utils.Database, table: str, row: dict[str, Any], *, pk: str) -> None:
    """Insert one row, or update the row with the same primary key `pk` (the columns given only)."""
    db.execute(_insert_sql(table, tuple(row), False, pk), list(row.values()))
