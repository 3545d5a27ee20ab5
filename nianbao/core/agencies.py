"""Which watched agency a report belongs to, from the name the report gives.

Portals write one agency's name in several ways: with or without the county in front (红旗乡人民政府
on 某某县's portal is 某某县红旗乡人民政府), with full-width letters or brackets, with spaces, or with a
zero-width space pasted into a page title.  A name found in a report is compared with every watched
agency's name and aliases in these ways only:

1. equal after `normalise` (NFKC, invisible characters and whitespace removed, brackets unified);
2. equal once the region of the report's portal is put in front of a name that lacks it, in whole
   or its leading part (某某县红旗乡人民政府 on 某某省某某市某某县's portal); the same holds for a
   watched name configured without its region;
3. a configured alias, compared the same two ways.

Nothing is fuzzy: 红旗镇 is not 红旗乡, and 某某市红旗乡 is not 某某县红旗乡.  When a name could be two
watched agencies, it is neither: a report is never given to a look-alike, it is "unmatched" and
shown as such, so a person can add an alias.

A portal's region is its `region` key; without one, it is derived from the configured names: the
longest prefix ending in 省/市/州/盟/县/区/旗 of its government's name (某某县人民政府 → 某某县), or,
when no government is watched on it, shared by all its agencies (see `derive_region`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nianbao.core.config import Config

REGION_ENDS = "省市州盟县区旗"
_OPEN = "([［【〔〖｛{〈《"
_CLOSE = ")]］】〕〗｝}〉》"
_BRACKETS = str.maketrans(_OPEN + _CLOSE, "(" * len(_OPEN) + ")" * len(_CLOSE))
_SPACE = re.compile(r"\s+")


def strip_invisible(text: str) -> str:
    """`text` without format characters (Unicode category Cf: zero-width space, joiners, word joiner,
    BOM, soft hyphen, direction marks): they show as nothing, but make two equal names differ."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def normalise(name: str) -> str:
    """The form two names are compared in: NFKC (full-width letters and digits, the ideographic
    space), invisible characters and every whitespace removed, every kind of bracket as ( )."""
    text = unicodedata.normalize("NFKC", strip_invisible(name))
    return _SPACE.sub("", text).translate(_BRACKETS)


def derive_region(names: Iterable[str]) -> str | None:
    """The longest prefix ending in 省/市/州/盟/县/区/旗 that all `names` share (normalised); None
    when they share none.  Given the portal's government (某某县人民政府) it is that government's
    region (某某县); given its departments and townships, what they all start with.  A prefix may come
    out too long (某某县红旗 of 某某县红旗乡 and 某某县红旗镇; 某某县市 of 某某县市场监督管理局 alone):
    the region is also cut after each of those characters (`_forms`), so 红旗乡人民政府 still gets
    某某县 in front; and a wrong region only fails to match (the report is listed as unmatched), it
    never matches a wrong agency.  The portal's `region` key overrides it."""
    forms = [normalise(n) for n in names]
    if not forms:
        return None
    shared = forms[0]
    for form in forms[1:]:
        while not form.startswith(shared):
            shared = shared[:-1]
    while shared and shared[-1] not in REGION_ENDS:
        shared = shared[:-1]
    return shared or None


@dataclass(frozen=True, slots=True)
class Watched:
    """A watched agency: its configured name, the portal that publishes it, its aliases, its level."""

    name: str
    portal: str | None = None
    aliases: tuple[str, ...] = ()
    level: str = "township"


@dataclass(frozen=True, slots=True)
class Match:
    """What a name found in a report was taken to be: `agency` is the watched name, or None.
    `how`: same (equal as written), normalised, region, alias; or unmatched, ambiguous
    (`candidates`: the watched agencies it could be)."""

    agency: str | None
    how: str
    candidates: tuple[str, ...] = ()


def _forms(name: str, region: str | None) -> set[str]:
    """The normalised name, and the same with the region (or the part of it the name lacks) in
    front: on a portal of 某某省某某市某某县, 红旗乡人民政府 and 某某县红旗乡人民政府 are both
    某某省某某市某某县红旗乡人民政府.  The region is cut only after 省/市/州/盟/县/区/旗, so a region
    derived too long (某某县红旗, from 某某县红旗乡 and 某某县红旗镇) still puts 某某县 before 红旗乡."""
    form = normalise(name)
    forms = {form}
    if region:
        cuts = [i for i in range(1, len(region)) if region[i - 1] in REGION_ENDS] + [len(region)]
        forms.update(region[:i] + form for i in cuts if form.startswith(region[i:]) and not form.startswith(region))
    return forms


class Matcher:
    """Maps a name found in a report (and the portal it came from) to one watched agency or None."""

    def __init__(self, watched: Sequence[Watched], regions: dict[str, str]) -> None:
        self.regions = {portal: normalise(region) for portal, region in regions.items() if region}
        self._names: dict[str, set[str]] = {}  # a normalised form -> the watched names it may mean
        self._aliases: dict[str, set[str]] = {}
        for w in watched:
            region = self.regions.get(w.portal or "")
            for form in _forms(w.name, region):
                self._names.setdefault(form, set()).add(w.name)
            for alias in w.aliases:
                for form in _forms(alias, region):
                    self._aliases.setdefault(form, set()).add(w.name)

    @classmethod
    def of(cls, watched: Sequence[Watched], portals: Sequence[tuple[str, str | None]]) -> Matcher:
        """From the watched agencies and the portals as (name, configured region): a portal without
        `region` gets the one its government's name gives, else the one all its agencies share."""
        by_portal: dict[str | None, list[Watched]] = {}
        for w in watched:  # a province watches 10,000 agencies on 1,000 portals: grouped once
            by_portal.setdefault(w.portal, []).append(w)
        regions: dict[str, str] = {}
        for portal, region in portals:
            mine = by_portal.get(portal, [])
            governments = [w.name for w in mine if w.level == "government"]
            found = region or derive_region(governments or [w.name for w in mine])
            if found:
                regions[portal] = found
        return cls(watched, regions)

    def region(self, portal: str | None) -> str | None:
        return self.regions.get(portal or "")

    def match(self, name: str | None, portal: str | None) -> Match:
        """The watched agency `name` (found in a report from `portal`) is, by the rules above.  An
        exact name is no shortcut: 红旗乡人民政府 configured for another county's portal and
        某某县红旗乡人民政府 both fit 红旗乡人民政府 on 某某县's portal, so it is ambiguous."""
        if not name:
            return Match(None, "unmatched")
        forms = _forms(name, self.region(portal))
        by_name: set[str] = set().union(*(self._names.get(f, set()) for f in forms))
        by_alias: set[str] = set().union(*(self._aliases.get(f, set()) for f in forms))
        candidates = tuple(sorted(by_name | by_alias))
        if len(candidates) != 1:
            return Match(None, "ambiguous" if candidates else "unmatched", candidates)
        agency = candidates[0]
        if agency == name:
            how = "same"
        elif normalise(agency) == normalise(name):
            how = "normalised"
        else:
            how = "region" if agency in by_name else "alias"
        return Match(agency, how, candidates)


def matcher_of(config: Config) -> Matcher:
    """The matcher of a configuration: its agencies (with their aliases) and its portals' regions."""
    watched = [Watched(a.name, a.portal, a.aliases, a.level) for a in config.agencies]
    return Matcher.of(watched, [(p.name, p.region) for p in config.portals])
