"""PDF pages as Qt images, for the in-app preview and for printing through QPrinter.

The PySide6 wheels carry no QtPdf, so pages are rasterised with PDFium (pypdfium2)
and painted: on screen at the screen's resolution, one page at a time as it scrolls
into view; on paper at the printer's (up to 300 dpi, where a 0.0135-inch barcode bar
is four dots). The PDF that prints is the one the service recorded and hashed; Qt
only carries its pixels to the printer.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

#: Dots per inch a page is rasterised at for the printer, at most.
PRINT_DPI = 300


class PdfPages:
    """An open PDF whose pages render one at a time (close it when done)."""

    def __init__(self, pdf: bytes) -> None:
        import pypdfium2

        self._document: Any = pypdfium2.PdfDocument(pdf)

    def __len__(self) -> int:
        return len(self._document)

    def size(self, index: int) -> tuple[float, float]:
        """Page ``index``'s width and height in points (1/72 inch)."""
        width, height = self._document[index].get_size()
        return float(width), float(height)

    def image(self, index: int, dpi: float) -> QImage:
        """Page ``index`` as an RGB image at ``dpi``."""
        page = self._document[index]
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
        image = QImage(
            bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
            QImage.Format.Format_RGB888,
        ).copy()  # fmt: skip  # own the pixels before PDFium frees them
        bitmap.close()
        page.close()
        return image

    def close(self) -> None:
        self._document.close()


def start_printing(printer: QPrinter, width: float, height: float) -> QPainter:
    """A painter on ``printer`` set to a ``width`` × ``height`` point page, full bleed.

    Raises OSError if the printer (or its output file) cannot start: call this before
    the print is recorded, so a print that cannot come out is not on record.
    """
    printer.setFullPage(True)
    size = QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "",
                     QPageSize.SizeMatchPolicy.FuzzyMatch)  # fmt: skip
    printer.setPageSize(size)
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not start printing")
    return painter


def paint_pdf(pdf: bytes, printer: QPrinter, painter: QPainter) -> int:
    """Paint every page of ``pdf`` with ``painter`` (from `start_printing`); ends it."""
    pages = PdfPages(pdf)
    dpi = min(printer.resolution(), PRINT_DPI)
    count = len(pages)
    try:
        for index in range(count):
            if index:
                printer.newPage()
            painter.drawImage(QRectF(painter.viewport()), pages.image(index, dpi))
    finally:
        painter.end()
        pages.close()
    return count


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page of ``pdf`` on ``printer`` at the PDF's own page size."""
    pages = PdfPages(pdf)
    try:
        width, height = pages.size(0)
    finally:
        pages.close()
    return paint_pdf(pdf, printer, start_printing(printer, width, height))
