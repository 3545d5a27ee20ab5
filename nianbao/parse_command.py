"""What `nianbao parse` does with each input: read it, parse it, check it, render it."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from crawler.sink import Document
from nianbao.core.config import CrawlSettings, ParseLimits
from nianbao.core.errors import NianbaoError, ParseError
from nianbao.core.languages import DEFAULT_LANGUAGE, language
from nianbao.core.messages import N_, gettext_for
from nianbao.core.report import to_json
from nianbao.ingest import ingest
from nianbao.parsing import Job, Parsed, read_file, render_line
from nianbao.workers import ParsePool, batch_size, cores


def read_input(name: str, settings: CrawlSettings | None = None) -> tuple[bytes, str | None]:
    """Bytes of a file, or of a URL fetched once with the configured politeness (content type kept
    for its charset)."""
    if name.startswith(("http://", "https://")):
        from crawler.oneshot import fetch_once

        return fetch_once(name, settings)
    return read_file(name), None


@dataclass
class ParseCommand:
    """`nianbao parse`: the configured crawl settings for URLs; parsing in a bounded worker process
    (as in a crawl: a document built to exhaust memory or time costs that document only); and,
    with --db, a database that keeps each parsed document and its report."""

    settings: CrawlSettings | None = None
    db: sqlite_utils.Database | None = None
    now: str = ""
    limits: ParseLimits = field(default_factory=lambda: ParseLimits(workers=1))
    pool: ParsePool | None = None

    def one(self, name: str) -> dict[str, Any]:
        """The JSON document for one input; raises NianbaoError with a one-line reason."""
        data, content_type = read_input(name, self.settings)
        if self.pool is None:
            self.pool = ParsePool(self.limits)
        parsed = asyncio.run(self.pool.parse(data, url=name, content_type=content_type))
        if self.db is not None:
            url = name if "://" in name else Path(name).resolve().as_uri()
            ingest(self.db, Document(url, data, content_type), now=self.now, parsed=parsed)
        if parsed.report is None:
            raise ParseError(parsed.error or f"{name}: not readable", source=name)
        return to_json(parsed.report, parsed.findings)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def many(self, names: Sequence[str], out: IO[str]) -> int:
        """One JSON line per input, in their order, `error` for those that failed; returns how many
        failed.  The inputs are read here and streamed in batches to `limits.workers` worker
        processes, all in one event loop; without a database each line is made in the worker."""
        return asyncio.run(self._many(names, out))

    async def _many(self, names: Sequence[str], out: IO[str]) -> int:
        if self.pool is None:
            self.pool = ParsePool(self.limits)
        batch = batch_size(len(names), self.limits.workers)
        failed = 0
        if self.db is None:
            async for lines in self.pool.stream(self._read(names), batch=batch, render=True):
                out.write("".join(line.text + "\n" for _, line in lines))
                failed += sum(line.failed for _, line in lines)
            return failed
        async for parsed in self.pool.stream(self._read(names), batch=batch):
            for job, one in parsed:
                text, bad = self._store(job, one)
                out.write(text + "\n")
                failed += bad
        return failed

    async def _read(self, names: Sequence[str]) -> AsyncIterator[tuple[Job, Job]]:
        """Each input's bytes (a URL fetched in a thread, one at a time as before), or why it has none.
        Without a database and with a worker on every core, a regular file is named to the worker,
        which reads it: this process, sharing the cores with them, has nothing to do with its bytes
        (with a core to spare, it reads them there, beside the workers)."""
        named = self.db is None and self.limits.workers >= cores()
        for name in names:
            size = _file_size(name) if named else None
            try:
                if size is not None:
                    job = Job(b"", name, path=name, length=size)
                elif name.startswith(("http://", "https://")):
                    data, content_type = await asyncio.to_thread(read_input, name, self.settings)
                    job = Job(data, name, content_type)
                else:
                    data, content_type = read_input(name, self.settings)
                    job = Job(data, name, content_type)
            except NianbaoError as exc:
                job = Job(b"", name, error=str(exc))
            yield job, job

    def _store(self, job: Job, parsed: Parsed) -> tuple[str, bool]:
        """With --db: the document and its report stored (an input that could not be read is not);
        its JSON line, and whether it failed."""
        assert self.db is not None
        if job.error is None:
            url = job.url if "://" in job.url else Path(job.url).resolve().as_uri()
            ingest(self.db, Document(url, job.content, job.content_type), now=self.now, parsed=parsed)
        line = render_line(parsed, job.url)
        return line.text, line.failed


def _file_size(name: str) -> int | None:
    """The size of a regular local file; None for a URL, a pipe or a device (read once, here) and
    for what cannot be read (read here, for its one-line error)."""
    if name.startswith(("http://", "https://")):
        return None
    try:
        found = os.stat(name)
    except OSError:
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None


def parse_one(name: str) -> dict[str, Any]:
    """The JSON document for one input, with the default settings and no database."""
    command = ParseCommand()
    try:
        return command.one(name)
    finally:
        command.close()


def _said(finding: dict[str, Any], lang: str) -> str:
    """A finding of the JSON document in `lang` (its message as data when it has one)."""
    from nianbao.core.messages import Said

    data = finding.get("said")
    return Said.from_json(data).text(lang) if data else str(finding["message"])


TEXT_LABELS = {
    "title": N_("title"),
    "agency": N_("agency"),
    "year": N_("year"),
    "format": N_("format"),
    "published_at": N_("published"),
    "signed_at": N_("signed"),
    "applications": N_("applications"),
    "findings": N_("findings"),
}
APPLICATIONS = N_("new {new}, total {total}, carried forward {forward}")


def render_text(document: dict[str, Any], lang: str = DEFAULT_LANGUAGE) -> str:
    """A short human summary, in `lang`: metadata, the application totals and each finding on its
    own line (its severity and rule by name)."""
    from nianbao.core.messages import SEVERITY_NAMES, rule_label, word
    from nianbao.texttable import pad, width

    _ = gettext_for(lang)
    label = {key: _(text) for key, text in TEXT_LABELS.items()}
    colon = language(lang).colon
    wide = max(width(text + colon) for text in label.values()) + 1

    def line(key: str, value: object) -> str:
        shown = "-" if value is None else str(value)
        if key in ("published_at", "signed_at") and value:
            shown = language(lang).date(str(value))
        return pad(label[key] + colon, wide) + shown

    apps = document["applications"] or {}
    lines = [
        line("title", document["title"]),
        line("agency", document["agency"]),
        line("year", document["year"]),
        line("format", document["format"]),
        line("published_at", document["published_at"]),
        line("signed_at", document["signed_at"]),
        line(
            "applications",
            _(APPLICATIONS).format(
                new=apps.get("new", {}).get("total"),
                total=apps.get("total", {}).get("total"),
                forward=apps.get("carried_forward", {}).get("total"),
            ),
        ),
        line("findings", len(document["findings"])),
    ]
    lines += [
        f"  [{word(SEVERITY_NAMES, f['severity'], lang)}] {rule_label(f['rule'], lang)}{colon}{_said(f, lang)}"
        for f in document["findings"]
    ]
    return "\n".join(lines)
