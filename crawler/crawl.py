"""One portal, one pass: walk its report columns, recognise the reports, fetch them and their
attachments, and hand everything to the sink.  A bad page is recorded and the pass goes on.

The outcome says how far the lists were read — `complete`, `partial`, `blocked` (anti-bot or
robots.txt at the column) or `unreachable` — because "missing" may only be concluded from a
complete read.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from crawler.adapters import adapter_for, generic
from crawler.errors import OutOfScope, RobotsDisallowed
from crawler.fetch import Fetcher, Response
from crawler.listing import Link, Page, PageRequest, column_base, is_column_link, is_report_title
from crawler.sink import Document, Sink
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
_MAY_ATTACH = re.compile(
    rb"download\.jsp|downfile\.jsp|DownloadAttach|/__local/|\.(?:pdf|docx?|wps|xlsx?|et|ofd)\b", re.I
)
_FILENAME = re.compile(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)|filename\s*=\s*\"?([^\";]+)\"?")

Progress = Callable[[str, int, int, int], None]


@dataclass
class CrawlResult:
    portal: str
    outcome: str = "complete"  # complete | partial | blocked | unreachable
    pages: int = 0
    candidates: int = 0
    documents: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def detail(self) -> str:
        return "; ".join(f"{url}: {reason}" for url, reason in self.errors[:20])


class PortalCrawl:
    """The state of one pass over one portal."""

    def __init__(
        self,
        portal: Portal,
        fetcher: Fetcher,
        sink: Sink,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.portal, self.fetcher, self.sink = portal, fetcher, sink
        self.cancel = cancel or threading.Event()
        self.progress = progress or (lambda *args: None)
        self.result = CrawlResult(portal.name)
        self.bases: set[str] = set()
        self.candidates: dict[str, Link] = {}
        self.start_failures: list[str] = []
        fetcher.validators = self._validators

    def _validators(self, url: str) -> tuple[str | None, str | None]:
        known = self.sink.known(url)
        return (known.etag, known.last_modified) if known else (None, None)

    def run(self) -> CrawlResult:
        self._walk_lists()
        for url, link in list(self.candidates.items()):
            if self.cancel.is_set():
                break
            self._fetch_article(url, link)
        if self.cancel.is_set():
            self.result.outcome = "partial"
            self._problem(self.portal.urls[0], "stopped before the end of the pass (shutdown)")
        return self.result

    # ---- lists -------------------------------------------------------------------------------

    def _walk_lists(self) -> None:
        queue: deque[tuple[PageRequest, bool]] = deque((PageRequest(u), True) for u in self.portal.urls)
        seen: set[object] = set()
        starts = len(queue)
        while queue and not self.cancel.is_set():
            request, is_start = queue.popleft()
            if request.key in seen:
                continue
            seen.add(request.key)
            if self.result.pages >= self.portal.crawl.max_pages:
                self._problem(request.url, f"stopped after {self.result.pages} list pages (max_pages)")
                break
            page = self._fetch_list(request, is_start)
            if page is None:
                continue
            if isinstance(page, str):  # a redirect shell: its target stands in for it
                queue.appendleft((PageRequest(page, referer=request.url), is_start))
                continue
            if is_start:
                self.bases.add(column_base(page.url))
            self._read_list(page, queue)
        if len(self.start_failures) == starts:
            blocked = any(reason.startswith(("blocked", "robots")) for reason in self.start_failures)
            self.result.outcome = "blocked" if blocked else "unreachable"

    def _fetch_list(self, request: PageRequest, is_start: bool) -> Page | str | None:
        known = self.sink.known(request.url) if request.data is None else None
        try:
            response = self.fetcher.get(
                request.url,
                referer=request.referer,
                data=dict(request.data or ()) or None,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
        except OutOfScope:
            return None
        except RobotsDisallowed as exc:
            self._list_failed(request.url, f"robots: {exc}", is_start)
            return None
        except FetchError as exc:
            self._list_failed(request.url, str(exc), is_start)
            return None
        self.result.pages += 1
        self.progress(self.portal.name, self.result.pages, len(self.candidates), self.result.documents)
        if response.outcome == "redirect_shell" and response.shell_target:
            return response.shell_target
        if response.outcome == "not_modified":
            stored = self.sink.known(response.url)
            if stored is None or stored.content is None:
                self._list_failed(request.url, "304 for a page nianbao has no copy of", is_start)
                return None
            content = stored.content
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
            self._list_failed(request.url, f"{response.outcome} (HTTP {response.status})", is_start)
            return None
        text, _ = decode(content, content_type=response.content_type)
        return Page(response.url, text)

    def _list_failed(self, url: str, reason: str, is_start: bool) -> None:
        self._problem(url, reason)
        if is_start:
            self.start_failures.append(reason)
        if self.result.outcome == "complete":
            self.result.outcome = "partial"

    def _read_list(self, page: Page, queue: deque[tuple[PageRequest, bool]]) -> None:
        adapter = adapter_for(page)
        bases = tuple(self.bases)
        for link in adapter.entries(page):
            if is_report_title(link.best_title):
                if link.url not in self.candidates:
                    self.candidates[link.url] = link
                    self.result.candidates += 1
            elif is_column_link(link, bases):
                queue.append((PageRequest(link.url, referer=page.url), False))
        nexts = adapter.next_pages(page) + (generic.next_pages(page) if adapter is not generic else [])
        queue.extend((request, False) for request in nexts)

    # ---- articles and attachments ------------------------------------------------------------

    def _fetch_article(self, url: str, link: Link) -> None:
        if self.sink.skip(url):
            return
        response = self._get_document(url, referer=None)
        if response is None:
            return
        document = Document(
            response.url,
            response.content,
            response.content_type,
            self.portal.name,
            list_title=link.best_title,
            list_date=link.date,
            etag=response.etag,
            last_modified=response.last_modified,
        )
        self._store(document)
        if not _MAY_ATTACH.search(response.content):
            return  # no attachment markers at all: spare building a tree of the whole page
        text, _ = decode(response.content, content_type=response.content_type)
        for attachment in _attachments(Page(response.url, text)):
            self._fetch_attachment(attachment, article=response.url, title=link.best_title, date=link.date)

    def _fetch_attachment(self, link: Link, *, article: str, title: str, date: str | None) -> None:
        if self.sink.skip(link.url):
            return
        response = self._get_document(link.url, referer=article)
        if response is None:
            return
        if response.content[:512].lstrip().lower().startswith((b"<html", b"<!doctype")) and _ATTACH_TEXT.search(
            link.text
        ):
            self._problem(link.url, "an HTML page came back where a file was linked (download refused?)")
            return
        filename = _filename(response)
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
                filename=filename,
            )
        )

    def _get_document(self, url: str, *, referer: str | None) -> Response | None:
        known = self.sink.known(url)
        try:
            response = self.fetcher.get(
                url,
                referer=referer,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
        except OutOfScope:
            return None
        except FetchError as exc:
            self._problem(url, str(exc))
            return None
        if response.outcome == "not_modified":
            self.result.unchanged += 1
            return None
        if response.outcome != "ok":
            self._problem(url, f"{response.outcome} (HTTP {response.status})")
            return None
        return response

    def _store(self, document: Document) -> None:
        self.sink.save_document(document)
        self.result.documents += 1
        self.progress(self.portal.name, self.result.pages, len(self.candidates), self.result.documents)

    def _problem(self, url: str, reason: str) -> None:
        logger.info("%s: %s", url, reason, extra={"portal": self.portal.name, "url": url, "problem": reason})
        self.result.errors.append((url, reason))


def _attachments(page: Page) -> list[Link]:
    return [link for link in page.links() if _ATTACH_TEXT.search(link.text) or _ATTACH_HREF.search(link.url)]


def _filename(response: Response) -> str | None:
    match = _FILENAME.search(response.headers.get("content-disposition", ""))
    if not match:
        return None
    return unquote(match.group(1) or match.group(2) or "")


def crawl_portal(
    portal: Portal,
    fetcher: Fetcher,
    sink: Sink,
    progress: Progress | None = None,
    *,
    cancel: threading.Event | None = None,
) -> CrawlResult:
    """One pass over one portal."""
    return PortalCrawl(portal, fetcher, sink, progress, cancel).run()
