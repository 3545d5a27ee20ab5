"""A site and a digest built once from a real cycle over the bundled sample portal (crawl → check →
notify → site), and a headless Chromium (Debian's, driven by Playwright) to look at them."""

from __future__ import annotations

import email
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mail import decoded

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's folder: its database, its digest in outbox/, its site in site/."""
    from nianbao.demo import run_demo

    folder = tmp_path_factory.mktemp("demo")
    run_demo(str(folder))
    return folder


@pytest.fixture(scope="session")
def digest_html(demo: Path) -> str:
    [eml] = sorted((demo / "outbox").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes())
    [part] = [p for p in message.walk() if p.get_content_type() == "text/html"]
    return decoded(part)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")  # torn down after its module: Playwright's sync API holds an event loop
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture()
def artifacts() -> Path:
    """Where screenshots are kept ($NIANBAO_ARTIFACTS, else test-artifacts/ in the checkout)."""
    folder = Path(os.environ.get("NIANBAO_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
