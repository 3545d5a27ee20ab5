"""One record per language (nianbao/core/languages.py): the CLI's choices and the configuration's type
come from the records, each record has its catalogue, and no module outside them compares language codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import click
import pytest

from nianbao.cli import cli
from nianbao.clidoc import commands
from nianbao.core.config import Language, load
from nianbao.core.errors import ConfigError
from nianbao.core.languages import LANGUAGES, RECORDS, language
from nianbao.core.messages import LOCALE_DIR, gettext_for

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nianbao", "crawler", "parsers", "storage", "checks", "views", "notify")
# a comparison of a language code: lang == "en", lang != "zh_CN", "en" if …
COMPARED = re.compile(r"""\blang\s*[!=]=\s*["']|["'](?:en|zh_CN)["']\s*[!=]=\s*lang\b""")
NOT_YET: set[str] = set()


def test_every_lang_option_offers_exactly_the_records() -> None:
    offered = {
        name: tuple(param.type.choices)
        for name, command in commands(cli)
        for param in command.params
        if param.name == "lang" and isinstance(param.type, click.Choice)
    }
    assert len(offered) >= 15 and set(offered.values()) == {LANGUAGES}, offered


def test_the_configuration_takes_exactly_the_records(tmp_path: Path) -> None:
    assert get_args(Language) == LANGUAGES
    path = tmp_path / "nianbao.toml"
    path.write_text('[notify]\nlanguage = "fr"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="notify.language"):
        load(str(path))
    path.write_text('[notify]\nlanguage = "en"\n', encoding="utf-8")
    assert load(str(path)).notify.language == "en"


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_record_has_its_catalogue(code: str) -> None:
    record = language(code)
    assert record.code == code and (LOCALE_DIR / code / "LC_MESSAGES" / "nianbao.mo").is_file()
    translated = gettext_for(code)("open")
    assert (translated == "open") == record.source  # the source language is the msgids; the others translate


def test_an_unknown_code_names_the_languages_spoken() -> None:
    with pytest.raises(ValueError, match="nianbao speaks zh_CN, en"):
        language("fr")


def _comparisons(folder: Path) -> list[str]:
    return [
        f"{path.relative_to(folder)}:{number}"
        for package in PACKAGES
        for path in sorted((folder / package).rglob("*.py"))
        if str(path.relative_to(folder)) not in NOT_YET and "sample" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COMPARED.search(line)
    ]


def test_no_module_compares_language_codes() -> None:
    """What differs between languages is asked of their record, so a new language is one record."""
    assert _comparisons(ROOT) == []
    assert set(RECORDS) == set(LANGUAGES)


def test_the_comparison_check_fails_on_a_planted_branch(tmp_path: Path) -> None:
    planted = tmp_path / "notify"
    planted.mkdir()
    (planted / "compose.py").write_text('colon = ": " if lang == "en" else "："\n', encoding="utf-8")
    assert _comparisons(tmp_path) == ["notify/compose.py:1"]
