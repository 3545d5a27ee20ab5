"""Channel URLs: an Apprise URL whose secrets are named, not written: `dingtalk://{NIANBAO_DINGTALK_TOKEN}/`.

A robot's token is all it takes to post into a group, so it never sits in the configuration file
(which is copied, committed and shown in bug reports): each `{NAME}` is filled from the environment
when the digest is sent.  `problem()` refuses a URL whose secret is written out, asking Apprise's
own description of each service which parts of its URL are secret.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from nianbao.core.errors import NotifyError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# a generic webhook's (json://, form://, xml://) query argument or header that carries a secret
_SECRET_ARGUMENT = re.compile(r"token|key|secret|pass|auth|sign|sig\b|credential", re.IGNORECASE)
EXAMPLE = "dingtalk://{NIANBAO_DINGTALK_TOKEN}/"


def variables(template: str) -> tuple[str, ...]:
    """The environment variables a channel URL names, in order."""
    return tuple(dict.fromkeys(PLACEHOLDER.findall(template)))


def _marker(index: int) -> str:
    """A stand-in for the index-th variable that every service's token pattern accepts (digits)."""
    return f"8{index:09d}8"


def problem(template: str) -> str | None:
    """Why a channel URL cannot be used, in one line; None when it can.  Needs no environment: the
    variables are filled with stand-ins, so `config check` gives the same answer on any machine."""
    names = variables(template)
    bare = PLACEHOLDER.sub("", template)
    if "{" in bare or "}" in bare:
        return f"braces must hold an environment variable's name, as in {EXAMPLE}"
    markers = {name: _marker(i) for i, name in enumerate(names)}
    filled = PLACEHOLDER.sub(lambda m: markers[m.group(1)], template)
    parsed = _parse(filled)
    if parsed is None:
        parts = urlsplit(bare)  # a service's "host" may be its token: only a web address's host is shown
        where = f"{parts.scheme}://" + (f"{parts.hostname}/…" if parts.scheme in ("http", "https") else "…")
        return (
            f"{where} is not a URL Apprise knows"
            f" (a service such as dingtalk://, wecombot://, feishu://, json://; for a robot: {EXAMPLE})"
        )
    plugin, results = parsed
    written = [
        name
        for name, token in plugin.template_tokens.items()
        if token.get("private")
        for key in dict.fromkeys((name, token.get("map_to", name)))
        if _literal(results.get(key), markers.values())
    ]
    written += [
        key.strip(" +-:")
        for key, value in parse_qsl(urlsplit(filled).query)
        if _SECRET_ARGUMENT.search(key) and _literal(value, markers.values())
    ]
    if written:
        return (
            f"the secret {written[0]!r} is written in the file: name an environment variable in its place,"
            f" as in {EXAMPLE}, and set it where nianbao runs"
        )
    return None


def _literal(value: Any, markers: Any) -> bool:
    """A value with a letter or digit that came from the file rather than from the environment."""
    if value in (None, "", [], ()):
        return False
    text = " ".join(value) if isinstance(value, (list, tuple)) else str(value)
    for marker in markers:
        text = text.replace(marker, "")
    return any(ch.isalnum() for ch in text)


def _parse(url: str) -> tuple[Any, dict[str, Any]] | None:
    """Apprise's reading of a URL: the service's class and the arguments it would be built with."""
    from apprise import plugins
    from apprise.manager_plugins import NotificationManager

    quiet = logging.getLogger("apprise")
    was, quiet.disabled = quiet.disabled, True  # it logs an URL it cannot read, secret and all
    try:
        results = plugins.url_to_dict(url, secure_logging=True)
    except Exception:  # Apprise's parsers raise what they raise on a malformed URL
        return None
    finally:
        quiet.disabled = was
    manager = NotificationManager()
    if not results or results.get("schema") not in manager:
        return None
    return manager[results["schema"]], results


def render(template: str, environ: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """The URL to send to, each `{NAME}` filled from the environment (URL-quoted), and the values
    filled in: the secrets to keep out of logs, errors and the database."""
    missing = [name for name in variables(template) if not environ.get(name)]
    if missing:
        raise NotifyError(f"environment variable {missing[0]} is not set (the channel's URL names it)")
    values = {name: environ[name] for name in variables(template)}
    url = PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=""), template)
    secrets = {v for v in values.values()} | {quote(v, safe="") for v in values.values()}
    return url, tuple(sorted(secrets, key=len, reverse=True))


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every secret (longest first) replaced by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
