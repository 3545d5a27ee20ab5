"""How to write a command in a hint so that the reader's shell runs it as printed.

Installed the README's way, `nianbao` and `sqlite-utils` live in `.venv/bin`, which is on PATH only
once the environment is activated.  A hint that says `sqlite-utils nianbao-demo/nianbao.db …` would
then answer "command not found"; it names the tool by the path that works instead.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def command(tool: str = "nianbao") -> str:
    """`tool` as this shell reaches it: its bare name when PATH finds the one installed beside the
    running interpreter (an activated environment, a system install), else its path, relative to
    the current folder when it lies below it (`.venv/bin/sqlite-utils`)."""
    beside = Path(sys.executable).parent / tool
    if not beside.exists():
        return tool  # not installed as a console script here (python -m, a checkout): the name is all we know
    found = shutil.which(tool)
    if found is not None and Path(found).resolve() == beside.resolve():
        return tool
    relative = os.path.relpath(beside)
    return str(beside) if relative.startswith("..") else relative
