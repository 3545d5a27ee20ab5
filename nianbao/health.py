"""`nianbao health`: is the daemon doing its job?  For a monitor (Nagios, Zabbix, a container's
HEALTHCHECK, a systemd timer), read from what the database already keeps, opened read-only:

- `crawl_runs`: when each watched portal was last read completely, and its newest pass — one still
  running long after it began, or one the process died in (`interrupted`), is nianbao failing;
- `check_runs`: when the last evaluation was made (the daemon's heartbeat: every cycle makes one),
  and whether it gave fewer watched pairs a verdict than the one before;
- `notifications` (the outbox): digests waiting, and those the mail server refused;
- `findings`: how many wait for a digest (information only).

Exit status: 0 healthy, 1 warnings (a portal not read completely for `max_age_hours`, an old
check, an untried digest, fewer verdicts), 2 failing (no check for `fail_age_hours`, no portal
read completely for that long, a pass whose process died or hangs, a digest the mail server
refused) or unusable (no database, not a database, one written by an older nianbao).

Time is passed in (`now`), so every age is reproducible; problems are data (a code, a msgid and
its parameters), shown in Chinese or English from the gettext catalogues, and in English in JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlite_utils

from nianbao.core.config import HealthSettings
from nianbao.core.languages import language
from nianbao.core.messages import N_, VOCABULARY, gettext_for
from storage.findings import pending_findings
from storage.notifications import backlog
from storage.runs import PortalPasses, last_checks, passes_by_portal

OK, WARNING, FAILING = 0, 1, 2
STATUS = {OK: "ok", WARNING: "warning", FAILING: "failing"}
STATUS_WORDS = {OK: N_("healthy"), WARNING: N_("warning"), FAILING: N_("failing")}
# a digest is queued and tried in one step: one still untried an hour later was left behind by a
# process that stopped in between (a digest being sent right now is no problem)
UNTRIED_GRACE = timedelta(hours=1)

MESSAGES: dict[str, str] = {
    "unusable": N_("the database cannot be used: {error}"),
    "fresh": N_("no portal has been read yet (a new database: no cycle has run)"),
    "never_read": N_("{portal}: never read"),
    "never_complete": N_("{portal}: never read completely; on the pass of {date} it {state}"),
    "stale": N_("{portal}: last read completely {age} ago, on {date}"),
    "stale_since": N_("{portal}: last read completely {age} ago, on {date}; on the pass of {since} it {state}"),
    "none_complete": N_("no watched portal has been read completely for {age}"),
    "hung": N_("{portal}: a pass began {age} ago, on {date}, and has not finished: its process died or hangs"),
    "interrupted": N_(
        "{portal}: its last pass, begun on {date}, was interrupted: the process running it ended before the pass did"
    ),
    "no_check": N_("no check has been made yet"),
    "check_old": N_("the last check was made {age} ago, on {date}"),
    "fewer_verdicts": N_(
        "the last check gave a verdict for {assessed} of {due} watched (agency, year) pairs past their deadline, "
        "the check before for {before_assessed} of {before_due}"
    ),
    "outbox_failing": N_("{count} digest(s) not sent, the oldest waiting since {date} ({attempts} attempts): {error}"),
    "outbox_waiting": N_("{count} digest(s) waiting in the outbox since {date}, not yet tried"),
    "summary": N_(
        "every watched portal read completely within {age}; the last check {check_age} ago; "
        "no digest waiting in the outbox"
    ),
}
# how a pass ended, as a predicate of its portal; the causes' and outcomes' words are `status`'s own
STATES = {"interrupted": N_("was cut short: the process reading it ended"), "running": N_("is still being read")}
LINE = N_("{status}: {message}")
HOURS, DAYS, LESS = N_("{n} hours"), N_("{n} days"), N_("less than an hour")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: its code (stable, for machines), how bad, and what to say."""

    code: str
    level: int  # WARNING or FAILING
    params: dict[str, Any] = field(default_factory=dict)
    portal: str | None = None

    def text(self, lang: str) -> str:
        return render(self.code, self.params, lang)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": STATUS[self.level],
            "portal": self.portal,
            "message": self.text("en"),
            "params": self.params,
        }


