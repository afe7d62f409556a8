"""The courier manifest a courier signs, and the delivery receipt the recipient signs.

The manifest: the firm's name and the print time on every page, its number as text
and as a Code128 barcode on every page, the date, courier, airbill, sender and
recipient; one line per certificate with a Code128 barcode of the certificate number
and its whole description (wrapped, never cut); the registered holder printed once
when every certificate has the same one, else only where it changes; each page's own
totals and the totals carried forward, the grand control totals, declared and insured
value at the end; prepared-by and verified-by (dual control) signed with the people's
names (their logins in small type), courier pickup and recipient signature blocks. A
reprint says COPY on every page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from reportlab.lib.colors import black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from desk_app.domain.certificates import ManifestLineView, ManifestTotals, ManifestView
from desk_app.reports.paged import (
    BOLD,
    FONT,
    GREY,
    MARGIN,
    PagedTable,
    PageRows,
    Paper,
    TableColumn,
    barcode,
    cell,
    desk_time,
    field_block,
    fit,
    register_fonts,
    signature_box,
    signature_box_height,
    wrap,
)

_FIXED = {"#": 28.0, "Certificate": 84.0, "CUSIP": 58.0, "Shares": 52.0, "Value": 70.0}
_HOLDER = 118.0  # the holder column, when the holders differ
_SIGN_LINES = 3
_TEXT = 8.0  # the size of a line's text
_LEADING = 9.0
_MOST_LINES = 6  # of a description or a holder (a longer one ends with an ellipsis)
_CODE = 16.0  # the height of a certificate's barcode
_FOOT = 16.0  # a page's own totals


def _local(moment: datetime | None) -> str:
    """A time as the desk's clock reads it, with its zone (stored times are UTC)."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    return desk_time(moment)


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _shares(value: Decimal) -> str:
    return f"{value:,}"


def _columns(
    paper: Paper, *, with_value: bool, with_holder: bool, numbers: Sequence[str]
) -> list[TableColumn]:
    """The columns; the certificate column is as wide as the longest number (never cut)."""
    width = paper.size[0] - 2 * MARGIN
    fixed = dict(_FIXED)
    longest = max((stringWidth(n, BOLD, _TEXT) for n in numbers), default=0.0)
    fixed["Certificate"] = min(150.0, max(fixed["Certificate"], longest + 8))
    if not with_value:
        del fixed["Value"]
    holder = _HOLDER if with_holder else 0.0
    description = width - sum(fixed.values()) - holder
    return [
        TableColumn("#", fixed["#"], "r"),
        TableColumn("Certificate", fixed["Certificate"], bold=True),
        TableColumn("CUSIP", fixed["CUSIP"]),
        TableColumn("Description", description),
        *([TableColumn("Registered holder", holder)] if with_holder else []),
        TableColumn("Shares", fixed["Shares"], "r"),
        *([TableColumn("Value", fixed["Value"], "r")] if with_value else []),
    ]


def _names(login: str | None, names: Mapping[str, str]) -> tuple[str, str]:
    """(the person's full name, their login in small type) for a signature."""
    if not login:
        return "—", ""
    name = names.get(login, "")
    return (name, login) if name and name != login else (login, "")


def _person(login: str | None, names: Mapping[str, str]) -> str:
    name, note = _names(login, names)
    return f"{name} ({note})" if note else name


def _totals(rows: Sequence[ManifestLineView]) -> ManifestTotals:
    return ManifestTotals.of((line.shares, line.value) for line in rows)


