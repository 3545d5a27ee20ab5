"""The `nianbao` command: thin commands that load config, open the database, call one function."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import wraps
from typing import TYPE_CHECKING, Any

import click

from nianbao.core.errors import NianbaoError
from nianbao.core.languages import DEFAULT_LANGUAGE, LANGUAGES, language
from nianbao.core.messages import N_, gettext_for

if TYPE_CHECKING:
    from nianbao.core.findings import StoredFinding


class UserError(click.ClickException):
    """A one-line error on stderr and exit status 2 (interfaces.md)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        for line in self.format_message().splitlines():  # a configuration error lists one problem a line
            click.echo(f"nianbao: {line}", err=True)


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
    @click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        help=f"Language of what this command shows (default: [notify] language, else {DEFAULT_LANGUAGE}; "
        "LANG is not read).",
    )
    @wraps(func)
    def wrapper(*args: Any, lang: str | None = None, **kwargs: Any) -> Any:
        click.get_current_context().meta["nianbao.lang"] = lang
        try:
            return func(*args, **kwargs)
        except NianbaoError as exc:
            raise UserError(str(exc)) from exc

    return wrapper


def as_of_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of",
        "as_of",
        callback=_as_of,
        metavar="YYYY-MM-DD",
        help="Fix 'today' for everything date-dependent (reproducible runs).",
    )(func)


def workers_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--workers",
        type=click.IntRange(1, 32),
        metavar="N",
        help="Parser worker processes (default: one per core, at most 32); each within the [parse] limits.",
    )(func)


def _lang(config: Any = None) -> str:
    """The language asked with --lang, else the configuration's [notify] language, else Chinese."""
    asked = click.get_current_context().meta.get("nianbao.lang")
    return str(asked or (config.notify.language if config is not None else DEFAULT_LANGUAGE))


def _open(
    config_path: str | None,
    db_path: str | None,
    *,
    readonly: bool = False,
    create: bool = False,
    needs: str | None = None,
) -> tuple[Any, Any]:
    """The configuration and the database.  Only a command that stores what it fetches may `create`
    the database; one named in `needs` refuses to run without a configuration file."""
    from nianbao.core.config import load

    config = _configured(config_path, db_path, needs) if needs else load(config_path, db=db_path)
    return config, _database(config, readonly=readonly, create=create)


def _database(config: Any, *, readonly: bool = False, create: bool = False) -> Any:
    from storage.db import open_db

    return open_db(config.db_path, readonly=readonly, max_size_mb=config.database.max_size_mb, create=create)


def _configured(config_path: str | None, db_path: str | None, command: str, *, crawls: bool = False) -> Any:
    """The configuration of a command that needs one (crawl, check, notify, run, daemon).  The
    built-in defaults watch nothing: run on them, `check` would resolve every finding of a database
    and `notify` queue a digest for nobody, so without a file the command refuses in one line that
    names the file it looked for.  A command that `crawls` also refuses the example's placeholders."""
    import os

    from nianbao.core.config import DEFAULT_FILE, config_file, load, placeholders
    from nianbao.hints import command as shell

    path = config_file(config_path)
    if path is None:
        raise UserError(
            f"{os.path.abspath(DEFAULT_FILE)}: no configuration file ({command} needs one: pass --config FILE, "
            f"or start from the example: {shell()} config example > {DEFAULT_FILE}, then edit it)"
        )
    config = load(path, db=db_path)
    if crawls and placeholders(config):
        raise UserError("\n".join(f"{path}: {line}" for line in placeholders(config)))
    return config


@contextmanager
def _writing(config: Any, command: str, wait: float = 0.0) -> Iterator[None]:
    """The database's writer lock for a command that writes (see nianbao.lock)."""
    from nianbao.lock import writing

    with writing(config.db_path, command=command, wait=wait):
        yield


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines for people, or one JSON object per line for log collectors.",
)
@click.version_option(package_name="nianbao")
def cli(verbose: int, log_format: str) -> None:
    """nianbao (年报): find, parse and check government information-disclosure annual reports."""
    from nianbao.logs import configure

    configure(verbose, log_format)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
