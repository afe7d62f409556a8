"""Printing a courier manifest of N certificates, against ReportLab on a bare canvas.

Builds a SQLite database with N certificates (imported from CSV) on one manifest,
prepared by a clerk and verified by a supervisor, then times, in the same process:

- ``ours``: ``manifest_printing.print(...)`` as ``desk-app manifest print`` runs it:
  the manifest and its certificates read from the database, laid out (headings on
  every page, text cut to its column, wrapped holders, totals and signature blocks,
  "page X of Y"), drawn with a Code128 barcode per certificate and per page, the
  SHA-256 taken and the print recorded;
- ``bare``: ReportLab drawing the same strings and the same barcodes on a bare
  canvas (the same page size, fonts and rows per page; no layout, no database).

Prints JSON: pages, seconds and pages/s of each, and ``ratio`` (our pages/s over
the bare canvas's, goal >= 0.50). Medians over ``--runs`` runs.

    python bench/manifest.py [N ...] [--runs 1]     (default: 1000 10000)
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from desk_app.domain.certificates import ManifestView
from desk_app.domain.codes import Role
from desk_app.reports.manifest import manifest_document
from desk_app.reports.paged import BOLD, FONT, MARGIN, Paper, barcode, register_fonts
from desk_app.services.workspace import open_workspace

PASSWORD = "bench-password"

GOAL = 0.50
CUSIPS = ("459200101", "037833100", "594918104", "30231G102", "191216100")
HOLDERS = ("John A Smith & Mary B Smith JT TEN WROS", "Estate of Harold P. Winterbottom III",
           "Acme Pension Trust U/A 1999", "Jane Doe")  # fmt: skip


def build(folder: Path, certificates: int) -> tuple[str, str]:
    """A database with ``certificates`` on one verified manifest: (url, manifest number)."""
    url = f"sqlite:///{folder / 'bench.db'}"
    admin = open_workspace(url, "bench")
    # Each signs in with a password of their own, as on a shared computer.
    admin.users.add("clerk", [Role.CLERK], password=PASSWORD)
    admin.users.add("checker", [Role.SUPERVISOR], password=PASSWORD)
    admin.close()
    path = folder / "certificates.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("certificate_number,cusip,issuer,security_class,registered_holder,shares,"
                  "issue_date,location\n")  # fmt: skip
        for n in range(certificates):
            cusip = CUSIPS[n % len(CUSIPS)]
            number = (f"NY {100000 + n}", f"C0{n:07d}", f"XRX/AB-{n:010d}")[n % 3]
            out.write(f"{number},{cusip},Issuer {cusip[:4]},Common,\"{HOLDERS[n % 4]}\","
                      f"{100 + n % 900},1999-01-04,Vault {'ABC'[n % 3]}\n")  # fmt: skip
    clerk = open_workspace(url, "clerk", password=PASSWORD)
    assert clerk.certificates.import_csv(path).added == certificates
    from desk_app.domain.certificates import Dispatch

    numbers = [row[0] for row in _register_rows(clerk)]
    manifest = clerk.manifests.create(
        Dispatch("Brink's Global Services", "Computershare Trust Company, N.A.",
                 "150 Royall Street\nCanton, MA 02021", "Physical Securities Dept.",
                 "BRK 4471 0093"),
        numbers,
    )  # fmt: skip
    clerk.close()
    checker = open_workspace(url, "checker", password=PASSWORD)
    checker.manifests.verify(manifest)
    checker.close()
    return url, manifest


def _register_rows(ws: object) -> list[tuple[str, ...]]:
    from desk_app.domain.listing import iter_rows

    source = ws.certificates.certificates()  # type: ignore[attr-defined]
    return [(f"{r[1]}:{r[0]}",) for r in iter_rows(source)]


def ours(url: str, manifest: str) -> tuple[int, float, ManifestView]:
    clerk = open_workspace(url, "clerk", password=PASSWORD)
    try:
        start = time.perf_counter()
        printed = clerk.manifest_printing.print(manifest)
        seconds = time.perf_counter() - start
        return printed.pages, seconds, clerk.manifests.view(manifest)
    finally:
        clerk.close()


def bare(view: ManifestView, rows_per_page: list[int]) -> tuple[int, float]:
    """The same strings and barcodes, page by page, straight onto a canvas."""
    register_fonts()
    start = time.perf_counter()
    canvas = Canvas(io.BytesIO(), pagesize=Paper.LETTER.size, invariant=1, pageCompression=1,
                    initialFontName=FONT)  # fmt: skip
    lines = iter(view.lines)
    height = Paper.LETTER.size[1]
    xs = (MARGIN, MARGIN + 28, MARGIN + 138, MARGIN + 198, MARGIN + 302, MARGIN + 420, MARGIN + 470)
    for count in rows_per_page:
        canvas.setFont(BOLD, 11)
        canvas.drawString(MARGIN, height - 50, f"Courier manifest {view.manifest_number}")
        barcode(view.manifest_number, 20).drawOn(canvas, 400, height - 60)
        y = height - 90
        canvas.setFont(FONT, 8)
        for _ in range(count):
            line = next(lines)
            for x, text in zip(
                xs,
                (
                    str(line.line_no),
                    line.certificate_number,
                    line.cusip,
                    line.description,
                    line.registered_holder,
                    f"{line.shares:,}",
                    f"${line.value:,.2f}",
                ),
                strict=True,
            ):
                canvas.drawString(x, y, text)
            canvas.drawString(xs[3], y - 11, f"Registered: {line.registered_holder}")
            barcode(line.certificate_number, 20).drawOn(canvas, xs[1] - 8, y - 26)
            y -= 40
        canvas.drawString(MARGIN, 36, f"Courier manifest {view.manifest_number}")
        canvas.showPage()
    canvas.save()
    return len(rows_per_page), time.perf_counter() - start


def case(certificates: int, runs: int) -> dict[str, object]:
    ours_rates, bare_rates, ours_times, bare_times = [], [], [], []
    pages = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            url, manifest = build(Path(tmp), certificates)
            pages, seconds, view = ours(url, manifest)
        layout = manifest_document(view, Paper.LETTER, receipt=False, copy=False).pages()
        bare_pages, bare_seconds = bare(view, [len(p) for p in layout])
        ours_times.append(seconds)
        bare_times.append(bare_seconds)
        ours_rates.append(pages / seconds)
        bare_rates.append(bare_pages / bare_seconds)
    ratio = statistics.median(ours_rates) / statistics.median(bare_rates)
    return {
        "certificates": certificates, "pages": pages, "runs": runs,
        "ours_seconds": round(statistics.median(ours_times), 3),
        "ours_pages_per_s": round(statistics.median(ours_rates), 1),
        "bare_seconds": round(statistics.median(bare_times), 3),
        "bare_pages_per_s": round(statistics.median(bare_rates), 1),
        "ratio": round(ratio, 3), "goal": GOAL, "met": ratio >= GOAL,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("certificates", nargs="*", type=int, default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    results = [case(n, args.runs) for n in args.certificates]
    print(json.dumps({"benchmark": "manifest", "results": results}, indent=2))
    sys.exit(0)


if __name__ == "__main__":
    main()
