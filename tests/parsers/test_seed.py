"""The seed report (a real township report, 2024) parses completely, with its one real finding."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.core.report import APPLICANT_COLUMNS, APPLICATION_ROWS
from tests.conftest import SEED


@pytest.mark.slow
def test_seed_json(seed_text: str) -> None:
    result = CliRunner().invoke(cli, ["parse", str(SEED), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["agency"] == "张家川县闫家乡人民政府"
    assert doc["title"] == "张家川县闫家乡人民政府2024年度政府信息公开工作报告"
    assert doc["year"] == 2024 and doc["format"] == "2021" and doc["published_at"] is None
    assert doc["active_disclosure"] == {
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
        "licensing": {"decisions": 0},
        "penalties": {"decisions": 0},
        "enforcement": {"decisions": 0},
        "fees": {"amount_10k_yuan": 0},
    }
    assert list(doc["applications"]) == list(APPLICATION_ROWS)
    assert all(
        list(row) == list(APPLICANT_COLUMNS) and set(row.values()) == {0} for row in doc["applications"].values()
    )
    assert sum(len(row) for row in doc["applications"].values()) == 25 * 7
    assert sum(len(g) for g in doc["review_litigation"].values()) == 15
    assert [f["rule"] for f in doc["findings"]] == ["report.contacts"]
    assert "741503" in doc["findings"][0]["message"] and "741502" in doc["findings"][0]["message"]