@dataclass(frozen=True, slots=True)
class Health:
    """What `nianbao health` found: the problems, and the facts they rest on (for --json)."""

    now: datetime
    database: str
    problems: list[Problem]
    portals: list[dict[str, Any]] = field(default_factory=list)
    check: dict[str, Any] | None = None
    outbox: dict[str, Any] = field(default_factory=dict)
    findings: dict[str, Any] = field(default_factory=dict)
    last_error: dict[str, Any] | None = None
    settings: HealthSettings = field(default_factory=HealthSettings)

    @property
    def exit_code(self) -> int:
        return max((p.level for p in self.problems), default=OK)

    def lines(self, lang: str) -> list[str]:
        """One line per problem, the worst first; a healthy database gets one line that says so."""
        _ = gettext_for(lang)
        if not self.problems:
            oldest = max((p["last_complete_age_hours"] or 0.0 for p in self.portals), default=0.0)
            check_age = self.check["age_hours"] if self.check else 0.0
            problem = Problem("summary", OK, {"age": oldest, "check_age": check_age})
            return [_(LINE).format(status=_(STATUS_WORDS[OK]), message=problem.text(lang))]
        ordered = sorted(self.problems, key=lambda p: -p.level)
        return [_(LINE).format(status=_(STATUS_WORDS[p.level]), message=p.text(lang)) for p in ordered]

    def to_json(self) -> dict[str, Any]:
        ages = [p["last_complete_age_hours"] for p in self.portals]
        return {
            "status": STATUS[self.exit_code],
            "exit": self.exit_code,
            "now": self.now.isoformat(timespec="seconds"),
            "database": self.database,
            "problems": [p.to_json() for p in sorted(self.problems, key=lambda p: -p.level)],
            # the oldest of the watched portals' last complete passes (None: one was never read completely)
            "last_complete_age_hours": None if not ages or None in ages else max(ages),
            "portals": self.portals,
            "check": self.check,
            "outbox": self.outbox,
            "findings": self.findings,
            "last_error": self.last_error,
            "thresholds": {
                "max_age_hours": self.settings.max_age_hours,
                "fail_age_hours": self.settings.fail_age_hours,
                "max_pass_hours": self.settings.max_pass_hours,
            },
        }


def unusable(database: str, error: str, *, now: datetime) -> Health:
    """No database to read, or none nianbao can read: failing (exit 2)."""
    return Health(now, database, [Problem("unusable", FAILING, {"error": error})])


def assess(
    db: sqlite_utils.Database,
    settings: HealthSettings,
    *,
    now: datetime,
    watched: tuple[str, ...] = (),
    database: str = "",
) -> Health:
    """Everything `nianbao health` says about one database at `now`.  `watched`: the configured
    portals' names (passes of portals no longer configured are left out); none: every portal read."""
    passes = passes_by_portal(db)
    names = watched or tuple(passes)
    problems: list[Problem] = []
    portals: list[dict[str, Any]] = []
    if not passes:
        problems.append(Problem("fresh", WARNING))
    else:
        for name in names:
            history = passes.get(name)
            if history is None:
                problems.append(Problem("never_read", WARNING, {"portal": name}, name))
                continue
            problems += _portal_problems(history, settings, now)
            portals.append(_portal_json(history, now))
        problems += _none_complete([passes[n] for n in names if n in passes], settings, now)
    checks = last_checks(db)
    check, check_problems = _checks(checks, settings, now, any_pass=bool(passes))
    problems += check_problems
    waiting_digests = backlog(db)
    outbox, outbox_problems = _outbox(waiting_digests, now)
    problems += outbox_problems
    waiting, _resolved = pending_findings(db, now.date())
    return Health(
        now,
        database,
        problems,
        portals,
        check,
        outbox,
        {"waiting_for_digest": len(waiting)},
        _last_error([passes[n] for n in names if n in passes], waiting_digests),
        settings,
    )


