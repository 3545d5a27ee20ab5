"""What the crawling process hands to the writer, and what the writer answers: one dataclass per
message, so a field misspelt on either side of the pipe is found by mypy, not lost in a dict.

The crawling process sends writes in order through one pipe (`nianbao.writer`); the writer answers
`Finished` once per portal's pass and `Done` when it has stored everything.  Every message pickles
(plain fields, `Document` included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.sink import Document
from nianbao.core.vocabulary import Outcome


@dataclass(frozen=True, slots=True)
class SavePage:
    """A list page's bytes, kept so that a 304 can be walked from them and users can see what was read."""

    url: str
    content: bytes
    portal: str
    now: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class SaveDocument:
    """A report's page or attachment: parsed in a worker, then stored with its report."""

    document: Document
    now: str


@dataclass(frozen=True, slots=True)
class SaveFailure:
    """A listed report that could not be fetched: kept with the failure, so its entry is accounted for."""

    url: str
    portal: str
    title: str
    date: str | None
    error: str
    now: str


@dataclass(frozen=True, slots=True)
class RecordFetch:
    """One request's row of the `fetches` table (its status, outcome, size and time)."""

    portal: str
    row: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FinishPass:
    """A portal's pass is over: close its `crawl_runs` row once its documents are stored."""

    run_id: int
    portal: str
    now: str
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Stop:
    """Nothing more will come: store what came, answer `Done`, exit."""


Write = SavePage | SaveDocument | SaveFailure | RecordFetch | FinishPass
Message = Write | Stop


@dataclass(frozen=True, slots=True)
class Finished:
    """The writer closed a portal's pass: its final outcome and the writes it lost."""

    portal: str
    outcome: Outcome
    lost: list[str]


@dataclass(frozen=True, slots=True)
class Done:
    """The writer stored everything and closed the database: per portal, the writes that failed."""

    failures: dict[str, list[str]]
    replaced: int


Reply = Finished | Done


def portal_of(write: Write) -> str | None:
    """The portal a write belongs to (a document's own portal)."""
    return write.document.portal if isinstance(write, SaveDocument) else write.portal


def what(write: Write) -> str:
    """What a write stores, for a failure's message: its URL, or the pass it closes."""
    if isinstance(write, SaveDocument):
        return write.document.url
    if isinstance(write, RecordFetch):
        return str(write.row.get("url", "a fetch"))
    if isinstance(write, FinishPass):
        return f"the pass of {write.portal}"
    return write.url
