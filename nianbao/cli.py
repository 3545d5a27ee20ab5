"""The `nianbao` command: thin commands that load config, open the database, call one function."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import click

from nianbao.errors import NianbaoError


class UserError(click.ClickException):
    """A one-line error on stderr and exit status 2 (interfaces.md)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"nianbao: {self.format_message()}", err=True)


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


def common(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config and --db on every command; NianbaoError becomes one line and exit 2."""

    @click.option("--config", "config_path", metavar="FILE", help="TOML configuration (default ./nianbao.toml).")
    @click.option("--db", "db_path", metavar="FILE", help="SQLite database (default from config, else nianbao.db).")
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NianbaoError as exc:
            raise UserError(str(exc)) from exc

    return wrapper


def as_of_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
                        help="Fix 'today' for everything date-dependent (reproducible runs).")(func)


def _open(config_path: str | None, db_path: str | None) -> tuple[Any, Any]:
    from nianbao.config import load
    from storage.db import open_db

    config = load(config_path, db=db_path)
    return config, open_db(config.db_path)


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.version_option(package_name="nianbao")
def cli(verbose: int) -> None:
    """nianbao (年报): find, parse and check government information-disclosure annual reports."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
@click.option("--jsonl", is_flag=True, help="One JSON document per line, for many inputs.")
@common
def parse(inputs: tuple[str, ...], as_json: bool, jsonl: bool, config_path: str | None, db_path: str | None) -> None:
    """Parse reports (files or URLs) and print what they say and what is wrong in them."""
    from nianbao.parse_command import parse_many, parse_one, render_text

    if jsonl:
        parse_many(inputs, sys.stdout)
        return
    if len(inputs) > 1:
        raise UserError("several inputs need --jsonl")
    document = parse_one(inputs[0])
    click.echo(json.dumps(document, ensure_ascii=False, indent=2) if as_json else render_text(document))


@cli.command()
@as_of_option
@common
def crawl(config_path: str | None, db_path: str | None, as_of: date | None) -> None:
    """One pass over every configured portal: discover, fetch, parse, store."""
    from nianbao.clock import now_iso
    from nianbao.crawl_runner import crawl_all
    from nianbao.progress import TerminalProgress

    config, db = _open(config_path, db_path)
    if not config.portals:
        raise UserError("no portals configured (see config/nianbao.example.toml)")
    with TerminalProgress() as progress:
        results = crawl_all(config, db, now=now_iso(as_of), progress=progress)
    for r in results:
        click.echo(f"{r.portal}: {r.outcome}, {r.pages} list pages, {r.candidates} reports listed, "
                   f"{r.documents} documents stored, {r.unchanged} unchanged, {len(r.errors)} problems")


@cli.command()
@as_of_option
@common
def reparse(config_path: str | None, db_path: str | None, as_of: date | None) -> None:
    """Re-parse stored documents with the current parser (history is kept)."""
    from nianbao.clock import now_iso
    from storage.ingest import reparse as reparse_all

    _, db = _open(config_path, db_path)
    stored, failed = reparse_all(db, now=now_iso(as_of))
    click.echo(f"{stored} reports stored, {failed} documents still not parseable")


def main() -> None:  # pragma: no cover - console entry point alias
    cli()
