"""docs/cli.md, the reference of every command and option, written from the click definitions.

    python -m nianbao.clidoc           # exit 1 with a diff when docs/cli.md is out of date
    python -m nianbao.clidoc --write   # rewrite docs/cli.md from the commands as they are now

Each command gets a heading and its `--help` exactly as click prints it (100 columns), so the
reference cannot say what the command does not take.  tests/test_clidoc.py fails when the file is
out of date, and when a command or option is missing from it or has no help text.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "cli.md"
WIDTH = 100
INTRO = """# Command reference

Every command and option of `nianbao`, as `--help` prints it. This file is written by
`python -m nianbao.clidoc --write` from the click definitions in `nianbao/cli.py`;
`tests/test_clidoc.py` fails when it is out of date or when a command or option has no help text.
What the commands print is in Chinese by default (`--lang en` for English); their help is English.

{needs}
`export` and `bulletin` open the database read-only too. SMTP credentials and the group robots' tokens
come only from the environment (`NIANBAO_SMTP_USER`, `NIANBAO_SMTP_PASSWORD`, and the names a
channel's URL gives: [server.md](server.md#channels-钉钉-企业微信-飞书)).
"""
NEEDS = (  # (commands, what they need, what they do without it)
    (
        "`crawl`, `run --once`, `daemon`",
        "a configuration (`./nianbao.toml` or `--config FILE`) whose portals are not the example's placeholder",
        "one line, exit 2; they create the database when it does not exist yet",
    ),
    (
        "`check`, `notify`",
        "a configuration, and the database a crawl made",
        "one line, exit 2, nothing created (run on the built-in defaults, which watch nothing, `check` would "
        "resolve every finding and `notify` queue a digest for nobody)",
    ),
    ("`reparse`, `findings dismiss`, `snooze`, `reopen`", "the database", "one line, exit 2, nothing created"),
    (
        "`status`, `findings list`, `site`, `notify --dry-run`, `health`",
        "the database, opened read-only; the configuration is optional (its language; `health`'s watched portals)",
        'one line, exit 2 (`health`: its "unusable" line)',
    ),
    ("`parse`, `discover`, `config`, `demo`, `sample serve`", "nothing", ""),
)


def commands(group: click.Command, path: tuple[str, ...] = ("nianbao",)) -> Iterator[tuple[str, click.Command]]:
    """Every command under the group, the group first, subcommands in name order: (full name, command)."""
    yield " ".join(path), group
    if isinstance(group, click.Group):
        for name in sorted(group.commands):
            yield from commands(group.commands[name], (*path, name))


def _help(name: str, command: click.Command) -> str:
    context = None
    words = name.split()
    for depth, word in enumerate(words):
        here = command if depth == len(words) - 1 else click.Command(word)
        context = click.Context(here, info_name=word, parent=context, terminal_width=WIDTH, max_content_width=WIDTH)
    assert context is not None
    return command.get_help(context)


def reference(group: click.Command) -> str:
    """The whole reference, as docs/cli.md holds it."""
    rows = "".join(f"| {' | '.join(row)} |\n" for row in NEEDS)
    parts = [
        INTRO.format(
            needs="## What each command needs\n\n| command | needs | without it |\n| --- | --- | --- |\n" + rows
        )
    ]
    for name, command in commands(group):
        if command.hidden:
            continue
        parts.append(f"## {name}\n\n```\n{_help(name, command)}\n```\n")
    return "\n".join(parts)


def undocumented(text: str, group: click.Command) -> list[str]:
    """What the reference text leaves out: a command without its section, an option its section does
    not name, a command or option without a help text."""
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}  # "What each command needs" too
    found = []
    for name, command in commands(group):
        if command.hidden:
            continue
        if not (command.help or command.short_help):
            found.append(f"{name}: no help text")
        section = sections.get(name)
        if section is None:
            found.append(f"{name}: not in the reference")
            continue
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            if not param.help:
                found.append(f"{name} {param.opts[0]}: no help text")
            if not any(opt in section for opt in param.opts):
                found.append(f"{name} {param.opts[0]}: not in the reference")
    return found


def main(argv: list[str]) -> int:
    from nianbao.cli import cli

    now = reference(cli)
    if argv == ["--write"]:
        REFERENCE.write_text(now, encoding="utf-8")
        return 0
    if argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    shown = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    if shown == now:
        return 0
    sys.stdout.writelines(difflib.unified_diff(shown.splitlines(True), now.splitlines(True), "docs/cli.md", "now"))
    print("docs/cli.md is out of date: python -m nianbao.clidoc --write", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
