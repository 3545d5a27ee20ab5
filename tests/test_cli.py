"""Every command is documented (sqlite-utils' test_commands_have_help)."""

from __future__ import annotations

from click.testing import CliRunner

from nianbao.cli import cli


def test_commands_have_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help"
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
