"""A paged table drawn straight on a ReportLab canvas: the engine of Desk's paperwork.

Paperwork such as a courier manifest is a header, a long list of same-height rows
and a closing block (totals, signatures). Laying it out by arithmetic instead of
through Platypus keeps it fast for ten thousand rows and exact: the number of
pages is known before the first is drawn ("page X of Y" needs no second pass), the
column headings repeat on every page, and the closing block never splits.

Every page carries the same running head (the firm's name and address, the print
time with its zone) and footer (title, reference, page X of Y). The PDF's creation date is that
print time, passed in: the same content and time give the same bytes (ReportLab's
invariant mode keeps the document id fixed), so a test, or a reprint made with the
recorded time, can be proven identical by its SHA-256. Rows may differ in height
(a wrapped description); pages may end with their own totals (``page_foot``).
Fonts are TrueType and embedded (subset).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
MARGIN = 0.5 * inch
#: Narrowest bar of every barcode: 0.0135 in is 2.7 pixels at 200 dpi. 0.01 in is
#: the floor; at 2.1 pixels a 200-dpi rendering loses some symbols to anti-aliasing.
BAR_WIDTH = 0.0135 * inch
GREY = Color(0.45, 0.45, 0.45)
RULE = Color(0.75, 0.75, 0.75)
WATERMARK = Color(0.85, 0.85, 0.85)
#: The desk's clock: print times show New York time with its zone.
DESK_ZONE = ZoneInfo("America/New_York")


def desk_time(moment: datetime) -> str:
    """``moment`` as the desk reads it, with its zone ("2026-12-07 09:15 EST")."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(DESK_ZONE):%Y-%m-%d %H:%M %Z}"


def _pdf_date(moment: datetime) -> str:
    """A PDF date (``D:YYYYMMDDHHmmSS+hh'mm'``) of ``moment`` in the desk's zone."""
    local = moment.astimezone(DESK_ZONE)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"D:{local:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


class Paper(StrEnum):
    LETTER = "letter"
    A4 = "a4"

    @property
    def size(self) -> tuple[float, float]:
        width, height = LETTER if self is Paper.LETTER else A4
        return float(width), float(height)

    @property
    def label(self) -> str:
        return "US Letter" if self is Paper.LETTER else "A4"


@cache
def register_fonts() -> None:
    """Register the bundled TrueType fonts once (ReportLab embeds a subset of each)."""
    folder = resources.files("desk_app") / "resources" / "fonts"
    for name in (FONT, BOLD):
        with resources.as_file(folder / f"{name}.ttf") as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))


def barcode(value: str, height: float) -> Code128:
    """A Code128 symbol of ``value`` that scans: quiet zones included in its width."""
    return Code128(value, barWidth=BAR_WIDTH, barHeight=height, humanReadable=False)


@lru_cache(maxsize=8192)  # a manifest repeats its issuers, holders and headings
def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with its ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


@lru_cache(maxsize=4096)
def wrap(text: str, font: str, size: float, width: float, lines: int) -> tuple[str, ...]:
    """``text`` broken into at most ``lines`` lines of ``width`` points (the last cut)."""
    out: list[str] = []
    words = text.split()
    current = ""
    for n, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(trial, font, size) <= width or not current:
            current = trial
            continue
        out.append(current)
        if len(out) == lines - 1:
            return (*out, fit(" ".join(words[n:]), font, size, width))
        current = word
    if current:
        out.append(fit(current, font, size, width))
    return tuple(out)


@dataclass(frozen=True)
class TableColumn:
    """One column: heading, width in points, alignment (``l``, ``c`` or ``r``), bold text."""

    heading: str
    width: float
    align: str = "l"
    bold: bool = False


#: Draws one row's cells: (canvas, row, x of each column, top y of the row).
RowPainter = Callable[[Canvas, Any, Sequence[float], float], None]
#: Draws a block at the top y it is given and the page's usable width.
BlockPainter = Callable[[Canvas, float, float], None]


@dataclass(frozen=True)
class PageRows:
    """A page's rows, every row up to and including them, and whether more pages follow."""

    rows: Sequence[Any]
    so_far: Sequence[Any]
    more: bool


#: Draws a page's own totals under its rows: (canvas, top y, width, its rows).
PageFootPainter = Callable[[Canvas, float, float, PageRows], None]