@click.option("--jsonl", is_flag=True, help="One JSON document per line, for many inputs (exit 1 if any failed).")
@workers_option
@common
def parse(
    inputs: tuple[str, ...],
    as_json: bool,
    jsonl: bool,
    workers: int | None,
    config_path: str | None,
    db_path: str | None,
) -> None:
    """Parse reports (files or URLs) and print what they say and what is wrong in them.

    URLs are fetched with the [crawl] settings of --config (user agent, timeout, robots.txt).
    With --db, each parsed document and its report are also stored in that database.
    Many inputs are parsed on every core (--workers), and printed in the order given."""
    from nianbao.core.clock import now_iso
    from nianbao.core.config import load
    from nianbao.parse_command import ParseCommand, render_text
    from nianbao.workers import cores

    config = load(config_path)
    db = None
    if db_path:
        from storage.db import open_db

        db = open_db(db_path)
    if len(inputs) > 1 and not jsonl:
        raise UserError("several inputs need --jsonl")
    count = 1 if len(inputs) == 1 else min(workers or cores(), len(inputs))
    command = ParseCommand(config.crawl, db, now_iso(), replace(config.parse, workers=count))
    try:
        if jsonl:
            failed = command.many(inputs, sys.stdout)
        else:
            document = command.one(inputs[0])
    finally:
        command.close()
    if jsonl:
        if failed:
            click.echo(f"nianbao: {failed} of {len(inputs)} inputs could not be parsed (see their error)", err=True)
            sys.exit(1)
        return
    click.echo(json.dumps(document, ensure_ascii=False, indent=2) if as_json else render_text(document, _lang(config)))


@cli.command()
@click.argument("url")
@click.option(
    "--merge",
    "merge_path",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    help="Add what is new to this configuration file (existing lines stay as they are).",
)
@click.option(
    "--budget", default=80, show_default=True, help="At most this many requests for the walk (robots.txt, lists too)."
)
@click.option(
    "--browser",
    is_flag=True,
    help="Draw menus that exist only in script with headless Chromium (Debian's chromium, through Playwright).",
)
@click.option(
    "--include-republished",
    is_flag=True,
    help="Also watch the governments above or beside the portal's own whose reports its columns republish.",
)
@common
def discover(
    url: str,
    merge_path: str | None,
    budget: int,
    browser: bool,
    include_republished: bool,
    config_path: str | None,
    db_path: str | None,
) -> None:
    """From a portal's home page, find its annual-report columns and who publishes in them.

    Prints a ready TOML block (portals and agencies, the evidence of each as a comment), or with
    --merge adds the new ones to a configuration.  Fetches as a crawl does ([crawl] settings of
    --config: robots.txt, interval, user agent)."""
    from nianbao.core.config import load
    from nianbao.discover import merge, run_discovery, to_toml, validated

    config = load(config_path)
    lang = _lang(config)
    _ = gettext_for(lang)
    proposal = run_discovery(url, config.crawl, budget=budget, browser=browser, include_republished=include_republished)
    for where, why in proposal.problems:
        click.echo(f"{where}: {why.text(lang)}", err=True)
    if not proposal.portals:
        raise UserError(
            _("{url}: no annual-report column found in {requests} requests (see the lines above)").format(
                url=url, requests=proposal.requests
            )
        )
    if merge_path:
        portals, agencies = merge(proposal, merge_path, lang=lang)
        click.echo(
            _("{path}: {portals} portal(s) and {agencies} agency(ies) added").format(
                path=merge_path, portals=portals, agencies=agencies
            )
        )
    else:
        text = to_toml(proposal, lang=lang)
        validated(text)  # a file that would not load is a bug: one line, exit 2, nothing printed
        click.echo(text, nl=False)


@cli.command()
@as_of_option
@common
def crawl(config_path: str | None, db_path: str | None, as_of: date | None) -> None:
    """One pass over every configured portal: discover, fetch, parse, store."""
    from nianbao.core.clock import now_iso
    from nianbao.crawl_runner import crawl_all
    from nianbao.progress import TerminalProgress

    config = _configured(config_path, db_path, "crawl", crawls=True)
    if not config.portals:
        raise UserError("no portals configured (see config/nianbao.example.toml)")
    db = _database(config, create=True)
    with _writing(config, "crawl"), TerminalProgress() as progress:
        results = crawl_all(config, db, now=now_iso(as_of), progress=progress)
    for r in results:
        click.echo(_pass_line(r, _lang(config)))
    lost = [w for r in results for w in r.lost_writes]
    if lost:
        raise UserError(f"{len(lost)} write(s) failed ({lost[0]}); those passes are not recorded complete")


