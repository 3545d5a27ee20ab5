"""The outbox: digests are written to the database before they are sent, and their findings are
marked notified only after the server accepted them.  A mail server that is down leaves the
digest pending; the next run sends it first, once.  New findings join a digest only once.

Each channel ([[notify.channels]]: a 钉钉/企业微信/飞书 group robot …) gets its own outbox entry
with its route's findings, queued in the same transaction as the email: a robot that is down is
retried alone on the next run, and neither resends the other."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from datetime import date, datetime
from email import message_from_string, policy
from email.message import EmailMessage

import sqlite_utils

from nianbao.core.config import Channel, Config
from nianbao.core.errors import NotifyError
from nianbao.core.findings import StoredFinding
from notify import channels
from notify.compose import compose, summary
from notify.smtp import send
from storage.findings import mark_queued, pending_findings
from storage.notifications import mark_failed, mark_sent, queue_digest, set_message, unsent
from storage.overview import configured_agencies, report_rows
from storage.reports import cells_of, kind_of
from views.tables import TableView, marks_of, report_tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    queued: int
    sent: int
    failed: int
    errors: tuple[str, ...] = ()


def queue_digests(db: sqlite_utils.Database, config: Config, *, now: str, today: date) -> int:
    """Put this run's digest(s) in the outbox: one for the default recipients with everything, one
    per portal with its own recipients holding that portal's findings, and one summary per channel
    holding its route's findings.  Returns how many entries were queued."""
    new, resolved = pending_findings(db, today)
    if not new and not resolved:
        return 0
    audiences = _audiences(config, new, resolved) if _emails(config) else {}
    routes = routes_of(db, config, new, resolved)
    sender = config.email.sender if config.email else "nianbao@localhost"
    tables = tables_of(db, new) if audiences else {}
    with db.atomic():
        last = 0
        for channel, (items, gone, lang) in routes:
            last = queue_digest(
                db,
                now=now,
                recipients=[],
                new=[f.id for f in items],
                resolved=[f.id for f in gone],
                channel=channel.name,
            )
            title, body = summary(items, gone, site_url=config.site.base_url, lang=lang)
            set_message(db, last, subject=title, message=body)
        for to, (items, gone, lang) in audiences.items():
            last = queue_digest(
                db, now=now, recipients=list(to), new=[f.id for f in items], resolved=[f.id for f in gone]
            )
            message = compose(
                items,
                gone,
                sender=sender,
                to=list(to),
                now=datetime.fromisoformat(now),
                notification_id=last,
                tables=tables,
                site_url=config.site.base_url,
                lang=lang,
            )
            set_message(db, last, subject=str(message["Subject"]), message=message.as_string())
        mark_queued(db, last, new=[f.id for f in new], resolved=[f.id for f in resolved])
    return len(audiences) + len(routes)


def _emails(config: Config) -> bool:
    """Whether the digest email is queued: when it has somewhere to go, or when nothing else does
    (then its delivery fails saying so, and it waits in the outbox for a configuration)."""
    return bool(config.email or config.outbox_dir or not config.channels)


def routes_of(
    db: sqlite_utils.Database, config: Config, new: list[StoredFinding], resolved: list[StoredFinding]
) -> list[tuple[Channel, Audience]]:
    """Each channel with the findings its route lets through (every finding when it names no
    portals and no levels), in its language; a channel with nothing to say gets no entry."""
    levels = _levels(db, config)
    out: list[tuple[Channel, Audience]] = []
    for channel in config.channels:

        def routed(f: StoredFinding, channel: Channel = channel) -> bool:
            if channel.portals and f.portal not in channel.portals:
                return False
            return not channel.levels or levels.get(f.agency or "") in channel.levels

        items, gone = [f for f in new if routed(f)], [f for f in resolved if routed(f)]
        if items or gone:
            out.append((channel, (items, gone, channel.language or config.notify.language)))
    return out


