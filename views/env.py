"""The one Jinja2 environment: templates shipped in the package, autoescaping always on (agency
names, titles and messages come from portals and are untrusted)."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from views.tables import number


def safe_href(url: object) -> str | None:
    """An http(s) URL a page may link to; anything else (javascript:, data:, garbage) is shown as text."""
    text = str(url or "")
    try:
        return text if urlsplit(text).scheme in ("http", "https") else None
    except ValueError:
        return None


def rule_file(rule_id: str) -> str:
    """The file name of a rule's page (rule ids are dotted names; anything else is replaced)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in rule_id) + ".html"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("views", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = number
    env.globals["safe_href"] = safe_href
    env.globals["rule_file"] = rule_file
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
