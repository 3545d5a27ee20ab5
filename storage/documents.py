"""Fetched bytes, content-addressed: the same document reached twice is stored once; and which
URL served what (`document_urls`), with its validators and what parsing it gave."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlite_utils

from storage.db import insert_row, upsert_row


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
    filename: str | None = None,
    sha256: str | None = None,
) -> str:
    """Store `content` (once) and remember that `url` served it; returns its sha256 (`sha256`: the
    digest, when the caller has computed it)."""
    digest = sha256 or sha256_of(content)
    with db.atomic():
        insert_row(
            db,
            "documents",
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
        upsert_row(
            db,
            "document_urls",
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
                "filename": filename,
                "fetch_error": None,
            },
            pk="url",
        )
    return digest


def document_content(db: sqlite_utils.Database, digest: str) -> tuple[bytes, str | None]:
    row = db.execute("SELECT content, content_type FROM documents WHERE sha256 = ?", [digest]).fetchone()
    if row is None:
        raise KeyError(digest)
    return row[0], row[1]


def validators(db: sqlite_utils.Database, url: str) -> tuple[str | None, str | None] | None:
    """(ETag, Last-Modified) the URL served last time, for a conditional request; None when it was
    never stored."""
    row = db.execute("SELECT etag, last_modified FROM document_urls WHERE url = ?", [url]).fetchone()
    return (row[0], row[1]) if row else None


def stored_content(db: sqlite_utils.Database, url: str) -> bytes | None:
    """The bytes the URL served last time; None when it was never stored."""
    row = db.execute(
        "SELECT d.content FROM document_urls u JOIN documents d ON d.sha256 = u.sha256 WHERE u.url = ?", [url]
    ).fetchone()
    return bytes(row[0]) if row else None


def last_stored(db: sqlite_utils.Database, url: str) -> tuple[str | None, str | None]:
    """(portal, last_seen) of a URL, or (None, None) when it was never stored."""
    row = db.execute("SELECT portal, last_seen FROM document_urls WHERE url = ?", [url]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def record_parse(
    db: sqlite_utils.Database, url: str, *, error: str | None, agency: str | None, year: int | None
) -> None:
    """What parsing the URL's document gave: whose report it is (from the report or its list title)
    and, when it could not be parsed, why."""
    db.execute(
        "UPDATE document_urls SET parse_error = ?, agency = ?, year = ? WHERE url = ?", [error, agency, year, url]
    )


def record_unfetched(
    db: sqlite_utils.Database,
    url: str,
    *,
    portal: str | None,
    title: str | None,
    date: str | None,
    error: str,
    now: str,
    agency: str | None,
    year: int | None,
) -> None:
    """A report the list names but that could not be fetched: kept with the failure, so it is found
    (never missing); a later pass that fetches it replaces the failure.  A URL that served a
    document before keeps it (and its validators): a fetch cut short leaves the last good copy the
    URL's, so the next fetch is judged against it."""
    existing = db.execute("SELECT sha256 FROM document_urls WHERE url = ?", [url]).fetchone()
    if existing and existing[0]:
        db.execute("UPDATE document_urls SET fetch_error = ?, last_seen = ? WHERE url = ?", [error, now, url])
        return
    db.table("document_urls").upsert(
        {
            "url": url,
            "portal": portal,
            "list_title": title,
            "list_date": date,
            "first_seen": now,
            "last_seen": now,
            "kind": "document",
            "fetch_error": error,
            "agency": agency,
            "year": year,
        },
        pk="url",
    )


def unreadable_documents(db: sqlite_utils.Database) -> dict[tuple[str, int], dict[str, Any]]:
    """Documents whose list title names an agency and year but which could not be fetched or
    parsed: the report is found, so it is not missing (under the name the title gives, and the
    portal that listed it: a check maps it to a watched agency)."""
    rows = db.query(
        "SELECT url, agency, year, portal, coalesce(parse_error, 'not fetched: ' || fetch_error) AS parse_error, "
        "first_seen, list_date FROM document_urls WHERE kind = 'document' "
        "AND (parse_error IS NOT NULL OR fetch_error IS NOT NULL) AND agency IS NOT NULL ORDER BY url"
    )
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        found.setdefault((row["agency"], row["year"]), row)
    return found


def documents_to_reparse(db: sqlite_utils.Database, parser_version: str) -> list[dict[str, Any]]:
    """One URL per stored document that has no report from this parser version yet."""
    return list(
        db.query(
            """SELECT u.url, u.sha256, u.portal, u.list_title, u.list_date, u.filename FROM document_urls u
        WHERE u.kind = 'document'
          AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.sha256 = u.sha256 AND r.parser_version = ?)
        GROUP BY u.sha256""",
            [parser_version],
        )
    )