@cli.command()
@as_of_option
@workers_option
@common
def reparse(config_path: str | None, db_path: str | None, as_of: date | None, workers: int | None) -> None:
    """Re-parse stored documents with the current parser (history is kept), on every core (--workers)."""
    from nianbao.core.clock import now_iso
    from nianbao.ingest import reparse as reparse_all
    from nianbao.workers import ParsePool, cores

    config, db = _open(config_path, db_path)
    pool = ParsePool(replace(config.parse, workers=workers or cores()))
    with _writing(config, "reparse"):
        try:
            stored, failed = reparse_all(db, now=now_iso(as_of), pool=pool)
        finally:
            pool.close()
    click.echo(
        gettext_for(_lang(config))(N_("{stored} reports stored, {failed} documents still not parseable")).format(
            stored=stored, failed=failed
        )
    )


@cli.command()
@as_of_option
@click.option("--list-rules", is_flag=True, help="List the rules nianbao checks, with their ids.")
@common
def check(config_path: str | None, db_path: str | None, as_of: date | None, list_rules: bool) -> None:
    """Evaluate missing / late / inconsistent reports over the database; write findings."""
    from nianbao.core.clock import now_iso, today

    if list_rules:
        from checks.registry import all_rules
        from nianbao.core.config import load
        from nianbao.core.messages import KIND_NAMES, SEVERITY_NAMES, gettext_for, rule_label, word
        from nianbao.texttable import table

        lang = _lang(load(config_path))
        _ = gettext_for(lang)
        rows = [
            [
                rule_label(rule.id, lang),
                " / ".join(word(KIND_NAMES, k, lang) for k in rule.kinds),
                " / ".join(word(SEVERITY_NAMES, s, lang) for s in rule.severities),
                _(rule.doc),
            ]
            for rule in all_rules().values()
        ]
        click.echo(table([_("rule"), _("finding"), _("severity"), _("what it checks")], rows, last_free=True))
        return
    from checks.run import run_checks

    config, db = _open(config_path, db_path, needs="check")
    with _writing(config, "check", wait=30):
        counts = run_checks(db, config, as_of=today(as_of), now=now_iso(as_of))
    click.echo(_check_line(counts, _lang(config)))


def _check_line(counts: dict[str, int], lang: str) -> str:
    """The lifecycle counts, and how many watched pairs past their deadline got a verdict."""
    _ = gettext_for(lang)
    line = _("check: {opened} opened, {updated} updated, {reopened} reopened, {resolved} resolved").format(
        **{k: counts.get(k, 0) for k in ("opened", "updated", "reopened", "resolved")}
    )
    due, assessed = counts.get("pairs due"), counts.get("pairs assessed")
    if due is None or assessed is None:
        return line
    return line + _("; {assessed} of {due} watched (agency, year) pairs past their deadline got a verdict").format(
        assessed=assessed, due=due
    )


PASS_WORDS = N_(
    "{portal}: {outcome}, {pages} list pages, {listed} reports listed, {documents} documents fetched, "
    "{unchanged} unchanged, {problems} problems"
)


def _pass_line(result: Any, lang: str) -> str:
    """One portal's pass, in `lang`: its outcome (and what happened, when nothing could be read)."""
    from nianbao.core.messages import VOCABULARY

    _ = gettext_for(lang)
    outcome = _(VOCABULARY.get(f"outcome.{result.outcome}", result.outcome))
    if result.cause and f"state.{result.cause}" in VOCABULARY:  # nothing read: what happened, in words
        outcome = _(VOCABULARY[f"state.{result.cause}"])
    return _(PASS_WORDS).format(
        portal=result.portal,
        outcome=outcome,
        pages=result.pages,
        listed=result.candidates,
        documents=result.documents,
        unchanged=result.unchanged,
        problems=len(result.errors),
    )


