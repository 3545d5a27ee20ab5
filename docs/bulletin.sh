#!/usr/bin/env bash
# docs/outputs.md's picture of the 通报 draft, made the way a reader would see it: the demo's database →
# `nianbao bulletin` → LibreOffice headless → PDF → PNG (pdftoppm, Debian's poppler-utils), the
# first three pages side by side.  Run from anywhere, after `.ci/run` (or the README's install).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/nianbao demo --out "$work/demo" >/dev/null
.venv/bin/nianbao bulletin --db "$work/demo/nianbao.db" --year 2025 --docx "$work/bulletin.docx"
FONTCONFIG_FILE="$PWD/docs/fonts.conf" soffice "-env:UserInstallation=file://$work/profile" --headless \
  --convert-to pdf --outdir "$work" "$work/bulletin.docx" >/dev/null
pdftoppm -png -r 60 -f 1 -l 3 "$work/bulletin.pdf" "$work/page"
.venv/bin/python - "$work" docs/bulletin.png <<'PY'
import sys
from pathlib import Path

from PIL import Image

pages = [Image.open(p).convert("RGB") for p in sorted(Path(sys.argv[1]).glob("page-*.png"))]
gap = 12
sheet = Image.new("RGB", (sum(p.width for p in pages) + gap * (len(pages) + 1), pages[0].height + 2 * gap), "#9aa4b1")
x = gap
for page in pages:
    sheet.paste(page, (x, gap))
    x += page.width + gap
sheet.save(sys.argv[2], optimize=True)
PY
echo "docs/bulletin.png written"
