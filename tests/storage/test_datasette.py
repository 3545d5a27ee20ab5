"""The database opens in Datasette and sqlite-utils without any plugin."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.sink import Document
from nianbao.ingest import ingest
from nianbao.sample.reports import SampleReport, balanced, report_text
from storage.db import open_db


@pytest.mark.slow
def test_datasette_and_sqlite_utils_read_it(tmp_path: Path) -> None:
    from datasette.app import Datasette

    path = tmp_path / "nianbao.db"
    db = open_db(str(path))
    sample = SampleReport(agency="某某县马关镇人民政府", year=2025, applications=balanced(2))
    ingest(db, Document("http://127.0.0.1/a.htm", report_text(sample).encode()), now="2026-02-01T00:00:00")
    db.close()

    async def query() -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        ds = Datasette([str(path)])
        apps = await ds.client.get(
            "/nianbao/applications_by_agency_year.json?_shape=array&row_key=new&column_key=total"
        )
        search = await ds.client.get(
            "/nianbao.json?sql=select+rowid+from+report_search+where+report_search+match+'马关镇'&_shape=array"
        )
        page = await ds.client.get("/nianbao/reports")
        return apps.json(), search.json(), page.status_code

    apps, search, status = asyncio.run(query())
    assert apps == [
        {
            "agency": "某某县马关镇人民政府",
            "year": 2025,
            "row_key": "new",
            "column_key": "total",
            "value": 2,
            "report_id": 1,
        }
    ]
    assert search == [{"rowid": 1}] and status == 200
    tables = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "tables", str(path), "--counts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"table": "report_cells", "count": 200' in tables
