"""Portal CMS adapters, tried in order; the generic pager-follower is last and also always runs.

Each adapter module has NAME, `matches(page)`, `entries(page)` (the list's article links),
`next_pages(page)` (further list pages, a generator: the crawl takes only what `max_pages` allows,
so a declared count of a billion pages costs nothing) and `declared(page)` (what the CMS says about
the size of the column: the evidence a complete read is proven against; a value that is no usable
number is a `Declared.note`, never an exception — see `safe`).  A new CMS is one new module added
to ADAPTERS.
"""

from __future__ import annotations

from types import ModuleType

from crawler.adapters import generic, gkmlpt, hanweb, jpaas, trs, vsb

ADAPTERS: tuple[ModuleType, ...] = (gkmlpt, jpaas, hanweb, vsb, trs, generic)


def adapter_for(page: object) -> ModuleType:
    """The first adapter whose markers the page carries (generic when none do)."""
    return next(a for a in ADAPTERS if a.matches(page))
