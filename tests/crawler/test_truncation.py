"""A body cut short is a failed fetch, never a document: at the HTTP level when the answer framed its
end (Content-Length, chunks, a compressed stream), and by the format's own end when it did not (PDF
%%EOF, ZIP end-of-central-directory, OLE2 sectors, an HTML page against the copy stored for it)."""

from __future__ import annotations

import asyncio
import gzip
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import sqlite_utils

from checks.run import run_checks
from crawler.crawl import CrawlResult
from crawler.errors import Truncated
from crawler.fetch import Fetcher, FetchRecord, Response, build_client
from crawler.scope import Scope
from crawler.truncation import cut_short, truncated
from nianbao.core.config import Agency, Config, CrawlSettings
from nianbao.core.config import Portal as PortalConfig
from nianbao.core.findings import StoredFinding
from nianbao.crawl_runner import crawl_all
from nianbao.sample import pdf as sample_pdf
from nianbao.sample.docx_report import build_docx
from nianbao.sample.pdf import tiny_pdf
from nianbao.sample.reports import SampleReport, mixed, report_text
from nianbao.sample.server import Answer, Request, Site, start, stop
from nianbao.sample.wordhtml import render
from parsers.office import convert, soffice
from storage.db import open_db
from storage.findings import list_findings

SETTINGS = CrawlSettings(interval=0.0, timeout=5.0, retries=0)


def _page(agency: str = "某某县马关镇人民政府", new: int = 6) -> bytes:
    sample = SampleReport(agency=agency, year=2025, applications=mixed(new))
    return render(report_text(sample), title=sample.title, pub_date="2026-01-20").encode()


# ---- the formats' own ends (pure) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def files(seed_text: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A real report as DOCX (python-docx), and as PDF and DOC (LibreOffice)."""
    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI: .ci/run should have installed it")
        pytest.skip("LibreOffice (soffice) is not installed here")
    docx = build_docx(seed_text, tmp_path_factory.mktemp("office") / "report.docx", title="年度报告").read_bytes()
    return {
        "docx": docx,
        "pdf": convert(docx, source="report.docx", suffix=".docx", target="pdf"),
        "doc": convert(docx, source="report.docx", suffix=".docx", target="doc"),
        "tiny pdf": tiny_pdf("attachment"),
    }


@pytest.mark.parametrize("kind", ["pdf", "docx", "doc", "tiny pdf"])
@pytest.mark.slow
def test_a_whole_file_ends_and_a_cut_one_does_not(files: dict[str, bytes], kind: str) -> None:
    data = files[kind]
    assert truncated(data, None, None) is None
    for fraction in (0.1, 0.4, 0.6, 0.9):
        cut = data[: int(len(data) * fraction)]
        assert truncated(cut, "application/octet-stream", None) is not None, fraction


def test_what_each_format_is_cut_without() -> None:
    pdf = tiny_pdf("attachment")
    assert "without %%EOF or startxref" in (truncated(pdf[:-60], None, None) or "")
    assert truncated(pdf + b"\r\n\x00\x00", None, None) is None  # padding after %%EOF is no cut
    zip_start = b"PK\x03\x04" + bytes(200)
    assert "end-of-central-directory" in (truncated(zip_start, None, None) or "")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)
    assert "shorter than its 512-byte header" in (truncated(ole, None, None) or "")


