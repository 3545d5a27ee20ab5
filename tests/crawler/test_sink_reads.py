"""What the crawl asks storage of every URL it fetches (its validators for a conditional request,
its stored bytes to judge a cut copy against) is answered without a query for a URL the database
cannot hold: on a first pass, most of them.  The answers are the database's all the same."""

from __future__ import annotations

from pathlib import Path

from crawler.sink import Known
from nianbao.crawl_runner import StorageSink
from storage.db import open_db
from storage.documents import save_document

NOW = "2026-02-01T12:00:00+00:00"


def test_a_url_the_database_cannot_hold_costs_no_query(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "n.db"))
    save_document(db, b"<html>old</html>", url="http://a.gov.cn/1.htm", now=NOW, etag='"e1"', kind="list")
    sink = StorageSink(db, now=NOW, limits=None)
    queries: list[str] = []
    sink.reader.conn.set_trace_callback(queries.append)
    try:
        assert sink.known("http://a.gov.cn/1.htm") == Known('"e1"', None)
        assert sink.stored("http://a.gov.cn/1.htm") == b"<html>old</html>"
        assert len(queries) == 3  # the host's URLs once, then the two answers
        assert sink.known("http://a.gov.cn/2.htm") is None and sink.stored("http://a.gov.cn/2.htm") is None
        assert sink.known("http://a.gov.cn:8080/1.htm") is None  # another origin: its own list
        assert len(queries) == 4
        # handed to the writer during the crawl: the database may hold it from now on, so it is asked
        sink.save_page(
            "http://a.gov.cn/2.htm", b"<html>new</html>", portal="a", content_type=None, etag=None, last_modified=None
        )
        sink.known("http://a.gov.cn/2.htm")
        assert len(queries) == 5
    finally:
        sink.reader.conn.set_trace_callback(None)
        sink.close()
    assert open_db(str(tmp_path / "n.db")).execute("SELECT count(*) FROM document_urls").fetchone()[0] == 2
