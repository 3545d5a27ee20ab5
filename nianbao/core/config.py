"""Configuration: the schema is declared once, here, and everything else derives from it.

Each section is a frozen dataclass whose fields carry their type, default, bounds and a one-line
description.  pydantic validates a TOML document against them (unknown keys are errors, numbers
are never read from strings); `nianbao.core.config_doc` writes the documented example file from
the same declarations, and a test checks that `config/nianbao.example.toml` is exactly that.

Precedence: built-in defaults < the TOML file < command-line flags.
Every error names its key, its section and, for a misspelt key, the nearest valid one.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_type_hints
from urllib.parse import urlsplit

from pydantic import BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from nianbao.core.agencies import normalise
from nianbao.core.errors import ConfigError
from nianbao.core.languages import DEFAULT_LANGUAGE, LANGUAGES, LanguageCode

LEVELS = ("government", "department", "township")
Level = Literal["government", "department", "township"]
Language = LanguageCode  # derived from the language records
_CODES = " or ".join(f'"{code}"' for code in LANGUAGES)
_SCHEMA = ConfigDict(extra="forbid", populate_by_name=True)


def _listed(value: Any) -> Any:
    """A single string where a list is expected (to = "a@b") means a list of one."""
    return [value] if isinstance(value, str) else value


def _http_url(value: Any) -> Any:
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _channel_url(value: Any) -> Any:
    if isinstance(value, str):
        from nianbao.core.channels import problem

        found = problem(value)
        if found:
            raise ValueError(found)
    return value


def _month_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            month, day = (int(x) for x in value.split("-"))
            date(2000, month, day)  # a leap year: 02-29 is a valid deadline
        except ValueError:
            raise ValueError(f'{value!r} is not a month-day such as "03-31"') from None
    return value


def cron_trigger(expression: str) -> Any:
    """An APScheduler 3 CronTrigger: five crontab fields, or six with seconds first."""
    from apscheduler.triggers.cron import CronTrigger

    parts = expression.split()
    if len(parts) == 6:
        second, minute, hour, day, month, weekday = parts
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=weekday)
    return CronTrigger.from_crontab(expression)


def _cron(value: Any) -> Any:
    if isinstance(value, str):
        try:
            cron_trigger(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a cron expression ({exc})") from None
    return value


Seconds = Annotated[float, Field(strict=True)]
Hours = Annotated[float, Field(strict=True)]
Count = Annotated[int, Field(strict=True)]
Text = Annotated[str, Field(strict=True)]
Flag = Annotated[bool, Field(strict=True)]
Texts = Annotated[tuple[Text, ...], BeforeValidator(_listed)]
Url = Annotated[Text, BeforeValidator(_http_url)]
MonthDay = Annotated[Text, BeforeValidator(_month_day)]
ChannelUrl = Annotated[Text, BeforeValidator(_channel_url)]
Levels = Annotated[tuple[Level, ...], BeforeValidator(_listed)]
Cron = Annotated[Text, BeforeValidator(_cron)]


def doc(text: str, **constraints: Any) -> Any:
    """A field's description (written into the example file) and its bounds."""
    return Field(description=text, **constraints)


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """[crawl] politeness, per host; a portal may override any of these keys."""

    __pydantic_config__ = _SCHEMA
    interval: Annotated[Seconds, doc("seconds between two requests to one host", ge=0)] = 1.0
    max_crawl_delay: Annotated[
        Seconds, doc("seconds of robots.txt Crawl-delay obeyed at most; longer: capped, portal noted slow", ge=0)
    ] = 30.0
    concurrency: Annotated[Count, doc("requests in flight to one host", ge=1, le=16)] = 1
    timeout: Annotated[Seconds, doc("seconds for a whole request, body included", gt=0)] = 20.0
    retries: Annotated[
        Count, doc("extra tries on timeouts, 429 and 5xx (backoff, Retry-After honoured)", ge=0, le=10)
    ] = 2
    max_retry_after: Annotated[
        Seconds, doc("seconds of Retry-After obeyed at most; longer: capped, portal noted slow", ge=0)
    ] = 60.0
    max_bytes: Annotated[Count, doc("size cap of one response, decoded (50 MB)", ge=1024)] = 50 * 1024 * 1024
    max_pages: Annotated[Count, doc("list pages per portal and pass; more makes the pass partial", ge=1)] = 200
    max_documents: Annotated[Count, doc("reports and attachments per portal and pass; more: partial", ge=1)] = 2000
    one_page_evidence: Annotated[
        Flag,
        doc("a list with no declared size is complete when it is provably one page (no pager, no paging script)"),
    ] = True
    user_agent: Annotated[Text, doc("sent on every request, and the agent robots.txt is asked for", min_length=1)] = (
        "nianbao/0.1 (+https://example.org/nianbao; watch@example.org)"
    )