@cli.command()
@as_of_option
@click.option("--dry-run", is_flag=True, help="Print the digest that would be sent; send and mark nothing.")
@common
def notify(config_path: str | None, db_path: str | None, as_of: date | None, dry_run: bool) -> None:
    """Send what is new since the last notification, as one digest email."""
    from nianbao.core.clock import now_iso, today
    from notify import outbox

    # a dry run reads only (a read-only medium will do) and needs no configuration to show the digest
    config, db = _open(config_path, db_path, readonly=dry_run, needs=None if dry_run else "notify")
    if dry_run:
        from storage.findings import pending_findings

        new, resolved = pending_findings(db, today(as_of))
        from notify.compose import summary, text_body

        nothing = gettext_for(_lang(config))(N_("nothing new to send"))
        click.echo(text_body(new, resolved, lang=_lang(config)) if new or resolved else nothing)
        for channel, (items, gone, lang) in outbox.routes_of(db, config, new, resolved):  # what each channel would get
            title, body = summary(items, gone, site_url=config.site.base_url, lang=lang)
            click.echo(f"--- {channel.name} ---\n{title}\n{body}")
        return
    with _writing(config, "notify", wait=30):
        result = outbox.notify(db, config, now=now_iso(as_of), today=today(as_of))
    click.echo(
        gettext_for(_lang(config))(N_("{queued} digest(s) queued, {sent} sent, {failed} waiting in the outbox")).format(
            queued=result.queued, sent=result.sent, failed=result.failed
        )
    )
    if result.failed:
        raise UserError(f"not sent, kept in the outbox for the next run: {result.errors[0]}")


@cli.command()
@click.option("--once", is_flag=True, required=True, help="Run one cycle (the daemon runs them on a schedule).")
@as_of_option
@common
def run(config_path: str | None, db_path: str | None, as_of: date | None, once: bool) -> None:
    """Crawl, check and notify, once."""
    from nianbao.pipeline import run_once
    from nianbao.progress import TerminalProgress

    config = _configured(config_path, db_path, "run", crawls=True)
    db = _database(config, create=True)
    with _writing(config, "run"), TerminalProgress() as progress:
        result = run_once(config, db, as_of=as_of, progress=progress)
    for r in result.crawl:
        click.echo(_pass_line(r, _lang(config)))
    click.echo(_check_line(result.findings, _lang(config)))
    if result.delivery:
        click.echo(
            f"notify: {result.delivery.queued} queued, {result.delivery.sent} sent, {result.delivery.failed} waiting"
        )


@cli.command()
@common
def daemon(config_path: str | None, db_path: str | None) -> None:
    """Run crawl, check and notify on the configured schedule until SIGTERM/SIGINT."""
    import threading

    from nianbao.daemon import run_daemon
    from nianbao.pipeline import run_once

    config = _configured(config_path, db_path, "daemon", crawls=True)
    _database(config, create=True)  # created (and migrated) once, before the first cycle

    def cycle(cancel: threading.Event) -> None:
        from storage.db import open_db

        # one cycle at a time per database: a manual crawl running now delays this cycle (up to an hour)
        with _writing(config, "daemon", wait=3600):
            run_once(config, open_db(config.db_path, max_size_mb=config.database.max_size_mb), cancel=cancel)

    run_daemon(config, cycle)


@cli.command()
@click.option("--year", type=int, help="Only this report year.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.option("--portals", "show_portals", is_flag=True, help="Only the portals' last passes (declared vs read).")
@common
def status(config_path: str | None, db_path: str | None, year: int | None, as_json: bool, show_portals: bool) -> None:
    """One line per agency and year: found, on time, late, missing, inconsistent."""
    from nianbao.status import portal_rows, render, render_portals, render_unmatched, render_withheld, status_rows
    from storage.matches import unmatched

    config, db = _open(config_path, db_path, readonly=True)
    rows, portals = status_rows(db, year=year), portal_rows(db)
    if as_json:
        plain = [{k: v for k, v in p.items() if k != "read_said"} for p in portals]
        shown_rows = [{k: v for k, v in r.items() if k != "withheld_said"} for r in rows]
        click.echo(json.dumps(plain if show_portals else shown_rows, ensure_ascii=False, indent=2))
        return
    lang = _lang(config)
    shown = render_portals(portals, lang)
    strays = render_unmatched([r for r in unmatched(db) if year is None or r["year"] == year], lang)
    table = render(rows, lang, year=year) + render_withheld(rows, lang)
    click.echo(shown.lstrip("\n") if show_portals else table + shown + strays)


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> date | datetime | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+08:00]") from None


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Everything found, as one JSON document (English keys).")
@click.option(
    "--as-of",
    "as_of",
    callback=_moment,
    metavar="WHEN",
    help="Measure ages from this moment: YYYY-MM-DD (its noon, UTC) or an ISO time (UTC unless it has a zone).",
)
@common
def health(config_path: str | None, db_path: str | None, as_json: bool, as_of: date | datetime | None) -> None:
    """For monitoring: is the daemon doing its job?  One line per problem.

    Exit 0: healthy.  1: warnings (a portal not read completely for [health] max_age_hours, an old
    check, a digest never tried, fewer verdicts than the check before).  2: failing (no check or no
    portal read completely for fail_age_hours, a pass whose process died or hangs, a digest the mail
    server refused) or unusable (no database, not one nianbao can read).  Opens the database read-only."""
    import sqlite3

    from nianbao.core.config import load
    from nianbao.core.errors import StorageError
    from nianbao.health import assess, moment_of, unusable
    from storage.db import open_db

    config = load(config_path, db=db_path)
    now = moment_of(as_of)
    try:
        db = open_db(config.db_path, readonly=True)
        found = assess(
            db, config.health, now=now, watched=tuple(p.name for p in config.portals), database=config.db_path
        )
    except (StorageError, sqlite3.DatabaseError) as exc:
        found = unusable(config.db_path, str(exc), now=now)
    if as_json:
        click.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(found.lines(_lang(config))))
    click.get_current_context().exit(found.exit_code)


