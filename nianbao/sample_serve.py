"""`nianbao sample serve`: the demo's sample county portal on loopback, up until Ctrl-C.

The demo starts the portal only for its own run.  A new user who wants to watch `nianbao discover`
find the columns, and then crawl what it found, needs the portal to stay up at an address they can
type while they run commands in another terminal; with `--port N` its six sites take N … N+5, so a
configuration written against it still works after a restart.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from nianbao.core.errors import NianbaoError
from nianbao.core.messages import N_, gettext_for
from nianbao.demo import demo_plan
from nianbao.hints import command
from nianbao.sample.portal import SITE_NAMES, SamplePortal

SERVING = N_("The sample county portal (某某县) is serving on 127.0.0.1; its home page: {url}")
TRY = N_("Find its annual-report columns and who publishes there (in another terminal):")
STOP = N_("Press Ctrl-C to stop.")
STOPPED = N_("The sample portal has stopped.")


def ports_from(port: int) -> dict[str, int]:
    """The six sites' ports: the home page's on `port`, the others after it (none fixed for 0)."""
    return {name: port + index for index, name in enumerate(SITE_NAMES)} if port else {}


@contextmanager
def _stops_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM end the wait instead of a traceback; the old handlers come back after."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def serve(port: int, lang: str, echo: Callable[[str], None], stop: threading.Event | None = None) -> None:
    """Serve the demo's portal (its late and inconsistent reports planted) until `stop` is set or a
    signal comes; `echo` gets the home page's URL and a ready `nianbao discover` line."""
    _ = gettext_for(lang)
    stop = stop or threading.Event()
    portal = SamplePortal(demo_plan(), ports=ports_from(port))
    try:
        portal.start()
    except OSError as exc:
        raise NianbaoError(f"127.0.0.1:{port}: cannot serve the sample portal there ({exc.strerror or exc})") from None
    try:
        on_main = threading.current_thread() is threading.main_thread()
        with _stops_on_signals(stop) if on_main else _nothing():
            echo(_(SERVING).format(url=portal.home))
            echo(_(TRY))
            echo(f"  {command()} discover {portal.home}")
            echo(_(STOP))
            while not stop.wait(0.5):
                pass
    finally:
        portal.stop()
    echo(_(STOPPED))


@contextmanager
def _nothing() -> Iterator[None]:
    yield  # signal handlers can be set on the main thread only: a test serving from a thread stops by its Event