CRAWL_KEYS = tuple(f.name for f in fields(CrawlSettings))


@dataclass(frozen=True, slots=True)
class Portal:
    """[[portals]] a portal, the page(s) where it lists its annual reports, and its own settings."""

    __pydantic_config__ = _SCHEMA
    name: Annotated[Text, doc("the portal's name, as agencies refer to it", min_length=1)]
    urls: Annotated[tuple[Url, ...], doc("the pages where the portal lists its annual reports", min_length=1)]
    allow_hosts: Annotated[
        Texts, doc('hosts besides the portal\'s own that may be fetched ("host" or "host:port")')
    ] = ()
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    recipients: Annotated[Texts, doc("this portal's findings also go to these addresses")] = ()
    language: Annotated[
        Language | None, doc(f"the language of the digest its recipients get: {_CODES} (else [notify])")
    ] = None
    region: Annotated[
        Text | None,
        doc('the region its agencies\' names may leave out, "某某县" (else derived from their names: docs/design.md)'),
    ] = None
    ocr: Annotated[Flag | None, doc("read this portal's scans by OCR (else [parse] ocr)")] = None


@dataclass(frozen=True, slots=True)
class Agency:
    """[[agencies]] who must publish; agencies seen in earlier years are expected too."""

    __pydantic_config__ = _SCHEMA
    name: Annotated[Text, doc("the agency's name as its reports give it", min_length=1)]
    level: Annotated[Level, doc("government | department | township (sets the deadline)")] = "township"
    portal: Annotated[Text | None, doc("the portal (by name) that publishes its reports")] = None
    aliases: Annotated[Texts, doc("other names its reports give it (a former name, an abbreviation)")] = ()


@dataclass(frozen=True, slots=True)
class Deadlines:
    """[deadlines] month-day of the year after the report year (条例 Art. 49)."""

    __pydantic_config__ = _SCHEMA
    government: Annotated[MonthDay, doc("本级政府年度报告: before 31 March")] = "03-31"
    department: Annotated[MonthDay, doc("departments of governments at county level and above: 31 January")] = "01-31"
    township: Annotated[MonthDay, doc("townships, by most provincial rules: 31 January")] = "01-31"
    grace_days: Annotated[Count, doc("days of grace before a report counts as late or missing", ge=0, le=366)] = 0


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """[notify.email] the mail server; credentials come only from the environment."""

    __pydantic_config__ = _SCHEMA
    smtp_host: Annotated[Text, doc("empty: write digests to notify.outbox_dir only, send nothing")] = "localhost"
    smtp_port: Annotated[Count, doc("25, 587 (starttls) or 465 (ssl)", ge=1, le=65535)] = 25
    security: Annotated[Literal["none", "starttls", "ssl"], doc("none | starttls | ssl")] = "none"
    sender: Annotated[Text, Field(alias="from", description="the From address")] = "nianbao@localhost"
    to: Annotated[Texts, doc("who receives the digest")] = ()
    timeout: Annotated[Seconds, doc("seconds to wait for the mail server", gt=0)] = 30.0
    allow_plaintext_auth: Annotated[Flag, doc("send credentials over a connection without TLS (security none)")] = False

    @property
    def credentials(self) -> tuple[str, str] | None:
        """From the environment only (NIANBAO_SMTP_USER, NIANBAO_SMTP_PASSWORD), never from the file."""
        user = os.environ.get("NIANBAO_SMTP_USER")
        return (user, os.environ.get("NIANBAO_SMTP_PASSWORD", "")) if user else None