@cli.group()
def findings() -> None:
    """List, dismiss, snooze or reopen findings."""


@findings.command("list")
@click.option("--all", "show_all", is_flag=True, help="Resolved and dismissed ones too.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table (English keys).")
@common
def findings_list(config_path: str | None, db_path: str | None, show_all: bool, as_json: bool) -> None:
    """Open findings (id, kind, agency, year, rule, message)."""
    from storage.findings import list_findings

    config, db = _open(config_path, db_path, readonly=True)
    rows = list_findings(db, include_closed=show_all)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in rows], ensure_ascii=False, indent=2))
        return
    from nianbao.core.messages import rule_label
    from nianbao.texttable import table
    from notify.compose import kind_label

    lang = _lang(config)
    _ = gettext_for(lang)
    head = [_("number"), _("state"), _("finding"), _("agency or portal"), _("year"), _("rule"), _("what")]
    body = [
        [
            f"#{f.id}",
            _finding_state(f, lang),
            kind_label(f.kind, lang),
            f.agency or f.portal or "",
            str(f.year or ""),
            rule_label(f.rule, lang) if f.rule else "",
            f.text(lang),
        ]
        for f in rows
    ]
    click.echo(table(head, body, last_free=True) if rows else _("no open findings"))


def _finding_state(f: StoredFinding, lang: str) -> str:
    """Open, resolved, dismissed or snoozed (until when), in `lang`."""
    _ = gettext_for(lang)
    if f.resolved_at:
        return _("resolved")
    if f.dismissed_at:
        return _("dismissed")
    if f.snoozed_until:
        until = f.snoozed_until[:10]
        return _("snoozed until {date}").format(date=language(lang).date(until))
    return _("open")


@findings.command("dismiss")
@click.argument("finding_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the finding).")
@common
def findings_dismiss(config_path: str | None, db_path: str | None, finding_id: int, reason: str) -> None:
    """Dismiss a finding for good: it is not notified again."""
    from nianbao.core.clock import now_iso
    from storage.findings import dismiss

    config, db = _open(config_path, db_path)
    dismiss(db, finding_id, reason=reason, now=now_iso())
    click.echo(gettext_for(_lang(config))(N_("finding #{id} dismissed")).format(id=finding_id))


@findings.command("snooze")
@click.argument("finding_id", type=int)
@click.option("--until", "until", callback=_as_of, required=True, metavar="YYYY-MM-DD", help="Quiet until this day.")
@click.option("--reason", required=True, help="Why (kept with the finding).")
@common
def findings_snooze(config_path: str | None, db_path: str | None, finding_id: int, until: date, reason: str) -> None:
    """Snooze a finding: not notified before the given day."""
    from nianbao.core.clock import now_iso
    from storage.findings import dismiss

    config, db = _open(config_path, db_path)
    dismiss(db, finding_id, reason=reason, now=now_iso(), until=until.isoformat())
    click.echo(gettext_for(_lang(config))(N_("finding #{id} snoozed until {date}")).format(id=finding_id, date=until))


