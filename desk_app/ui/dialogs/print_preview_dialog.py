"""Print preview: the pages as they will print, then the desktop's printer or a PDF file.

The preview is what printing now would give (an original, or a COPY once the
original has printed) and records nothing. **Print…** opens the Qt print dialog;
only when the user confirms it does the service print (recording the print and its
SHA-256), and those very bytes are painted on the chosen printer. **Save as
PDF…** is the same print, written to a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.ops import Op
from desk_app.ui.pdf_pages import PdfPages, paint_pdf, start_printing
from desk_app.ui.tabs.certificate_views import PrintedDocumentView

#: (paper code, label) as the services name them.
PAPERS = (("letter", "US Letter"), ("a4", "A4"))
#: Pages kept drawn either side of those in view.
_KEEP = 6
ZOOMS = (("Fit width", 0.0), ("50%", 0.5), ("75%", 0.75), ("100%", 1.0), ("150%", 1.5))
Render = Callable[[str], PrintedDocumentView]


def _choices(parent: QWidget, name: str, items: Sequence[tuple[str, object]]) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for label, data in items:
        combo.addItem(label, data)
    return combo


class PrintPreviewDialog(QDialog):
    """Preview ``preview(paper)``; print or save ``do_print(paper)`` (the recorded print)."""

    #: A print went out; says what (for the tab's notice line).
    printed = Signal(str)

    def __init__(
        self,
        title: str,
        preview: Render,
        do_print: Render | None,
        *,
        file_name: str = "document.pdf",
        refusal: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWindowTitle(f"Print preview — {title}")
        self._preview, self._print, self._file_name = preview, do_print, file_name
        #: Where printing to a file goes unless the print dialog says otherwise.
        self.print_file = Path.home() / file_name
        self.document: PrintedDocumentView | None = None
        self._asked = 0  # previews asked for: only the last one's answer is shown
        self._pdf_pages: PdfPages | None = None
        self._labels: list[QLabel] = []
        self._dpi = 72.0
        self.print_dialog: QPrintDialog | None = None
        self.printer: QPrinter | None = None
        self.paper = _choices(self, "paper", [(label, code) for code, label in PAPERS])
        self.zoom = _choices(self, "zoom", ZOOMS)
        self.zoom.setCurrentIndex(2)  # 75%: a whole page's width on a laptop screen
        self.summary = QLabel(self)
        self.summary.setObjectName("preview_summary")
        self.print_button = QPushButton("Print…", self)
        self.print_button.setObjectName("print")
        self.save_button = QPushButton("Save as PDF…", self)
        self.save_button.setObjectName("save_pdf")
        close = QPushButton("Close", self)
        for button in (self.print_button, self.save_button):
            button.setEnabled(do_print is not None and refusal is None)
            button.setToolTip(refusal or "")
        self.error = error_label("preview_error", self)
        top = QHBoxLayout()
        for widget in (QLabel("Paper:", self), self.paper, QLabel("Zoom:", self), self.zoom):
            top.addWidget(widget)
        top.addWidget(self.summary, 1)
        top.addWidget(self.print_button)
        top.addWidget(self.save_button)
        top.addWidget(close)
        self.pages = QWidget(self)
        self.pages.setObjectName("preview_pages")
        self._pages_layout = QVBoxLayout(self.pages)
        self._pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(self.pages)
        self.scroller.verticalScrollBar().valueChanged.connect(self.render_visible)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.scroller, 1)
        self.resize(860, 900)
        self.paper.currentIndexChanged.connect(self.show_preview)
        self.zoom.currentIndexChanged.connect(self._draw)
        self.print_button.clicked.connect(self.open_print_dialog)
        self.save_button.clicked.connect(self.save_as)
        close.clicked.connect(self.reject)
        self.show_preview()

    @property
    def paper_code(self) -> str:
        return str(self.paper.currentData())

    def show_preview(self) -> None:
        """Render what printing now would give, on the chosen paper (on a worker)."""
        self.error.hide()
        self._asked += 1
        asked, paper, preview = self._asked, self.paper_code, self._preview

        def show(document: PrintedDocumentView) -> None:
            if asked == self._asked:  # the paper changed meanwhile: a newer preview follows
                self._show(document)

        def refused(exc: DeskError) -> None:
            if asked == self._asked:  # an older preview's refusal is no longer the news
                self._refused(exc)

        Op(self, lambda: preview(paper), done=show, refused=refused).run()

    def _show(self, document: PrintedDocumentView) -> None:
        self.document = document
        kind = "a COPY (the original has printed)" if document.copy else "the original"
        pages = document.pages
        self.summary.setText(f"{pages} page{'s' if pages != 1 else ''}; prints as {kind}")
        self._draw()

    def _draw(self) -> None:
        """A placeholder of the right size per page; pages render as they come into view."""
        while self._pages_layout.count():
            item = self._pages_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._labels = []
        if self._pdf_pages is not None:
            self._pdf_pages.close()
            self._pdf_pages = None
        if self.document is None:
            return
        self._pdf_pages = pages = PdfPages(self.document.pdf)
        factor = float(self.zoom.currentData() or 0)
        screen_dpi = self.logicalDpiX() or 96
        if not factor:  # fit width: the page's 8.27-8.5 inches across the viewport
            factor = max(0.3, (self.scroller.viewport().width() - 40) / (8.5 * screen_dpi))
        self._dpi = screen_dpi * factor
        for index in range(len(pages)):
            width, height = pages.size(index)
            label = QLabel(self.pages)
            label.setObjectName(f"preview_page_{index + 1}")
            label.setFixedSize(int(width * self._dpi / 72), int(height * self._dpi / 72))
            label.setFrameShape(QLabel.Shape.Box)
            self._pages_layout.addWidget(label)
            self._labels.append(label)
        self.render_visible()

    def render_visible(self, *_args: object) -> None:
        """Draw the pages in (or next to) the viewport; forget those far from it."""
        if self._pdf_pages is None or not self._labels:
            return
        top = self.scroller.verticalScrollBar().value()
        bottom = top + max(self.scroller.viewport().height(), 400)
        spacing = self._pages_layout.spacing() + self._labels[0].height()
        first = max(0, top // max(spacing, 1) - 1)
        last = min(len(self._labels) - 1, bottom // max(spacing, 1) + 1)
        for index, label in enumerate(self._labels):
            near = first <= index <= last
            if near and label.pixmap().isNull():
                label.setPixmap(QPixmap.fromImage(self._pdf_pages.image(index, self._dpi)))
            elif (
                not near
                and abs(index - (first + last) // 2) > _KEEP
                and not label.pixmap().isNull()
            ):
                label.clear()  # a 600-page manifest must not hold 600 pages of pixels

    def done(self, result: int) -> None:
        if self._pdf_pages is not None:
            self._pdf_pages.close()
            self._pdf_pages = None
        super().done(result)

    # -- printing ------------------------------------------------------------------------
    def open_print_dialog(self) -> None:
        """The desktop's print dialog (window-modal); the print happens once it is accepted."""
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not QPrinterInfo.availablePrinters():  # no printer set up: print to a PDF file
            self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.printer.setOutputFileName(str(self.print_file))
        self.print_dialog = QPrintDialog(self.printer, self)
        self.print_dialog.setObjectName("print_dialog")
        self.print_dialog.accepted.connect(lambda: self.print_to(self._chosen_printer()))
        QDialog.open(self.print_dialog)  # window-modal, without a nested event loop

    def _chosen_printer(self) -> QPrinter:
        assert self.printer is not None
        return self.printer

    def print_to(self, printer: QPrinter) -> PrintedDocumentView | None:
        """Start the printer, print (the service records it), and paint those bytes."""
        if self.document is None:
            return None
        pages = PdfPages(self.document.pdf)  # the preview has the paper the print will have
        try:
            width, height = pages.size(0)
        finally:
            pages.close()
        try:
            painter = start_printing(printer, width, height)
        except OSError as exc:
            self._failed(f"The printer refused the job: {exc}")
            return None
        done = self._record()
        if done is None:
            painter.end()
            return None
        paint_pdf(done.pdf, printer, painter)
        self._printed(done, f"on {printer.printerName() or printer.outputFileName()}")
        return done

    def save_as(self, path: str | None = None) -> PrintedDocumentView | None:
        """Print to a PDF file: the recorded print's bytes, as they are."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save as PDF", str(Path.home() / self._file_name), "PDF files (*.pdf)"
            )
            if not path:
                return None
        target = Path(path)
        existed = target.exists()
        try:  # the file opens first: a print is recorded only when it has somewhere to go
            out = target.open("ab")
        except OSError as exc:
            self._failed(f"Could not write {path}: {exc.strerror or exc}")
            return None
        with out:
            done = self._record()
            if done is not None:
                out.truncate(0)
                out.write(done.pdf)
        if done is None:
            if not existed:
                target.unlink(missing_ok=True)
            return None
        self._printed(done, f"to {path}")
        return done

    def _record(self) -> PrintedDocumentView | None:
        if self._print is None:
            return None
        self.error.hide()
        # On the GUI thread, not through an Op: the print is recorded while the printer job
        # or the file it goes to is held open here, so a refused print leaves neither behind.
        try:
            return self._print(self.paper_code)
        except DeskError as exc:  # said in the dialog's error line, nothing printed
            self._refused(exc)
            return None

    def _printed(self, done: PrintedDocumentView, where: str) -> None:
        kind = "COPY" if done.copy else "original"
        text = f"Printed {done.manifest_number} ({kind}, {done.pages} pages) {where}"
        self.printed.emit(text)
        self.show_preview()  # the next print is a copy: show it as such

    def _refused(self, exc: DeskError) -> None:
        self._failed(exc.message)

    def _failed(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
