"""The courier manifest a courier signs, and the delivery receipt the recipient signs.

The manifest: its number as text and as a Code128 barcode on every page, the date,
courier, airbill, sender and recipient; one line per certificate with a Code128
barcode of the certificate number; control totals, declared and insured value;
prepared-by and verified-by (dual control), courier pickup and recipient
signature blocks. A reprint says COPY on every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

from desk_app.domain.certificates import ManifestLineView, ManifestView
from desk_app.reports.paged import (
    BOLD,
    FONT,
    GREY,
    MARGIN,
    PagedTable,
    Paper,
    TableColumn,
    barcode,
    cell,
    field_block,
    fit,
    signature_box,
    signature_box_height,
    wrap,
)

_FIXED = {"#": 28.0, "Certificate": 110.0, "CUSIP": 60.0, "Description": 104.0,
          "Shares": 52.0, "Value": 72.0}  # fmt: skip
_SIGN_LINES = 3


def _local(moment: datetime | None) -> str:
    """A time as the desk's clock reads it, with its zone (stored times are UTC)."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _shares(value: Decimal) -> str:
    return f"{value:,}"


def _columns(paper: Paper, *, with_value: bool) -> list[TableColumn]:
    width = paper.size[0] - 2 * MARGIN
    fixed = dict(_FIXED)
    if not with_value:
        del fixed["Value"]
    holder = width - sum(fixed.values())
    return [
        TableColumn("#", fixed["#"], "r"),
        TableColumn("Certificate", fixed["Certificate"], bold=True),
        TableColumn("CUSIP", fixed["CUSIP"]),
        TableColumn("Description", fixed["Description"]),
        TableColumn("Registered holder", holder),
        TableColumn("Shares", fixed["Shares"], "r"),
        *([TableColumn("Value", fixed["Value"], "r")] if with_value else []),
    ]


def _line_cells(line: ManifestLineView, *, with_value: bool) -> list[str]:
    cells = [str(line.line_no), line.certificate_number, line.cusip, line.description,
             line.registered_holder, _shares(line.shares)]  # fmt: skip
    return [*cells, _money(line.value)] if with_value else cells


