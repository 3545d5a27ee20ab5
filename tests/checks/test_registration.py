"""Rule modules are found, not listed: every `@rule` written in the checks package is registered, and
the check that says so fails on a planted module whose rules nobody imported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import checks
from checks.registry import RULES, all_rules, declared_rules, load_rules, unregistered

CHECKS = Path(checks.__file__).parent


def test_every_rule_written_in_the_package_is_registered() -> None:
    registered = set(all_rules())
    written = declared_rules(CHECKS)
    assert len(written) >= 20 and "applications.balance" in written  # the reader sees the decorators
    assert unregistered(CHECKS) == [] and set(written) == registered


PLANTED = '''
from checks.registry import rule


@rule("planted.rule", severity="warning", kind="quality")
def planted(report):
    """A planted rule."""
    return []
'''


def test_a_planted_rule_module_is_caught_until_it_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "planted_rules"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "extra.py").write_text(PLANTED, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert unregistered(package) == ["extra.py: planted.rule"]  # written, never imported: caught
        assert load_rules("planted_rules") == ("planted_rules.extra",)
        assert unregistered(package) == [] and RULES["planted.rule"].kind == "quality"  # found: registered
    finally:
        RULES.pop("planted.rule", None)
        for name in ("planted_rules", "planted_rules.extra"):
            sys.modules.pop(name, None)


def test_report_rules_are_every_report_rule_in_registry_order() -> None:
    from checks.registry import report_rules

    registered = [r.func for r in all_rules().values() if r.scope == "report"]
    assert len(registered) >= 10 and report_rules() == registered


@pytest.mark.slow
def test_checking_a_report_imports_neither_the_database_nor_the_configuration() -> None:
    """A parse worker imports what parsing and the report rules need: not sqlite-utils (and numpy
    with it) nor pydantic, which the monitoring rules' modules bring, two thirds of its start."""
    import subprocess

    code = (
        "import sys\n"
        "from nianbao.parsing import parse_document\n"
        "from nianbao.sample.reports import SampleReport, balanced, report_text\n"
        "text = report_text(SampleReport(agency='某某县人民政府', year=2025, applications=balanced(3)))\n"
        "parsed = parse_document(text.encode(), url='http://a/1.txt', content_type='text/plain')\n"
        "assert parsed.report is not None, parsed\n"
        "print(sorted(m for m in ('sqlite_utils', 'numpy', 'pydantic', 'checks.run', 'checks.consistency') "
        "if m in sys.modules))\n"
    )
    root = CHECKS.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['checks.consistency']"  # the report rules ran, and nothing else came
