"""Fetched bytes, content-addressed: the same document reached twice is stored once."""

from __future__ import annotations

import hashlib

import sqlite_utils


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def save_document(
    db: sqlite_utils.Database,
    content: bytes,
    *,
    url: str,
    now: str,
    content_type: str | None = None,
    portal: str | None = None,
    list_title: str | None = None,
    list_date: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    kind: str = "document",
) -> str:
    """Store `content` (once) and remember that `url` served it; returns its sha256."""
    digest = sha256_of(content)
    with db.atomic():
        db.table("documents").insert(
            {
                "sha256": digest,
                "content": content,
                "content_type": content_type,
                "size": len(content),
                "first_url": url,
                "first_seen": now,
            },
            ignore=True,
        )
        existing = db.execute("SELECT first_seen FROM document_urls WHERE url = ?", [url]).fetchone()
        db.table("document_urls").upsert(
            {
                "url": url,
                "sha256": digest,
                "portal": portal,
                "list_title": list_title,
                "list_date": list_date,
                "etag": etag,
                "last_modified": last_modified,
                "first_seen": existing[0] if existing else now,
                "last_seen": now,
                "kind": kind,
            },
            pk="url",
        )
    return digest


def document_content(db: sqlite_utils.Database, digest: str) -> tuple[bytes, str | None]:
    row = db.execute("SELECT content, content_type FROM documents WHERE sha256 = ?", [digest]).fetchone()
    if row is None:
        raise KeyError(digest)
    return row[0], row[1]


def sync_config(
    db: sqlite_utils.Database, portals: list[tuple[str, str]], agencies: list[tuple[str, str, str | None]]
) -> None:
    """Mirror the configured portals (name, first URL) and agencies (name, level, portal) for SQL users."""
    with db.atomic():
        for name, url in portals:
            row = db.execute("SELECT id FROM portals WHERE name = ?", [name]).fetchone()
            if row:
                db.table("portals").update(row[0], {"url": url})
            else:
                db.table("portals").insert({"name": name, "url": url})
        for name, level, portal in agencies:
            row = db.execute("SELECT id FROM agencies WHERE name = ?", [name]).fetchone()
            if row:
                db.table("agencies").update(row[0], {"level": level, "portal": portal})
            else:
                db.table("agencies").insert({"name": name, "level": level, "portal": portal})