@findings.command("reopen")
@click.argument("finding_id", type=int)
@common
def findings_reopen(config_path: str | None, db_path: str | None, finding_id: int) -> None:
    """Undo a dismissal or snooze."""
    from storage.findings import reopen

    config, db = _open(config_path, db_path)
    reopen(db, finding_id)
    click.echo(gettext_for(_lang(config))(N_("finding #{id} reopened")).format(id=finding_id))


@cli.command()
@click.option("--out", "out", metavar="DIR", help="Folder to write the site into (default: [site] out, else ./site).")
@as_of_option
@common
def site(config_path: str | None, db_path: str | None, as_of: date | None, out: str | None) -> None:
    """Write the static status site (opens from disk: no server, no network)."""
    from pathlib import Path

    from nianbao.core.clock import now_iso, today
    from views.site import build_site

    config, db = _open(config_path, db_path, readonly=True)
    folder = Path(out or config.site.out or "site")
    built = build_site(
        db, folder, as_of=today(as_of), deadlines=config.deadlines, now=now_iso(as_of), lang=_lang(config)
    )
    size = f"{built.bytes / 1e6:.1f} MB"
    click.echo(
        gettext_for(_lang(config))(
            N_(
                "site written to {path}: {pages} pages, {size} in {seconds} s "
                "({written} files written, {removed} removed)"
            )
        ).format(
            path=folder / "index.html",
            pages=built.pages,
            size=size,
            seconds=f"{built.seconds:.1f}",
            written=built.written,
            removed=built.removed,
        )
    )


@cli.command()
@click.option("--xlsx", "xlsx_path", metavar="FILE", help="Write an Excel workbook (.xlsx) with the three sheets.")
@click.option("--csv", "csv_dir", metavar="DIR", help="Write one CSV per sheet into DIR (UTF-8 with a BOM).")
@click.option("--year", type=int, help="Only this report year.")
@common
def export(
    config_path: str | None, db_path: str | None, xlsx_path: str | None, csv_dir: str | None, year: int | None
) -> None:
    """Export for Excel and WPS: status by agency and year, open findings, every number (long form)."""
    from pathlib import Path

    from nianbao.core.messages import gettext_for
    from nianbao.export import export_sheets
    from views.sheets import write_csv, write_xlsx

    if not xlsx_path and not csv_dir:
        raise UserError("give --xlsx FILE, --csv DIR, or both")
    config, db = _open(config_path, db_path, readonly=True)
    lang = _lang(config)
    _ = gettext_for(lang)
    sheets = export_sheets(db, deadlines=config.deadlines, lang=lang, year=year)
    try:
        if xlsx_path:
            rows = write_xlsx(sheets, Path(xlsx_path), date_format=language(lang).sheet_date)
            shown = language(lang).list_sep.join(f"{title} {n}" for title, n in rows.items())
            click.echo(_("{path} written: {sheets} (rows)").format(path=xlsx_path, sheets=shown))
        if csv_dir:
            paths = write_csv(sheets, Path(csv_dir))
            click.echo(_("{n} CSV files written to {folder}").format(n=len(paths), folder=csv_dir))
    except OSError as exc:
        raise UserError(f"cannot write the export: {exc}") from exc


@cli.command()
@click.option("--year", type=int, required=True, help="The report year the check was about (e.g. 2025).")
@click.option("--docx", "docx_path", metavar="FILE", required=True, help="Write the draft here (.docx).")
@common
def bulletin(config_path: str | None, db_path: str | None, year: int, docx_path: str) -> None:
    """Draft the 通报 on the year's annual check as an editable DOCX, from the stored findings only."""
    from pathlib import Path

    from nianbao.core.messages import gettext_for
    from views.bulletin import draft
    from views.bulletin_docx import write_docx

    config, db = _open(config_path, db_path, readonly=True)
    found = draft(db, year, deadlines=config.deadlines)
    if found is None:
        raise UserError(f"{config.db_path}: no check has run on this database yet (run `nianbao check` first)")
    if not found.counts["agencies"]:
        raise UserError(f"{config.db_path}: no agency has a report or a finding for {year}")
    try:
        write_docx(found, Path(docx_path))
    except OSError as exc:
        raise UserError(f"cannot write the draft: {exc}") from exc
    _ = gettext_for(_lang(config))
    named = sum(len(section.entries) for section in found.sections)
    click.echo(
        _("{path} written: {agencies} agencies checked, {named} named by problem").format(
            path=docx_path, agencies=found.counts["agencies"], named=named
        )
    )


