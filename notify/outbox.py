"""The outbox: digests are written to the database before they are sent, and their findings are
marked notified only after the server accepted them.  A mail server that is down leaves the
digest pending; the next run sends it first, once.  New findings join a digest only once."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

import sqlite_utils

from nianbao.core.config import Config
from nianbao.core.errors import NotifyError
from notify.compose import compose
from notify.smtp import send

logger = logging.getLogger(__name__)
NOTIFIED_KINDS = ("missing", "late", "inconsistent", "changed", "unreachable")


@dataclass(frozen=True, slots=True)
class Delivery:
    queued: int
    sent: int
    failed: int
    errors: tuple[str, ...] = ()


def pending_findings(db: sqlite_utils.Database, today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    kinds = ",".join("?" * len(NOTIFIED_KINDS))
    new = list(
        db.query(
            f"""SELECT * FROM findings WHERE resolved_at IS NULL AND notified_at IS NULL
        AND queued_in IS NULL AND dismissed_at IS NULL AND (snoozed_until IS NULL OR snoozed_until < ?)
        AND severity != 'info' AND kind IN ({kinds}) ORDER BY id""",
            [today.isoformat(), *NOTIFIED_KINDS],
        )
    )
    resolved = list(
        db.query("""SELECT * FROM findings WHERE resolved_at IS NOT NULL AND notified_at IS NOT NULL
        AND resolved_notified_at IS NULL AND resolved_queued_in IS NULL AND dismissed_at IS NULL ORDER BY id""")
    )
    return new, resolved


def _recipients(config: Config, portal: str | None) -> list[str]:
    extra = next((list(p.recipients) for p in config.portals if p.name == portal), [])
    return list(config.email.to if config.email else ()) + extra


def queue_digests(db: sqlite_utils.Database, config: Config, *, now: str, today: date) -> int:
    """Put this run's digest(s) in the outbox: one for the default recipients with everything, one
    per portal with its own recipients holding that portal's findings."""
    new, resolved = pending_findings(db, today)
    if not new and not resolved:
        return 0
    audiences: dict[tuple[str, ...], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    default = tuple(config.email.to) if config.email else ("(outbox)",)
    audiences[default] = (new, resolved)
    for portal in config.portals:
        if portal.recipients:
            mine = ([f for f in new if f["portal"] == portal.name], [f for f in resolved if f["portal"] == portal.name])
            if mine[0] or mine[1]:
                audiences[tuple(portal.recipients)] = mine
    sender = config.email.sender if config.email else "nianbao@localhost"
    queued = 0
    with db.atomic():
        for to, (items, gone) in audiences.items():
            nid = int(
                db["notifications"]
                .insert(
                    {
                        "created_at": now,
                        "recipients": json.dumps(list(to)),
                        "finding_ids": json.dumps([f["id"] for f in items]),
                        "resolved_ids": json.dumps([f["id"] for f in gone]),
                        "attempts": 0,
                    }
                )
                .last_pk
            )
            message = compose(
                items, gone, sender=sender, to=list(to), now=datetime.fromisoformat(now), notification_id=nid
            )
            db.table("notifications").update(nid, {"subject": message["Subject"], "body_text": message.as_string()})
            queued += 1
        ids = [f["id"] for f in new]
        gone_ids = [f["id"] for f in resolved]
        last = db.execute("SELECT max(id) FROM notifications").fetchone()[0]
        for fid in ids:
            db.table("findings").update(fid, {"queued_in": last})
        for fid in gone_ids:
            db.table("findings").update(fid, {"resolved_queued_in": last})
    return queued


def deliver(db: sqlite_utils.Database, config: Config, *, now: str) -> Delivery:
    """Send every pending outbox entry; mark its findings only when it was accepted."""
    sent = failed = 0
    errors: list[str] = []
    for row in list(db.query("SELECT * FROM notifications WHERE sent_at IS NULL ORDER BY id")):
        message = message_from_string(row["body_text"], policy=policy.default)
        try:
            _send(message, config, row["id"])
        except NotifyError as exc:
            failed += 1
            errors.append(str(exc))
            attempts = (row["attempts"] or 0) + 1
            db.table("notifications").update(row["id"], {"attempts": attempts, "last_error": str(exc)})
            logger.warning("digest %s not sent: %s", row["id"], exc)
            continue
        with db.atomic():
            db.table("notifications").update(
                row["id"], {"sent_at": now, "attempts": (row["attempts"] or 0) + 1, "last_error": None}
            )
            for fid in json.loads(row["finding_ids"]):
                db.execute("UPDATE findings SET notified_at = coalesce(notified_at, ?) WHERE id = ?", [now, fid])
            for fid in json.loads(row["resolved_ids"]):
                db.execute(
                    "UPDATE findings SET resolved_notified_at = coalesce(resolved_notified_at, ?) WHERE id = ?",
                    [now, fid],
                )
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


def notify(db: sqlite_utils.Database, config: Config, *, now: str, today: date) -> Delivery:
    """Queue this run's digest, then send everything pending."""
    queued = queue_digests(db, config, now=now, today=today)
    result = deliver(db, config, now=now)
    return Delivery(queued, result.sent, result.failed, result.errors)
