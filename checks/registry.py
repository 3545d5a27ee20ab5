"""The registry of every rule nianbao applies, each with a stable id, the kind of finding it gives
and the severities it may give.  `nianbao check --list-rules` prints it; tests assert every rule id
of report-format.md is here, each has a docstring, and no finding carries a kind or severity its
rule does not declare.

Scopes say what a rule is a function of:
- "report": one parsed report -> findings (pure; run by `check_report`, also by `nianbao parse`);
- "history": this year's and last year's cells -> findings (pure);
- "monitoring": the evaluation over the database (deadlines, portals, versions; in `checks.run`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nianbao.core.report import Finding, Report

RuleFunc = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kinds: tuple[str, ...]  # the kinds of finding it gives (most give one)
    severities: tuple[str, ...]  # the first is the rule's own; the others it may give (e.g. info)
    scope: str
    func: RuleFunc

    @property
    def kind(self) -> str:
        return self.kinds[0]

    @property
    def severity(self) -> str:
        return self.severities[0]

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0]


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    severity: str,
    kind: str | tuple[str, ...] = "inconsistent",
    scope: str = "report",
    also: tuple[str, ...] = ("info",),
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule under its id; ids are unique.  `also`: the other severities it may give."""

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        kinds = (kind,) if isinstance(kind, str) else kind
        RULES[rule_id] = Rule(rule_id, kinds, (severity, *(s for s in also if s != severity)), scope, func)
        return func

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, its module imported (importing a rule module registers its rules)."""
    from checks import consistency, history, quality, run, structure, text_claims  # noqa: F401

    return RULES


def check_report(report: Report) -> list[Finding]:
    """Every single-report rule over one report, in registry order."""
    findings: list[Finding] = []
    for registered in all_rules().values():
        if registered.scope == "report":
            findings.extend(registered.func(report))
    return findings


def declared(findings: Iterable[Finding]) -> bool:
    """True when each finding's rule is registered and declares the finding's severity."""
    rules = all_rules()
    return all(f.rule in rules and f.severity in rules[f.rule].severities for f in findings)