@dataclass(frozen=True)
class PagedTable:
    """What a paged document holds; `render` lays it out and returns the PDF's bytes."""

    title: str
    reference: str  # printed in every page's footer (a manifest number)
    paper: Paper
    columns: Sequence[TableColumn]
    rows: Sequence[Any]
    row_height: float
    draw_row: RowPainter
    first_header: BlockPainter
    first_header_height: float
    later_header: BlockPainter
    later_header_height: float
    closing: BlockPainter
    closing_height: float
    copy: bool = False
    subject: str = ""
    empty_text: str = "Nothing to list."
    landscape: bool = False  # for a table too wide to stand upright
    firm: str = ""  # the firm's name, at the head of every page
    firm_address: Sequence[str] = ()  # its address lines, on one line under the name
    printed_at: datetime | None = None  # the print time (and the PDF's date); None: now
    printed_by: str = ""  # the full name of who printed it (the PDF's author)
    row_heights: Callable[[Any], float] | None = None  # None: every row is row_height
    page_foot: PageFootPainter | None = None
    page_foot_height: float = 0.0

    @property
    def when(self) -> datetime:
        """The print time, aware (a time without a zone is UTC, as Desk stores times)."""
        at = self.printed_at if self.printed_at is not None else datetime.now(UTC)
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)

    def height_of(self, row: Any) -> float:
        return self.row_heights(row) if self.row_heights is not None else self.row_height

    @property
    def size(self) -> tuple[float, float]:
        """The page's width and height as printed."""
        width, height = self.paper.size
        return (height, width) if self.landscape else (width, height)

    @property
    def width(self) -> float:
        return self.size[0] - 2 * float(MARGIN)

    def pages(self) -> list[range]:
        """The rows of each page; the closing block fits below the last page's rows."""
        height = self.size[1]
        bottom = MARGIN + _FOOTER + self.page_foot_height
        heading = _HEADING_HEIGHT + self.running_head_height
        first = height - MARGIN - self.first_header_height - heading
        later = height - MARGIN - self.later_header_height - heading
        pages: list[range] = []
        start, total = 0, len(self.rows)
        while start < total or not pages:
            room = (first if not pages else later) - bottom
            end, used = start, 0.0
            while end < total and (end == start or used + self.height_of(self.rows[end]) <= room):
                used += self.height_of(self.rows[end])
                end += 1
            pages.append(range(start, end))
            start = end
        last = pages[-1]
        top = first if len(pages) == 1 else later
        used = sum(self.height_of(self.rows[n]) for n in last)
        if top - used - self.page_foot_height - self.closing_height < MARGIN + _FOOTER:
            pages.append(range(total, total))  # the closing block on a page of its own
        return pages

    def render(self) -> bytes:
        register_fonts()
        buffer = io.BytesIO()
        canvas = Canvas(
            buffer, pagesize=self.size, invariant=1, pageCompression=1,
            initialFontName=FONT, initialFontSize=9,
        )  # fmt: skip
        when = self.when
        stamp = _pdf_date(when)
        canvas.setDateFormatter(lambda *_ymdhms: stamp)
        canvas.setTitle(f"{self.title} {self.reference}".strip())
        canvas.setAuthor(", ".join(n for n in (self.printed_by, self.firm) if n) or "Desk")
        canvas.setCreator("Desk")
        canvas.setSubject(self.subject or self.title)
        xs = [MARGIN]
        for column in self.columns[:-1]:
            xs.append(xs[-1] + column.width)
        pages = self.pages()
        height = self.size[1]
        last_rows = max((n for n, rows in enumerate(pages) if rows), default=-1)
        for number, rows in enumerate(pages, 1):
            if self.copy:
                _watermark(canvas, self.size)
            top = self._running_head(canvas, height - MARGIN, when)
            if number == 1:
                self.first_header(canvas, top, self.width)
                top -= self.first_header_height
            else:
                self.later_header(canvas, top, self.width)
                top -= self.later_header_height
            if rows or number == 1:
                top = self._headings(canvas, xs, top)
            if not self.rows and number == 1:
                canvas.setFont(FONT, 9)
                canvas.drawString(MARGIN, top - 14, self.empty_text)
                top -= self.row_height
            for index in rows:
                self.draw_row(canvas, self.rows[index], xs, top)
                top -= self.height_of(self.rows[index])
                canvas.setStrokeColor(RULE)
                canvas.setLineWidth(0.4)
                canvas.line(MARGIN, top, MARGIN + self.width, top)
                canvas.setStrokeColor(black)
            if rows and self.page_foot is not None:
                page_rows = [self.rows[n] for n in rows]
                span = PageRows(page_rows, self.rows[: rows.stop], number - 1 < last_rows)
                self.page_foot(canvas, top, self.width, span)
                top -= self.page_foot_height
            if number == len(pages):
                self.closing(canvas, top - 8, self.width)
            self._footer(canvas, number, len(pages))
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    @property
    def running_head_height(self) -> float:
        """The running head's height: one line more when the firm's address is printed."""
        return _RUNNING_HEAD + (_ADDRESS_LINE if self.firm_address else 0.0)

    def _running_head(self, canvas: Canvas, top: float, when: datetime) -> float:
        """The firm's name, address and the print time, the same on every page; the y below."""
        canvas.setFont(BOLD, 8)
        canvas.drawString(MARGIN, top - 8, self.firm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        by = f" by {self.printed_by}" if self.printed_by else ""
        canvas.drawRightString(MARGIN + self.width, top - 8, f"Printed {desk_time(when)}{by}")
        if self.firm_address:
            # One line, so the address never pushes the page's rows onto another page.
            canvas.drawString(MARGIN, top - 8 - _ADDRESS_LINE, " · ".join(self.firm_address))
        canvas.setFillColor(black)
        return top - self.running_head_height

    def _headings(self, canvas: Canvas, xs: Sequence[float], top: float) -> float:
        canvas.setFont(BOLD, 7.5)
        baseline = top - 11
        for x, column in zip(xs, self.columns, strict=True):
            _aligned(canvas, column, x, baseline, column.heading)
        bottom = top - _HEADING_HEIGHT
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, bottom, MARGIN + self.width, bottom)
        return bottom

    def _footer(self, canvas: Canvas, number: int, total: int) -> None:
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        y = MARGIN
        left = f"{self.title} {self.reference}" + ("  —  COPY" if self.copy else "")
        canvas.drawString(MARGIN, y, left)
        canvas.drawRightString(MARGIN + self.width, y, f"Page {number} of {total}")
        canvas.setFillColor(black)


