"""What a test run makes once for all its xdist workers: LibreOffice's conversions and the documents
built from them.

Several modules print the same Word documents to PDF (test_pdf_readings and test_pdfium read the
same six; test_scans the same planted report in each worker that runs one of its tests), and each
conversion costs seconds of LibreOffice.  The first worker to ask makes a thing under a lock; the
others wait for it and read its file.  A conversion is keyed by what it converts — the DOCX's
parts, not its zip timestamps, which differ each time python-docx saves the same document — and by
its target.  The folder is the run's own (pytest's base temporary folder, shared by its workers):
a run from a clean clone makes everything once, never reusing a file of an earlier run."""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from parsers.office import convert


class RunCache:
    """Bytes made once per run, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def made(self, key: str, make: Callable[[], bytes]) -> bytes:
        """What `make` returns, made by the first worker to ask for `key` this run."""
        done = self.folder / key
        with open(self.folder / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker making it: wait for its file
            if not done.exists():
                part = self.folder / f"{key}.part"
                part.write_bytes(make())
                part.replace(done)
        return done.read_bytes()

    def value(self, key: str, make: Callable[[], Any]) -> Any:
        """A Python value made once per run (pickled: the workers are processes)."""
        return pickle.loads(self.made(key, lambda: pickle.dumps(make())))

    def convert(self, data: bytes, *, source: str, suffix: str, target: str) -> bytes:
        """`parsers.office.convert`, once per document and target."""
        return self.made(_key(data, suffix, target), lambda: convert(data, source=source, suffix=suffix, target=target))


def _key(data: bytes, suffix: str, target: str) -> str:
    """The same document and target give the same key: a zip (DOCX) by its parts' names and bytes."""
    digest = hashlib.sha256(f"{suffix}\0{target}\0".encode())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                digest.update(name.encode() + b"\0" + hashlib.sha256(archive.read(name)).digest())
    except zipfile.BadZipFile:
        digest.update(data)
    return "convert-" + digest.hexdigest()


def run_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder of this run that every xdist worker shares (each worker's base is a child of it)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
