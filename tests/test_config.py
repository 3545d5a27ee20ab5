"""The configuration schema: validation names every bad key, defaults and the example come from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.core.config import Config, CrawlSettings, from_dict, load
from nianbao.core.config_doc import example_toml
from nianbao.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "nianbao.example.toml"
PORTAL = {"name": "县", "url": "http://www.example.gov.cn/nb.htm"}


def test_the_example_file_is_written_from_the_schema_and_loads() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == example_toml(), (
        "run: nianbao config example > config/nianbao.example.toml"
    )
    config = load(str(EXAMPLE))
    assert config.portals[0].name == "某某县人民政府" and config.agencies[0].portal == "某某县人民政府"
    assert config.portals[0].urls == ("http://www.example.invalid/zfxxgk/zfxxgknb.htm",)  # crawls nothing real
    assert config.crawl == CrawlSettings()  # the values shown are the defaults
    assert config.email is not None and config.email.sender == "nianbao@example.org"


@pytest.mark.parametrize(
    ("document", "line"),
    [
        ({"crawl": {"intervall": 2}}, 'crawl.intervall: unknown key (did you mean "interval"?)'),
        ({"crawl": {"interval": "2"}}, "crawl.interval: input should be a valid number (got '2')"),
        ({"crawl": {"interval": -1}}, "crawl.interval: input should be greater than or equal to 0"),
        ({"deadlines": {"government": "3/31"}}, "deadlines.government: '3/31' is not a month-day"),
        ({"deadlines": {"township": "02-30"}}, "deadlines.township: '02-30' is not a month-day"),
        ({"agencies": [{"name": "镇", "portal": "县x"}], "portals": [PORTAL]}, "agencies[0].portal: '县x' names no"),
        ({"agencies": [{"name": "镇", "level": "county"}]}, "agencies[0].level: input should be 'government'"),
        ({"portals": [{**PORTAL, "url": "ftp://x"}]}, "portals[0].url: 'ftp://x' is not an http(s) URL"),
        ({"portals": [{"name": "县"}]}, 'portals[0].urls: required key missing (give "url" or "urls")'),
        ({"portals": [{**PORTAL, "timout": 3}]}, 'portals[0].timout: unknown key (did you mean "timeout"?)'),
        ({"portals": [{**PORTAL, "timeout": "3s"}]}, "portals[0].timeout: input should be a valid number"),
        ({"portals": [PORTAL, PORTAL]}, "portals[1].name: '县' is used by another portal already"),
        ({"notify": {"email": {"form": "a@b"}}}, 'notify.email.form: unknown key (did you mean "from"?)'),
        ({"notify": {"email": {"smtp_port": "25"}}}, "notify.email.smtp_port: input should be a valid integer"),
        ({"schedule": {"cron": "99 * * * *"}}, "schedule.cron: '99 * * * *' is not a cron expression"),
        ({"databse": {"path": "x.db"}}, 'databse: unknown key (did you mean "database"?)'),
        (
            {"agencies": [{"name": "某某县红旗乡人民政府", "aliases": ["红旗镇人民政府"]}, {"name": "红旗镇人民政府"}]},
            "agencies[0].aliases[0]: '红旗镇人民政府' is the name or an alias of '红旗镇人民政府'",
        ),
        ({"agencies": [{"name": "镇", "aliases": [1]}]}, "agencies[0].aliases[0]: input should be a valid string"),
    ],
)
def test_every_error_names_its_key(document: dict[str, Any], line: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_dict(document, source="n.toml")
    assert any(text.startswith(f"n.toml: {line}") for text in str(caught.value).splitlines()), str(caught.value)


def test_a_global_error_is_reported_once_not_per_portal() -> None:
    with pytest.raises(ConfigError) as caught:
        from_dict({"crawl": {"interval": "1", "intervall": 1}, "portals": [PORTAL, {**PORTAL, "name": "乡"}]})
    assert str(caught.value).splitlines() == [
        "config: crawl.interval: input should be a valid number (got '1')",
        'config: crawl.intervall: unknown key (did you mean "interval"?)',
    ]


def test_portal_keys_override_the_global_crawl_settings() -> None:
    config = from_dict(
        {
            "crawl": {"interval": 2, "timeout": 5.0, "user_agent": "global"},
            "portals": [{**PORTAL, "timeout": 9, "user_agent": "own"}, {**PORTAL, "name": "乡", "urls": ["http://b/"]}],
        }
    )
    own, other = config.portals
    assert (own.crawl.interval, own.crawl.timeout, own.crawl.user_agent) == (2.0, 9.0, "own")
    assert (other.crawl.timeout, other.crawl.user_agent, other.urls) == (5.0, "global", (PORTAL["url"], "http://b/"))


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load(None) == Config() and load(None, db="x.db").db_path == "x.db"


@pytest.mark.parametrize(
    "body",
    [
        "[crawl]\nintervall = 2\n",
        '[crawl]\ninterval = "2"\n',
        '[deadlines]\ngovernment = "3/31"\n',
        '[[portals]]\nname = "县"\nurl = "http://a.gov.cn/"\n[[agencies]]\nname = "镇"\nportal = "乡"\n',
    ],
)
def test_crawl_with_a_bad_config_exits_2_with_one_line_per_error(tmp_path: Path, body: str) -> None:
    (tmp_path / "bad.toml").write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--config", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nianbao: ") and "Traceback" not in result.output
    key = body.split("\n")[1].split(" =")[0] if "agencies" not in body else "agencies[0].portal"
    assert key in lines[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """A key the schema refuses no longer hides a rule across keys: one run lists both, one line each."""
    body = '[crawl]\nintervall = 2\n[[portals]]\nname = "县"\nurl = "http://a.gov.cn/"\n[[agencies]]\nname = "镇"\nportal = "乡"\n'
    (tmp_path / "two.toml").write_text(body, encoding="utf-8")
    for command in (["config", "check"], ["crawl", "--config"], ["check", "--config"]):
        result = CliRunner().invoke(cli, [*command, str(tmp_path / "two.toml")])
        assert result.exit_code == 2, result.output
        assert result.output.splitlines() == [
            f'nianbao: {tmp_path / "two.toml"}: crawl.intervall: unknown key (did you mean "interval"?)',
            f"nianbao: {tmp_path / 'two.toml'}: agencies[0].portal: '乡' names no configured portal (portals: 县)",
        ]


def test_the_rules_across_keys_skip_what_the_schema_refused() -> None:
    """A value of the wrong type is the schema's error alone; the cross-field rules read the rest."""
    document = {
        "portals": [{"name": 3, "url": "http://a/"}, {"name": "县", "url": "http://b/"}, PORTAL],
        "agencies": [
            {"name": "镇", "portal": 7, "aliases": "镇"},
            {"name": "乡", "portal": "县", "aliases": [1, "镇"]},
        ],
        "health": {"max_age_hours": "36", "fail_age_hours": 1.0},
        "notify": {
            "channels": [{"name": "群", "url": "json://h/", "portals": "省"}, {"name": "群", "url": "json://g/"}]
        },
    }
    with pytest.raises(ConfigError) as caught:
        from_dict(document, source="n.toml")
    assert str(caught.value).splitlines() == [
        "n.toml: portals[0].name: input should be a valid string (got 3)",
        "n.toml: agencies[0].portal: input should be a valid string (got 7)",
        "n.toml: agencies[1].aliases[0]: input should be a valid string (got 1)",
        "n.toml: health.max_age_hours: input should be a valid number (got '36')",
        "n.toml: agencies[1].aliases[1]: '镇' is the name or an alias of '镇'",
        "n.toml: portals[2].name: '县' is used by another portal already",
        "n.toml: notify.channels[0].portals[0]: '省' names no configured portal (portals: 县)",
        "n.toml: notify.channels[1].name: '群' is used by another channel already",
    ]


