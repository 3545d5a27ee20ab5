"""The outbox (`notifications` table): a digest is written here before it is sent, and its
findings are marked notified in the same transaction that marks it sent.  Each delivery is its own
entry: the email (`channel` NULL) and each channel's summary (`channel` = its name), so each is
tried, failed and sent on its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.findings import mark_notified


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A digest waiting in the outbox."""

    id: int
    message: str  # the whole RFC 5322 message, as it will be sent; a channel's: the summary's text
    attempts: int
    finding_ids: tuple[int, ...]
    resolved_ids: tuple[int, ...]
    channel: str | None = None  # None: the email
    subject: str = ""


def queue_digest(
    db: sqlite_utils.Database,
    *,
    now: str,
    recipients: list[str],
    new: list[int],
    resolved: list[int],
    channel: str | None = None,
) -> int:
    """A new outbox entry (its message is set once its id is known: the Message-ID holds it);
    `channel`: a channel's summary rather than the email."""
    return int(
        db.table("notifications")  # type: ignore[arg-type]
        .insert(
            {
                "created_at": now,
                "recipients": json.dumps(recipients),
                "finding_ids": json.dumps(new),
                "resolved_ids": json.dumps(resolved),
                "attempts": 0,
                "channel": channel,
            }
        )
        .last_pk
    )


def set_message(db: sqlite_utils.Database, notification_id: int, *, subject: str, message: str) -> None:
    db.table("notifications").update(notification_id, {"subject": subject, "body_text": message})


def unsent(db: sqlite_utils.Database) -> list[Outgoing]:
    """Every delivery not yet accepted (by the mail server, or a channel's service), oldest first."""
    return [
        Outgoing(
            row["id"],
            row["body_text"],
            row["attempts"] or 0,
            tuple(json.loads(row["finding_ids"])),
            tuple(json.loads(row["resolved_ids"])),
            row["channel"],
            row["subject"] or "",
        )
        for row in db.query("SELECT * FROM notifications WHERE sent_at IS NULL ORDER BY id")
    ]


def mark_sent(db: sqlite_utils.Database, outgoing: Outgoing, *, now: str) -> None:
    """The server accepted it: the delivery and its findings are marked together (a finding is
    notified when its first delivery is accepted)."""
    with db.atomic():
        db.table("notifications").update(
            outgoing.id, {"sent_at": now, "attempts": outgoing.attempts + 1, "last_error": None}
        )
        mark_notified(db, new=outgoing.finding_ids, resolved=outgoing.resolved_ids, now=now)


def mark_failed(db: sqlite_utils.Database, outgoing: Outgoing, *, error: str) -> None:
    db.table("notifications").update(outgoing.id, {"attempts": outgoing.attempts + 1, "last_error": error})


def backlog(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The outbox's waiting digests, oldest first: when each was queued, how often it was tried and
    the last error (the message itself left out: `nianbao health` reads only these)."""
    return list(
        db.query("SELECT id, created_at, attempts, last_error FROM notifications WHERE sent_at IS NULL ORDER BY id")
    )
