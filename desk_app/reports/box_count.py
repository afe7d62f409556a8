"""The box count sheet (SEC 17a-13): every certificate the firm holds, by location on
record, with a box to tick and room to note where it was found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.pdfgen.canvas import Canvas

from desk_app.reports.paged import (
    BOLD,
    FONT,
    MARGIN,
    PagedTable,
    Paper,
    TableColumn,
    cell,
    signature_box,
    signature_box_height,
)


@dataclass(frozen=True)
class CountLine:
    location: str
    certificate_number: str
    cusip: str
    shares: Decimal | None
    result: str  # empty while not counted


def count_sheet_pdf(
    count_id: int, quarter: str, lines: Sequence[CountLine], paper: Paper = Paper.LETTER
) -> bytes:
    """The sheet as PDF bytes (the same lines give the same bytes)."""
    width = paper.size[0] - 2 * MARGIN
    fixed = 110 + 70 + 60 + 40 + 70
    columns = [
        TableColumn("Location on record", width - fixed),
        TableColumn("Certificate", 110, bold=True),
        TableColumn("CUSIP", 70),
        TableColumn("Shares", 60, "r"),
        TableColumn("Found", 40, "c"),
        TableColumn("Found at / note", 70),
    ]
    reference = f"{quarter} count {count_id}"

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
        for x, column, text in zip(
            xs, columns, (line.location, line.certificate_number, line.cusip, shares, ""),
            strict=False,
        ):  # fmt: skip
            cell(canvas, column, x, baseline, text)
        canvas.rect(xs[4] + 20 - 4.5, top - 14, 9, 9)  # centred under "Found"
        if line.result:
            cell(canvas, columns[5], xs[5], baseline, line.result)

    def closing(canvas: Canvas, top: float, width_: float) -> None:
        box = (width_ - 8) / 2
        for n, title in enumerate(("Counted by", "Counted by (second person)")):
            signature_box(canvas, MARGIN + n * (box + 8), top, box, title=title,
                          lines=["Name (print)", "Date"])  # fmt: skip

    return PagedTable(
        title="Box count", reference=reference, paper=paper, columns=columns, rows=lines,
        row_height=18, draw_row=row, first_header=first, first_header_height=44,
        later_header=later, later_header_height=24, closing=closing,
        closing_height=signature_box_height(2) + 10,
        empty_text="No certificates in the firm's possession.",
    ).render()  # fmt: skip