class _Manifest:
    """Draws one manifest (or its receipt) for `PagedTable`."""

    def __init__(self, view: ManifestView, paper: Paper, *, receipt: bool, copy: bool) -> None:
        self.view = view
        self.paper = paper
        self.receipt = receipt
        self.copy = copy
        self.columns = _columns(paper, with_value=not receipt)
        self.title = "Delivery receipt" if receipt else "Courier manifest"

    def first_header(self, canvas: Canvas, top: float, width: float) -> None:
        v = self.view
        canvas.setFont(BOLD, 16)
        canvas.drawString(MARGIN, top - 16, self.title.upper() + ("  COPY" if self.copy else ""))
        canvas.setFont(BOLD, 13)
        canvas.drawRightString(MARGIN + width, top - 14, v.manifest_number)
        code = barcode(v.manifest_number, 26)
        code.drawOn(canvas, MARGIN + width - code.width, top - 46)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        note = (
            "Sign below to acknowledge receipt of the certificates listed."
            if self.receipt else "Certificates and their stock powers never travel together."
        )  # fmt: skip
        canvas.drawString(MARGIN, top - 30, note)
        canvas.setFillColor(black)
        y = top - 56
        left = [
            ("Date", v.manifest_date.isoformat()),
            ("Courier", v.courier),
            ("Airbill", v.airbill or "—"),
            ("Pickup", _local(v.pickup_at)),
            ("Prepared by", v.prepared_by),
            ("Verified by", v.verified_by or "NOT VERIFIED"),
        ]
        half = width / 2
        sender = wrap(v.sender, FONT, 8.5, half - 70, 2)
        right = [
            ("Sender", "\n".join(sender)),
            ("Recipient", "\n".join([v.recipient, *v.recipient_address.splitlines()][:6])),
        ]
        field_block(canvas, MARGIN, y, left, 62)
        field_block(canvas, MARGIN + half, y, right, 62)

    def later_header(self, canvas: Canvas, top: float, width: float) -> None:
        canvas.setFont(BOLD, 11)
        label = f"{self.title} {self.view.manifest_number} (continued)"
        canvas.drawString(MARGIN, top - 12, label + ("  COPY" if self.copy else ""))
        code = barcode(self.view.manifest_number, 20)
        code.drawOn(canvas, MARGIN + width - code.width, top - 26)

    def draw_row(
        self, canvas: Canvas, line: ManifestLineView, xs: Sequence[float], top: float
    ) -> None:
        baseline = top - 11
        for x, column, text in zip(xs, self.columns, _line_cells(line, with_value=not self.receipt),
                                   strict=True):  # fmt: skip
            cell(canvas, column, x, baseline, text)
        if self.receipt:
            return
        code = barcode(line.certificate_number, 20)
        code.drawOn(canvas, xs[1] - 8, top - 37)
        start = max(xs[1] - 8 + code.width + 6, xs[3])
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        room = xs[5] - start - 4
        for n, text in enumerate(wrap(f"Registered: {line.registered_holder}", FONT, 7, room, 2)):
            canvas.drawString(start, top - 22 - 8 * n, text)
        canvas.setFillColor(black)

    def closing(self, canvas: Canvas, top: float, width: float) -> None:
        v = self.view
        totals = v.totals
        canvas.setLineWidth(0.8)
        canvas.rect(MARGIN, top - 34, width, 34)
        canvas.setFont(BOLD, 9)
        summary = f"Control totals: {totals.count:,} certificates   {_shares(totals.shares)} shares"
        if not self.receipt:
            summary += f"   value {_money(totals.value)}"
        canvas.drawString(MARGIN + 6, top - 13, summary)
        canvas.setFont(FONT, 8.5)
        if self.receipt:
            canvas.drawString(MARGIN + 6, top - 27, fit(
                "Received the certificates listed above in good order, except as noted: "
                + "_" * 60, FONT, 8.5, width - 12))  # fmt: skip
        else:
            canvas.drawString(
                MARGIN + 6, top - 27, f"Declared value {_money(v.declared_value)}   "
                f"Insured value {_money(v.insured_value)}",
            )  # fmt: skip
        box_top = top - 44
        gap = 8
        box = (width - gap) / 2
        height = signature_box_height(_SIGN_LINES)
        if self.receipt:
            boxes = [
                (f"Received for {v.recipient}", ["Name (print)", "Date and time", "Title"]),
                (f"Delivered by {v.courier}", ["Courier agent (print)", "Date and time",
                                               "Airbill"]),
            ]  # fmt: skip
        else:
            boxes = [
                (f"Prepared by: {v.prepared_by}", ["Date and time", "Count checked",
                                                   "Bag/seal no."]),
                (f"Verified by: {v.verified_by or '—'}", ["Date and time", "Count checked",
                                                          "Totals agree"]),
                (f"Courier pickup: {v.courier}", ["Courier agent (print)", "Date and time",
                                                  "Bag/seal no."]),
                (f"Received for {v.recipient}"[:60], ["Name (print)", "Date and time",
                                                     "Count agrees"]),
            ]  # fmt: skip
        for n, (title, lines) in enumerate(boxes):
            x = MARGIN + (n % 2) * (box + gap)
            y = box_top - (n // 2) * (height + gap)
            signature_box(canvas, x, y, box, title=fit(title, BOLD, 8, box - 10), lines=lines)

    def closing_height(self) -> float:
        rows = 1 if self.receipt else 2
        return 52 + rows * (signature_box_height(_SIGN_LINES) + 8)


def manifest_pdf(view: ManifestView, paper: Paper = Paper.LETTER, *, copy: bool = False) -> bytes:
    """The manifest as PDF bytes; the same view, paper and copy flag give the same bytes."""
    return manifest_document(view, paper, receipt=False, copy=copy).render()


def receipt_pdf(view: ManifestView, paper: Paper = Paper.LETTER, *, copy: bool = False) -> bytes:
    """The delivery receipt the recipient signs and returns."""
    return manifest_document(view, paper, receipt=True, copy=copy).render()


def manifest_document(view: ManifestView, paper: Paper, *, receipt: bool, copy: bool) -> PagedTable:
    """The manifest (or its receipt) laid out, ready to `render` or to count its pages."""
    m = _Manifest(view, paper, receipt=receipt, copy=copy)
    return PagedTable(
        title=m.title, reference=view.manifest_number, paper=paper, columns=m.columns,
        rows=view.lines, row_height=16 if receipt else 40, draw_row=m.draw_row,
        first_header=m.first_header, first_header_height=150,
        later_header=m.later_header, later_header_height=34,
        closing=m.closing, closing_height=m.closing_height(), copy=copy,
        subject=f"{m.title} {view.manifest_number} to {view.recipient}",
        empty_text="No certificates on this manifest.",
    )  # fmt: skip
