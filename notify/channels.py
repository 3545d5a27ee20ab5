"""Deliver a channel's summary through Apprise: its URL filled from the environment, one send each.

Apprise speaks each service's API (钉钉's signed robot, 企业微信's and 飞书's webhooks, Slack, ntfy,
plain JSON webhooks …), so nianbao keeps no webhook client of its own.  Its `notify()` answers
only yes or no; why it failed is in its log, which is caught here and becomes the outbox entry's
error.  While Apprise runs, every log handler of the process hides the URL's secrets: urllib3 logs
each request line, the robot's token in its query, at debug level (`-vv`), and Apprise names an
invalid token in its warning.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from nianbao.core.channels import redact, render
from nianbao.core.config import Channel
from nianbao.core.errors import NotifyError

APP = "nianbao"


class _Hide(logging.Filter):
    """Replaces the secrets in every record a handler is given (in place: the handlers after it
    see the record hidden too)."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message, self.secrets)
        if hidden != message or record.args:
            record.msg, record.args = hidden, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
            record.exc_info = None
        return True


class _Caught(logging.Handler):
    """Apprise's warnings and errors during one send: they say why it failed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage().strip())

    def reason(self) -> str:
        return "; ".join(dict.fromkeys(line for line in self.lines if line))


@contextmanager
def _hidden(secrets: tuple[str, ...], caught: _Caught) -> Iterator[None]:
    hide = _Hide(secrets)
    handlers = [caught, *logging.getLogger().handlers, *([logging.lastResort] if logging.lastResort else [])]
    source = logging.getLogger("apprise")
    level = source.level
    for handler in handlers:
        handler.addFilter(hide)
    source.addHandler(caught)
    if source.getEffectiveLevel() > logging.WARNING:
        source.setLevel(logging.WARNING)
    try:
        yield
    finally:
        source.removeHandler(caught)
        source.setLevel(level)
        for handler in handlers:
            handler.removeFilter(hide)


def send(channel: Channel, *, title: str, body: str, environ: Mapping[str, str] | None = None) -> None:
    """Deliver or raise NotifyError, whose text holds no secret.  The service accepted the message
    when Apprise says so (an HTTP 2xx, and for 飞书 a zero `code` in its answer)."""
    import apprise

    where = f"channel {channel.name}"
    try:
        url, secrets = render(channel.url, os.environ if environ is None else environ)
    except NotifyError as exc:
        raise NotifyError(f"{where}: {exc}") from None
    caught = _Caught()
    with _hidden(secrets, caught):
        # no persistent store: nothing of a send is written to disk (a hardened unit's file system is read-only)
        box = apprise.Apprise(asset=apprise.AppriseAsset(app_id=APP, app_desc=APP, storage_mode="memory"))
        if not box.add(url):
            reason = caught.reason() or "a value from the environment does not fit the service's URL"
            raise NotifyError(f"{where}: Apprise cannot use its URL ({redact(reason, secrets)})")
        accepted = box.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    if not accepted:
        raise NotifyError(f"{where}: {redact(caught.reason() or 'not accepted', secrets)}")
