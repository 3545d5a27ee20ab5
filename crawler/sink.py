"""What the crawler hands over, and the interface of whoever takes it (the pipeline's storage sink)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the writer process unpickles Documents: it need not import the HTTP stack
    from crawler.fetch import FetchRecord


@dataclass(frozen=True, slots=True)
class Known:
    """What was stored for a URL last time: its validators, for a conditional request."""

    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """A fetched article page or attachment that may be (or hold) an annual report."""

    url: str
    content: bytes
    content_type: str | None = None
    portal: str | None = None
    list_title: str | None = None
    list_date: str | None = None
    referer: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attachment_of: str | None = None
    filename: str | None = None  # an attachment's name from its Content-Disposition header


class Sink(Protocol):
    def known(self, url: str) -> Known | None: ...
    def stored(self, url: str) -> bytes | None: ...
    def skip(self, url: str) -> bool: ...
    def save_page(
        self,
        url: str,
        content: bytes,
        *,
        portal: str,
        content_type: str | None,
        etag: str | None,
        last_modified: str | None,
    ) -> None: ...
    def save_document(self, document: Document) -> None: ...
    def save_failure(self, url: str, *, portal: str, title: str, date: str | None, error: str) -> None:
        """A report the list names but nianbao could not fetch: found, never missing."""

    def record_fetch(self, portal: str, record: FetchRecord) -> None: ...
    async def ready(self) -> None:
        """Returns when the sink can take more documents (backpressure: memory stays flat)."""
