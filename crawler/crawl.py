"""One portal, one pass: walk its report columns, recognise the reports, fetch them and their
attachments, and hand everything to the sink.  A bad page is recorded and the pass goes on.

The outcome says how far the lists were read — `complete`, `partial`, `blocked` (anti-bot or
robots.txt at the column) or `unreachable` — because "missing" may only be concluded from a read
that is provably complete: every column's CMS declared its size (pages, records, or a last page)
and that much was read; no cap (`max_pages`, `max_documents`) cut the pass; and every report link
listed was fetched and stored.  The evidence, declared against read, is kept per column.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from crawler.adapters import adapter_for, generic
from crawler.detail import assemble, continuation_pages
from crawler.errors import OutOfScope, RobotsDisallowed, Truncated
from crawler.fetch import Fetcher, Response
from crawler.listing import Declared, Link, Page, PageRequest, column_base, is_column_link, is_report_title
from crawler.sink import Document, Sink
from crawler.truncation import cut_short
from nianbao.core.config import Portal
from nianbao.core.encoding import decode
from nianbao.core.errors import FetchError

logger = logging.getLogger(__name__)

_ATTACH_TEXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd)\s*$", re.I)
_ATTACH_HREF = re.compile(
    r"download\.jsp|downfile\.jsp|DownloadAttach|/__local/|/[PW]0\d{6,}\.\w+|"
    r"\.(pdf|docx?|wps)(?:$|\?)",
    re.I,
)
# cheap tests before building a tree of a whole page (a case-blind regex over 60 KB costs 4 ms; ten
# substring searches 0.3 ms): one pattern anchored on ".", and the path markers behind one test
_MAY_ATTACH_EXT = re.compile(rb"\.(?:pdf|doc|wps|xls|et|ofd)")
_MAY_ATTACH_PATH = (b"download.jsp", b"downfile.jsp", b"downloadattach")


def _may_attach(content: bytes) -> bool:
    """The page may link an attachment (a file extension or a CMS download path is in it)."""
    lowered = content.lower()
    return (
        _MAY_ATTACH_EXT.search(lowered) is not None
        or b"/__local/" in lowered
        or (b"down" in lowered and any(marker in lowered for marker in _MAY_ATTACH_PATH))
    )


_FILENAME = re.compile(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)|filename\s*=\s*\"?([^\";]+)\"?")

Progress = Callable[[str, int, int, int], None]


@dataclass
class ColumnRead:
    """One column of a pass: what its CMS declared and what was read."""

    url: str
    cms: str = ""
    declared: Declared | None = None
    pages: set[int] = field(default_factory=set)  # page numbers read, where the CMS numbers them
    read_pages: int = 0
    records: set[str] = field(default_factory=set)  # distinct entries listed
    last_seen: bool = False  # a page that declares itself the last was read
    failed: list[str] = field(default_factory=list)  # list pages that could not be read

    @property
    def complete(self) -> bool:
        return not self.why_not

    @property
    def why_not(self) -> str:
        """ "" when the column was read completely; else what is missing from the proof."""
        if self.failed:
            return f"{len(self.failed)} list page(s) could not be read"
        found = self.declared
        if found is None:
            return f"its pager ({self.cms or 'unknown CMS'}) declares no size nianbao understands"
        if found.records is not None:
            if len(self.records) < found.records:
                return f"{len(self.records)} of {found.records} declared records listed"
            return ""
        if found.last:
            return "" if self.last_seen and self.read_pages >= (found.pages or 1) else "the last page was not reached"
        if found.pages is not None and self.read_pages < found.pages:
            return f"{self.read_pages} of {found.pages} declared pages read"
        return ""

    def evidence(self) -> dict[str, object]:
        found = self.declared
        return {
            "column": self.url,
            "cms": self.cms,
            "declared_pages": found.pages if found else None,
            "declared_records": found.records if found else None,
            "declared_how": found.how if found else None,
            "read_pages": self.read_pages,
            "read_records": len(self.records),
            "complete": self.complete,
            "reason": self.why_not or None,
        }

    def summary(self) -> str:
        found = self.declared
        if found and found.records is not None:
            said = f"{len(self.records)} of {found.records} records"
        elif found and found.pages is not None:
            said = f"{self.read_pages} of {found.pages} pages"
        else:
            said = f"{self.read_pages} pages, size not declared"
        return f"{self.url} ({self.cms}): {said}" + ("" if self.complete else f" — {self.why_not}")


@dataclass
class CrawlResult:
    portal: str
    outcome: str = "complete"  # complete | partial | blocked | unreachable
    pages: int = 0
    candidates: int = 0
    documents: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    columns: list[ColumnRead] = field(default_factory=list)
    capped: list[str] = field(default_factory=list)  # caps that cut the pass
    unfetched: list[str] = field(default_factory=list)  # report links listed but not fetched and stored
    lost_writes: list[str] = field(default_factory=list)  # what the writer could not store (set after the pass)

    @property
    def detail(self) -> str:
        return "; ".join(f"{url}: {reason}" for url, reason in self.errors[:20])

    @property
    def why_partial(self) -> list[str]:
        """Every reason the pass is not a complete read (empty when it is)."""
        reasons = [f"column {c.summary()}" for c in self.columns if not c.complete]
        reasons += self.capped
        if self.unfetched:
            reasons.append(f"{len(self.unfetched)} listed report(s) not fetched and stored")
        return reasons


class PortalCrawl:
    """The state of one pass over one portal."""

    def __init__(
        self,
        portal: Portal,
        fetcher: Fetcher,
        sink: Sink,
        progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
    ) -> None:
        self.portal, self.fetcher, self.sink = portal, fetcher, sink
        self.cancel = cancel or asyncio.Event()
        self.progress = progress or (lambda *args: None)
        self.result = CrawlResult(portal.name)
        self.bases: set[str] = set()
        self.candidates: dict[str, Link] = {}
        self.columns: dict[str, ColumnRead] = {}
        self.start_failures: list[str] = []
        self.documents = 0
        fetcher.validators = self._validators

    def _validators(self, url: str) -> tuple[str | None, str | None]:
        known = self.sink.known(url)
        return (known.etag, known.last_modified) if known else (None, None)

    async def run(self) -> CrawlResult:
        await self._walk_lists()
        if self.result.outcome == "complete":
            await self._fetch_articles()
        self.result.columns = list(self.columns.values())
        if self.cancel.is_set():
            self.result.capped.append("stopped before the end of the pass (shutdown)")
        if self.result.outcome == "complete" and self.result.why_partial:
            self.result.outcome = "partial"
        return self.result

    async def list_only(self) -> CrawlResult:
        """Walk the columns' lists and stop: what is listed (`candidates`) and how completely
        (`columns`), with no report fetched (for `nianbao discover`)."""
        await self._walk_lists()
        self.result.columns = list(self.columns.values())
        return self.result

    # ---- lists -------------------------------------------------------------------------------

    async def _walk_lists(self) -> None:
        queue: deque[tuple[PageRequest, bool]] = deque()
        for url in self.portal.urls:
            queue.append((PageRequest(url, column=url), True))
            self.columns[url] = ColumnRead(url)
        seen: set[object] = set()
        while queue and not self.cancel.is_set():
            request, is_start = queue.popleft()
            if request.key in seen:
                continue
            seen.add(request.key)
            if self.result.pages >= self.portal.crawl.max_pages:
                self._cap(request.url, f"stopped after {self.result.pages} list pages (max_pages)")
                break
            await self._one_list(request, is_start, queue)
        if len(self.start_failures) == len(self.portal.urls):
            blocked = any(reason.startswith(("blocked", "robots")) for reason in self.start_failures)
            self.result.outcome = "blocked" if blocked else "unreachable"

    async def _one_list(self, request: PageRequest, is_start: bool, queue: deque[tuple[PageRequest, bool]]) -> None:
        """Fetch and read one list page.  The page (and its parsed tree, some 400 KB of lexbor
        pools however small the page) dies here, not at the next await: hundreds of portals
        waiting on their hosts' intervals would otherwise each hold one."""
        page = await self._fetch_list(request, is_start)
        if isinstance(page, str):  # a redirect shell: its target stands in for it
            queue.appendleft((PageRequest(page, referer=request.url, column=request.column), is_start))
        elif page is not None:
            if is_start:
                self.bases.add(column_base(page.url))
            self._read_list(page, request, queue)

    async def _fetch_list(self, request: PageRequest, is_start: bool) -> Page | str | None:
        known = self.sink.known(request.url) if request.data is None else None
        try:
            response = await self.fetcher.get(
                request.url,
                referer=request.referer,
                data=dict(request.data or ()) or None,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
        except OutOfScope:
            return None
        except RobotsDisallowed as exc:
            self._list_failed(request, f"robots: {exc}", is_start)
            return None
        except FetchError as exc:
            self._list_failed(request, str(exc), is_start)
            return None
        self.result.pages += 1
        self._progress()
        if response.outcome == "redirect_shell" and response.shell_target:
            return response.shell_target
        if response.outcome == "not_modified":
            stored = self.sink.stored(response.url)
            if stored is None:
                self._list_failed(request, "304 for a page nianbao has no copy of", is_start)
                return None
            content = stored
        elif response.outcome == "ok":
            content = response.content
            self.sink.save_page(
                response.url,
                content,
                portal=self.portal.name,
                content_type=response.content_type,
                etag=response.etag,
                last_modified=response.last_modified,
            )
        else:
            self._list_failed(request, f"{response.outcome} (HTTP {response.status})", is_start)
            return None
        text, _ = decode(content, content_type=response.content_type)
        return Page(response.url, text)

    def _list_failed(self, request: PageRequest, reason: str, is_start: bool) -> None:
        self._problem(request.url, reason)
        if is_start:
            self.start_failures.append(reason)
        column = self.columns.get(request.column or "")
        if column is not None:
            column.failed.append(request.url)

    def _read_list(self, page: Page, request: PageRequest, queue: deque[tuple[PageRequest, bool]]) -> None:
        adapter = adapter_for(page)
        column = self.columns[request.column or page.url]
        column.read_pages += 1
        column.cms = column.cms if column.cms and adapter is generic else adapter.NAME
        declared = adapter.declared(page)
        if declared is not None:
            column.declared = _merge(column.declared, declared)
            column.last_seen = column.last_seen or declared.last
        bases = tuple(self.bases)
        for link in adapter.entries(page):
            if is_report_title(link.best_title):
                column.records.add(link.url)
                if link.url not in self.candidates:
                    self.candidates[link.url] = link
                    self.result.candidates += 1
            elif is_column_link(link, bases):
                if link.url not in self.columns:
                    self.columns[link.url] = ColumnRead(link.url)
                queue.append((PageRequest(link.url, referer=page.url, column=link.url), False))
            elif adapter.NAME in ("hanweb", "gkmlpt", "jpaas"):
                column.records.add(link.url)  # the CMS counts every record, reports or not
        nexts = adapter.next_pages(page) + (generic.next_pages(page) if adapter is not generic else [])
        # a page of a column is asked for as a browser would, from the column (JPaaS refuses any other Referer)
        queue.extend((PageRequest(r.url, r.data, r.referer or column.url, column.url), False) for r in nexts)

    # ---- articles and attachments ------------------------------------------------------------

    async def _fetch_articles(self) -> None:
        limit = self.portal.crawl.max_documents
        links = list(self.candidates.items())
        if len(links) > limit:
            self._cap(self.portal.urls[0], f"{len(links)} reports listed, over max_documents ({limit})")
            self.result.unfetched += [url for url, _ in links[limit:]]
            links = links[:limit]
        slots = asyncio.Semaphore(max(1, self.portal.crawl.concurrency))

        async def one(url: str, link: Link) -> None:
            async with slots:
                if not self.cancel.is_set():
                    await self._fetch_article(url, link)
                else:
                    self.result.unfetched.append(url)

        await asyncio.gather(*(one(url, link) for url, link in links))

    async def _fetch_article(self, url: str, link: Link) -> None:
        if self.sink.skip(url):
            return
        await self.sink.ready()
        response = await self._get_document(url, referer=None)
        if isinstance(response, str):  # listed but not fetched: found, with the failure recorded
            self.sink.save_failure(url, portal=self.portal.name, title=link.best_title, date=link.date, error=response)
            self.result.unfetched.append(url)
            return
        if response is None:
            return
        content = await self._whole_article(response)
        document = Document(
            response.url,
            content,
            response.content_type,
            self.portal.name,
            list_title=link.best_title,
            list_date=link.date,
            etag=response.etag,
            last_modified=response.last_modified,
        )
        self._store(document)
        if not _may_attach(content):
            return  # no attachment markers at all: spare building a tree of the whole page
        text, _ = decode(content, content_type=response.content_type)
        for attachment in _attachments(Page(response.url, text)):
            await self._fetch_attachment(attachment, article=response.url, title=link.best_title, date=link.date)

    async def _whole_article(self, response: Response) -> bytes:
        """A TRS article split over `t…_1.html`, `t…_2.html`: its pages fetched and put together."""
        content = response.content
        if b"createPageHTML" not in content and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content  # no pager script (which every split article has), in any ASCII-based encoding
        text, codec = decode(content, content_type=response.content_type)
        rest = continuation_pages(response.url, text)
        if not rest:
            return content
        parts = [text]
        for url in rest:
            more = await self._get_document(url, referer=response.url)
            if not isinstance(more, Response):
                return content  # the failure is recorded; the first page is what there is
            parts.append(decode(more.content, content_type=more.content_type)[0])
        return assemble(parts).encode(codec if codec.startswith(("utf", "gb")) else "utf-8", errors="replace")

    async def _fetch_attachment(self, link: Link, *, article: str, title: str, date: str | None) -> None:
        if self.sink.skip(link.url):
            return
        if self.documents >= self.portal.crawl.max_documents:
            self._cap(link.url, f"attachments beyond max_documents ({self.portal.crawl.max_documents}) not fetched")
            return
        response = await self._get_document(link.url, referer=article)
        if not isinstance(response, Response):
            return
        if response.content[:512].lstrip().lower().startswith((b"<html", b"<!doctype")) and _ATTACH_TEXT.search(
            link.text
        ):
            self._problem(link.url, "an HTML page came back where a file was linked (download refused?)")
            return
        self._store(
            Document(
                response.url,
                response.content,
                response.content_type,
                self.portal.name,
                list_title=title,
                list_date=date,
                referer=article,
                etag=response.etag,
                last_modified=response.last_modified,
                attachment_of=article,
                filename=_filename(response),
            )
        )

    async def _get_document(self, url: str, *, referer: str | None) -> Response | str | None:
        """The response; or why it could not be had (recorded as a problem; "truncated: …" when the
        body was cut short); or None when there is nothing new to store (unchanged, or outside the
        portal's hosts)."""
        known = self.sink.known(url)
        try:
            response = await self.fetcher.get(
                url,
                referer=referer,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
        except OutOfScope:
            return None
        except FetchError as exc:
            reason = f"truncated: {exc}" if isinstance(exc, Truncated) else str(exc)
            self._problem(url, reason)
            return reason
        if response.outcome == "not_modified":
            self.result.unchanged += 1
            return None
        if response.outcome != "ok":
            reason = f"{response.outcome} (HTTP {response.status})"
            self._problem(url, reason)
            return reason
        # a body cut short with no Content-Length to say so: a failed fetch, never a new version
        cut = cut_short(response.content, response.content_type, lambda: self.sink.stored(response.url))
        if cut is not None:
            self._problem(url, cut)
            return cut
        return response

    def _store(self, document: Document) -> None:
        self.sink.save_document(document)
        self.documents += 1
        self.result.documents += 1
        self._progress()

    def _cap(self, url: str, reason: str) -> None:
        if reason not in self.result.capped:
            self.result.capped.append(reason)
            self._problem(url, reason)

    def _progress(self) -> None:
        self.progress(self.portal.name, self.result.pages, len(self.candidates), self.result.documents)

    def _problem(self, url: str, reason: str) -> None:
        logger.info("%s: %s", url, reason, extra={"portal": self.portal.name, "url": url, "problem": reason})
        self.result.errors.append((url, reason))


def _merge(old: Declared | None, new: Declared) -> Declared:
    """A column's declaration as its pages tell it (the proxy's count may repeat the page's)."""
    if old is None:
        return new
    return Declared(
        pages=max(filter(None, (old.pages, new.pages)), default=None),
        records=new.records if new.records is not None else old.records,
        last=old.last or new.last,
        how=old.how if old.how == new.how or not new.how else f"{old.how}; {new.how}",
    )


def _attachments(page: Page) -> list[Link]:
    return [link for link in page.links() if _ATTACH_TEXT.search(link.text) or _ATTACH_HREF.search(link.url)]


def _filename(response: Response) -> str | None:
    match = _FILENAME.search(response.headers.get("content-disposition", ""))
    if not match:
        return None
    return unquote(match.group(1) or match.group(2) or "")


async def crawl_portal(
    portal: Portal,
    fetcher: Fetcher,
    sink: Sink,
    progress: Progress | None = None,
    *,
    cancel: asyncio.Event | None = None,
) -> CrawlResult:
    """One pass over one portal."""
    return await PortalCrawl(portal, fetcher, sink, progress, cancel).run()
