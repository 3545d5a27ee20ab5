"""Findings about agencies and portals — what checks conclude, storage keeps and notify sends.

A `FindingRecord` is one verdict of one evaluation (missing, late, inconsistent, changed,
unreachable, unreadable, not_assessable); its fingerprint is its identity across evaluations, so
"each finding once" is a UNIQUE key.  A `StoredFinding` is the same with its lifecycle from the
database (first seen, resolved, notified, dismissed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

from nianbao.core.messages import Said, parse
from nianbao.core.vocabulary import FindingKind, Severity

KINDS = ("missing", "late", "inconsistent", "changed", "unreachable", "unreadable", "not_assessable", "quality")
NOTIFIED_KINDS = ("missing", "late", "inconsistent", "changed", "unreachable", "unreadable", "quality")
SEVERITIES = ("error", "warning", "info")


def fingerprint(kind: str, agency: str | None, year: int | None, rule: str | None, key: str = "") -> str:
    """Stable identity of a finding: what kind, about whom, which year, which rule, which cells."""
    raw = "|".join(str(x) for x in (kind, agency or "", year or "", rule or "", key))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingRecord:
    """One verdict about an agency's report (or, with agency None, about a portal)."""

    kind: FindingKind
    agency: str | None
    year: int | None
    portal: str | None
    rule: str | None
    severity: Severity
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    report_id: int | None = None
    url: str | None = None
    key: str = ""  # what distinguishes two findings of one rule about one report (its cells)
    said: Said | None = None  # the message as data; `message` is its English rendering

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.kind, self.agency, self.year, self.rule, self.key or self._default_key())

    def _default_key(self) -> str:
        return (self.portal or "") if self.agency is None else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFinding:
    """A row of the `findings` table: the record and its lifecycle."""

    id: int
    kind: FindingKind
    agency: str | None
    year: int | None
    portal: str | None
    rule: str | None
    severity: Severity
    message: str
    evidence: dict[str, Any]
    report_id: int | None
    url: str | None
    first_seen: str
    last_seen: str | None = None
    resolved_at: str | None = None
    notified_at: str | None = None
    dismissed_at: str | None = None
    snoozed_until: str | None = None
    dismiss_reason: str | None = None
    said: Said | None = None

    def text(self, lang: str = "en") -> str:
        """The message in `lang`: rendered from its template; a message stored before messages were
        data is read back into one (else shown as stored)."""
        found = self.said or parse(self.message)
        return found.text(lang) if found is not None else self.message

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "said"}
        data["template"] = self.said.to_json() if self.said is not None else None
        return data
