"""The one shape every extractor produces: the report as lines, tables as ` | `-separated rows.

The seed report (`yanjia-2024.txt`) is written this way; HTML, and later PDF and DOCX, are turned
into the same shape, so one label-driven parser reads them all and identical reports give
identical JSON whatever they were published as.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceText:
    """A document reduced to lines, plus what its container said about it."""

    lines: tuple[str, ...]
    kind: str  # "text" | "html" | "pdf" | "docx" | "doc"
    title: str | None = None  # from page metadata (ArticleTitle, <h1>, <title>)
    published_at: str | None = None  # ISO date from page metadata or the info line
    encoding: str | None = None


def from_text(text: str, *, kind: str = "text", encoding: str | None = None) -> SourceText:
    """Plain text as in the seed: one line per paragraph or table row."""
    lines = tuple(line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return SourceText(lines=tuple(line for line in lines if line), kind=kind, encoding=encoding)
