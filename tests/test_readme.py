"""What README.md shows a command printing is what it prints: every `<!-- output -->` session is run
again (real processes, a real loopback portal, a fresh folder) and compared, ports and paths aside."""

from __future__ import annotations

import pytest

from nianbao import readme_outputs
from nianbao.readme_outputs import README, differences, rewritten


@pytest.mark.slow
@pytest.mark.parametrize("apart", [False, True], ids=["demo-and-config", "sample-portal"])
def test_the_readme_shows_what_its_commands_print(apart: bool) -> None:
    """Each story on its own (the sample portal's minute of polite requests beside the demo's)."""
    text = README.read_text(encoding="utf-8")
    shown = [block for block in readme_outputs.blocks(text) if block.kind == "output" and block.apart == apart]
    # the demo, config check, bad.toml, health, sqlite-utils, findings; the sample portal and discover
    assert len(shown) >= (2 if apart else 6)
    found = differences(text, apart)
    assert not found, "\n\n".join(found) + "\n\nrun: python -m nianbao.readme_outputs --write"


SAMPLE = """Intro.

<!-- file: two.toml -->
```toml
[crawl]
intervall = 2

[[agencies]]
name = "镇"
portal = "乡"
```

<!-- output -->
```
$ nianbao config check two.toml; echo "exit $?"
nianbao: two.toml: crawl.intervall: unknown key (did you mean "interval"?)
exit 2
$ nianbao config check
nianbao: /home/you/nianbao/nianbao.toml: no configuration file
```

Outro.
"""


@pytest.mark.slow
def test_an_out_of_date_output_is_found_and_rewritten() -> None:
    """The check fails on a session that no longer matches (a line missing, a line changed), and
    --write puts exactly what the commands print in its place, leaving the rest of the text alone."""
    [diff] = differences(SAMPLE)
    assert "+nianbao: two.toml: agencies[0].portal: '乡' names no configured portal (portals: none configured)" in diff
    assert "-nianbao: /home/you/nianbao/nianbao.toml: no configuration file\n" in diff + "\n"
    fixed = rewritten(SAMPLE)
    assert fixed.startswith(SAMPLE.split("<!-- output -->")[0]) and fixed.endswith("```\n\nOutro.\n")
    assert (
        "(portals: none configured)\nexit 2\n$ nianbao config check\nnianbao: /home/you/nianbao/nianbao.toml: no "
        in fixed
    )
    assert differences(fixed) == []


def test_ports_and_paths_are_compared_as_placeholders() -> None:
    """A port no --port fixed differs run to run: it is not a difference; a changed word is."""
    shown = "<!-- output -->\n```\n$ echo http://127.0.0.1:40123/ ok\nhttp://127.0.0.1:51999/ ok\n```\n"
    assert differences(shown) == []
    assert differences(shown.replace("51999/ ok", "51999/ changed"))