def test_an_html_page_is_judged_against_its_stored_copy() -> None:
    page = _page()
    cut = page[: len(page) * 6 // 10]
    # no stored copy: many pages never close their tags, so a page alone proves nothing
    assert truncated(cut, "text/html", None) is None
    reason = truncated(cut, "text/html", page) or ""
    assert "ends without </body> and </html>" in reason and f"after {len(cut)} bytes" in reason
    assert truncated(_page(new=7), "text/html", page) is None  # a changed page that ends is no cut
    sloppy = page.replace(b"</body>", b"").replace(b"</html>", b"")
    assert truncated(cut, "text/html", sloppy) is None  # its CMS never closes them: nothing to judge by
    wide = page.decode("utf-8").encode("utf-16")
    assert truncated(wide[: len(wide) // 2], None, wide) is not None  # UTF-16 pages too
    assert "empty" in (truncated(b"", "text/html", page) or "")


def test_the_stored_copy_is_read_only_when_it_matters() -> None:
    pdf, reads = tiny_pdf("report"), []

    def stored(copy: bytes | None) -> Callable[[], bytes | None]:
        def read() -> bytes | None:
            reads.append(copy)
            return copy

        return read

    assert cut_short(pdf, "application/pdf", stored(pdf)) is None and reads == []  # a whole file: not read
    assert (cut_short(pdf[:300], "application/pdf", stored(None)) or "").startswith("truncated: a PDF of 300 bytes")
    # the URL served these very bytes before: stored already, no new version to refuse
    assert cut_short(pdf[:300], "application/pdf", stored(pdf[:300])) is None
    page = _page()
    assert cut_short(page, "text/html", stored(page)) is None
    assert (cut_short(page[:20000], "text/html", stored(page)) or "").startswith("truncated: the page ends without")


# ---- the HTTP level ------------------------------------------------------------------------------


@pytest.fixture()
def site() -> Iterator[Site]:
    portal = Site("cut")
    start([portal])
    yield portal
    stop([portal])


def _raw(head: str, *parts: bytes) -> Callable[[BinaryIO], None]:
    """A server that writes `head` and `parts`, then closes the connection."""

    def write(out: BinaryIO) -> None:
        out.write(f"HTTP/1.1 200 OK\r\n{head}Connection: close\r\n\r\n".encode())
        for part in parts:
            out.write(part)
            out.flush()

    return write


def _get(site: Site, path: str, records: list[FetchRecord], settings: CrawlSettings = SETTINGS) -> Response:
    async def go() -> Response:
        async with build_client(settings) as client:
            return await Fetcher(client, Scope.of((site.base + "/",)), settings, on_fetch=records.append).get(
                site.url(path)
            )

    return asyncio.run(go())


def test_a_body_shorter_than_its_content_length_is_truncated(site: Site) -> None:
    site.add("/cl", Answer(raw=_raw("Content-Type: application/pdf\r\nContent-Length: 10000\r\n", b"x" * 4000)))
    records: list[FetchRecord] = []
    with pytest.raises(Truncated) as caught:
        _get(site, "/cl", records)
    assert str(caught.value).endswith("/cl: the body ended after 4000 of 10000 bytes")
    assert (caught.value.received, caught.value.expected) == (4000, 10000)
    assert [(r.outcome, r.bytes) for r in records if r.url.endswith("/cl")] == [("truncated", 4000)]


def test_a_chunked_body_without_its_last_chunk_is_truncated(site: Site) -> None:
    site.add("/chunked", Answer(raw=_raw("Transfer-Encoding: chunked\r\n", b"400\r\n" + b"y" * 1024 + b"\r\n")))
    with pytest.raises(Truncated, match="the chunked body ended after 1024 bytes, before its last chunk"):
        _get(site, "/chunked", [])


def test_a_compressed_body_cut_inside_its_stream_is_truncated(site: Site) -> None:
    squeezed = gzip.compress(os.urandom(30000))  # incompressible: the cut falls inside the stream
    site.add("/gz", Answer(raw=_raw("Content-Encoding: gzip\r\n", squeezed[:12000])))
    site.add("/gz-whole", Answer(raw=_raw("Content-Encoding: gzip\r\n", squeezed)))
    with pytest.raises(Truncated, match=r"the gzip body ended before its compressed stream did \(after 12000 bytes\)"):
        _get(site, "/gz", [])
    assert len(_get(site, "/gz-whole", []).content) == 30000  # the same, whole, with no length either


def test_a_cut_connection_is_tried_again_like_a_broken_one(site: Site) -> None:
    body = b"<html><body>whole</body></html>"
    calls: list[float] = []

    def flaky(request: Request) -> Answer:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Answer(raw=_raw(f"Content-Length: {len(body)}\r\n", body[:10]))
        return Answer(200, body, {"Content-Type": "text/html"})

    site.add("/flaky", flaky)
    records: list[FetchRecord] = []
    response = _get(site, "/flaky", records, CrawlSettings(interval=0.0, timeout=5.0, retries=1))
    assert response.content == body and len(calls) == 2
    assert [r.outcome for r in records if r.url.endswith("/flaky")] == ["truncated", "ok"]


def test_a_whole_body_framed_by_the_close_is_no_truncation(site: Site) -> None:
    """No Content-Length and the connection closed at the end: HTTP cannot tell; the format can."""
    page = _page()
    site.add("/close", Answer(raw=_raw("Content-Type: text/html; charset=utf-8\r\n", page)))
    assert _get(site, "/close", []).content == page


# ---- a crawl: a cut second fetch is a failed fetch, never version 2 ------------------------------

TOWN, PDF_TOWN, DOCX_TOWN, BUREAU = (
    "某某县马关镇人民政府",
    "某某县刘堡镇人民政府",
    "某某县红旗乡人民政府",
    "某某县水务局",
)
HTML = {"Content-Type": "text/html; charset=utf-8"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PASSES = ("2026-02-01T12:00:00+00:00", "2026-02-02T12:00:00+00:00", "2026-02-03T12:00:00+00:00")


@dataclass
class Portal:
    """One county portal listing four reports, in four ways: an article page, a PDF, a DOCX, and an
    article page whose server always sends its Content-Length."""

    site: Site
    config: Config
    db: sqlite_utils.Database
    bodies: dict[str, bytes]
    paths = {TOWN: "/info/1.htm", PDF_TOWN: "/files/2.pdf", DOCX_TOWN: "/files/3.docx", BUREAU: "/info/4.htm"}
    types = {TOWN: HTML, PDF_TOWN: {"Content-Type": "application/pdf"}, DOCX_TOWN: {"Content-Type": DOCX_TYPE}}

    def serve_whole(self) -> None:
        for agency, path in self.paths.items():
            self.site.add(path, Answer(200, self.bodies[agency], self.types.get(agency, HTML)))

    def crawl(self, n: int) -> CrawlResult:
        [result] = crawl_all(self.config, self.db, now=PASSES[n])
        run_checks(self.db, self.config, as_of=date(2026, 2, 2 + n), now=PASSES[n])
        return result

    def url_row(self, agency: str) -> dict[str, Any]:
        [row] = self.db.query("SELECT * FROM document_urls WHERE url = ?", [self.site.url(self.paths[agency])])
        return row

    def versions(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for row in self.db.query("SELECT agency, version FROM reports ORDER BY agency, version"):
            out.setdefault(row["agency"], []).append(row["version"])
        return out

    def findings(self, kind: str) -> list[StoredFinding]:
        return [f for f in list_findings(self.db) if f.kind == kind]


@pytest.fixture()
def county(seed_text: str, tmp_path: Path) -> Iterator[Portal]:
    site = Site("county")
    start([site])
    title = "{}2025年度政府信息公开工作报告"
    links = "".join(
        f'<li><a href="{path}">{title.format(agency)}</a><span>2026-01-20</span></li>'
        for agency, path in Portal.paths.items()
    )
    listing = f'<html><head><script src="/system/resource/js/x.js"></script></head><body><ul>{links}</ul></body></html>'
    site.add("/nb/index.htm", Answer(200, listing.encode(), HTML))
    docx_text = report_text(SampleReport(agency=DOCX_TOWN, year=2025, applications=mixed(5)))
    bodies = {
        TOWN: _page(TOWN),
        PDF_TOWN: (Path(sample_pdf.__file__).with_name("data") / "attachment-report.pdf").read_bytes(),
        DOCX_TOWN: build_docx(docx_text, tmp_path / "r.docx", title=title.format(DOCX_TOWN)).read_bytes(),
        BUREAU: _page(BUREAU),
    }
    settings = CrawlSettings(interval=0.0, timeout=5.0, retries=0)
    config = Config(
        portals=(PortalConfig("县", (site.url("/nb/index.htm"),), crawl=settings),),
        agencies=tuple(Agency(a, "department" if a == BUREAU else "township", "县") for a in Portal.paths),
    )
    portal = Portal(site, config, open_db(str(tmp_path / "n.db")), bodies)
    yield portal
    stop([site])


@pytest.mark.slow
def test_a_second_fetch_cut_short_is_a_failed_fetch_and_no_new_version(county: Portal) -> None:
    county.serve_whole()
    first = county.crawl(0)
    assert first.outcome == "complete" and county.versions() == {a: [1] for a in Portal.paths}
    stored = {agency: county.url_row(agency)["sha256"] for agency in Portal.paths}
    inconsistent = sorted(f.message for f in county.findings("inconsistent"))

    # the second pass: each body cut short — the first 60% and the connection closed, no Content-Length
    # (the page cut between two tags, as the issue saw it: still a report, with parts 四 to 六 lost);
    # the bureau's server says Content-Length and sends 40% of it
    for agency in (TOWN, PDF_TOWN, DOCX_TOWN):
        whole = county.bodies[agency]
        end = whole.rindex(b"<", 0, len(whole) * 6 // 10) if agency == TOWN else len(whole) * 6 // 10
        head = f"Content-Type: {county.types[agency]['Content-Type']}\r\n"
        county.site.add(county.paths[agency], Answer(raw=_raw(head, whole[:end])))
    whole = county.bodies[BUREAU]
    head = f"Content-Type: text/html\r\nContent-Length: {len(whole)}\r\n"
    county.site.add(county.paths[BUREAU], Answer(raw=_raw(head, whole[: len(whole) * 4 // 10])))
    second = county.crawl(1)

    assert county.versions() == {a: [1] for a in Portal.paths}  # no version 2
    errors = {agency: county.url_row(agency)["fetch_error"] for agency in Portal.paths}
    assert errors[TOWN].startswith("truncated: the page ends without </body> and </html>")
    assert errors[PDF_TOWN].startswith("truncated: a PDF of") and "without %%EOF" in errors[PDF_TOWN]
    assert errors[DOCX_TOWN].startswith("truncated: a ZIP (DOCX …)")
    whole_size = len(county.bodies[BUREAU])
    assert errors[BUREAU].endswith(f"the body ended after {whole_size * 4 // 10} of {whole_size} bytes")
    assert errors[BUREAU].startswith("truncated: ")
    # the last good copy stays each URL's (the next fetch is judged against it); no cut bytes stored
    assert {agency: county.url_row(agency)["sha256"] for agency in Portal.paths} == stored
    assert county.db.execute("SELECT count(*) FROM documents WHERE first_seen = ?", [PASSES[1]]).fetchone()[0] == 0
    # a failed fetch: the ledger says so (the lists were read whole), and no finding comes of the cut copies
    assert second.outcome == "complete"
    assert sorted(e.reason for e in second.entries if e.fate == "failed") == ["truncated"] * 4
    assert not county.findings("changed")
    assert sorted(f.message for f in county.findings("inconsistent")) == inconsistent
    assert not [f for f in list_findings(county.db) if "of the six parts not found" in f.message]


@pytest.mark.slow
def test_a_changed_report_sent_whole_without_a_length_is_version_2(county: Portal) -> None:
    county.serve_whole()
    county.crawl(0)
    whole = county.bodies[TOWN]
    county.site.add(county.paths[TOWN], Answer(raw=_raw("Content-Type: text/html\r\n", whole[: len(whole) // 2])))
    county.crawl(1)
    assert county.url_row(TOWN)["fetch_error"].startswith("truncated: ")

    edited = _page(TOWN, new=7)  # one application more: every part still there, ending as it should
    county.site.add(county.paths[TOWN], Answer(raw=_raw("Content-Type: text/html; charset=utf-8\r\n", edited)))
    county.crawl(2)
    assert county.versions()[TOWN] == [1, 2]
    assert county.url_row(TOWN)["fetch_error"] is None
    [changed] = county.findings("changed")
    assert changed.agency == TOWN and "applications.new.total 6 → 7" in changed.message


@pytest.mark.slow
def test_a_cut_page_of_a_cms_that_never_closes_its_tags_is_caught_by_its_lost_parts(county: Portal) -> None:
    """No closing tags to miss: the page is judged by the parts the report lost."""
    sloppy = county.bodies[TOWN].replace(b"</body>", b"").replace(b"</html>", b"")
    county.bodies[TOWN] = sloppy
    county.serve_whole()
    county.crawl(0)
    stored = county.url_row(TOWN)["sha256"]
    cut = sloppy[: sloppy.index("五、存在的主要问题".encode())]  # parts 五 and 六 lost
    county.site.add(county.paths[TOWN], Answer(raw=_raw("Content-Type: text/html; charset=utf-8\r\n", cut)))
    county.crawl(1)
    assert county.versions()[TOWN] == [1]
    # found cut by the writer, when parsed: the entry's fate in the pass's ledger says so too
    [fate] = county.db.execute(
        "SELECT e.fate || ':' || e.reason FROM list_entries e WHERE e.run_id = (SELECT max(id) FROM crawl_runs) "
        "AND e.url = ?",
        [county.site.url(county.paths[TOWN])],
    ).fetchone()
    assert fate == "failed:truncated"
    row = county.url_row(TOWN)
    assert row["sha256"] == stored
    assert row["fetch_error"].startswith("truncated: 4 of the six parts found, where the current version (1, ")
    assert row["fetch_error"].endswith("has 6; not found: problems, other_matters")
    assert not county.findings("changed")
    assert not [f for f in list_findings(county.db) if "of the six parts not found" in f.message]


@pytest.mark.slow
def test_a_new_report_cut_on_its_first_fetch_is_found_not_stored(county: Portal) -> None:
    """No earlier copy: a PDF or DOCX shows its own cut; the report is found (failed), never missing."""
    county.serve_whole()
    for agency in (PDF_TOWN, DOCX_TOWN):
        whole = county.bodies[agency]
        head = f"Content-Type: {county.types[agency]['Content-Type']}\r\n"
        county.site.add(county.paths[agency], Answer(raw=_raw(head, whole[: len(whole) // 3])))
    result = county.crawl(0)
    assert set(county.versions()) == {TOWN, BUREAU}
    assert county.url_row(PDF_TOWN)["fetch_error"].startswith("truncated: a PDF")
    assert county.url_row(DOCX_TOWN)["fetch_error"].startswith("truncated: a ZIP")
    assert county.url_row(PDF_TOWN)["sha256"] is None and county.url_row(DOCX_TOWN)["sha256"] is None
    assert result.outcome == "complete"  # the lists were read whole; the two entries failed
    assert sorted((e.fate, e.reason) for e in result.entries if e.fate == "failed") == [("failed", "truncated")] * 2
    assert not {f.agency for f in county.findings("missing")} & {PDF_TOWN, DOCX_TOWN}