@dataclass(frozen=True, slots=True)
class Channel:
    """[[notify.channels]] a group robot (钉钉, 企业微信, 飞书) or any service Apprise knows gets a short summary."""

    __pydantic_config__ = _SCHEMA
    name: Annotated[Text, doc("the channel's name in the outbox and in logs", min_length=1)]
    url: Annotated[ChannelUrl, doc("an Apprise URL; each secret named as {ENVIRONMENT_VARIABLE}, never written here")]
    portals: Annotated[Texts, doc("only the findings of these portals (by name); else every portal's")] = ()
    levels: Annotated[
        Levels, doc('only findings about agencies of these levels, e.g. ["township"]; else every level\'s')
    ] = ()
    language: Annotated[Language | None, doc(f"the summary's language: {_CODES} (else [notify])")] = None


@dataclass(frozen=True, slots=True)
class Notify:
    """[notify] where digests go."""

    __pydantic_config__ = _SCHEMA
    outbox_dir: Annotated[Text | None, doc("also write each digest as an .eml file into this folder")] = None
    language: Annotated[Language, doc('the language of digests, status and findings: "zh_CN" (Chinese) or "en"')] = (
        DEFAULT_LANGUAGE
    )
    email: EmailSettings | None = None
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True, slots=True)
class Database:
    """[database] the SQLite file."""

    __pydantic_config__ = _SCHEMA
    path: Annotated[Text, doc("SQLite file; --db overrides", min_length=1)] = "nianbao.db"
    max_size_mb: Annotated[Count | None, doc("cap the file's size; past it writes fail as on a full disk", ge=1)] = None


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """[parse] what one document may cost; past a limit it is stored, marked unreadable, never missing."""

    __pydantic_config__ = _SCHEMA
    memory_mb: Annotated[Count, doc("memory of one parser worker (a 300-page report needs about 300)", ge=128)] = 1024
    seconds: Annotated[Seconds, doc("wall time for one document (a 300-page PDF takes about 15)", gt=0)] = 60.0
    workers: Annotated[Count, doc("parser worker processes", ge=1, le=32)] = 2
    max_pages: Annotated[Count, doc("PDF pages: a longer document is refused before it is read", ge=1)] = 300
    ocr: Annotated[
        Flag, doc("read scans (image-only PDFs, image attachments) by OCR; needs the nianbao[ocr] extra")
    ] = True
    ocr_pages: Annotated[Count, doc("pages of a scan OCR reads; a longer scan is recorded unreadable", ge=1)] = 20
    ocr_page_seconds: Annotated[
        Seconds, doc("wall time OCR may take per page of a scan (about 5 s on one core)", gt=0)
    ] = 60.0
    ocr_memory_mb: Annotated[
        Count, doc("memory of a parser worker while it reads a scan (the OCR models need about 1,800)", ge=128)
    ] = 2560


@dataclass(frozen=True, slots=True)
class Schedule:
    """[schedule] when the daemon runs its crawl-check-notify cycle."""

    __pydantic_config__ = _SCHEMA
    cron: Annotated[Cron, doc("crontab syntax (5 fields), or 6 with seconds first")] = "0 6 * * *"


