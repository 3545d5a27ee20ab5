"""The exception tree every nianbao package raises; the CLI turns it into one line and exit 2.

NianbaoError
├── ConfigError          bad or missing configuration
├── FetchError           a URL could not be fetched (crawler); keyword context: url
├── ParseError           a document could not be parsed; keyword context: source
│   ├── NotAReport       readable, but not an annual report
│   └── UnsupportedFormat a kind of file nianbao cannot read (or a tool it needs is missing)
├── StorageError         the database could not be opened or written
└── NotifyError          the mail server refused or could not be reached
"""

from __future__ import annotations


class NianbaoError(Exception):
    """Base class: every error nianbao raises on purpose."""


class ConfigError(NianbaoError):
    """The configuration file is missing a key, has a wrong value or cannot be read."""


class FetchError(NianbaoError):
    """A URL could not be fetched; `url` names it, `kind` says what happened (one word: "timeout",
    "refused", "robots", "off_scope" …), so that a failure is reported as what it was."""

    kind: str = "network"

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class ParseError(NianbaoError):
    """A document could not be turned into a report; `source` names it."""

    def __init__(self, message: str, *, source: str = "") -> None:
        super().__init__(message)
        self.source = source


class NotAReport(ParseError):
    """The document is readable but is no annual report (or too little of one to say)."""


class UnsupportedFormat(ParseError):
    """The document is of a kind nianbao cannot read here."""


class StorageError(NianbaoError):
    """The database could not be opened, migrated or written."""


class NotifyError(NianbaoError):
    """An email could not be sent; nothing was marked as notified."""