_HEADING_HEIGHT = 16.0
_FOOTER = 16.0
_RUNNING_HEAD = 14.0
_ADDRESS_LINE = 9.0


def _watermark(canvas: Canvas, size: tuple[float, float]) -> None:
    width, height = size
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.setFont(BOLD, 110)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(40)
    canvas.drawCentredString(0, -40, "COPY")
    canvas.restoreState()


def cell(
    canvas: Canvas, column: TableColumn, x: float, baseline: float, text: str, *, size: float = 8
) -> None:
    """Draw ``text`` in ``column`` at ``x``, cut to fit, aligned as the column says."""
    font = BOLD if column.bold else FONT
    shown = fit(text, font, size, column.width - 4)
    canvas.setFont(font, size)
    _aligned(canvas, column, x, baseline, shown)


def _aligned(canvas: Canvas, column: TableColumn, x: float, baseline: float, text: str) -> None:
    if column.align == "r":
        canvas.drawRightString(x + column.width - 2, baseline, text)
    elif column.align == "c":
        canvas.drawCentredString(x + column.width / 2, baseline, text)
    else:
        canvas.drawString(x + 1, baseline, text)


def field_block(
    canvas: Canvas, x: float, top: float, pairs: Sequence[tuple[str, str]], label_width: float
) -> float:
    """Label/value lines (values may hold line breaks); returns the y below them."""
    y = top
    for label, value in pairs:
        canvas.setFont(BOLD, 8)
        canvas.drawString(x, y - 9, label)
        canvas.setFont(FONT, 8.5)
        for line in (value or "—").splitlines() or ["—"]:
            y -= 11
            canvas.drawString(x + label_width, y + 2, line)
        y -= 2
    return y


def signature_box(
    canvas: Canvas, x: float, top: float, width: float, *, title: str, lines: Sequence[str],
    note: str = "",
) -> None:  # fmt: skip
    """A titled box with a signature line and labelled blanks (name, date and time);
    ``note`` in small grey type after the title (a login beside a person's name)."""
    height = signature_box_height(len(lines))
    canvas.setLineWidth(0.6)
    canvas.rect(x, top - height, width, height)
    canvas.setFont(FONT, 6.5)
    room = width - 10 - (pdfmetrics.stringWidth(note, FONT, 6.5) + 6 if note else 0)
    shown = fit(title, BOLD, 8, room)
    canvas.setFont(BOLD, 8)
    canvas.drawString(x + 5, top - 12, shown)
    if note:
        canvas.setFont(FONT, 6.5)
        canvas.setFillColor(GREY)
        canvas.drawString(x + 11 + pdfmetrics.stringWidth(shown, BOLD, 8), top - 12, note)
        canvas.setFillColor(black)
    canvas.setFont(FONT, 7.5)
    y = top - 22
    for label in ("Signature", *lines):
        y -= 20
        canvas.drawString(x + 5, y + 2, label)
        canvas.setLineWidth(0.4)
        canvas.line(x + 92, y, x + width - 6, y)


def signature_box_height(lines: int) -> float:
    return 30 + 20 * (lines + 1)  # room under the last line
