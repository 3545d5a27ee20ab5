"""The registry of single-report rules: each is a pure function Report -> findings, with a stable id.

`nianbao check --list-rules` prints this registry; tests assert every rule id of report-format.md
is here and every rule has a docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nianbao.core.report import Finding, Report

RuleFunc = Callable[[Report], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str  # "inconsistent" for every single-report rule
    severity: str
    func: RuleFunc

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, *, severity: str, kind: str = "inconsistent") -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule under its id; ids are unique."""

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, kind, severity, func)
        return func

    return register


def check_report(report: Report) -> list[Finding]:
    """Every registered single-report rule over one report, in registry order."""
    from checks import consistency, structure, text_claims  # noqa: F401  (importing registers the rules)

    findings: list[Finding] = []
    for registered in RULES.values():
        findings.extend(registered.func(report))
    return findings
