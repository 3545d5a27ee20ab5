"""`nianbao demo`: the whole cycle offline, against the sample portal that ships with nianbao.

It plants what nianbao exists to find — a missing township report, a late one, one whose tables
do not add up, a blocked provincial portal — next to clean ones (the county government's report
published on 15 March is on time), runs crawl -> check -> notify once, prints the status table and
writes the digest as an .eml file.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date

from nianbao.core.config import Agency, Config, EmailSettings, Site
from nianbao.core.languages import DEFAULT_LANGUAGE
from nianbao.pipeline import CycleResult, run_once
from nianbao.sample.portal import Planned, SamplePortal, default_plan
from nianbao.sample.reports import balanced
from storage.db import open_db

AS_OF = date(2026, 4, 15)
MISSING = "某某县红旗乡人民政府"


def demo_plan(year: int = 2025) -> list[Planned]:
    """The default portal with three planted problems."""
    plan = default_plan(year)
    for index, planned in enumerate(plan):
        if planned.sample.agency == "某某县恭门镇人民政府":  # late: published 20 Feb, due 31 Jan
            plan[index] = replace(planned, pub=f"{year + 1}-02-20 10:00")
        if planned.sample.agency == "某某县龙山镇人民政府":  # inconsistent: 3 received, 2 handled, total says 3
            apps = balanced(3)
            apps["granted"] = [2, 0, 0, 0, 0, 0, 2]
            plan[index] = replace(planned, sample=replace(planned.sample, applications=apps))
    return plan


def missing_agency() -> Agency:
    return Agency(MISSING, "township", "某某县人民政府")


BLOCKED_AGENCY = Agency("某某省人民政府", "government", "某某省人民政府")  # its portal answers 412: not assessable


def demo_config(portal: SamplePortal, folder: str, lang: str = DEFAULT_LANGUAGE) -> Config:
    base = portal.config(os.path.join(folder, "nianbao.db"), interval=0.05)
    agencies = (*base.agencies, missing_agency(), BLOCKED_AGENCY)
    demo = replace(base, agencies=agencies, site=Site(out=os.path.join(folder, "site")))
    return demo.with_notify(
        email=EmailSettings(smtp_host="", sender="nianbao@localhost", to=("watch@example.org",)),
        outbox_dir=os.path.join(folder, "outbox"),
        language=lang,
    )


def run_demo(folder: str, lang: str = DEFAULT_LANGUAGE) -> tuple[Config, CycleResult]:
    """Start the sample portal, run one cycle as of 15 April 2026, stop the portal."""
    os.makedirs(folder, exist_ok=True)
    with SamplePortal(demo_plan()) as portal:  # its dead links of unwatched agencies withhold nobody
        config = demo_config(portal, folder, lang)
        db = open_db(config.db_path)
        result = run_once(config, db, as_of=AS_OF)
    return config, result