def _levels(db: sqlite_utils.Database, config: Config) -> dict[str, str]:
    """Each agency's level: as configured, else as the database last mirrored it (an agency seen in
    an earlier configuration).  A finding about a portal itself has no agency, hence no level."""
    known = {str(row["name"]): str(row["level"]) for row in configured_agencies(db) if row["level"]}
    return known | {agency.name: agency.level for agency in config.agencies}


def tables_of(db: sqlite_utils.Database, findings: list[StoredFinding]) -> dict[int, list[TableView]]:
    """The tables of each report a finding about its numbers names, those findings' cells marked."""
    about: dict[int, list[StoredFinding]] = {}
    for f in findings:
        if f.report_id is not None and f.kind in ("inconsistent", "unreadable") and f.evidence.get("cells"):
            about.setdefault(f.report_id, []).append(f)
    out = {}
    for report_id, mine in about.items():
        tables = report_tables(cells_of(db, report_id), marks_of(mine), report_rows(db, report_id))
        if kind_of(db, report_id) == "scan":  # the digest says so beside each of its findings
            tables = [replace(t, extra={**t.extra, "scan": True}) for t in tables]
        out[report_id] = tables
    return out


Audience = tuple[list[StoredFinding], list[StoredFinding], str]  # new, resolved, the language they read


def _audiences(
    config: Config, new: list[StoredFinding], resolved: list[StoredFinding]
) -> dict[tuple[str, ...], Audience]:
    """Who gets which findings, in which language: the default recipients everything in [notify]
    language, a portal's own recipients its own findings in the portal's language (else [notify]'s)."""
    default = tuple(config.email.to) if config.email else ("(outbox)",)
    audiences: dict[tuple[str, ...], Audience] = {default: (new, resolved, config.notify.language)}
    for portal in config.portals:
        if portal.recipients:
            mine = [f for f in new if f.portal == portal.name], [f for f in resolved if f.portal == portal.name]
            if mine[0] or mine[1]:
                audiences[tuple(portal.recipients)] = (*mine, portal.language or config.notify.language)
    return audiences


def deliver(db: sqlite_utils.Database, config: Config, *, now: str) -> Delivery:
    """Send every pending outbox entry; mark its findings only when it was accepted."""
    sent = failed = 0
    errors: list[str] = []
    for outgoing in unsent(db):
        try:
            if outgoing.channel is None:
                _send(message_from_string(outgoing.message, policy=policy.default), config, outgoing.id)
            else:
                _send_channel(outgoing.channel, outgoing.subject, outgoing.message, config)
        except NotifyError as exc:
            failed += 1
            errors.append(str(exc))
            mark_failed(db, outgoing, error=str(exc))
            logger.warning("digest %s not sent: %s", outgoing.id, exc)
            continue
        mark_sent(db, outgoing, now=now)
        sent += 1
    return Delivery(0, sent, failed, tuple(errors))


def _send(message: EmailMessage, config: Config, nid: int) -> None:
    if config.outbox_dir:
        os.makedirs(config.outbox_dir, exist_ok=True)
        with open(os.path.join(config.outbox_dir, f"digest-{nid:05d}.eml"), "wb") as fh:
            fh.write(bytes(message))
    if config.email and config.email.smtp_host:
        send(message, config.email)
    elif not config.outbox_dir:
        raise NotifyError("no [notify.email] settings and no notify.outbox_dir: nowhere to send the digest")


def _send_channel(name: str, title: str, body: str, config: Config) -> None:
    channel = next((c for c in config.channels if c.name == name), None)
    if channel is None:  # renamed or removed since it was queued: kept, in case it comes back
        raise NotifyError(f"channel {name}: no longer in [[notify.channels]]; its summary waits in the outbox")
    channels.send(channel, title=title, body=body)


def notify(db: sqlite_utils.Database, config: Config, *, now: str, today: date) -> Delivery:
    """Queue this run's digest, then send everything pending."""
    queued = queue_digests(db, config, now=now, today=today)
    result = deliver(db, config, now=now)
    return Delivery(queued, result.sent, result.failed, result.errors)
