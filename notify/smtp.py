"""Send one message over SMTP (plain, STARTTLS or SSL); credentials from the environment only."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from nianbao.core.config import EmailSettings
from nianbao.core.errors import NotifyError

logger = logging.getLogger(__name__)


def send(message: EmailMessage, settings: EmailSettings) -> None:
    """Deliver or raise NotifyError.  Once the server has accepted the message (250 after DATA) it
    is delivered, whatever happens after: a failing goodbye (QUIT) does not make it unsent."""
    credentials = settings.credentials
    if credentials and settings.security == "none" and not settings.allow_plaintext_auth:
        raise NotifyError(
            f"mail server {settings.smtp_host}:{settings.smtp_port}: credentials would travel without TLS; "
            'use security = "starttls" or "ssl", or set allow_plaintext_auth = true'
        )
    where = f"mail server {settings.smtp_host}:{settings.smtp_port}"
    try:
        if settings.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(f"{where}: {exc or type(exc).__name__}") from exc
    try:
        if settings.security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if credentials:
            server.login(*credentials)
        server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        _close(server)
        raise NotifyError(f"{where}: {exc or type(exc).__name__}") from exc
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        logger.info("%s accepted the digest but did not say goodbye; it is sent", where)
    finally:
        _close(server)


def _close(server: smtplib.SMTP) -> None:
    try:
        server.close()
    except OSError:
        pass
