"""The import rules of the layers, in one place: data flows portal → crawler → document → parser →
report → storage → checks → findings → notify, and the imports say so.

Every module belongs to one layer; a layer may import only the layers listed for it.  The core
(errors, configuration, decoding, the clock, the report and finding vocabulary) may be used by all
and uses none; the application shell (cli, pipeline, daemon, ingest, demo, sample portal) may use
all and is used by none.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("nianbao", "crawler", "parsers", "storage", "checks", "views", "notify")
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "crawler": {"core"},
    "parsers": {"core"},
    "storage": {"core"},
    "checks": {"core", "storage"},
    "views": {"core", "storage", "checks"},  # how reports and findings are shown: the site, the digest's tables
    "notify": {"core", "storage", "checks", "views"},
    "app": {"core", "crawler", "parsers", "storage", "checks", "views", "notify"},
}


def layer_of(module: str) -> str | None:
    """The layer of a module of ours, or None for the standard library and third parties."""
    top = module.split(".")[0]
    if module == "nianbao.core" or module.startswith("nianbao.core."):
        return "core"
    if top == "nianbao":
        return "app"
    return top if top in PACKAGES else None


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """Every import in a file, function-level ones included, as absolute module names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.append((node.lineno, base))
    return found


def violations(root: Path) -> list[str]:
    """Every arrow that runs back, as "file:line: layer imports module (layer)"."""
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []:
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            here = layer_of(module)
            assert here is not None
            for line, imported in _imports(path, module):
                there = layer_of(imported)
                if there is not None and there != here and there not in ALLOWED[here]:
                    out.append(f"{path.relative_to(root)}:{line}: {here} imports {imported} ({there})")
    return out


@pytest.mark.slow
def test_every_import_runs_with_the_data() -> None:
    assert violations(ROOT) == []


def test_an_arrow_that_runs_back_is_caught(tmp_path: Path) -> None:
    (tmp_path / "storage").mkdir()
    (tmp_path / "storage" / "reports.py").write_text("from nianbao.cli import cli\n", encoding="utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "rules.py").write_text("def f():\n    from parsers import html\n", encoding="utf-8")
    (tmp_path / "nianbao" / "core").mkdir(parents=True)
    (tmp_path / "nianbao" / "core" / "clock.py").write_text("from . import config\nfrom ..pipeline import x\n")
    assert violations(tmp_path) == [
        "nianbao/core/clock.py:2: core imports nianbao.pipeline (app)",
        "storage/reports.py:1: storage imports nianbao.cli (app)",
        "checks/rules.py:2: checks imports parsers (parsers)",
    ]


@pytest.mark.slow
def test_importing_a_rule_loads_no_parser() -> None:
    import subprocess
    import sys

    code = (
        "import sys, checks.registry; checks.registry.all_rules(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('parsers', 'selectolax', 'crawler', 'httpx')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
