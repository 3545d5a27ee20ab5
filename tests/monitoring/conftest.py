"""A real SMTP server on loopback (aiosmtpd) that collects what nianbao sends."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"

    def texts(self) -> list[str]:
        out = []
        for message in self.messages:
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    out.append(decoded(part).replace("\r\n", "\n"))
        return out


def decoded(part: Message) -> str:
    """A non-multipart part's body, transfer-decoded and read as UTF-8."""
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes), f"{part.get_content_type()} part has no single decodable body"
    return payload.decode("utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def smtp() -> Iterator[tuple[Collector, int]]:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, port
    controller.stop()


from tests.monitoring.robots import robots  # noqa: E402, F401 - the group robots' stand-ins, a fixture
