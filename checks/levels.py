"""An agency's level from its name, where no configuration says it: the level sets its deadline
and what it may publish (only governments with legislative power make 规章)."""

from __future__ import annotations

import re


def infer_level(name: str) -> str:
    """乡/镇/街道 -> township; a 人民政府 otherwise -> government; anything else -> department."""
    if re.search(r"乡|镇|街道|办事处", name):
        return "township"
    return "government" if name.endswith(("人民政府", "管委会", "管理委员会")) else "department"
