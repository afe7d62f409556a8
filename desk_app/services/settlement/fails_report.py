"""The printable fails report (ReportLab): aging buckets, then every fail with its deadlines.

US Letter landscape; the column headings repeat on every page and each page says
"page X of Y". The same fails print the same bytes (ReportLab's invariant mode), so
a report can be compared with an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desk_app.domain.fails import FailSide
from desk_app.domain.money import format_amount, format_quantity
from desk_app.services.settlement.fails import BucketTotal, Fail

HEADINGS = ("Obligation", "Fail", "Age", "Settle date", "Account", "ISIN", "Symbol",
            "Counterparty", "Quantity left", "Amount left", "Ccy", "Reason", "Close out by",
            "Capital charge")  # fmt: skip
_NUMBERS = (2, 8, 9)  # right-aligned columns
_PAST = colors.HexColor("#B00020")


def write_report(
    fails: Sequence[Fail], buckets: Sequence[BucketTotal], as_of: date, path: Path
) -> Path:
    """The report of ``fails`` on ``as_of`` as a PDF at ``path``."""
    styles = getSampleStyleSheet()
    to_deliver = sum(f.side is FailSide.TO_DELIVER for f in fails)
    story: list[Any] = [
        Paragraph(f"Fails as of {as_of.isoformat()}", styles["Title"]),
        Paragraph(
            f"{len(fails)} fails: {to_deliver} to deliver, {len(fails) - to_deliver} to "
            "receive. Age in settlement days after the settlement date. A close-out date in "
            "red has passed.",
            styles["Normal"],
        ),
        Spacer(1, 0.15 * inch),
        _bucket_table(buckets),
        Spacer(1, 0.2 * inch),
        _fails_table(fails, styles),
    ]
    document = SimpleDocTemplate(
        str(path), pagesize=landscape(LETTER), leftMargin=0.4 * inch, rightMargin=0.4 * inch,
        topMargin=0.5 * inch, bottomMargin=0.6 * inch, title=f"Fails as of {as_of}",
        author="Desk", invariant=1,
    )  # fmt: skip
    document.build(story, canvasmaker=_NumberedCanvas)
    return path


def _bucket_table(buckets: Sequence[BucketTotal]) -> Table:
    rows: list[list[Any]] = [["Age (settlement days)", "To deliver", "To receive", "Total"]]
    rows += [[b.label, b.to_deliver, b.to_receive, b.to_deliver + b.to_receive] for b in buckets]
    rows.append(["All", *(sum(r[n] for r in rows[1:]) for n in (1, 2, 3))])
    table = Table(rows, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
    ]))  # fmt: skip
    return table


def _fails_table(fails: Sequence[Fail], styles: Any) -> Table | Paragraph:
    if not fails:
        return Paragraph("No fails.", styles["Normal"])
    rows: list[list[str]] = [list(HEADINGS)]
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 7),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *(("ALIGN", (n, 0), (n, -1), "RIGHT") for n in _NUMBERS),
    ]
    for n, f in enumerate(fails, start=1):
        rows.append([
            str(f.id), "FTD" if f.side is FailSide.TO_DELIVER else "FTR", str(f.age),
            f.settle_date.isoformat(), f.account, f.isin, f.symbol or "", f.counterparty,
            format_quantity(f.quantity), format_amount(f.amount), f.currency,
            f.fail_reason or "", f.close_out.isoformat() if f.close_out else "",
            (f.capital or "").replace("15c3-1 capital charge: ", ""),
        ])  # fmt: skip
        if f.close_out_passed:
            style.append(("TEXTCOLOR", (12, n), (12, n), _PAST))
        if n % 2 == 0:
            style.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor("#F2F2F2")))
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab has no type hints
    """Draws "page X of Y" once every page is laid out (the count is known only then)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            width = self._pagesize[0]
            self.drawRightString(
                width - 0.4 * inch, 0.35 * inch, f"Page {self._pageNumber} of {total}"
            )
            self.drawString(0.4 * inch, 0.35 * inch, "Desk: fails report")
            super().showPage()
        super().save()
