"""The documented example configuration, written from the schema in `config.py`.

`nianbao config example` prints it; `config/nianbao.example.toml` is its output, and a test keeps
the two equal, so a key, default or description changes in one place only.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, Field, fields
from typing import Any, get_type_hints

from nianbao.core.config import CRAWL_KEYS, Agency, Channel, Config, EmailSettings, Portal

HEADER = """\
# nianbao configuration: copy to ./nianbao.toml (the default) or pass --config FILE.
# Written from the schema (nianbao/core/config.py) by `nianbao config example`; check a file with
# `nianbao config check FILE`.  Every key is optional unless marked (required); the values shown are
# the built-in defaults, except in the sections marked (example).  Unknown keys are errors.
# The portal and agency below are placeholders: put your own in their place.  Until then the portal's
# URL is on example.invalid (a name that never resolves), and `nianbao crawl` refuses to start.
"""
# The values of the example sections: one portal, one agency, one mail server.  The portal is a
# placeholder on example.invalid (RFC 2606): an unedited copy must crawl no real government's site.
EXAMPLES: dict[type, dict[str, Any]] = {
    Portal: {"name": "某某县人民政府", "urls": ("http://www.example.invalid/zfxxgk/zfxxgknb.htm",)},
    Agency: {"name": "某某县某某乡人民政府", "level": "township", "portal": "某某县人民政府"},
    EmailSettings: {
        "smtp_host": "localhost",
        "smtp_port": 587,
        "security": "starttls",
        "sender": "nianbao@example.org",
        "to": ("watch@example.org",),
    },
    Channel: {"name": "乡镇工作群", "url": "dingtalk://{NIANBAO_DINGTALK_TOKEN}/", "levels": ("township",)},
}
_ALIASES: dict[tuple[type, str], str] = {(EmailSettings, "sender"): "from"}
_COMMENT_AT = 40


def toml_value(value: Any) -> str:
    """A Python value as TOML source."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def description(cls: type, name: str) -> str:
    """The `description` a field of the schema declares."""
    hint = get_type_hints(cls, include_extras=True)[name]
    return next((str(m.description) for m in getattr(hint, "__metadata__", ()) if getattr(m, "description", None)), "")


def _line(text: str, comment: str) -> str:
    return f"{text:<{_COMMENT_AT - 1}} # {comment}" if comment else text


def _default(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return MISSING


def _field_line(cls: type, f: Field[Any], value: Any) -> str:
    key = _ALIASES.get((cls, f.name), f.name)
    default = _default(f)
    comment = description(cls, f.name) + (" (required)" if default is MISSING else "")
    if value is None and "Flag" in str(f.type):  # an optional switch: shown commented out, turned off
        return _line(f"# {key} = false", comment)
    if value in (None, ()):  # no default: shown commented out
        return _line(f"# {key} = {toml_value(['…'] if value == () else '…')}", comment)
    return _line(f"{key} = {toml_value(value)}", comment)


def section(cls: type, header: str, example: dict[str, Any] | None = None, *, skip: tuple[str, ...] = ()) -> list[str]:
    """One TOML section: its header with the class's docstring, then every field."""
    doc = (cls.__doc__ or "").split("] ", 1)[-1].strip().rstrip(".")
    out = [_line(header, doc + (" (example)" if example else ""))]
    for f in fields(cls):
        if f.name not in skip:
            out.append(_field_line(cls, f, (example or {}).get(f.name, _default(f))))
    return out


def _portal_section() -> list[str]:
    urls = EXAMPLES[Portal]["urls"]
    out = section(Portal, "[[portals]]", {**EXAMPLES[Portal], "urls": ()}, skip=("crawl",))
    out[2] = _line(f"url = {toml_value(urls[0])}", "the page where the portal lists its annual reports")
    out.insert(3, _line('# urls = ["…", "…"]', "or several columns of one portal (by year, per township, …)"))
    out.append(_line("# interval = 2.0", f"any [crawl] key overrides it for this portal: {', '.join(CRAWL_KEYS)}"))
    return out


def _channel_section() -> list[str]:
    """A robot, commented out: a channel whose variable is unset would fail on every run."""
    lines = section(Channel, "[[notify.channels]]", EXAMPLES[Channel])
    lines += [
        "# secrets come from the environment: export NIANBAO_DINGTALK_TOKEN=… (企业微信: wecombot://{…}, 飞书: feishu://{…})"
    ]
    return [
        line if line.startswith("# ") else _line("# " + line.partition(" # ")[0].rstrip(), line.partition(" # ")[2])
        for line in lines
    ]


def example_toml() -> str:
    """The example file: every section and key of the schema, its default and its description."""
    config = Config()
    blocks = [
        section(type(config.database), "[database]"),
        section(type(config.crawl), "[crawl]"),
        section(type(config.deadlines), "[deadlines]"),
        _portal_section(),
        section(Agency, "[[agencies]]", EXAMPLES[Agency]),
        section(type(config.notify), "[notify]", skip=("email", "channels")),
        section(EmailSettings, "[notify.email]", EXAMPLES[EmailSettings])
        + ["# credentials come from the environment (NIANBAO_SMTP_USER, NIANBAO_SMTP_PASSWORD), never from this file"],
        _channel_section(),
        section(type(config.site), "[site]"),
        section(type(config.schedule), "[schedule]"),
        section(type(config.health), "[health]"),
    ]
    return HEADER + "\n" + "\n\n".join("\n".join(block) for block in blocks) + "\n"
