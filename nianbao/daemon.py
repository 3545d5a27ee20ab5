"""`nianbao daemon`: run_once on the configured cron schedule (APScheduler 3.x), never two cycles at
once; SIGTERM/SIGINT let the current write finish, then the process exits."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from nianbao.core.config import Config
from nianbao.core.errors import ConfigError

logger = logging.getLogger(__name__)


def trigger(cron: str) -> CronTrigger:
    """Five fields (minute hour day month weekday) as crontab, or six with seconds first."""
    fields = cron.split()
    try:
        if len(fields) == 6:
            second, minute, hour, day, month, weekday = fields
            return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=weekday)
        return CronTrigger.from_crontab(cron)
    except ValueError as exc:
        raise ConfigError(f"schedule.cron: {cron!r} is not a cron expression ({exc})") from None


def run_daemon(config: Config, cycle: Callable[[threading.Event], object]) -> None:
    """Block until SIGTERM/SIGINT; `cycle(cancel)` runs at each fire time."""
    cancel = threading.Event()
    scheduler = BlockingScheduler()
    scheduler.add_job(
        cycle, trigger(config.cron), args=[cancel], id="cycle", max_instances=1, coalesce=True, misfire_grace_time=3600
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
