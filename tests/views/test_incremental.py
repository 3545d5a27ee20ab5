"""A site built again into the same folder: only the pages whose content changed are written, the
pages of agencies gone are removed, and a page damaged on disk is written again.  Over a copy of
the demo's database (a real cycle), changed the way a day's check changes it."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from nianbao.core.config import Deadlines
from nianbao.demo import MISSING
from storage.db import open_db
from views.pages import MANIFEST
from views.site import Built, build_site
from views.status import slug

AS_OF = date(2026, 4, 15)
INCONSISTENT = "某某县龙山镇人民政府"


@pytest.fixture()
def db_path(demo: Path, tmp_path: Path) -> Path:
    """A writable copy of the demo's database."""
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(demo / "nianbao.db")
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def build(db_path: Path, out: Path, now: str = "2026-04-15T12:00:00+00:00") -> Built:
    db = open_db(str(db_path))
    try:
        return build_site(db, out, as_of=AS_OF, deadlines=Deadlines(), now=now)
    finally:
        db.close()


def files(out: Path) -> dict[str, tuple[int, int]]:
    """Every file of the site, with what tells a rewrite: its inode (a page is written to a new file
    and renamed over the old one) and its modification time."""
    return {
        str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }


def marked(page: Path) -> list[str]:
    """The cells a page marks as offending."""
    return [
        td.attributes["data-cell"] or "" for td in LexborHTMLParser(page.read_text(encoding="utf-8")).css("td.cell.bad")
    ]


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {path for path, stamp in after.items() if before.get(path) != stamp}


def test_a_build_without_changes_writes_only_its_date(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build(db_path, out)
    assert first.written == len(files(out)) and first.removed == 0
    before = files(out)
    again = build(db_path, out, now="2026-04-16T12:00:00+00:00")
    assert rewritten(before, files(out)) == {"data/built.js"}
    assert again.written == 1 and again.removed == 0 and (again.pages, again.bytes) == (first.pages, first.bytes)
    # the agency pages were not even rendered: the rows they show are the ones they were built from
    agency_pages = sum(1 for path in before if path.startswith("agency/"))
    assert agency_pages > 10 and again.rendered <= len(before) - agency_pages
    assert "2026年4月16日" in (out / "data" / "built.js").read_text(encoding="utf-8")
    # the pages themselves still carry a date (a reader without JavaScript sees when they were written)
    assert "截至2026年4月15日 · 生成于2026年4月15日 20:00" in (out / "trends.html").read_text(encoding="utf-8")


def test_a_changed_agency_is_rewritten_and_no_other(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(db_path, out)
    page = out / "agency" / f"{slug('agency', INCONSISTENT)}.html"
    assert marked(page)
    before = files(out)
    # the day's check found the report consistent after all: its finding resolved
    db = sqlite3.connect(db_path)
    with db:
        done = db.execute(
            "UPDATE findings SET resolved_at = '2026-04-16T06:00:00+00:00' "
            "WHERE agency = ? AND kind = 'inconsistent' AND resolved_at IS NULL",
            [INCONSISTENT],
        ).rowcount
    db.close()
    assert done >= 1
    built = build(db_path, out)
    changed = rewritten(before, files(out))
    assert f"agency/{slug('agency', INCONSISTENT)}.html" in changed
    assert [path for path in changed if path.startswith("agency/")] == [f"agency/{slug('agency', INCONSISTENT)}.html"]
    # what else shows the verdict: the overview's counts, the grid's data of that portal, the rule's cases
    assert "index.html" in changed and any(path.startswith("data/grid-") for path in changed)
    assert any(path.startswith("rule/") for path in changed)
    assert len(changed) <= 8 and built.written == len(changed) and built.removed == 0
    assert not marked(page)


def test_an_agency_gone_takes_its_page_with_it(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(db_path, out)
    page = out / "agency" / f"{slug('agency', MISSING)}.html"
    assert page.is_file()
    grid = "".join(p.read_text(encoding="utf-8") for p in (out / "data").glob("grid-*.js"))
    assert MISSING in grid
    db = sqlite3.connect(db_path)
    with db:  # no longer watched: out of the configuration, and its findings with it
        db.execute("DELETE FROM agencies WHERE name = ?", [MISSING])
        db.execute("DELETE FROM findings WHERE agency = ?", [MISSING])
    db.close()
    built = build(db_path, out)
    assert not page.exists() and built.removed == 1
    grid = "".join(p.read_text(encoding="utf-8") for p in (out / "data").glob("grid-*.js"))
    assert MISSING not in grid and MISSING not in (out / "index.html").read_text(encoding="utf-8")
    record = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert f"agency/{slug('agency', MISSING)}.html" not in record["pages"]


def test_a_page_damaged_on_disk_is_written_again(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(db_path, out)
    page = out / "agency" / f"{slug('agency', INCONSISTENT)}.html"
    whole = page.read_bytes()
    page.write_bytes(whole[: len(whole) // 2])  # cut short (a full disk, a copy interrupted)
    (out / "static" / "site.js").unlink()
    before = files(out)
    built = build(db_path, out)
    assert page.read_bytes() == whole and (out / "static" / "site.js").is_file()
    assert rewritten(before, files(out)) == {page.relative_to(out).as_posix(), "static/site.js"}
    assert built.written == 2


def test_other_code_renders_every_page_again_but_writes_only_what_differs(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build(db_path, out)
    record = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    record["code"] = "another nianbao"
    (out / MANIFEST).write_text(json.dumps(record), encoding="utf-8")
    before = files(out)
    built = build(db_path, out)
    assert built.rendered == first.rendered  # nothing taken on trust from a build by other code
    assert rewritten(before, files(out)) == set() and built.written == 0


def test_a_folder_without_a_record_is_written_whole(db_path: Path, tmp_path: Path) -> None:
    """A site written by an older nianbao (no record beside it): its folders are cleared, so that no
    page of an agency gone is left behind."""
    out = tmp_path / "site"
    stale = out / "agency" / "agency-stale.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("<p>an agency gone</p>", encoding="utf-8")
    os.utime(stale, (0, 0))
    built = build(db_path, out)
    assert not stale.exists() and built.written == len(files(out))
