"""`python -m nianbao` is the `nianbao` command."""

from nianbao.cli import cli

cli(prog_name="nianbao")