class _Manifest:
    """Draws one manifest (or its receipt) for `PagedTable`."""

    def __init__(
        self, view: ManifestView, paper: Paper, *, receipt: bool, copy: bool,
        names: Mapping[str, str],
    ) -> None:  # fmt: skip
        self.view = view
        self.paper = paper
        self.receipt = receipt
        self.copy = copy
        self.names = names
        holders = {line.registered_holder for line in view.lines}
        self.one_holder = next(iter(holders)) if len(holders) == 1 else None
        self.columns = _columns(
            paper, with_value=not receipt, with_holder=len(holders) > 1,
            numbers=[line.certificate_number for line in view.lines],
        )  # fmt: skip
        self.by_heading = {c.heading: c for c in self.columns}
        self.title = "Delivery receipt" if receipt else "Courier manifest"
        self.shown_holder: dict[int, bool] = {}  # line number: its holder is printed

    # -- a line ----------------------------------------------------------------------------
    def _description(self, line: ManifestLineView) -> tuple[str, ...]:
        width = self.by_heading["Description"].width - 4
        return wrap(line.description, FONT, _TEXT, width, _MOST_LINES)

    def _holder(self, line: ManifestLineView) -> tuple[str, ...]:
        column = self.by_heading.get("Registered holder")
        if column is None:
            return ()
        return wrap(line.registered_holder, FONT, _TEXT, column.width - 4, _MOST_LINES)

    def height(self, line: ManifestLineView) -> float:
        """Room for the wrapped description and holder, and the barcode under them."""
        lines = max(1, len(self._description(line)), len(self._holder(line)))
        text = 5 + lines * _LEADING
        return text + 3 if self.receipt else text + _CODE + 6

    def mark_holders(self, pages: Sequence[range]) -> None:
        """Print a holder where it changes and at the top of each page, not on every line."""
        for rows in pages:
            previous = None
            for index in rows:
                line = self.view.lines[index]
                self.shown_holder[line.line_no] = line.registered_holder != previous
                previous = line.registered_holder

    def draw_row(
        self, canvas: Canvas, line: ManifestLineView, xs: Sequence[float], top: float
    ) -> None:
        baseline = top - 11
        by = dict(zip((c.heading for c in self.columns), xs, strict=True))
        texts = {"#": str(line.line_no), "Certificate": line.certificate_number,
                 "CUSIP": line.cusip, "Shares": _shares(line.shares),
                 "Value": _money(line.value)}  # fmt: skip
        for heading, text in texts.items():
            if heading in by:
                cell(canvas, self.by_heading[heading], by[heading], baseline, text, size=_TEXT)
        canvas.setFont(FONT, _TEXT)
        for n, text in enumerate(self._description(line)):
            canvas.drawString(by["Description"] + 1, baseline - n * _LEADING, text)
        if self.shown_holder.get(line.line_no, True):
            for n, text in enumerate(self._holder(line)):
                canvas.drawString(by["Registered holder"] + 1, baseline - n * _LEADING, text)
        elif "Registered holder" in by:
            canvas.setFillColor(GREY)
            canvas.drawString(by["Registered holder"] + 1, baseline, "same holder as above")
            canvas.setFillColor(black)
        if self.receipt:
            return
        code = barcode(line.certificate_number, _CODE)
        code.drawOn(canvas, xs[1] - 8, top - self.height(line) + 3)

    def page_foot(self, canvas: Canvas, top: float, width: float, page: PageRows) -> None:
        """This page's totals and those carried forward to the next page (or the total)."""
        here, forward, more = _totals(page.rows), _totals(page.so_far), page.more
        canvas.setFont(BOLD, 7.5)
        canvas.drawString(MARGIN + 2, top - 11, f"This page: {self._summary(here)}")
        label = "Carried forward" if more else "Total"
        canvas.drawRightString(MARGIN + width - 2, top - 11, f"{label}: {self._summary(forward)}")

    def _summary(self, totals: ManifestTotals) -> str:
        text = f"{totals.count:,} certificates, {_shares(totals.shares)} shares"
        return text if self.receipt else f"{text}, {_money(totals.value)}"

    # -- the blocks ------------------------------------------------------------------------
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
            ("Prepared by", _person(v.prepared_by, self.names)),
            ("Verified by", _person(v.verified_by, self.names) if v.verified_by
             else "NOT VERIFIED"),
        ]  # fmt: skip
        half = width / 2
        sender = wrap(v.sender, FONT, 8.5, half - 70, 2)
        right = [
            ("Sender", "\n".join(sender)),
            ("Recipient", "\n".join([v.recipient, *v.recipient_address.splitlines()][:5])),
        ]
        if self.one_holder is not None:
            right.append(("Holder", "\n".join(wrap(self.one_holder, FONT, 8.5, half - 70, 2))))
        field_block(canvas, MARGIN, y, left, 62)
        field_block(canvas, MARGIN + half, y, right, 62)

    def later_header(self, canvas: Canvas, top: float, width: float) -> None:
        canvas.setFont(BOLD, 11)
        label = f"{self.title} {self.view.manifest_number} (continued)"
        canvas.drawString(MARGIN, top - 12, label + ("  COPY" if self.copy else ""))
        code = barcode(self.view.manifest_number, 20)
        code.drawOn(canvas, MARGIN + width - code.width, top - 26)

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
        prepared, verified = _names(v.prepared_by, self.names), _names(v.verified_by, self.names)
        boxes: list[tuple[str, str, list[str]]]
        if self.receipt:
            boxes = [
                (f"Received for {v.recipient}", "", ["Name (print)", "Date and time", "Title"]),
                (f"Delivered by {v.courier}", "", ["Courier agent (print)", "Date and time",
                                                   "Airbill"]),
            ]  # fmt: skip
        else:
            boxes = [
                (f"Prepared by: {prepared[0]}", prepared[1], ["Date and time", "Count checked",
                                                              "Bag/seal no."]),
                (f"Verified by: {verified[0]}", verified[1], ["Date and time", "Count checked",
                                                              "Totals agree"]),
                (f"Courier pickup: {v.courier}", "", ["Courier agent (print)", "Date and time",
                                                      "Bag/seal no."]),
                (f"Received for {v.recipient}", "", ["Name (print)", "Date and time",
                                                     "Count agrees"]),
            ]  # fmt: skip
        for n, (title, login, lines) in enumerate(boxes):
            x = MARGIN + (n % 2) * (box + gap)
            y = box_top - (n // 2) * (height + gap)
            signature_box(canvas, x, y, box, title=title, lines=lines,
                          note=f"login {login}" if login else "")  # fmt: skip

    def closing_height(self) -> float:
        rows = 1 if self.receipt else 2
        return 52 + rows * (signature_box_height(_SIGN_LINES) + 8)


def manifest_pdf(
    view: ManifestView, paper: Paper = Paper.LETTER, *, copy: bool = False,
    printed_at: datetime | None = None, firm: str = "", names: Mapping[str, str] | None = None,
    firm_address: Sequence[str] = (),
) -> bytes:  # fmt: skip
    """The manifest as PDF bytes; the same view, paper, copy flag, names and print time
    give the same bytes."""
    return manifest_document(view, paper, receipt=False, copy=copy, printed_at=printed_at,
                             firm=firm, names=names,
                             firm_address=firm_address).render()  # fmt: skip


def receipt_pdf(
    view: ManifestView, paper: Paper = Paper.LETTER, *, copy: bool = False,
    printed_at: datetime | None = None, firm: str = "", names: Mapping[str, str] | None = None,
    firm_address: Sequence[str] = (),
) -> bytes:  # fmt: skip
    """The delivery receipt the recipient signs and returns."""
    return manifest_document(view, paper, receipt=True, copy=copy, printed_at=printed_at,
                             firm=firm, names=names,
                             firm_address=firm_address).render()  # fmt: skip


def manifest_document(
    view: ManifestView, paper: Paper, *, receipt: bool, copy: bool,
    printed_at: datetime | None = None, firm: str = "", names: Mapping[str, str] | None = None,
    printed_by: str = "", firm_address: Sequence[str] = (),
) -> PagedTable:  # fmt: skip
    """The manifest (or its receipt) laid out, ready to `render` or to count its pages.

    ``names`` maps logins to people's full names (who prepared and verified it);
    ``printed_at`` is the print time on every page and in the PDF's metadata."""
    register_fonts()  # the layout measures its text
    m = _Manifest(view, paper, receipt=receipt, copy=copy, names=names or {})
    doc = PagedTable(
        title=m.title, reference=view.manifest_number, paper=paper, columns=m.columns,
        rows=view.lines, row_height=16, row_heights=m.height, draw_row=m.draw_row,
        first_header=m.first_header, first_header_height=150,
        later_header=m.later_header, later_header_height=34,
        closing=m.closing, closing_height=m.closing_height(), copy=copy,
        subject=f"{m.title} {view.manifest_number} to {view.recipient}",
        empty_text="No certificates on this manifest.", firm=firm, firm_address=firm_address,
        printed_at=printed_at,
        printed_by=printed_by, page_foot=m.page_foot, page_foot_height=_FOOT,
    )  # fmt: skip
    m.mark_holders(doc.pages())
    return doc
