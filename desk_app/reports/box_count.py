"""The box count sheet (SEC 17a-13): every certificate the firm holds, by location on
record, with a box to tick and room to note where it was found.

A location is printed whole (wrapped over as many lines as it needs, and only where it
changes from the line above), since the counter walks to it; the firm's name, the print
time and "page X of Y" are on every page, as on the manifest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

from desk_app.reports.paged import (
    BOLD,
    FONT,
    GREY,
    MARGIN,
    PagedTable,
    Paper,
    TableColumn,
    cell,
    fit,
    register_fonts,
    signature_box,
    signature_box_height,
    wrap,
)

_TEXT = 8.0
_LEADING = 9.0
_MOST_LINES = 8  # of one location (a longer one ends with an ellipsis)


@dataclass(frozen=True)
class CountLine:
    location: str
    certificate_number: str
    cusip: str
    shares: Decimal | None
    result: str  # empty while not counted


def count_sheet_pdf(
    count_id: int, quarter: str, lines: Sequence[CountLine], paper: Paper = Paper.LETTER, *,
    firm: str = "", printed_at: datetime | None = None, printed_by: str = "",
    firm_address: Sequence[str] = (),
) -> bytes:  # fmt: skip
    """The sheet as PDF bytes (the same lines and print time give the same bytes)."""
    register_fonts()  # the layout measures its text
    width = paper.size[0] - 2 * MARGIN
    fixed = 110 + 70 + 60 + 40 + 90
    columns = [
        TableColumn("Location on record", width - fixed),
        TableColumn("Certificate", 110, bold=True),
        TableColumn("CUSIP", 70),
        TableColumn("Shares", 60, "r"),
        TableColumn("Found", 40, "c"),
        TableColumn("Found at / note", 90),
    ]
    reference = f"{quarter} count {count_id}"
    shown = {n for n, line in enumerate(lines) if n == 0 or line.location != lines[n - 1].location}

    def location(line: CountLine) -> tuple[str, ...]:
        return wrap(line.location, FONT, _TEXT, columns[0].width - 4, _MOST_LINES) or ("",)

    def height(line: CountLine) -> float:
        if by_identity[id(line)] not in shown:
            return 18.0  # the location is the line above's: not printed again
        return max(18.0, 9 + len(location(line)) * _LEADING)

    def first(canvas: Canvas, top: float, _width: float) -> None:
        canvas.setFont(BOLD, 16)
        canvas.drawString(MARGIN, top - 16, "BOX COUNT SHEET")
        canvas.setFont(FONT, 9)
        canvas.drawString(
            MARGIN, top - 32, f"{reference}: {len(lines):,} certificates in the firm's "
            "possession (SEC 17a-13). Tick each one found; note where, if elsewhere.",
        )  # fmt: skip

    def later(canvas: Canvas, top: float, _width: float) -> None:
        canvas.setFont(BOLD, 11)
        canvas.drawString(MARGIN, top - 12, f"Box count sheet — {reference} (continued)")

    def row(canvas: Canvas, line: CountLine, xs: Sequence[float], top: float) -> None:
        baseline = top - 12
        shares = f"{line.shares:,}" if line.shares is not None else ""
        index = by_identity[id(line)]
        canvas.setFont(FONT, _TEXT)
        if index in shown:
            for n, text in enumerate(location(line)):
                canvas.drawString(xs[0] + 1, baseline - n * _LEADING, text)
        elif index in page_tops:  # whole on the page before; a reminder here
            canvas.setFillColor(GREY)
            canvas.drawString(xs[0] + 1, baseline, fit(f"(continued) {line.location}", FONT,
                                                      _TEXT, columns[0].width - 4))  # fmt: skip
            canvas.setFillColor(black)
        for x, column, text in zip(
            xs[1:4], columns[1:4], (line.certificate_number, line.cusip, shares), strict=True
        ):
            cell(canvas, column, x, baseline, text, size=_TEXT)
        canvas.rect(xs[4] + 20 - 4.5, top - 14, 9, 9)  # centred under "Found"
        if line.result:
            cell(canvas, columns[5], xs[5], baseline, line.result, size=_TEXT)

    def closing(canvas: Canvas, top: float, width_: float) -> None:
        box = (width_ - 8) / 2
        for n, title in enumerate(("Counted by", "Counted by (second person)")):
            signature_box(canvas, MARGIN + n * (box + 8), top, box, title=title,
                          lines=["Name (print)", "Date"])  # fmt: skip

    by_identity = {id(line): n for n, line in enumerate(lines)}
    doc = PagedTable(
        title="Box count", reference=reference, paper=paper, columns=columns, rows=lines,
        row_height=18, row_heights=height, draw_row=row, first_header=first,
        first_header_height=44, later_header=later, later_header_height=24, closing=closing,
        closing_height=signature_box_height(2) + 10,
        empty_text="No certificates in the firm's possession.", firm=firm,
        firm_address=firm_address, printed_at=printed_at, printed_by=printed_by,
        subject=f"Box count sheet {reference}",
    )  # fmt: skip
    page_tops = {rows.start for rows in doc.pages() if rows}
    return doc.render()