@cli.command()
@click.option("--out", "folder", default="nianbao-demo", show_default=True, help="Folder for the database and .eml.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE, show_default=True, help="Language.")
def demo(folder: str, lang: str) -> None:
    """The whole cycle offline against the bundled sample portal: status table and digest .eml."""
    import glob
    import os

    from nianbao.demo import AS_OF, run_demo
    from nianbao.status import render, render_withheld, status_rows
    from storage.db import open_db

    if os.path.exists(os.path.join(folder, "nianbao.db")):
        raise UserError(f"{folder}/nianbao.db exists already; remove the folder or pass --out NEWFOLDER")
    config, result = run_demo(folder, lang=lang)
    _ = gettext_for(lang)
    for r in result.crawl:
        click.echo(_pass_line(r, lang))
    click.echo(_check_line(result.findings, lang))
    click.echo("\n" + _("status as of {date}:").format(date=language(lang).date(str(AS_OF))) + "\n")
    rows = status_rows(open_db(config.db_path, readonly=True), year=AS_OF.year - 1)
    click.echo(render(rows, lang) + render_withheld(rows, lang))
    emails = sorted(glob.glob(os.path.join(folder, "outbox", "*.eml")))
    click.echo(
        "\n" + _("digest written to {eml}; database {db}").format(eml=emails[-1] if emails else "-", db=config.db_path)
    )
    if result.site:
        site = os.path.abspath(result.site.out / "index.html")
        click.echo(_("status site: {path} (open it in a browser)").format(path=site))
    from nianbao.hints import command

    # each hint names the command as this shell reaches it (.venv/bin/… before activation)
    query = f"{command('sqlite-utils')} {config.db_path} 'select * from status_by_agency_year'"
    click.echo(_("query it: {command}").format(command=query))
    click.echo(_("see it again: {command}").format(command=f"{command()} status --db {config.db_path}"))


@cli.group()
def sample() -> None:
    """The sample county portal that ships with nianbao (the one the demo crawls)."""


@sample.command("serve")
@click.option(
    "--port",
    type=click.IntRange(0, 65530),
    default=0,
    show_default=True,
    help="Port of its home page; its other five sites take the next five (0: any free ports).",
)
@click.option("--lang", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE, show_default=True, help="Language.")
def sample_serve(port: int, lang: str) -> None:
    """Serve the sample portal on 127.0.0.1 until Ctrl-C, to try `nianbao discover` and a crawl on it."""
    from nianbao.sample_serve import serve

    try:
        serve(port, lang, click.echo)
    except NianbaoError as exc:
        raise UserError(str(exc)) from exc


@cli.group("config")
def config_group() -> None:
    """Check a configuration file, or print the documented example."""


@config_group.command("check")
@click.argument("path", required=False, metavar="[FILE]")
def config_check(path: str | None) -> None:
    """Validate FILE (default ./nianbao.toml): every problem on its own line, exit 2 if any.

    Also exit 2 when there is no file to check (the built-in defaults are valid but watch nothing),
    and when a portal is still the example's placeholder (`nianbao crawl` would refuse it)."""
    import os

    from nianbao.core.config import DEFAULT_FILE, config_file, load, placeholders
    from nianbao.hints import command as shell

    found = config_file(path)
    if found is None:
        raise UserError(
            f"{os.path.abspath(DEFAULT_FILE)}: no configuration file, nothing checked (the built-in defaults "
            f"are valid and watch no portal); write one with: {shell()} config example > {DEFAULT_FILE}"
        )
    try:
        config = load(found)
    except NianbaoError as exc:
        raise UserError(str(exc)) from exc
    if placeholders(config):
        raise UserError("\n".join(f"{found}: {line}" for line in placeholders(config)))
    click.echo(f"{found}: ok ({len(config.portals)} portals, {len(config.agencies)} agencies)")


@config_group.command("example")
def config_example() -> None:
    """Print the documented example configuration, written from the schema."""
    from nianbao.core.config_doc import example_toml

    click.echo(example_toml(), nl=False)


def main() -> None:  # pragma: no cover - console entry point alias
    cli()