def _portal_problems(history: PortalPasses, settings: HealthSettings, now: datetime) -> list[Problem]:
    name, newest, finished, complete = history.portal, history.newest, history.finished, history.complete
    out = []
    if newest["finished_at"] is None and _hours(now, newest["started_at"]) > settings.max_pass_hours:
        age = _hours(now, newest["started_at"])
        out.append(Problem("hung", FAILING, {"portal": name, "age": age, "date": newest["started_at"]}, name))
    if finished is not None and finished["outcome"] == "interrupted":
        out.append(Problem("interrupted", FAILING, {"portal": name, "date": finished["started_at"]}, name))
    last = finished or newest  # the pass that says how the portal answered last
    if complete is None:
        params = {"portal": name, "date": last["started_at"], "state": _state(last)}
        out.append(Problem("never_complete", WARNING, params, name))
    elif (age := _hours(now, complete["finished_at"])) > settings.max_age_hours:
        params = {"portal": name, "age": age, "date": complete["finished_at"]}
        if finished is not None and finished["id"] != complete["id"]:
            out.append(
                Problem(
                    "stale_since", WARNING, {**params, "since": finished["started_at"], "state": _state(finished)}, name
                )
            )
        else:
            out.append(Problem("stale", WARNING, params, name))
    return out


def _none_complete(histories: list[PortalPasses], settings: HealthSettings, now: datetime) -> list[Problem]:
    """The crawl as a whole: no watched portal read completely for `fail_age_hours` (counted from
    the first pass when none ever was) is nianbao unable to read anything — its network, say."""
    if not histories:
        return []
    completes = [h.complete["finished_at"] for h in histories if h.complete is not None]
    since = max(completes, key=_moment) if completes else min((h.first_started for h in histories), key=_moment)
    age = _hours(now, since)
    return [Problem("none_complete", FAILING, {"age": age})] if age > settings.fail_age_hours else []


