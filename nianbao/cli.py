"""The `nianbao` command: thin commands that load config, open the database, call one function."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from nianbao.errors import NianbaoError


class UserError(click.ClickException):
    """A one-line error on stderr and exit status 2 (interfaces.md)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"nianbao: {self.format_message()}", err=True)


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.version_option(package_name="nianbao")
def cli(verbose: int) -> None:
    """nianbao (年报): find, parse and check government information-disclosure annual reports."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
@click.option("--jsonl", is_flag=True, help="One JSON document per line, for many inputs.")
def parse(inputs: tuple[str, ...], as_json: bool, jsonl: bool) -> None:
    """Parse reports (files or URLs) and print what they say and what is wrong in them."""
    from nianbao.parse_command import parse_many, parse_one, render_text

    if jsonl:
        failed = parse_many(inputs, sys.stdout)
        sys.exit(2 if failed == len(inputs) and len(inputs) == 1 else 0)
    if len(inputs) > 1:
        raise UserError("several inputs need --jsonl")
    try:
        document = parse_one(inputs[0])
    except NianbaoError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(document))


def main() -> None:  # pragma: no cover - console entry point alias
    cli()