@dataclass(frozen=True, slots=True)
class Site:
    """[site] the static status site (`nianbao site`)."""

    __pydantic_config__ = _SCHEMA
    out: Annotated[Text | None, doc("folder the daemon rebuilds the site into after each run; --out overrides")] = None
    base_url: Annotated[
        Url | None, doc("where the site is published: the digest links each agency to its page there")
    ] = None


@dataclass(frozen=True, slots=True)
class HealthSettings:
    """[health] when `nianbao health` warns (exit 1) and when it fails (exit 2)."""

    __pydantic_config__ = _SCHEMA
    max_age_hours: Annotated[
        Hours, doc("a portal not read completely, or no check made, for longer than this: a warning", gt=0)
    ] = 36.0
    fail_age_hours: Annotated[
        Hours, doc("no check made, or no portal read completely, for longer than this: failing", gt=0)
    ] = 72.0
    max_pass_hours: Annotated[
        Hours, doc("a pass still running after this long: its process died or hangs (failing)", gt=0)
    ] = 12.0


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration file; each field is one TOML section."""

    __pydantic_config__ = _SCHEMA
    database: Database = field(default_factory=Database)
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    portals: tuple[Portal, ...] = ()
    agencies: tuple[Agency, ...] = ()
    deadlines: Deadlines = field(default_factory=Deadlines)
    notify: Notify = field(default_factory=Notify)
    schedule: Schedule = field(default_factory=Schedule)
    parse: ParseLimits = field(default_factory=ParseLimits)
    site: Site = field(default_factory=Site)
    health: HealthSettings = field(default_factory=HealthSettings)

    @property
    def db_path(self) -> str:
        return self.database.path

    @property
    def email(self) -> EmailSettings | None:
        return self.notify.email

    @property
    def outbox_dir(self) -> str | None:
        return self.notify.outbox_dir

    @property
    def channels(self) -> tuple[Channel, ...]:
        return self.notify.channels

    @property
    def cron(self) -> str:
        return self.schedule.cron

    def with_db(self, path: str) -> Config:
        return replace(self, database=Database(path))

    def with_notify(self, **changes: Any) -> Config:
        """A copy with [notify] keys changed (email=EmailSettings(...), outbox_dir=...)."""
        return replace(self, notify=replace(self.notify, **changes))

    def portal(self, name: str | None) -> Portal | None:
        return next((p for p in self.portals if p.name == name), None)


_ADAPTER = TypeAdapter(Config)


DEFAULT_FILE = "nianbao.toml"


def config_file(path: str | None) -> str | None:
    """The file `load` reads: `path` when given, else ./nianbao.toml when it exists, else None (the
    built-in defaults, which watch no portal)."""
    if path is None and Path(DEFAULT_FILE).exists():
        return DEFAULT_FILE
    return path


def load(path: str | None, *, db: str | None = None) -> Config:
    """Read `path` (or ./nianbao.toml when it exists, else the defaults) and apply --db."""
    path = config_file(path)
    config = Config() if path is None else from_dict(_read(path), source=path)
    return config.with_db(db) if db else config


# RFC 2606 keeps the top-level domain .invalid for names that must never resolve: the example
# configuration's portal lives there, so a copy nobody edited crawls nothing real.
PLACEHOLDER_DOMAIN = "invalid"


def placeholders(config: Config) -> list[str]:
    """The portal URLs still on a placeholder host (the example's `example.invalid`), one line each:
    crawling them could only fail, so the commands that crawl say the file is still to be edited."""
    return [
        f"portals[{index}].url: {url} is the example's placeholder (a .{PLACEHOLDER_DOMAIN} host never "
        "resolves): edit it to the page where your portal lists its annual reports"
        for index, portal in enumerate(config.portals)
        for url in portal.urls
        if (urlsplit(url).hostname or "").rstrip(".").rsplit(".", 1)[-1] == PLACEHOLDER_DOMAIN
    ]


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def from_dict(data: dict[str, Any], *, source: str = "config") -> Config:
    """Validate a parsed TOML document; ConfigError lists every problem, one line each: the schema's
    (every key pydantic refuses) and the cross-field rules' together, so that one run shows them all."""
    raw, moved = _with_portal_settings(data)
    lines: list[str] = []
    config = None
    try:
        config = _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        errors = exc.errors()
        deepest = [e for e in errors if not any(_below(o["loc"], e["loc"]) for o in errors)]
        lines = [line for line in dict.fromkeys(_describe(e, moved) for e in deepest) if line]
    lines += _references(data)
    if lines or config is None:
        raise ConfigError("\n".join(f"{source}: {line}" for line in lines))
    return config


def _with_portal_settings(data: dict[str, Any]) -> tuple[dict[str, Any], list[set[str]]]:
    """TOML puts a portal's overrides (interval = 2.0) beside its name; the model keeps them as the
    portal's whole `crawl` section, the global one with the overrides applied.  `url` joins `urls`.
    Returns the document to validate and, per portal, the keys that moved (to name them in errors)."""
    raw = dict(data)
    crawl = raw.get("crawl")
    base: dict[str, Any] = crawl if isinstance(crawl, dict) else {}
    if not isinstance(raw.get("portals"), list):
        return raw, []
    portals, moved = [], []
    for entry in raw["portals"]:
        keys: set[str] = set()
        if isinstance(entry, dict):
            entry = dict(entry)
            own = {k: entry.pop(k) for k in CRAWL_KEYS if k in entry}
            entry["crawl"] = {k: v for k, v in base.items() if k in CRAWL_KEYS} | own
            keys = set(own)
            if "url" in entry:
                urls = entry.get("urls", [])
                entry["urls"] = [entry.pop("url"), *urls] if isinstance(urls, list) else urls
                keys.add("url")
        portals.append(entry)
        moved.append(keys)
    raw["portals"] = portals
    return raw, moved


def _below(loc: tuple[Any, ...], prefix: tuple[Any, ...]) -> bool:
    """An error at `loc` explains one at its prefix (a bad URL empties the list it sits in)."""
    return len(loc) > len(prefix) and loc[: len(prefix)] == prefix


def _describe(error: Any, moved: list[set[str]]) -> str | None:
    loc = list(error["loc"])
    if len(loc) >= 4 and loc[0] == "portals" and loc[2] == "crawl":
        if loc[3] not in moved[loc[1]]:
            return None  # the global [crawl] value: reported once, under [crawl]
        del loc[2]
    if loc[:1] == ["portals"] and loc[2:4] == ["urls", 0] and "url" in moved[loc[1]]:
        loc[2:4] = ["url"]
    key = _dotted(loc)
    kind, given = error["type"], error.get("input")
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        return f"{key}: unknown key{_nearest(loc)}"
    if kind in ("missing_argument", "missing"):
        return f"{key}: required key missing" + (' (give "url" or "urls")' if loc[-1] == "urls" else "")
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error":
        return f"{key}: {message}"
    return f"{key}: {message[:1].lower()}{message[1:]} (got {given!r})"


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _nearest(loc: list[Any]) -> str:
    """(did you mean "interval"?) — from the keys the enclosing section declares."""
    section: Any = Config
    for part in loc[:-1]:
        if not isinstance(part, int):
            section = _section_type(section, part)
        if section is None:
            return ""
    names = [f.name for f in fields(section)] if is_dataclass(section) else []
    if section is Portal:
        names = [n for n in names if n != "crawl"] + ["url", *CRAWL_KEYS]
    if section is EmailSettings:
        names = [n if n != "sender" else "from" for n in names]
    if section is Config:
        names = [*names, "notify"]
    close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.5)
    return f' (did you mean "{close[0]}"?)' if close else f" (known keys: {', '.join(names)})"


