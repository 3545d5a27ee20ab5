"""Reading what nianbao sends: a message part's body as text."""

from __future__ import annotations

from email.message import Message


def decoded(part: Message) -> str:
    """A non-multipart part's body, transfer-decoded and read as UTF-8."""
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes), f"a {part.get_content_type()} part with no single body"
    return payload.decode("utf-8")
