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
