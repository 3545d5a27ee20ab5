"""docs/cli.md is the reference of every command and option: written from click, and checked here; the
check fails on a planted option or command the reference does not document."""

from __future__ import annotations

import copy

import click

from nianbao.cli import cli
from nianbao.clidoc import REFERENCE, commands, reference, undocumented


def test_the_reference_is_up_to_date() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == reference(cli), "run: python -m nianbao.clidoc --write"


def test_every_command_and_option_is_documented() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    names = [name for name, _ in commands(cli)]
    assert {"nianbao findings dismiss", "nianbao findings snooze", "nianbao findings reopen"} <= set(names)
    assert undocumented(text, cli) == []


def _with(group: click.Group, path: str, extra: click.Parameter | None = None, *, add: str = "") -> click.Group:
    """A copy of the group in which the command at `path` takes one more parameter, or a command added."""
    planted = copy.copy(group)
    planted.commands = dict(group.commands)
    if add:
        planted.commands[add] = click.Command(add, help="A planted command.")
    if extra is not None:
        command = copy.copy(group.commands[path])
        command.params = [*command.params, extra]
        planted.commands[path] = command
    return planted


def test_the_check_fails_on_a_planted_undocumented_option() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    planted = _with(cli, "status", click.Option(["--planted"], is_flag=True, help="Not in the reference."))
    assert undocumented(text, planted) == ["nianbao status --planted: not in the reference"]
    assert reference(planted) != text  # and the reference is out of date
    bare = _with(cli, "status", click.Option(["--bare"], is_flag=True))
    assert "nianbao status --bare: no help text" in undocumented(reference(bare), bare)


def test_the_check_fails_on_a_planted_undocumented_command() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    assert undocumented(text, _with(cli, "status", add="planted")) == ["nianbao planted: not in the reference"]
