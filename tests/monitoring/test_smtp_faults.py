"""The mail server misbehaves: a digest it accepted is sent exactly once even when it hangs up at
QUIT; credentials are never sent in the clear unless the configuration says so."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from nianbao.core.config import Config, EmailSettings
from nianbao.demo import demo_plan, missing_agency
from nianbao.pipeline import run_once
from nianbao.sample.portal import SamplePortal
from storage.db import open_db
from tests.monitoring.conftest import Collector, free_port

pytestmark = pytest.mark.faults


class HangUpAtQuit(SMTP):
    """Accepts the message (250 after DATA), then drops the connection instead of answering QUIT."""

    async def smtp_QUIT(self, arg: str) -> None:  # noqa: N802
        assert self.transport is not None
        self.transport.close()


class RudeController(Controller):
    def factory(self) -> SMTP:
        return HangUpAtQuit(self.handler, **self.SMTP_kwargs)


@pytest.fixture()
def rude_smtp() -> Iterator[tuple[Collector, int]]:
    collector = Collector()
    port = free_port()
    controller = RudeController(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, port
    controller.stop()


@pytest.fixture()
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(demo_plan(), failing_links=False) as running:
        yield running


def _config(portal: SamplePortal, tmp_path: Path, email: EmailSettings) -> Config:
    base = portal.config(str(tmp_path / "n.db"))
    return replace(base, agencies=base.agencies + (missing_agency(),)).with_notify(email=email)


@pytest.mark.slow
def test_digest_accepted_then_hang_up_at_quit_is_sent_exactly_once(
    portal: SamplePortal, rude_smtp: tuple[Collector, int], tmp_path: Path
) -> None:
    collector, port = rude_smtp
    email = EmailSettings(smtp_host="127.0.0.1", smtp_port=port, to=("watch@example.org",), timeout=5)
    config = _config(portal, tmp_path, email)
    db = open_db(config.db_path)
    first = run_once(config, db, as_of=date(2026, 4, 15))
    assert first.delivery and first.delivery.sent == 1 and first.delivery.failed == 0
    assert len(collector.messages) == 1
    assert db.execute("SELECT count(*) FROM notifications WHERE sent_at IS NULL").fetchone()[0] == 0
    for day in (16, 17):  # later runs: nothing new, nothing sent again
        run_once(config, db, as_of=date(2026, 4, day))
    assert len(collector.messages) == 1


@pytest.mark.slow
def test_credentials_without_tls_are_refused_and_nothing_is_lost(
    portal: SamplePortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    try:
        monkeypatch.setenv("NIANBAO_SMTP_USER", "watch")
        monkeypatch.setenv("NIANBAO_SMTP_PASSWORD", "secret")
        email = EmailSettings(smtp_host="127.0.0.1", smtp_port=port, to=("watch@example.org",), timeout=5)
        assert email.credentials == ("watch", "secret")
        config = _config(portal, tmp_path, email)
        db = open_db(config.db_path)
        result = run_once(config, db, as_of=date(2026, 4, 15))
        assert result.delivery and result.delivery.sent == 0 and result.delivery.failed == 1
        assert collector.messages == []  # the password never left
        error = db.execute("SELECT last_error FROM notifications WHERE sent_at IS NULL").fetchone()[0]
        assert "without TLS" in error
        assert db.execute("SELECT count(*) FROM findings WHERE notified_at IS NOT NULL").fetchone()[0] == 0
    finally:
        controller.stop()
