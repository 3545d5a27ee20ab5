"""nianbao's closed vocabularies as types: a typo in a severity, a finding's kind, how a row was
placed, a rule's scope, a pass's outcome or an entry's fate is found by mypy, not at run time.

Each `Literal` has a tuple of its values beside it (`SEVERITIES` …), so code that reads a value from
outside (a database row, JSON, a command line) can check it with `is_severity` and the like, and
tests can assert that every value has a Chinese name.
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

Severity = Literal["error", "warning", "info"]
"""How bad a finding is: `error` (the report is wrong or missing), `warning`, `info`."""

FindingKind = Literal[
    "missing", "late", "inconsistent", "unreadable", "changed", "unreachable", "not_assessable", "quality"
]
"""What a finding says: an accusation (missing, late, inconsistent, changed, quality) or what could not
be judged and why (unreadable, unreachable, not_assessable)."""

How = Literal["exact", "position", "similarity", "sentence", "header", ""]
"""How a table row's label was mapped to the uniform format (see `RowReading`); "" when it was not placed."""

Scope = Literal["report", "history", "monitoring"]
"""What a rule is a function of: one report, two years' cells, or the database (see checks.registry)."""

Outcome = Literal["complete", "partial", "blocked", "unreachable"]
"""How a portal's pass ended: every column read, some not, refused by the portal, or not reached."""

Fate = Literal["stored", "not_report", "failed"]
"""What became of one list entry in the crawl's ledger."""

SEVERITIES: tuple[Severity, ...] = get_args(Severity)
FINDING_KINDS: tuple[FindingKind, ...] = get_args(FindingKind)
HOWS: tuple[How, ...] = get_args(How)
SCOPES: tuple[Scope, ...] = get_args(Scope)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
FATES: tuple[Fate, ...] = get_args(Fate)


def is_severity(value: object) -> TypeGuard[Severity]:
    return value in SEVERITIES


def is_finding_kind(value: object) -> TypeGuard[FindingKind]:
    return value in FINDING_KINDS


def severity(value: str) -> Severity:
    """`value` as a Severity, or ValueError (a stored row or a JSON file naming an unknown one)."""
    if not is_severity(value):
        raise ValueError(f"unknown severity {value!r}")
    return value


def finding_kind(value: str) -> FindingKind:
    """`value` as a FindingKind, or ValueError."""
    if not is_finding_kind(value):
        raise ValueError(f"unknown finding kind {value!r}")
    return value
