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
import base64
import html
import logging
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from typing import Final, Literal
from urllib.parse import unquote

from crawler.adapters import adapter_for, generic
from crawler.detail import TooManyParts, assemble, continuation_pages
from crawler.fetch import Fetcher, Response
from crawler.images import MAX_IMAGE_BYTES, MAX_IMAGES, article_images, image_kind, images_may_hold_tables
from crawler.listing import (
    Declared,
    Link,
    Page,
    PageRequest,
    column_base,
    column_key,
    is_column_link,
    is_report_title,
    more_by_script,
    not_a_report,
    one_page,
)
from crawler.sink import Document, Sink
from crawler.truncation import cut_short
from nianbao.core.config import Portal
from nianbao.core.encoding import decode
from nianbao.core.errors import FetchError
from nianbao.core.messages import VOCABULARY, Said, said
from nianbao.core.vocabulary import Fate, Outcome

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

# the fates of a list entry: every entry read ends in exactly one
STORED: Final = "stored"
NOT_REPORT: Final = "not_report"
FAILED: Final = "failed"


@dataclass(slots=True)
class Entry:
    """One entry of a list page — a link whose title looks like an annual report's, or a sub-column —
    and its fate: `stored` (its document was fetched and handed to storage, or is unchanged),
    `not_report` (a draft, a notice, another kind of report, a sub-column read as a column of its
    own) or `failed` (with the kind of failure).  Navigation and news links are no entries."""

    column: str  # the key of the column it was listed in
    page: str  # the list page it was read on
    position: int  # that page's place in the column (1 for the first)
    url: str
    title: str
    date: str | None = None  # only a date written in the entry's own row or item
    date_uncertain: bool = False
    fate: Fate | Literal[""] = ""  # "" until settled (an entry left so is a bug)
    reason: str = ""  # the kind of not-a-report, or of failure ("soft404", "off_scope", …)
    detail: str = ""
    document: str | None = None  # the URL whose bytes were stored (after redirects)

    def settle(self, fate: Fate, reason: str = "", detail: str = "", document: str | None = None) -> None:
        self.fate, self.reason, self.detail, self.document = fate, reason, detail[:500], document

    def record(self) -> dict[str, object]:
        return {
            "column": self.column,
            "page": self.page,
            "position": self.position,
            "url": self.url,
            "title": self.title,
            "list_date": self.date,
            "date_uncertain": self.date_uncertain,
            "fate": self.fate,
            "reason": self.reason or None,
            "detail": self.detail or None,
            "document": self.document,
        }


