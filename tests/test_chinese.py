"""Chinese everywhere a reader looks: the demo's output, the digest (text and HTML) and every page of
the status site, in the default language, hold no English word — only ids, URLs, file names, names
of the portals' own systems and the technical words a Chinese reader meets in Chinese too (HTTP,
PDF …).  A word outside that list fails the test, naming where it stood."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from checks.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
# names and words that are not English prose: the product, protocols and formats, the CMSs nianbao
# names by their ids, configuration keys, a command line a reader may copy
ALLOWED = {
    "nianbao",
    "HTTP",
    "HTTPS",
    "TLS",
    "DNS",
    "PDF",
    "DOCX",
    "DOC",
    "WPS",
    "ZIP",
    "HTML",
    "xx",  # HTTP 5xx, 4xx
    "vsb",
    "trs",
    "TRS",
    "hanweb",
    "jpaas",
    "gkmlpt",
    "generic",
    "max_pages",  # configuration keys and JSON fields, named where a reader may set or query them
    "one_page_evidence",
    "region",
    "raw",
    "robots.txt",
    "XX",  # a placeholder of the template as reports leave it in (XX镇), quoted by a rule
}
COMMANDS = re.compile(
    r"nianbao findings dismiss \S+ --reason|(?:\S*/)?nianbao status --db \S+|(?:\S*/)?sqlite-utils \S+ '[^']*'"
)
NOT_WORDS = re.compile(
    r"https?://\S+|[\w./-]+\.(?:db|eml|html?|toml|py|css|js|png|svg|pdf|docx?|wps|xlsx?)\b|(?:\.{0,2}/[\w.-]+)+/?"
)


def english(text: str) -> set[str]:
    """The English words of `text` a reader would see (ids, URLs, file names and commands left out)."""
    rule_ids = set(all_rules())
    text = NOT_WORDS.sub(" ", COMMANDS.sub(" ", text))
    words = set(re.findall(r"[A-Za-z][A-Za-z_.]*[A-Za-z]|[A-Za-z]", text))
    return {w for w in words if w not in ALLOWED and w not in rule_ids and len(w) > 1}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-m", "nianbao", "demo"], cwd=folder, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return folder / "nianbao-demo", done.stdout


def _visible(html: str) -> str:
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, code"):
        node.decompose()
    body = tree.body
    return body.text(separator=" ") if body is not None else ""


@pytest.mark.slow
def test_the_demo_speaks_chinese(demo: tuple[Path, str]) -> None:
    _, output = demo
    assert english(output) == set(), output


@pytest.mark.slow
def test_the_digest_speaks_chinese(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    [eml] = sorted((folder / "outbox").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and rich is not None, "a digest in plain text and in HTML"
    text, html = plain.get_content(), rich.get_content()
    assert english(str(message["subject"])) == set()
    assert english(text) == set(), text
    assert english(_visible(html)) == set()


@pytest.mark.slow
def test_every_page_of_the_site_speaks_chinese(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    pages = sorted((folder / "site").rglob("*.html"))
    assert len(pages) > 20
    found = {str(page.relative_to(folder)): english(_visible(page.read_text(encoding="utf-8"))) for page in pages}
    assert {page: words for page, words in found.items() if words} == {}


def test_the_word_test_catches_english() -> None:
    """The test above can fail: English prose is caught, ids and URLs are not."""
    assert english("已读取 3 of 5 pages") == {"of", "pages"}
    assert english("（applications.outcome_total）http://x.gov.cn/a/b.htm 报告.pdf HTTP 5xx") == set()
