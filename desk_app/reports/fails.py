"""The printable fails report: the aging buckets, then every fail with its deadlines.

US Letter landscape on the shared paged layout (`desk_app.reports.paged`), like the
manifest: the firm's name and the print time (with its zone) head every page, the
footer says the title and "page X of Y", the column headings repeat, the text is the
manifest's DejaVu at its sizes, and the same fails printed at the same time give the
same bytes. A close-out date that has passed prints in red.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from desk_app.domain.fails import BucketTotal, Fail, FailSide
from desk_app.domain.money import format_amount, format_quantity
from desk_app.reports.paged import BOLD, FONT, MARGIN, PagedTable, Paper, TableColumn, cell

PAST = Color(0.69, 0.0, 0.125)  # a close-out date that has passed
_SIZE = 8.0  # the manifest's line text
_CAPITAL_PREFIX = "15c3-1 capital charge: "  # every capital rule says so; the column too


_COLUMNS = (
    TableColumn("Obligation", 46, "r"),
    TableColumn("Fail", 24, "c"),
    TableColumn("Age", 24, "r"),
    TableColumn("Settle date", 54, "c"),
    TableColumn("Account", 50),
    TableColumn("ISIN", 70),
    TableColumn("Symbol", 62),
    TableColumn("Counterparty", 58),
    TableColumn("Quantity left", 60, "r"),
    TableColumn("Amount left", 70, "r"),
    TableColumn("Ccy", 24, "c"),
    TableColumn("Reason", 36),
    TableColumn("Close out by", 56),
)
_BUCKET_X = (0.0, 110.0, 170.0, 230.0)  # age, to deliver, to receive, total
_LINE = 11.0


def fails_report_pdf(
    as_of: date, buckets: Sequence[BucketTotal], fails: Sequence[Fail],
    paper: Paper = Paper.LETTER, *, firm: str = "", printed_at: datetime | None = None,
    printed_by: str = "", firm_address: Sequence[str] = (),
) -> bytes:  # fmt: skip
    """The report of ``fails`` on ``as_of`` as PDF bytes (the same fails and print time
    give the same bytes)."""
    width = paper.size[1] - 2 * MARGIN  # landscape
    columns = (*_COLUMNS, TableColumn("Capital charge", width - sum(c.width for c in _COLUMNS)))
    to_deliver = sum(f.side is FailSide.TO_DELIVER for f in fails)
    title = f"Fails as of {as_of.isoformat()}"
    summary = (
        f"{len(fails)} fails: {to_deliver} to deliver, {len(fails) - to_deliver} to receive. "
        "Age in settlement days after the settlement date. A close-out date in red has passed."
    )
    table_height = (len(buckets) + 2) * _LINE + 6

    def first(canvas: Canvas, top: float, _width: float) -> None:
        canvas.setFont(BOLD, 16)
        canvas.drawString(MARGIN, top - 16, title)
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, top - 32, summary)
        _bucket_table(canvas, top - 44, buckets)

    def later(canvas: Canvas, top: float, _width: float) -> None:
        canvas.setFont(BOLD, 11)
        canvas.drawString(MARGIN, top - 12, f"{title} (continued)")

    def row(canvas: Canvas, f: Fail, xs: Sequence[float], top: float) -> None:
        baseline = top - 10
        texts = (
            str(f.id), "FTD" if f.side is FailSide.TO_DELIVER else "FTR", str(f.age),
            f.settle_date.isoformat(), f.account, f.isin, f.symbol or "", f.counterparty,
            format_quantity(f.quantity), format_amount(f.amount), f.currency, f.fail_reason or "",
            f.close_out.isoformat() if f.close_out else "",
            (f.capital or "").replace(_CAPITAL_PREFIX, ""),
        )  # fmt: skip
        for n, (x, column, text) in enumerate(zip(xs, columns, texts, strict=True)):
            passed = n == 12 and f.close_out_passed
            if passed:
                canvas.setFillColor(PAST)
            cell(canvas, column, x, baseline, text, size=_SIZE)
            if passed:
                canvas.setFillColor(black)

    def closing(canvas: Canvas, top: float, _width: float) -> None:
        if fails:
            canvas.setFont(FONT, 8)
            canvas.drawString(MARGIN, top - 10, f"End of the list: {len(fails)} fails.")

    return PagedTable(
        title="Fails report", reference=f"as of {as_of.isoformat()}", paper=paper,
        columns=columns, rows=fails, row_height=14, draw_row=row, first_header=first,
        first_header_height=44 + table_height + 8, later_header=later, later_header_height=24,
        closing=closing, closing_height=18, subject=title, empty_text="No fails.",
        landscape=True, firm=firm, printed_at=printed_at, printed_by=printed_by,
        firm_address=firm_address,
    ).render()  # fmt: skip


def _bucket_table(canvas: Canvas, top: float, buckets: Sequence[BucketTotal]) -> None:
    """The aging buckets: fails to deliver and to receive in each, and all of them."""
    rows = [(b.label, b.to_deliver, b.to_receive) for b in buckets]
    deliver, receive = sum(r[1] for r in rows), sum(r[2] for r in rows)
    y = top - 9
    canvas.setFont(BOLD, 8.5)
    _bucket_row(canvas, y, ("Age (settlement days)", "To deliver", "To receive", "Total"))
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, y - 3, MARGIN + _BUCKET_X[-1] + 50, y - 3)
    canvas.setFont(FONT, 8.5)
    for label, d, r in rows:
        y -= _LINE
        _bucket_row(canvas, y, (label, str(d), str(r), str(d + r)))
    canvas.line(MARGIN, y - 3, MARGIN + _BUCKET_X[-1] + 50, y - 3)
    y -= _LINE + 2
    canvas.setFont(BOLD, 8.5)
    _bucket_row(canvas, y, ("All", str(deliver), str(receive), str(deliver + receive)))


def _bucket_row(canvas: Canvas, baseline: float, texts: Sequence[str]) -> None:
    canvas.drawString(MARGIN + _BUCKET_X[0], baseline, texts[0])
    for x, text in zip(_BUCKET_X[1:], texts[1:], strict=True):
        canvas.drawRightString(MARGIN + x + 50, baseline, text)
