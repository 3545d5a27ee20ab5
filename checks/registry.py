"""The registry of every rule nianbao applies, each with a stable id, the kind of finding it gives
and the severities it may give.  `nianbao check --list-rules` prints it; tests assert every rule id
of report-format.md is here, each has a docstring, and no finding carries a kind or severity its
rule does not declare.

Scopes say what a rule is a function of:
- "report": one parsed report -> findings (pure; run by `check_report`, also by `nianbao parse`);
- "history": this year's and last year's cells -> findings (pure);
- "monitoring": the evaluation over the database (deadlines, portals, versions; in `checks.run`).

Rule modules are found, not listed: `all_rules` imports every module of the `checks` package, so a
new module's `@rule`s register by being there (tests/checks/test_registration.py checks that every
`@rule` written in the package is registered, and that a planted module's are).  `check_report`
imports only the modules whose source declares a report rule: a parse worker starts without the
monitoring rules' database and configuration (sqlite-utils, numpy, pydantic: two thirds of its start).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, Protocol, TypeVar, cast, overload

from nianbao.core.report import Finding, Report
from nianbao.core.vocabulary import FindingKind, Scope, Severity

Cells = Mapping[tuple[str, str, str], float]
"""A year's cells by (part, row, column), as the history rules compare them."""


class ReportRule(Protocol):
    """A rule of one parsed report: pure, the report in, its findings out."""

    def __call__(self, report: Report, /) -> Iterable[Finding]: ...


class HistoryRule(Protocol):
    """A rule over two years of one agency: this year's and last year's cells (and the reports' texts)."""

    def __call__(
        self, this: Cells, last: Cells, year: int, /, texts: tuple[str, str] = ("", "")
    ) -> Iterable[Finding]: ...


# a monitoring rule is evaluated by checks.run over the database, each with the inputs it needs
MonitoringRule = Callable[..., object]
RuleFunc = ReportRule | HistoryRule | MonitoringRule
F = TypeVar("F", bound=MonitoringRule)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kinds: tuple[FindingKind, ...]  # the kinds of finding it gives (most give one)
    severities: tuple[Severity, ...]  # the first is the rule's own; the others it may give (e.g. info)
    scope: Scope
    func: RuleFunc

    @property
    def kind(self) -> FindingKind:
        return self.kinds[0]

    @property
    def severity(self) -> Severity:
        return self.severities[0]

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0]


RULES: dict[str, Rule] = {}


@overload
def rule(
    rule_id: str,
    *,
    severity: Severity,
    kind: FindingKind | tuple[FindingKind, ...] = ...,
    scope: Literal["report"] = ...,
    also: tuple[Severity, ...] = ...,
) -> Callable[[ReportRule], ReportRule]: ...
@overload
def rule(
    rule_id: str,
    *,
    severity: Severity,
    kind: FindingKind | tuple[FindingKind, ...] = ...,
    scope: Literal["history"],
    also: tuple[Severity, ...] = ...,
) -> Callable[[HistoryRule], HistoryRule]: ...
@overload
def rule(
    rule_id: str,
    *,
    severity: Severity,
    kind: FindingKind | tuple[FindingKind, ...] = ...,
    scope: Literal["monitoring"],
    also: tuple[Severity, ...] = ...,
) -> Callable[[F], F]: ...
def rule(
    rule_id: str,
    *,
    severity: Severity,
    kind: FindingKind | tuple[FindingKind, ...] = "inconsistent",
    scope: Scope = "report",
    also: tuple[Severity, ...] = ("info",),
) -> Callable[[F], F]:
    """Register a rule under its id; ids are unique.  `also`: the other severities it may give.  The
    scope fixes the function's type (ReportRule, HistoryRule), so mypy checks each rule's signature."""

    def register(func: F) -> F:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        kinds = (kind,) if isinstance(kind, str) else kind
        RULES[rule_id] = Rule(rule_id, kinds, (severity, *(s for s in also if s != severity)), scope, func)
        return func

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, its module imported (importing a rule module registers its rules), in the order
    of the package's modules (the same whichever were imported first: `report_rules` imports some)."""
    ordered = [r.id for r in _in_module_order(RULES.values(), load_rules("checks"))]
    if list(RULES) != ordered:
        for rule_id in ordered:  # re-inserted in that order (the dict is the registry others hold)
            RULES[rule_id] = RULES.pop(rule_id)
    return RULES


