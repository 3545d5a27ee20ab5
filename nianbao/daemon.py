"""`nianbao daemon`: run_once on the configured cron schedule (APScheduler 3.x), never two cycles at
once; SIGTERM/SIGINT let the current write finish, then the process exits."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler

from nianbao.core.config import Config, cron_trigger

logger = logging.getLogger(__name__)


def run_daemon(config: Config, cycle: Callable[[threading.Event], object]) -> None:
    """Block until SIGTERM/SIGINT; `cycle(cancel)` runs at each fire time."""
    cancel = threading.Event()
    scheduler = BlockingScheduler()
    scheduler.add_job(
        cycle,
        cron_trigger(config.cron),
        args=[cancel],
        id="cycle",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )

    def on_event(event: JobExecutionEvent) -> None:
        if event.exception:
            logger.error("cycle failed: %s", event.exception)
        else:
            logger.info("cycle finished")

    scheduler.add_listener(on_event, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED)

    def stop(signum: int, frame: object) -> None:
        logger.info("signal %s: finishing the current write, then stopping", signum)
        cancel.set()
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("daemon started; schedule %r", config.cron)
    scheduler.start()
    logger.info("daemon stopped")
