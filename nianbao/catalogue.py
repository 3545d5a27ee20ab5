"""The message catalogues, managed with Babel: extract, update, compile, check.

    python -m nianbao.catalogue update   # extract every msgid, merge into the .po files, compile the .mo files
    python -m nianbao.catalogue check    # exit 1 when a msgid is missing or untranslated, or a .mo is stale

Msgids come from the code (strings marked `N_(…)` or `_(…)`), the Jinja2 templates (`_(…)`), and
each rule's description (its docstring's first line, shown by `check --list-rules`).  The compiled
catalogues ship in the package (`nianbao/locale/<lang>/LC_MESSAGES/nianbao.mo`); reading them
needs only the standard library's gettext.  `en` is the msgids themselves: its catalogue is kept so
that a translator sees the same list, and its msgstrs stay empty.
"""

from __future__ import annotations

import gettext
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from nianbao.core.languages import LANGUAGES, language
from nianbao.core.messages import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("nianbao", "checks", "notify", "views", "storage", "parsers", "crawler")
METHODS = [("**/sample/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"N_": None, "_": None}


def extract() -> Catalog:
    """Every msgid nianbao uses, with where it is used."""
    template = Catalog(project="nianbao", domain=DOMAIN)
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT / folder), METHODS, keywords=KEYWORDS
        ):
            template.add(message, locations=[(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    from checks.registry import all_rules

    for rule in all_rules().values():
        if rule.doc:
            template.add(rule.doc, locations=[(f"rule:{rule.id}", 0)])
    return template


def _po(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(lang: str) -> Catalog:
    path = _po(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="nianbao")
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def _compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _translations(mo: Path) -> dict[str, str]:
    """What a compiled catalogue translates (its header aside)."""
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    return {k: v for k, v in compiled._catalog.items() if k}  # type: ignore[attr-defined]


def update() -> None:
    """Merge the extracted msgids into each language's .po and compile its .mo."""
    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, template, omit_header=True, sort_output=True, include_lineno=False)
    for lang in LANGUAGES:
        catalog = _read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        _po(lang).parent.mkdir(parents=True, exist_ok=True)
        with _po(lang).open("wb") as f:
            write_po(f, catalog, omit_header=True, sort_output=True, ignore_obsolete=True, include_lineno=False)
        (_po(lang).with_suffix(".mo")).write_bytes(_compiled(catalog))


def problems() -> list[str]:
    """What is wrong with the catalogues: msgids missing, untranslated (Chinese) or stale .mo files."""
    wanted = {m.id for m in extract() if m.id}
    out = []
    for lang in LANGUAGES:
        catalog = _read(lang)
        have = {m.id for m in catalog if m.id}
        out += [f"{lang}: missing msgid {msgid!r}" for msgid in sorted(wanted - have)]
        if not language(lang).source:  # the source language is the msgids themselves
            out += [f"{lang}: not translated: {m.id!r}" for m in catalog if m.id and (not m.string or m.fuzzy)]
        mo = _po(lang).with_suffix(".mo")
        if not mo.exists() or _translations(mo) != {m.id: m.string for m in catalog if m.id and m.string}:
            out.append(f"{lang}: {mo.name} is not compiled from its .po (run python -m nianbao.catalogue update)")
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
