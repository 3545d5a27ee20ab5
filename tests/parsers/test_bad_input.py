"""Bad input ends with exit 2 and one clear line on stderr, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.sample.wordhtml import render


def _cut_table(seed: str) -> str:
    """A page holding only the first half of table 3: no title, no parts, nothing else."""
    html = render(seed.split("三、收到和处理政府信息公开申请情况")[1].split("四、政府信息公开行政复议")[0], title=None)
    return html[: html.index("(三)不予公开")]


BAD: dict[str, Callable[[str], bytes]] = {
    "empty.txt": lambda seed: b"",
    "blank.html": lambda seed: b"  \n\n ",
    "binary.bin": lambda seed: bytes(range(256)) * 40,
    "news.html": lambda seed: (
        "<html><head><title>县长调研春耕生产-某某县人民政府</title></head><body><div id=content>"
        "<p>3月12日，县长一行深入田间地头调研春耕生产工作。</p></div></body></html>".encode()
    ),
    "cut-table.html": lambda seed: _cut_table(seed).encode(),
    "pdf-lie.txt": lambda seed: b"%PDF-1.7\n" + bytes(200),
}


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.slow
def test_bad_input_exits_2_with_one_line(tmp_path: Path, seed_text: str, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD[name](seed_text))
    result = CliRunner().invoke(cli, ["parse", str(path), "--json"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nianbao: ") and name in lines[0]
    assert "Traceback" not in result.output


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for target in (tmp_path / "nope.html", tmp_path):
        result = CliRunner().invoke(cli, ["parse", str(target)])
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_jsonl_keeps_going(tmp_path: Path, seed_text: str) -> None:
    (tmp_path / "a.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    result = CliRunner().invoke(cli, ["parse", "--jsonl", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert (
        result.exit_code == 1
        and result.stderr.strip() == "nianbao: 1 of 2 inputs could not be parsed (see their error)"
    )
    first, second = result.stdout.strip().splitlines()
    assert '"agency": "张家川县闫家乡人民政府"' in first and '"error"' in second
    assert CliRunner().invoke(cli, ["parse", "--jsonl", str(tmp_path / "a.txt")]).exit_code == 0


@pytest.mark.slow
def test_parse_with_db_stores_the_document_and_report(seed_text: str, tmp_path: Path) -> None:
    from storage.db import open_db

    (tmp_path / "a.txt").write_text(seed_text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["parse", str(tmp_path / "a.txt"), "--json", "--db", str(tmp_path / "n.db")])
    assert result.exit_code == 0, result.output
    db = open_db(str(tmp_path / "n.db"))
    [row] = db.query("SELECT agency, year, url FROM reports")
    assert row["agency"] == "张家川县闫家乡人民政府" and row["url"].startswith("file://")


@pytest.mark.slow
def test_installed_entry_point_smoke(tmp_path: Path) -> None:
    exe = shutil.which("nianbao", path=str(Path(sys.executable).parent)) or shutil.which("nianbao")
    if exe is None:
        pytest.skip("nianbao is not installed as a command")
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = subprocess.run(
        [exe, "parse", str(tmp_path / "empty.txt")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "empty" in proc.stderr


@pytest.mark.slow
def test_parse_a_url_from_a_loopback_portal(seed_text: str) -> None:
    from nianbao.sample.server import Answer, Site, start, stop
    from nianbao.sample.wordhtml import render

    site = Site("one")
    start([site])
    try:
        page = render(seed_text, title="张家川县闫家乡人民政府2024年度政府信息公开工作报告", charset_meta=None)
        site.add("/info/1.htm", Answer(200, page.encode("gbk"), {"Content-Type": "text/html; charset=GBK"}))
        ok = CliRunner().invoke(cli, ["parse", site.url("/info/1.htm"), "--json"])
        assert ok.exit_code == 0 and '"agency": "张家川县闫家乡人民政府"' in ok.output
        missing = CliRunner().invoke(cli, ["parse", site.url("/info/404.htm")])
        assert missing.exit_code == 2 and "not_found" in missing.output
    finally:
        stop([site])


def test_a_bug_of_nianbao_is_not_called_a_damaged_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    import parsers.pdf
    from nianbao.parsing import parse_document
    from nianbao.sample.pdf import tiny_pdf

    def broken(page: object) -> list[tuple[str, object]]:
        raise TypeError("a bug in nianbao's own code")

    monkeypatch.setattr(parsers.pdf, "_page_items", broken)
    with pytest.raises(TypeError):
        parsers.pdf.from_pdf(tiny_pdf("hello"), source="x.pdf")
    parsed = parse_document(tiny_pdf("hello"), url="http://x/a.pdf")
    assert parsed.report is None and parsed.error is not None
    assert "a bug: TypeError" in parsed.error and "damaged" not in parsed.error


def _nianbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nianbao", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_pdf_library_warnings_never_reach_stderr(tmp_path: Path) -> None:
    import pypdfium2

    from nianbao.sample.hostile import without_font_boxes

    path = tmp_path / "no-font-box.pdf"
    path.write_bytes(without_font_boxes())
    quiet = _nianbao("parse", str(path))
    assert quiet.returncode == 0 and "某某县刘堡镇人民政府" in quiet.stdout
    assert quiet.stderr == ""
    # PDFium reads it, pdfminer interprets no page; a rotated page is still pdfplumber's, and warns
    rotated = tmp_path / "rotated-no-font-box.pdf"
    document = pypdfium2.PdfDocument(without_font_boxes())
    for page in document:
        page.set_rotation(90)
    document.save(str(rotated))
    document.close()
    quiet = _nianbao("parse", str(rotated))
    assert quiet.stderr == ""
    debug = _nianbao("-vv", "parse", str(rotated))  # pdfminer did warn: as nianbao's debug line
    assert "DEBUG nianbao.pdfminer.pdffont: Could not get FontBBox from font descriptor" in debug.stderr


def test_a_pdf_library_warning_by_the_warnings_module_is_a_debug_line() -> None:
    probe = (
        "import sys, warnings; from nianbao.logs import configure; configure(int(sys.argv[1]), 'text'); "
        "warnings.warn_explicit('FPDF_LoadXFA() failed', UserWarning, "
        "'/venv/site-packages/pypdfium2/_helpers/document.py', 199); "
        "warnings.warn_explicit('a warning of anyone else', UserWarning, '/app/other.py', 1)"
    )
    quiet, debug = (
        subprocess.run([sys.executable, "-c", probe, level], capture_output=True, text=True, timeout=60)
        for level in ("0", "2")
    )
    assert "a warning of anyone else" in quiet.stderr and "FPDF_LoadXFA" not in quiet.stderr  # others still shown
    assert "DEBUG nianbao.pypdfium2: UserWarning: FPDF_LoadXFA() failed" in debug.stderr