def _checks(
    checks: list[dict[str, Any]], settings: HealthSettings, now: datetime, *, any_pass: bool
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The last evaluation: its age (every cycle makes one: the daemon's heartbeat) and its share
    of verdicts against the one before (a drop is a regression to look into)."""
    if not checks:
        return None, [Problem("no_check", WARNING)] if any_pass else []
    last = checks[0]
    age = _hours(now, last["checked_at"])
    check: dict[str, Any] = {
        "checked_at": last["checked_at"],
        "as_of": last["as_of"],
        "age_hours": round(age, 1),
        "due": last["due"],
        "assessed": last["assessed"],
        "before": {"due": checks[1]["due"], "assessed": checks[1]["assessed"]} if len(checks) > 1 else None,
    }
    out = []
    if age > settings.max_age_hours:
        level = FAILING if age > settings.fail_age_hours else WARNING
        out.append(Problem("check_old", level, {"age": age, "date": last["checked_at"]}))
    if len(checks) > 1 and _share(checks[1]) > _share(last):
        before = checks[1]
        params = {
            "due": last["due"],
            "assessed": last["assessed"],
            "before_due": before["due"],
            "before_assessed": before["assessed"],
        }
        out.append(Problem("fewer_verdicts", WARNING, params))
    return check, out


def _share(check: dict[str, Any]) -> float:
    due, assessed = check["due"] or 0, check["assessed"] or 0
    return assessed / due if due else 1.0


def _outbox(rows: list[dict[str, Any]], now: datetime) -> tuple[dict[str, Any], list[Problem]]:
    """Digests the mail server refused are failing; one never tried, after the grace, a warning."""
    refused = [r for r in rows if r["last_error"]]
    untried = [r for r in rows if not r["last_error"] and not r["attempts"]]
    stuck = [r for r in untried if now - _moment(r["created_at"]) > UNTRIED_GRACE]
    out = []
    if refused:
        params = {
            "count": len(refused),
            "date": refused[0]["created_at"],
            "attempts": max(r["attempts"] or 0 for r in refused),
            "error": refused[-1]["last_error"],
        }
        out.append(Problem("outbox_failing", FAILING, params))
    if stuck:
        out.append(Problem("outbox_waiting", WARNING, {"count": len(stuck), "date": stuck[0]["created_at"]}))
    summary = {
        "waiting": len(rows),
        "refused": len(refused),
        "oldest_at": rows[0]["created_at"] if rows else None,
        "oldest_age_hours": round(_hours(now, rows[0]["created_at"]), 1) if rows else None,
        "last_error": refused[-1]["last_error"] if refused else None,
    }
    return summary, out


def _last_error(histories: list[PortalPasses], outbox: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest error nianbao recorded: a watched portal's last pass that was not complete, or a
    digest the mail server refused (dated by when it was queued: the outbox keeps no attempt time)."""
    found = [
        {
            "at": h.finished["finished_at"],
            "where": h.portal,
            "outcome": h.finished["outcome"],
            "cause": h.finished.get("cause"),
            "error": h.finished.get("detail"),
        }
        for h in histories
        if h.finished is not None and h.finished["outcome"] != "complete"
    ]
    found += [
        {"at": r["created_at"], "where": "outbox", "outcome": None, "cause": None, "error": r["last_error"]}
        for r in outbox
        if r["last_error"]
    ]
    return max(found, key=lambda e: _moment(e["at"]), default=None)


def _portal_json(history: PortalPasses, now: datetime) -> dict[str, Any]:
    complete, newest = history.complete, history.newest
    return {
        "portal": history.portal,
        "last_complete_at": complete["finished_at"] if complete else None,
        "last_complete_age_hours": round(_hours(now, complete["finished_at"]), 1) if complete else None,
        "last_pass": {
            key: newest.get(key) for key in ("id", "outcome", "cause", "started_at", "finished_at", "detail")
        },
    }


def _state(run: dict[str, Any]) -> dict[str, Any]:
    return {"outcome": run["outcome"], "cause": run.get("cause")}


# ---- time ------------------------------------------------------------------------------------------


def moment_of(value: date | datetime | None) -> datetime:
    """`now` for the ages: the given moment (a day alone means its noon, UTC, as --as-of does for
    the other commands; a time without a zone is UTC), else the clock."""
    if value is None:
        return datetime.now(timezone.utc)
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, 12, tzinfo=timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _moment(text: str) -> datetime:
    """A timestamp as the database keeps it (ISO 8601; one without a zone is UTC)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _hours(now: datetime, then: str) -> float:
    """Hours from `then` to `now`, to the second (hundredths of an hour: what JSON shows)."""
    return round((now - _moment(then)).total_seconds() / 3600, 2)


# ---- words -------------------------------------------------------------------------------------------


def render(code: str, params: dict[str, Any], lang: str) -> str:
    """A problem's sentence in `lang`: ages in hours or days, dates as the language writes them,
    a pass's outcome and cause in the words `status` uses."""
    _ = gettext_for(lang)
    values = {name: _value(name, value, lang) for name, value in params.items()}
    return _(MESSAGES[code]).format(**values)


def _value(name: str, value: Any, lang: str) -> str:
    _ = gettext_for(lang)
    if name.endswith("age"):
        hours = float(value)
        if hours < 1:
            return _(LESS)
        if hours < 48:
            return _(HOURS).format(n=int(hours))
        days = hours / 24
        return _(DAYS).format(n=f"{days:.0f}" if abs(days - round(days)) < 0.05 else f"{days:.1f}")
    if name in ("date", "since"):
        day = str(value)[:10]
        return language(lang).date(day)
    if name == "state":
        cause, outcome = value.get("cause"), value["outcome"]
        phrase = VOCABULARY.get(f"state.{cause}") or VOCABULARY.get(f"state.{outcome}") or STATES.get(outcome)
        return _(phrase) if phrase else str(cause or outcome)
    return str(value)
