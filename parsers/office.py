"""DOC and WPS (OLE binary Word formats) -> DOCX with LibreOffice headless, then the DOCX reader.

LibreOffice runs with its own throwaway profile (so several can run at once), a timeout, and its
whole process group killed on timeout.  Without LibreOffice the error says so in one line.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from nianbao.core.errors import ParseError, UnsupportedFormat
from parsers.docx import from_docx
from parsers.source import SourceText

TIMEOUT = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, *, source: str, suffix: str, target: str) -> bytes:
    """Convert bytes (written with `suffix`) to `target` ("docx", "pdf", "doc") with LibreOffice."""
    exe = soffice()
    if exe is None:
        raise UnsupportedFormat(
            f"{source}: DOC/WPS needs LibreOffice (soffice), which is not installed "
            "(Debian: apt-get install libreoffice-writer-nogui)",
            source=source,
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        work = Path(tmp)
        infile = work / f"input{suffix}"
        infile.write_bytes(data)
        command = [
            exe,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(infile),
        ]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ParseError(
                f"{source}: LibreOffice did not finish converting within {TIMEOUT} s", source=source
            ) from None
        produced = list((work / "out").glob(f"*.{target.split(':')[0]}"))  # "pdf:filter:{options}" -> .pdf
        if proc.returncode != 0 or not produced:
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise ParseError(f"{source}: LibreOffice could not read it ({detail[0]})", source=source)
        return produced[0].read_bytes()


def from_doc(data: bytes, *, source: str) -> SourceText:
    """An OLE Word/WPS file: converted to DOCX, then read as DOCX.  Bytes whose header no compound
    file has are damaged: said so at once, without seconds of LibreOffice (which takes them for
    text and finds no report in them)."""
    damage = _not_compound(data)
    if damage and soffice() is not None:  # without LibreOffice, that it is missing is what to say
        raise ParseError(f"{source}: a damaged or truncated DOC/WPS ({damage})", source=source)
    text = from_docx(convert(data, source=source, suffix=".doc", target="docx"), source=source)
    return SourceText(lines=text.lines, kind="doc")


def _not_compound(data: bytes) -> str | None:
    """What in the 512-byte header rules out an OLE2 compound file ([MS-CFB] 2.2: the byte order
    mark, a sector of 512 or 4096 bytes, a mini sector of 64), or None."""
    if len(data) < 512:
        return f"{len(data)} bytes, shorter than the 512-byte header"
    if data[28:30] != b"\xfe\xff":
        return "no byte order mark in its header"
    if int.from_bytes(data[30:32], "little") not in (9, 12) or int.from_bytes(data[32:34], "little") != 6:
        return "sector sizes no compound file has"
    return None