@dataclass
class ColumnRead:
    """One column of a pass: what its CMS declared, what was read, and — when it was not read
    completely — which years its unread pages could hold."""

    url: str
    cms: str = ""
    declared: Declared | None = None
    pages: set[int] = field(default_factory=set)  # page numbers read, where the CMS numbers them
    read_pages: int = 0
    records: set[str] = field(default_factory=set)  # distinct entries listed
    last_seen: bool = False  # a page that declares itself the last was read
    failed: list[tuple[str, str]] = field(default_factory=list)  # list pages that could not be read: (url, kind)
    key: str = ""
    no_size: Said | None = None  # why no size could be established (a script that loads more entries …)
    capped: Said | None = None  # a cap (or a stop) that kept the column's pages from being read
    queued: int = 0  # pages of the column asked for so far (their positions are 1 … queued)
    read_positions: set[int] = field(default_factory=set)
    unread_positions: set[int] = field(default_factory=set)  # pages that failed, or that a cap left unread
    dates: dict[int, list[str | None]] = field(default_factory=dict)  # position -> its entries' dates
    numbers: dict[int, int | None] = field(default_factory=dict)  # position -> the page's number in the list
    cut: Said | None = None  # max_pages left pages its pager declares unasked: said with what is missing

    def __post_init__(self) -> None:
        self.key = self.key or column_key(self.url)

    @property
    def complete(self) -> bool:
        return self.why_said is None

    @property
    def why_not(self) -> str:
        """ "" when the column was read completely; else what is missing from the proof (English)."""
        said = self.why_said
        return said.en if said is not None else ""

    @property
    def why_said(self) -> Said | None:
        """None when the column was read completely; else what is missing from the proof (and the
        cap that cut it, when one did), as a message in any language."""
        gap = self._gap()
        if gap is not None and self.cut is not None and self.capped is None:
            return said("column.and", inner=gap, more=self.cut)
        return gap

    def _gap(self) -> Said | None:
        if self.failed:
            url, kind = self.failed[0]
            failure = f"failure.{kind}" if f"failure.{kind}" in VOCABULARY else "failure.other"
            return said("column.pages_failed", n=len(self.failed), url=url, failure=failure)
        if self.capped is not None:
            return self.capped
        found = self.declared
        if found is not None and found.note:
            return said("column.pager_note", cms=self.cms or "?", note=found.note)
        if found is None or (found.pages is None and found.records is None and not found.last):
            return self.no_size or said("column.no_size", cms=self.cms or "?")
        if found.records is not None:
            if len(self.records) < found.records:
                return said("column.records_short", read=len(self.records), declared=found.records)
            return None
        if found.last:
            done = self.last_seen and self.read_pages >= (found.pages or 1)
            return None if done else said("column.last_not_reached")
        if found.pages is not None and self.read_pages < found.pages:
            return said("column.pages_short", read=self.read_pages, declared=found.pages)
        return None

    def first_unread(self) -> int | None:
        """The place in the list (its page number) of the first page not read: everything from it
        on may be unread; None when the unread part cannot be placed (records missing from a read
        list, nothing read, a page whose number in the list is unknown)."""
        if self.complete:
            return None
        if not self.read_positions:
            return 1
        if self.unread_positions:
            numbers = [self.numbers.get(p) for p in self.unread_positions]
            return None if None in numbers else min(n for n in numbers if n is not None)
        found = self.declared
        if found is not None and found.records is not None and not self.capped:
            return None  # records listed short of the count: they could be on any page
        numbers = [self.numbers.get(p) for p in self.read_positions]
        return None if None in numbers else max(n for n in numbers if n is not None) + 1

    def unread_years(self) -> tuple[int | None, str]:
        """(Y, why): the unread pages could hold reports of years up to Y only — or of any year
        (Y None).  Lists are newest first, but that is taken as proven only by the dates read:
        the entries before the first unread page (in list order: pages by the number the CMS gives
        them) descend in date, and every entry read after it is older.  Then the unread pages hold
        entries dated on or before the last entry before them (D), and a report of year y,
        published once y is over, can be among them only if y < D's year.  Where a page's place in
        the list is unknown (reached by a "下一页" link), the first page alone bounds them: every
        other page comes after it."""
        if self.complete:
            return None, ""
        by_number: dict[int | None, list[str | None]] = {}
        for position, dates in self.dates.items():
            by_number.setdefault(self.numbers.get(position), []).extend(dates)
        first = self.first_unread()
        if first is None and 1 in by_number:  # unplaced pages: everything read after page 1 must be older
            return _bound(by_number[1], [d for n, v in by_number.items() if n != 1 for d in v])
        if first is None or first <= 1:
            return None, "its unread part cannot be placed in the list"
        numbers = sorted(n for n in by_number if n is not None)
        before = [d for n in numbers if n < first for d in by_number[n]]
        return _bound(before, [d for n in numbers if n > first for d in by_number[n]])

    def evidence(self) -> dict[str, object]:
        found = self.declared
        upto, order = self.unread_years()
        return {
            "column": self.url,
            "column_key": self.key,
            "cms": self.cms,
            "declared_pages": found.pages if found else None,
            "declared_records": found.records if found else None,
            "declared_how": found.how if found else None,
            "read_pages": self.read_pages,
            "read_records": len(self.records),
            "complete": self.complete,
            "reason": self.why_not or None,
            "reason_said": self.why_said.to_json() if self.why_said is not None else None,
            "unread_upto": upto,
            "order": order or None,
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
    outcome: Outcome = "complete"
    cause: str = ""  # for blocked or unreachable: challenge, robots, refused, dns, timeout, tls, http_5xx …
    pages: int = 0
    candidates: int = 0
    documents: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the fetcher's: caps applied (a slow portal), values ignored
    columns: list[ColumnRead] = field(default_factory=list)
    capped: list[str] = field(default_factory=list)  # caps that cut the pass
    unfetched: list[str] = field(default_factory=list)  # report links listed but not fetched and stored
    lost_writes: list[str] = field(default_factory=list)  # what the writer could not store (set after the pass)
    entries: list[Entry] = field(default_factory=list)  # the ledger: every entry read, with its fate
    attachment_failures: list[tuple[str, str, str]] = field(default_factory=list)  # (entry url, attachment, why)

    @property
    def detail(self) -> str:
        return "; ".join(f"{url}: {reason}" for url, reason in self.errors[:20])

    @property
    def why_partial(self) -> list[str]:
        """Every reason the lists were not read completely (empty when they were).  A listed report
        that could not be fetched does not make a pass partial: it is a failed entry of the ledger,
        and it withholds only the verdicts it could change."""
        reasons = [f"column {c.summary()}" for c in self.columns if not c.complete]
        reasons += [
            cap for cap in self.capped if not any(c.capped is not None and cap == c.capped.en for c in self.columns)
        ]
        return reasons

    def ledger(self) -> dict[str, dict[str, int]]:
        """Per column: listed = stored + not_report + failed (an entry without a fate is a bug)."""
        out: dict[str, dict[str, int]] = {}
        for column in self.columns:
            out[column.key] = {"listed": 0, STORED: 0, NOT_REPORT: 0, FAILED: 0}
        for entry in self.entries:
            counts = out.setdefault(entry.column, {"listed": 0, STORED: 0, NOT_REPORT: 0, FAILED: 0})
            counts["listed"] += 1
            counts[entry.fate] += 1
        return out


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
        self.columns: dict[str, ColumnRead] = {}  # by column key: one column however it is linked
        self.aliases: dict[str, str] = {}  # the key of a URL a column's page redirected to -> the column's
        self.seen: set[tuple[str, object]] = set()  # list pages asked for, by key
        self.listed: dict[tuple[str, str], Entry] = {}  # (column key, url): an entry is counted once per column
        self.by_url: dict[str, list[Entry]] = {}  # a report's entries in every column that lists it
        self.start_failures: list[tuple[str, str]] = []  # (cause, reason)
        self.documents = 0
        fetcher.validators = self._validators

    def _validators(self, url: str) -> tuple[str | None, str | None]:
        known = self.sink.known(url)
        return (known.etag, known.last_modified) if known else (None, None)

    async def run(self) -> CrawlResult:
        await self._walk_lists()
        if self.result.outcome == "complete":
            await self._fetch_articles()
        self._close()
        self._take_notes()
        if self.result.outcome == "complete" and self.result.why_partial:
            self.result.outcome = "partial"
        return self.result

    async def list_only(self) -> CrawlResult:
        """Walk the columns' lists and stop: what is listed (`candidates`) and how completely
        (`columns`), with no report fetched (for `nianbao discover`)."""
        await self._walk_lists()
        self.result.columns = list(self.columns.values())
        self._take_notes()
        return self.result

    def _close(self) -> None:
        """The pass's evidence: its columns, and every entry with its fate — an entry left without
        one (a bug, or a shutdown) is recorded as failed, never dropped."""
        self.result.columns = list(self.columns.values())
        if self.cancel.is_set():
            stop = said("column.stopped")
            self.result.capped.append(stop.en)
            for column in self.columns.values():
                if not column.complete and column.capped is None:
                    column.capped = stop
        for entry in self.listed.values():
            if not entry.fate:
                reason = "stopped" if self.cancel.is_set() else "unsettled"
                entry.settle(FAILED, reason, "the pass ended before this entry was fetched")
        self.result.entries = list(self.listed.values())

    def abandon(self, reason: str) -> CrawlResult:
        """The pass cut by an error of nianbao's: partial, every column unproven, the ledger kept."""
        self._problem(self.portal.urls[0], reason)
        self.result.capped.append(reason)
        for column in self.columns.values():
            column.capped = column.capped or said("column.crawler_error", error=reason)
            column.unread_positions.add(1)  # where the error struck is unknown: no page's entries are proven
        self._close()
        if self.result.outcome == "complete":
            self.result.outcome = "partial"
        return self.result

    def _take_notes(self) -> None:
        """The fetcher's notes join the pass's record, first among its problems: they concern the
        whole portal (a Crawl-delay capped, a Retry-After ignored), and the record keeps the first 20."""
        notes = [note for note in self.fetcher.notes if note not in self.result.notes]
        self.result.notes += notes
        self.result.errors[:0] = [(self.portal.urls[0], note) for note in notes]

    # ---- lists -------------------------------------------------------------------------------

    def _column(self, url: str) -> ColumnRead:
        key = column_key(url)
        key = self.aliases.get(key, key)
        if key not in self.columns:
            self.columns[key] = ColumnRead(url, key=key)
        return self.columns[key]

    def _request(self, column: ColumnRead, url: str, *, number: int | None = 1, **kwargs: object) -> PageRequest:
        """A page of `column`, numbered in the order asked (`position`); `number`: its place in the
        list as the CMS numbers it (1 for a column's first page), None when unknown."""
        column.queued += 1
        column.numbers[column.queued] = number
        return PageRequest(url, column=column.key, position=column.queued, **kwargs)  # type: ignore[arg-type]

    async def _walk_lists(self) -> None:
        queue: deque[tuple[PageRequest, bool]] = deque()
        for url in self.portal.urls:
            column = self._column(url)
            if column.queued == 0:  # the same column configured twice is read once
                queue.append((self._request(column, url), True))
        while queue and not self.cancel.is_set():
            request, is_start = queue.popleft()
            key = (column_key(request.url), request.data)
            if key in self.seen:
                continue
            self.seen.add(key)
            if self.result.pages >= self.portal.crawl.max_pages:
                self._cap(request.url, f"stopped after {self.result.pages} list pages (max_pages)")
                self._cut([(request, is_start), *queue], said("column.capped", limit=self.portal.crawl.max_pages))
                break
            budget = self.fetcher.budget
            if budget is not None and budget.spent:  # discover's request budget: the walk stops here
                self._cap(request.url, f"stopped after {budget.used} requests (the request budget)")
                self._cut([(request, is_start), *queue], said("column.budget", limit=budget.limit))
                break
            await self._one_list(request, is_start, queue)
        if self.portal.urls and len(self.start_failures) >= len({column_key(u) for u in self.portal.urls}):
            causes = [cause for cause, _ in self.start_failures]
            blocked = next((c for c in causes if c in ("challenge", "robots")), None)
            self.result.outcome = "blocked" if blocked else "unreachable"
            self.result.cause = blocked or causes[0]

    def _cut(self, waiting: list[tuple[PageRequest, bool]], why: Said) -> None:
        """The columns of the pages left `waiting` are cut by a cap: not read completely, and why."""
        for request, _ in waiting:
            cut = self.columns.get(request.column or "")
            if cut is not None:
                cut.capped = why
                cut.unread_positions.add(request.position)

    async def _one_list(self, request: PageRequest, is_start: bool, queue: deque[tuple[PageRequest, bool]]) -> None:
        """Fetch and read one list page.  The page (and its parsed tree, some 400 KB of lexbor
        pools however small the page) dies here, not at the next await: hundreds of portals
        waiting on their hosts' intervals would otherwise each hold one."""
        page = await self._fetch_list(request, is_start)
        if isinstance(page, str):  # a redirect shell: its target stands in for it
            if request.position == 1 and request.column:
                self.aliases.setdefault(column_key(page), request.column)
            queue.appendleft((replace(request, url=page, referer=request.url, data=None), is_start))
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
        except FetchError as exc:
            self._list_failed(request, failure_kind(exc), str(exc), is_start)
            return None
        self.result.pages += 1
        self._progress()
        if response.url != request.url and request.data is None:  # redirected: the target is this page
            self.seen.add((column_key(response.url), None))
            if request.position == 1 and request.column:
                self.aliases.setdefault(column_key(response.url), request.column)
        if response.outcome == "redirect_shell" and response.shell_target:
            return response.shell_target
        if response.outcome == "not_modified":
            stored = self.sink.stored(response.url)
            if stored is None:
                self._list_failed(request, "no_copy", "304 for a page nianbao has no copy of", is_start)
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
            kind = response_kind(response)
            self._list_failed(request, kind, f"{response.outcome} (HTTP {response.status})", is_start)
            return None
        text, _ = decode(content, content_type=response.content_type)
        return Page(response.url, text)

    def _list_failed(self, request: PageRequest, cause: str, reason: str, is_start: bool) -> None:
        self._problem(request.url, reason)
        if is_start:
            self.start_failures.append((cause, reason))
        column = self.columns.get(request.column or "")
        if column is not None:
            column.failed.append((request.url, cause))
            column.unread_positions.add(request.position)

    def _read_list(self, page: Page, request: PageRequest, queue: deque[tuple[PageRequest, bool]]) -> None:
        adapter = adapter_for(page)
        column = self.columns[request.column or column_key(page.url)]
        column.read_pages += 1
        column.read_positions.add(request.position)
        column.cms = column.cms if column.cms and adapter is generic else adapter.NAME
        declared = adapter.declared(page)
        if declared is not None:
            column.declared = _merge(column.declared, declared)
            column.last_seen = column.last_seen or declared.last
        bases = tuple(self.bases)
        dates: list[str | None] = []
        entries = 0
        for link in adapter.entries(page):
            title = link.best_title
            if is_report_title(title):
                column.records.add(link.url)
                dates.append(link.date)
                entries += self._list_entry(column, page, request, link, "", "")
                if link.url not in self.candidates:
                    self.candidates[link.url] = link
                    self.result.candidates += 1
            elif is_column_link(link, bases):
                sub = self._column(link.url)
                entries += self._list_entry(column, page, request, link, NOT_REPORT, "column")
                if sub.queued == 0 and sub is not column:
                    queue.append((self._request(sub, link.url, referer=page.url), False))
            else:
                if adapter.NAME in ("hanweb", "gkmlpt", "jpaas"):
                    column.records.add(link.url)  # the CMS counts every record, reports or not
                kind = not_a_report(title)
                if kind is not None:
                    dates.append(link.date)
                    entries += self._list_entry(column, page, request, link, NOT_REPORT, kind)
        column.dates.setdefault(request.position, []).extend(dates)
        nexts = chain(adapter.next_pages(page), generic.next_pages(page) if adapter is not generic else ())
        # lazily made: taken only as far as max_pages could still fetch (a pager may declare a billion)
        budget = max(0, self.portal.crawl.max_pages - self.result.pages)
        taken = list(islice(nexts, budget + 1))
        if len(taken) > budget:
            column.cut = said("column.cut", limit=self.portal.crawl.max_pages)
        if column.declared is None and not taken and column.read_pages == 1:
            self._one_page(column, page, entries)
        # a page of a column is asked for as a browser would, from the column (JPaaS refuses any other Referer)
        for r in taken[:budget]:
            request = self._request(column, r.url, number=r.number, data=r.data, referer=r.referer or column.url)
            queue.append((request, False))

    def _one_page(self, column: ColumnRead, page: Page, entries: int) -> None:
        """A column whose CMS declares no size, read in one page with no pager: complete only on
        positive evidence (`listing.one_page`), and only where the portal accepts that evidence."""
        script = more_by_script(page)
        if script:
            column.no_size = said("column.more_by_script", how=script)
        elif not self.portal.crawl.one_page_evidence:
            column.no_size = said("column.demands_size")
        else:
            column.declared = one_page(page, entries)
            if column.declared is None:
                column.no_size = said("column.not_one_page")

    def _list_entry(
        self, column: ColumnRead, page: Page, request: PageRequest, link: Link, fate: Fate | Literal[""], reason: str
    ) -> int:
        """Enter a list entry in the ledger (once per column); 1 when it is new."""
        if (column.key, link.url) in self.listed:
            return 0
        entry = Entry(column.key, page.url, request.position, link.url, link.best_title, link.date, link.date_uncertain)
        if fate:
            entry.settle(fate, reason)
        else:
            known = self.by_url.get(link.url)
            if known and known[0].fate:  # the report was fetched already, for another column's entry
                entry.settle(known[0].fate, known[0].reason, known[0].detail, known[0].document)
            self.by_url.setdefault(link.url, []).append(entry)
        self.listed[(column.key, link.url)] = entry
        return 1

    # ---- articles and attachments ------------------------------------------------------------

    def _settle(self, url: str, fate: Fate, reason: str = "", detail: str = "", document: str | None = None) -> None:
        for entry in self.by_url.get(url, []):
            entry.settle(fate, reason, detail, document)

    async def _fetch_articles(self) -> None:
        limit = self.portal.crawl.max_documents
        links = list(self.candidates.items())
        if len(links) > limit:
            self._cap(self.portal.urls[0], f"{len(links)} reports listed, over max_documents ({limit})")
            for url, _ in links[limit:]:
                self.result.unfetched.append(url)
                self._settle(url, FAILED, "cap", f"not fetched: over max_documents ({limit})")
            links = links[:limit]
        slots = asyncio.Semaphore(max(1, self.portal.crawl.concurrency))

        async def one(url: str, link: Link) -> None:
            async with slots:
                if not self.cancel.is_set():
                    await self._fetch_article(url, link)
                else:
                    self.result.unfetched.append(url)
                    self._settle(url, FAILED, "stopped", "not fetched: the pass was stopped (shutdown)")

        await asyncio.gather(*(one(url, link) for url, link in links))

    async def _fetch_article(self, url: str, link: Link) -> None:
        if self.sink.skip(url):
            self._settle(url, STORED, "resumed", "stored by the interrupted pass this one resumes", url)
            return
        await self.sink.ready()
        response = await self._get_document(url, referer=None)
        if isinstance(response, Failure):  # listed but not fetched: found, with the failure recorded
            self.sink.save_failure(
                url, portal=self.portal.name, title=link.best_title, date=link.date, error=response.detail
            )
            self.result.unfetched.append(url)
            self._settle(url, FAILED, response.kind, response.detail)
            return
        if response.outcome == "not_modified":
            self._settle(url, STORED, "unchanged", "not modified since the copy nianbao has", response.url)
            return
        content = await self._whole_article(response)
        if isinstance(content, Failure):  # a report read in part is never stored: its entry failed
            self.result.unfetched.append(url)
            self._settle(url, FAILED, content.kind, content.detail)
            return
        content = await self._inline_images(response, content, entry=url)
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
        self._settle(url, STORED, document=response.url)
        if not _may_attach(content):
            return  # no attachment markers at all: spare building a tree of the whole page
        text, _ = decode(content, content_type=response.content_type)
        for attachment in _attachments(Page(response.url, text)):
            await self._fetch_attachment(
                attachment, article=response.url, entry=url, title=link.best_title, date=link.date
            )

    async def _whole_article(self, response: Response) -> bytes | Failure:
        """A TRS article split over `t…_1.html`, `t…_2.html`: its pages fetched and put together; a
        part that cannot be had makes the whole a failure ("truncated"), never a report in part."""
        content = response.content
        if b"createPageHTML" not in content and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content  # no pager script (which every split article has), in any ASCII-based encoding
        text, codec = decode(content, content_type=response.content_type)
        try:
            rest = continuation_pages(response.url, text)
        except TooManyParts as exc:
            self._problem(response.url, str(exc))
            return Failure("too_large", str(exc))
        if not rest:
            return content
        parts = [text]
        for number, url in enumerate(rest, start=2):
            more = await self._get_document(url, referer=response.url)
            if not isinstance(more, Response) or more.outcome != "ok":
                why = more.detail if isinstance(more, Failure) else "not modified, and no copy to stand for it"
                return Failure("truncated", f"truncated: page {number} of the article could not be had ({why})")
            parts.append(decode(more.content, content_type=more.content_type)[0])
        return assemble(parts).encode(codec if codec.startswith(("utf", "gb")) else "utf-8", errors="replace")

    async def _inline_images(self, response: Response, content: bytes, *, entry: str) -> bytes:
        """An article whose tables may be pictures (fewer than the report's three tables in HTML, and
        pictures in the page) gets its pictures fetched and written into the page as `data:` URIs,
        so the parser reads the text and the pictured tables as one report (by OCR).  A picture that
        cannot be had withholds what its entry could change, like an attachment; the page is stored
        with the others."""
        if not images_may_hold_tables(content):
            return content
        text, codec = decode(content, content_type=response.content_type)
        inlined, total = 0, 0
        for src, url in article_images(Page(response.url, text))[:MAX_IMAGES]:
            got = await self._get_document(url, referer=response.url)
            if isinstance(got, Failure):
                self.result.attachment_failures.append((entry, url, f"{got.kind}: {got.detail}"))
                continue
            kind = image_kind(got.content) if got.outcome == "ok" else None
            if kind is None or total + len(got.content) > MAX_IMAGE_BYTES:
                continue  # not a picture (a 404 page, a logo in SVG), or over what one page may carry
            total += len(got.content)
            data = f"data:image/{kind};base64,{base64.b64encode(got.content).decode('ascii')}"
            for written in {src, html.escape(src, quote=False)}:  # as the page writes it, & as &amp; perhaps
                text = text.replace(f'"{written}"', f'"{data}"').replace(f"'{written}'", f"'{data}'")
            inlined += 1
        if not inlined:
            return content
        return text.encode(codec if codec.startswith(("utf", "gb")) else "utf-8", errors="replace")

    async def _fetch_attachment(self, link: Link, *, article: str, entry: str, title: str, date: str | None) -> None:
        """An attachment of a report's article.  One that cannot be had withholds the verdicts its
        entry could change (the report may be in it), like a failed entry."""
        if self.sink.skip(link.url):
            return
        if self.documents >= self.portal.crawl.max_documents:
            reason = f"attachments beyond max_documents ({self.portal.crawl.max_documents}) not fetched"
            self._cap(link.url, reason)
            self.result.attachment_failures.append((entry, link.url, f"cap: {reason}"))
            return
        response = await self._get_document(link.url, referer=article)
        if isinstance(response, Failure):
            self.result.attachment_failures.append((entry, link.url, f"{response.kind}: {response.detail}"))
            return
        if response.outcome == "not_modified":
            return
        if response.content[:512].lstrip().lower().startswith((b"<html", b"<!doctype")) and _ATTACH_TEXT.search(
            link.text
        ):
            reason = "an HTML page came back where a file was linked (download refused?)"
            self._problem(link.url, reason)
            self.result.attachment_failures.append((entry, link.url, f"refused_download: {reason}"))
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

    async def _get_document(self, url: str, *, referer: str | None) -> Response | Failure:
        """The response (`ok`, or `not_modified` when the copy nianbao has is current); or why it
        could not be had, recorded as a problem.  Nothing is dropped silently: a link or redirect
        that leaves the portal's hosts is a failure of its own kind (`off_scope`)."""
        known = self.sink.known(url)
        try:
            response = await self.fetcher.get(
                url,
                referer=referer,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
        except FetchError as exc:
            kind = failure_kind(exc)
            reason = f"truncated: {exc}" if kind == "truncated" else str(exc)
            self._problem(url, reason)
            return Failure(kind, reason)
        if response.outcome == "not_modified":
            if self.sink.stored(response.url) is None:
                reason = "304 Not Modified, but nianbao has no copy of this URL"
                self._problem(url, reason)
                return Failure("no_copy", reason)
            self.result.unchanged += 1
            return response
        if response.outcome != "ok":
            reason = f"{response.outcome} (HTTP {response.status})"
            self._problem(url, reason)
            return Failure(response_kind(response), reason)
        # a body cut short with no Content-Length to say so: a failed fetch, never a new version
        cut = cut_short(response.content, response.content_type, lambda: self.sink.stored(response.url))
        if cut is not None:
            self._problem(url, cut)
            return Failure("truncated", cut)
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


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a document could not be had: its kind (a word of `FAILURE_KINDS`) and the details."""

    kind: str
    detail: str


def failure_kind(exc: FetchError) -> str:
    """The kind of a fetch error: what happened, not a guess about the portal's intent."""
    return getattr(exc, "kind", "") or "network"


def response_kind(response: Response) -> str:
    """The kind of an answer that is not the page: an anti-bot challenge, a soft 404, a status."""
    if response.outcome == "blocked":
        return "challenge"
    if response.outcome in ("soft404", "not_found"):
        return response.outcome
    if response.outcome == "unasked_304":
        return "unasked_304"
    if response.status >= 500:
        return "http_5xx"
    if response.status >= 400:
        return "http_4xx"
    return response.outcome or "error"


def _bound(before: list[str | None], after: list[str | None]) -> tuple[int | None, str]:
    """The latest year a report on the unread pages could be of, from the dates of the entries read
    `before` them (in list order: they must descend) and `after` them (all older than those before)."""
    dates, later = [d for d in before if d], [d for d in after if d]
    if len(dates) + len(later) < 2 or any(b > a for a, b in zip(dates, dates[1:], strict=False)):
        return None, "its entries are not proven to be newest first"
    if later and max(later) > min(dates):
        return None, "its entries are not proven to be newest first"
    bound = min(dates)
    return int(bound[:4]) - 1, f"entries descend in date; its unread pages hold entries dated {bound} or earlier"


def _merge(old: Declared | None, new: Declared) -> Declared:
    """A column's declaration as its pages tell it (the proxy's count may repeat the page's)."""
    if old is None:
        return new
    return Declared(
        pages=max(filter(None, (old.pages, new.pages)), default=None),
        records=new.records if new.records is not None else old.records,
        last=old.last or new.last,
        how=old.how if old.how == new.how or not new.how else f"{old.how}; {new.how}",
        note=old.note or new.note,  # a value nianbao could not use on any page leaves the size unproven
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
    """One pass over one portal.  A bug of nianbao's met on the way ends the pass as `partial` with
    what it had read: every entry keeps a fate (those not reached fail as "unsettled"), and no
    column it was still reading counts as complete."""
    crawl = PortalCrawl(portal, fetcher, sink, progress, cancel)
    try:
        return await crawl.run()
    except Exception as exc:
        logger.exception("portal=%s crawl failed", portal.name)
        return crawl.abandon(f"crawler error: {type(exc).__name__}: {exc}")
