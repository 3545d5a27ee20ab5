"""One writer per database: `crawl`, `run`, `daemon` (per cycle), `check`, `notify` and `reparse`
hold an advisory lock on `<database>.lock` while they write.  The operating system releases it
when the holder dies, so a killed run never leaves a stale lock behind; a second writer is
refused with one line naming the first (or, with `wait`, waits for it)."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from nianbao.core.errors import StorageError


@contextmanager
def writing(db_path: str, *, command: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the database's writer lock for the block; StorageError if another writer holds it."""
    lock = Path(f"{db_path}.lock")
    handle = open(lock, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another nianbao"
                    raise StorageError(
                        f"{db_path}: {holder} is writing to this database; try again when it is done"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        handle.write(f"nianbao {command} (pid {os.getpid()}, since {started})")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock
