"""Portal CMS adapters, tried in order; the generic pager-follower is last and also always runs.

An adapter is a module that fulfils `Adapter`: it recognises its CMS on a list page (`matches`),
reads the list's article links (`entries`), names the further list pages (`next_pages`, a
generator: the crawl takes only what `max_pages` allows, so a declared count of a billion pages
costs nothing) and says what the CMS declares about the column's size (`declared`: the evidence a
complete read is proven against; a value that is no usable number is a `Declared.note`, never an
exception — see `safe`).  A new CMS is one new module added to ADAPTERS
(tests/crawler/test_adapter_contract.py holds every one to the contract).

The order of ADAPTERS is the order of trust in a CMS's markers (`EVIDENCE`), and `adapter_for`
takes the first that matches:

1. ADDRESS: adapters that know their CMS by the page's URL or the API address it names (gkmlpt,
   JPaaS) come first: a column page may carry another CMS's scripts left in its template, its
   addresses are the CMS's own;
2. DATA: then those that know it by the list's own data (Hanweb's `<datastore>` and `jpage`);
3. MARKUP: then those that know it by the pager or the template's markup (VSB, TRS);
4. ANY: generic matches every page and is last; the crawl also runs its pager after whichever matched.

Within one kind the order does not matter.  tests/crawler/test_adapter_contract.py checks the order
against EVIDENCE, and that a page carrying a later kind's markers still goes to its own adapter.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Protocol

from crawler.adapters import generic, gkmlpt, hanweb, jpaas, trs, vsb

if TYPE_CHECKING:
    from crawler.listing import Declared, Link, Page, PageRequest


class Adapter(Protocol):
    """What the crawl asks of a CMS (each adapter module provides these names)."""

    NAME: str  # the CMS's name as recorded (`crawl_columns.cms`) and shown

    def matches(self, page: Page) -> bool:
        """Whether the page carries this CMS's markers (detect)."""
        ...

    def entries(self, page: Page) -> list[Link]:
        """The list's article links on this page (records)."""
        ...

    def next_pages(self, page: Page) -> Iterator[PageRequest]:
        """The column's further list pages, made lazily as the crawl asks for them (list pages)."""
        ...

    def declared(self, page: Page) -> Declared | None:
        """What the CMS says about the column's size, or None when it says nothing (declared size)."""
        ...


class Evidence(IntEnum):
    """How an adapter knows its CMS, most trusted first: the order of ADAPTERS."""

    ADDRESS = 1
    DATA = 2
    MARKUP = 3
    ANY = 4


ADAPTERS: tuple[Adapter, ...] = (gkmlpt, jpaas, hanweb, vsb, trs, generic)
EVIDENCE: dict[str, Evidence] = {
    "gkmlpt": Evidence.ADDRESS,
    "jpaas": Evidence.ADDRESS,
    "hanweb": Evidence.DATA,
    "vsb": Evidence.MARKUP,
    "trs": Evidence.MARKUP,
    "generic": Evidence.ANY,
}
METHODS = ("matches", "entries", "next_pages", "declared")


def adapter_for(page: Page) -> Adapter:
    """The first adapter whose markers the page carries (generic when none do)."""
    return next(a for a in ADAPTERS if a.matches(page))


def problems(candidate: object) -> list[str]:
    """How a module falls short of `Adapter` (empty when it does not): a name that is no text, a
    method missing, not callable, or not taking the one page.  mypy checks ADAPTERS statically;
    this is the same contract at run time, for the conformance test and for a module not yet listed."""
    found = [] if isinstance(getattr(candidate, "NAME", None), str) else ["NAME: missing or not a str"]
    for method in METHODS:
        function = getattr(candidate, method, None)
        if function is None:
            found.append(f"{method}: missing")
        elif not callable(function):
            found.append(f"{method}: not callable")
        elif [p.name for p in inspect.signature(function).parameters.values()] != ["page"]:
            found.append(f"{method}: takes {inspect.signature(function)}, not (page)")
    pages = getattr(candidate, "next_pages", None)
    if callable(pages) and not inspect.isgeneratorfunction(pages):
        found.append("next_pages: not a generator (pages must be made as the crawl asks for them)")
    return found


def order_problems(adapters: Sequence[Adapter]) -> list[str]:
    """Where an order breaks the rule above: an adapter without its kind of evidence, one placed after
    a less trusted one, or generic not last."""
    unknown = [f"{a.NAME}: no EVIDENCE kind" for a in adapters if a.NAME not in EVIDENCE]
    if unknown:
        return unknown
    found = [
        f"{b.NAME} ({EVIDENCE[b.NAME].name}) after {a.NAME} ({EVIDENCE[a.NAME].name})"
        for a, b in zip(adapters, adapters[1:], strict=False)
        if EVIDENCE[b.NAME] < EVIDENCE[a.NAME]
    ]
    if not adapters or adapters[-1] is not generic:
        found.append("generic is not last")
    return found