def test_config_check_command(tmp_path: Path) -> None:
    edited = EXAMPLE.read_text(encoding="utf-8").replace("www.example.invalid", "www.example.gov.cn")
    (tmp_path / "edited.toml").write_text(edited, encoding="utf-8")
    result = CliRunner().invoke(cli, ["config", "check", str(tmp_path / "edited.toml")])
    assert result.exit_code == 0 and result.output == f"{tmp_path / 'edited.toml'}: ok (1 portals, 1 agencies)\n"
    (tmp_path / "bad.toml").write_text("[crawl\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["config", "check", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2 and "not valid TOML" in result.output


def _channel(url: str, **more: object) -> dict[str, Any]:
    return {"portals": [PORTAL], "notify": {"channels": [{"name": "群", "url": url, **more}]}}


@pytest.mark.parametrize(
    ("document", "line"),
    [
        (_channel("dingtalk://0a1b2c3d4e/"), "notify.channels[0].url: the secret 'token' is written in the file"),
        (_channel("dingtalk://SEC99@{T}/"), "notify.channels[0].url: the secret 'secret' is written in the file"),
        (_channel("wecombot://693a91f6-7d1c"), "notify.channels[0].url: the secret 'key' is written in the file"),
        (_channel("feishu://f3ishuhook"), "notify.channels[0].url: the secret 'token' is written in the file"),
        (_channel("json://u:pw@127.0.0.1/"), "notify.channels[0].url: the secret 'password' is written in the file"),
        (
            _channel("json://127.0.0.1/robot?access_token=abc"),
            "notify.channels[0].url: the secret 'access_token' is written in the file",
        ),
        (
            _channel("https://oapi.dingtalk.com/robot/send?access_token=abc"),
            "notify.channels[0].url: https://oapi.dingtalk.com/… is not a URL Apprise knows",
        ),
        (_channel("dingtalk://{T/"), "notify.channels[0].url: braces must hold an environment variable's name"),
        (_channel("dingtalk://{T}/", levels=["county"]), "notify.channels[0].levels[0]: input should be 'government'"),
        (_channel("dingtalk://{T}/", portals=["省"]), "notify.channels[0].portals[0]: '省' names no configured portal"),
        (_channel("dingtalk://{T}/", lang="en"), 'notify.channels[0].lang: unknown key (did you mean "language"?)'),
    ],
)
def test_a_channel_url_holds_no_secret_and_its_route_names_what_exists(document: dict[str, Any], line: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_dict(document, source="n.toml")
    assert any(text.startswith(f"n.toml: {line}") for text in str(caught.value).splitlines()), str(caught.value)
    for secret in ("0a1b2c3d4e", "SEC99", "693a91f6", "f3ishuhook", ":pw@", "=abc"):
        assert secret not in str(caught.value)  # the refusal does not repeat the secret it refuses


def test_channels_whose_secrets_come_from_the_environment_load() -> None:
    config = from_dict(
        {
            "portals": [PORTAL],
            "notify": {
                "channels": [
                    {"name": "乡镇工作群", "url": "dingtalk://{NIANBAO_DINGTALK_TOKEN}/", "levels": "township"},
                    {"name": "加签群", "url": "dingtalk://{NIANBAO_DINGTALK_SECRET}@{NIANBAO_DINGTALK_TOKEN}/"},
                    {"name": "企业微信群", "url": "wecombot://{NIANBAO_WECOM_KEY}", "portals": ["县"]},
                    {"name": "飞书群", "url": "feishu://{NIANBAO_FEISHU_TOKEN}", "language": "en"},
                    {"name": "电报", "url": "tgram://{TG_BOT}:{TG_KEY}/12345"},
                    {"name": "自建服务", "url": "json://127.0.0.1:8080/hook"},  # no secret at all
                ]
            },
        }
    )
    assert [c.name for c in config.channels][:2] == ["乡镇工作群", "加签群"]
    assert config.channels[0].levels == ("township",) and config.channels[2].portals == ("县",)
    with pytest.raises(ConfigError, match=r"notify.channels\[1\].name: '群' is used by another channel already"):
        from_dict({"notify": {"channels": [{"name": "群", "url": "json://h/"}, {"name": "群", "url": "json://g/"}]}})


def test_the_examples_robot_loads_once_uncommented(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("# [[notify.channels]]")
    block = text[start : text.index("\n\n", start)]
    assert "dingtalk://{NIANBAO_DINGTALK_TOKEN}/" in block
    uncommented = "\n".join(line if "…" in line else line[2:] for line in block.splitlines())  # "…": yours to fill
    (tmp_path / "n.toml").write_text(text.replace(block, uncommented), "utf-8")
    [channel] = load(str(tmp_path / "n.toml")).channels
    assert channel.levels == ("township",) and channel.url == "dingtalk://{NIANBAO_DINGTALK_TOKEN}/"