def _in_module_order(rules: Iterable[Rule], modules: Sequence[str]) -> list[Rule]:
    """`rules` in the order of the modules that declare them (the package's order), each module's
    in the order they registered."""
    place = {name: index for index, name in enumerate(modules)}
    return sorted(rules, key=lambda r: place.get(r.func.__module__, len(modules)))


@cache
def load_rules(package: str) -> tuple[str, ...]:
    """Import every module of the package (once): the names imported, in the package's order."""
    found = importlib.import_module(package)
    names = tuple(f"{package}.{m.name}" for m in pkgutil.iter_modules(found.__path__))
    for name in names:
        importlib.import_module(name)
    return names


@cache
def report_rule_modules(package: str) -> tuple[str, ...]:
    """The modules of the package whose source declares a report rule (a `@rule` whose scope is
    "report", written or by default, or not a plain string), read without importing them."""
    found = importlib.import_module(package)
    folder = Path(found.__path__[0])
    modules = []
    for info in pkgutil.iter_modules(found.__path__):
        path = folder / f"{info.name}.py"
        if not path.exists():  # a package, or a compiled module: imported, as its rules cannot be read
            modules.append(f"{package}.{info.name}")
            continue
        for call in _rule_calls(ast.parse(path.read_text(encoding="utf-8"))):
            scope = next((k.value for k in call.keywords if k.arg == "scope"), None)
            if not (isinstance(scope, ast.Constant) and scope.value in ("history", "monitoring")):
                modules.append(f"{package}.{info.name}")
                break
    return tuple(modules)


def declared_rules(folder: Path) -> dict[str, str]:
    """The rule ids the modules in a folder declare with `@rule(ID, …)`, read from their source (ID a
    string, or a module-level name bound to one): id -> module file name.  An ID it cannot read is
    given as "file:line", which no rule has."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for call in _rule_calls(tree):
            first = call.args[0] if call.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found[first.value] = path.name
            elif isinstance(first, ast.Name) and first.id in names:
                found[names[first.id]] = path.name
            else:
                found[f"{path.name}:{call.lineno}"] = path.name
    return found


def _rule_calls(tree: ast.Module) -> Iterable[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and (
                    (isinstance(decorator.func, ast.Name) and decorator.func.id == "rule")
                    or (isinstance(decorator.func, ast.Attribute) and decorator.func.attr == "rule")
                ):
                    yield decorator


def unregistered(folder: Path) -> list[str]:
    """Each `@rule` written in the folder's modules that the registry does not hold: "module: id"."""
    return [f"{module}: {rule_id}" for rule_id, module in declared_rules(folder).items() if rule_id not in RULES]


def check_report(report: Report) -> list[Finding]:
    """Every single-report rule over one report, in registry order."""
    findings: list[Finding] = []
    for func in report_rules():
        findings.extend(func(report))
    return findings


def report_rules() -> list[ReportRule]:
    """The functions of the single-report rules, in registry order: only their modules imported."""
    modules = report_rule_modules("checks")
    for name in modules:
        importlib.import_module(name)
    ours = [r for r in RULES.values() if r.scope == "report"]
    return [cast(ReportRule, r.func) for r in _in_module_order(ours, modules)]


def history_rules() -> list[HistoryRule]:
    """The functions of the two-year rules, in registry order."""
    return [cast(HistoryRule, r.func) for r in all_rules().values() if r.scope == "history"]


def declared(findings: Iterable[Finding]) -> bool:
    """True when each finding's rule is registered and declares the finding's severity."""
    rules = all_rules()
    return all(f.rule in rules and f.severity in rules[f.rule].severities for f in findings)
