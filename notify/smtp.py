"""Send one message over SMTP (plain, STARTTLS or SSL); credentials from the environment only."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from nianbao.core.config import EmailSettings
from nianbao.core.errors import NotifyError


def send(message: EmailMessage, settings: EmailSettings) -> None:
    """Deliver or raise NotifyError (nothing is marked as sent by this function)."""
    try:
        if settings.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.credentials:
                server.login(*settings.credentials)
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(
            f"mail server {settings.smtp_host}:{settings.smtp_port}: {exc or type(exc).__name__}"
        ) from exc
