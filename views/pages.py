"""The pages a build wrote, kept beside the site (`.nianbao-site.json`), so that the next build
rewrites only what changed: a province's site is a gigabyte, and a daily run changes a few pages.

Per page, two hashes.  The *inputs* hash is of the data the page shows (the rows it is rendered
from, the code and the language): when it is the last build's, the page is not even rendered.
The *content* hash is of the HTML itself, with the build's date taken out: a page rendered anew is
written only when it differs from what is on disk.  A page whose file is gone or has another size
than the one written is written again; pages of the last build that this one did not produce
(an agency no longer watched) are removed.  Writes go through a temporary file and a rename, so a
reader never opens half a page, and a build that dies leaves every page whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from nianbao.core.messages import LOCALE_DIR

MANIFEST = ".nianbao-site.json"
FORMAT = 1
# where a page says when it was built: replaced after the content hash is taken, so that a new
# date alone does not make a page new (data/built.js shows the last build's date on every page)
STAMP = "\ue000nianbao-stamp\ue000"


def digest(*parts: object) -> str:
    """A short stable hash of `parts` (their reprs: rows, tuples, dataclasses of plain values)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


@cache
def code_version(lang: str) -> str:
    """What the pages are made with: the code that reads and shows them (views, storage, checks and
    the core: queries, states, messages), the templates and static files, and the catalogue of
    `lang`.  Another nianbao renders every page again."""
    h = hashlib.blake2b(digest_size=16)
    root = Path(__file__).resolve().parent.parent
    files: list[Path] = []
    for folder in (root / "views", root / "storage", root / "checks", root / "nianbao" / "core", LOCALE_DIR / lang):
        files += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in _MADE_WITH)
    for path in files:
        h.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


_MADE_WITH = frozenset({".py", ".html", ".css", ".js", ".mo"})


class PageStore:
    """The pages of one build under `out`: which to render, which to write, which to remove."""

    def __init__(self, out: Path, *, code: str, stamp: str) -> None:
        self.out, self.code, self.stamp = out, code, stamp
        self.pages: dict[str, tuple[str, str, int]] = {}  # path -> (inputs, content, size) of this build
        self.rendered = self.written = 0
        self.extra: dict[str, Any] = {}  # what else a build keeps for the next (trend sums per report)
        self.before: dict[str, list[Any]] = {}
        self.before_extra: dict[str, Any] = {}
        self.first = True  # no usable record of an earlier build here
        try:
            saved = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(saved, dict) and saved.get("format") == FORMAT and isinstance(saved.get("pages"), dict):
            self.first = False
            self.before = saved["pages"]
            same_code = saved.get("code") == code
            if not same_code:  # other code: every page is rendered again (and written if it changed)
                self.before = {path: ["", *entry[1:]] for path, entry in self.before.items()}
            self.before_extra = (saved.get("extra") or {}) if same_code else {}

    def unchanged(self, path: str, inputs: str) -> bool:
        """Whether the page at `path` was built from these inputs and is on disk as written: then it
        is kept as it is (and counted as this build's)."""
        entry = self.before.get(path)
        if not inputs or not entry or entry[0] != inputs:
            return False
        try:
            size = (self.out / path).stat().st_size
        except OSError:
            return False
        if size != entry[2]:
            return False
        self.pages[path] = (inputs, entry[1], size)
        return True

    def put(self, path: str, text: str, *, inputs: str = "") -> bool:
        """Record the page rendered for `path` (with STAMP where its build date goes); write it when
        its content differs from the file's.  Returns whether it was written."""
        self.rendered += 1
        data = text.encode("utf-8")
        content = hashlib.blake2b(data, digest_size=16).hexdigest()
        entry = self.before.get(path)
        if entry and entry[1] == content:
            try:
                size = (self.out / path).stat().st_size
            except OSError:
                size = -1
            if size == entry[2]:
                self.pages[path] = (inputs, content, size)
                return False
        if STAMP in text:
            data = text.replace(STAMP, self.stamp).encode("utf-8")
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, data)
        self.pages[path] = (inputs, content, len(data))
        self.written += 1
        return True

    def put_bytes(self, path: str, data: bytes) -> bool:
        """A file shipped as it is (the style sheet, the script)."""
        self.rendered += 1
        content = hashlib.blake2b(data, digest_size=16).hexdigest()
        entry = self.before.get(path)
        target = self.out / path
        if entry and entry[1] == content and target.is_file() and target.stat().st_size == entry[2]:
            self.pages[path] = ("", content, entry[2])
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, data)
        self.pages[path] = ("", content, len(data))
        self.written += 1
        return True

    def finish(self) -> list[str]:
        """Remove the last build's pages that this one did not produce; save the record.  Returns
        the paths removed."""
        gone = [path for path in self.before if path not in self.pages]
        for path in gone:
            try:
                (self.out / path).unlink()
            except FileNotFoundError:
                pass
        record = {
            "format": FORMAT,
            "code": self.code,
            "pages": {path: list(entry) for path, entry in sorted(self.pages.items())},
            "extra": self.extra,
        }
        _write_atomically(self.out / MANIFEST, json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode())
        return gone

    @property
    def total_bytes(self) -> int:
        return sum(size for _, _, size in self.pages.values())

    def largest(self, suffixes: Iterable[str] = (".html", ".js")) -> tuple[str, int]:
        """The largest page (or data file) of this build, and its size."""
        kept = [(size, path) for path, (_, _, size) in self.pages.items() if path.endswith(tuple(suffixes))]
        size, path = max(kept, default=(0, ""))
        return path, size


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