def _section_type(section: Any, name: str) -> Any:
    """The dataclass a key of `section` holds (through Optional and tuple), or None for a plain value."""
    hint = get_type_hints(section).get(name)
    for candidate in (hint, *get_args(hint)):
        if isinstance(candidate, type) and is_dataclass(candidate):
            return candidate
    return None


# ---- cross-field rules ------------------------------------------------------------------------
# They read the TOML document itself, not the validated Config, so that they still run when the
# schema refused some key: every value they need is taken only when it has the right type (a wrong
# one is the schema's error, said once), and an entry they cannot read is skipped.


def _entries(document: Any, key: str) -> list[dict[str, Any]]:
    """The tables of an array of tables (`[[portals]]`); anything else in it as an empty table."""
    value = document.get(key) if isinstance(document, dict) else None
    return [e if isinstance(e, dict) else {} for e in value] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _texts(value: Any) -> list[str | None]:
    """A list of names (a single string is a list of one), each None where it is not a name."""
    return [_text(v) for v in _listed(value)] if isinstance(_listed(value), list) else []


def _hours(section: Any, key: str) -> float | None:
    value = section.get(key, getattr(HealthSettings(), key)) if isinstance(section, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None


def _references(document: dict[str, Any]) -> list[str]:
    """Cross-field rules the types cannot say: unique portal names, agencies' portals that exist,
    aliases that name no other agency, a health warning before its failure."""
    agencies = _entries(document, "agencies")
    problems = _aliases(agencies)
    health = document.get("health", {})
    warn, fail = _hours(health, "max_age_hours"), _hours(health, "fail_age_hours")
    if warn is not None and fail is not None and fail < warn:
        problems.append(
            f"health.fail_age_hours: {fail} is less than health.max_age_hours ({warn}): "
            "failing must come after the warning"
        )
    names = [_text(p.get("name")) for p in _entries(document, "portals")]
    known = list(dict.fromkeys(n for n in names if n is not None))
    for index, name in enumerate(names):
        if name is not None and name in names[:index]:
            problems.append(f"portals[{index}].name: {name!r} is used by another portal already")
    for index, agency in enumerate(agencies):
        portal = _text(agency.get("portal"))
        if portal is not None and portal not in known:
            close = difflib.get_close_matches(portal, known, n=1, cutoff=0.3)
            hint = f' (did you mean "{close[0]}"?)' if close else f" (portals: {', '.join(known) or 'none configured'})"
            problems.append(f"agencies[{index}].portal: {portal!r} names no configured portal{hint}")
    notify = document.get("notify")
    return problems + _channels(_entries(notify, "channels"), known)


def _aliases(agencies: list[dict[str, Any]]) -> list[str]:
    """An alias that is (once normalised) another agency's name or alias would make every report
    under it ambiguous, hence unmatched: a mistake to say at once."""
    named = [(index, name, agency) for index, agency in enumerate(agencies) if (name := _text(agency.get("name")))]
    owner: dict[str, str] = {normalise(name): name for _, name, _ in named}
    problems = []
    for index, name, agency in named:
        for number, alias in enumerate(_texts(agency.get("aliases", ()))):
            if alias is None:
                continue
            other = owner.setdefault(normalise(alias), name)
            if other != name:
                problems.append(f"agencies[{index}].aliases[{number}]: {alias!r} is the name or an alias of {other!r}")
    return problems


def _channels(channels: list[dict[str, Any]], portals: list[str]) -> list[str]:
    """A channel's name is its outbox key (unique); the portals it routes must exist."""
    problems = []
    names = [_text(c.get("name")) for c in channels]
    for index, channel in enumerate(channels):
        where = f"notify.channels[{index}]"
        if names[index] is not None and names[index] in names[:index]:
            problems.append(f"{where}.name: {names[index]!r} is used by another channel already")
        for number, portal in enumerate(_texts(channel.get("portals", ()))):
            if portal is not None and portal not in portals:
                listed = ", ".join(portals) or "none configured"
                problems.append(f"{where}.portals[{number}]: {portal!r} names no configured portal (portals: {listed})")
    return problems
