"""Reading back the PDFs Desk prints, with Debian's tools (.ci/run installs them).

The tests fail, not skip, when a tool is missing: a PDF nobody read back is untested.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

_PACKAGES = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils",
             "pdffonts": "poppler-utils", "zbarimg": "zbar-tools"}  # fmt: skip


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: install the Debian package {_PACKAGES[name]}"
    return found


def pdf_text(pdf: Path, *, layout: bool = True) -> str:
    args = [_tool("pdftotext"), *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext ends each with a form feed)."""
    return pdf_text(pdf).split("\f")[:-1]


def embedded_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font the PDF uses."""
    out = subprocess.run([_tool("pdffonts"), str(pdf)], check=True, capture_output=True,
                         text=True).stdout  # fmt: skip
    fonts = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        fonts.append((parts[0], parts[-5] == "yes"))
    return fonts


def barcodes(pdf: Path, folder: Path, dpi: int = 200) -> Counter[str]:
    """Every Code128 symbol zbar decodes from a ``dpi`` rendering of every page."""
    prefix = folder / "page"
    subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)],
                   check=True)  # fmt: skip
    pages = sorted(folder.glob("page-*.png"))
    done = subprocess.run([_tool("zbarimg"), "-q", "--raw", "-Sdisable", "-Scode128.enable",
                           *map(str, pages)], check=False, capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode in (0, 4), done.stderr  # 4: a page with no symbol
    return Counter(line for line in done.stdout.splitlines() if line)
