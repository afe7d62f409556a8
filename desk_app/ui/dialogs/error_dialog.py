"""The one place that turns errors into dialogs: a short message, and for bugs the details.

`ErrorReporter` is installed as ``sys.excepthook``. A `DeskError` is the user's to
act on and shows only its message; anything else is a bug: its traceback is logged
and shown with a "Copy details" button for the support ticket.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.ui.dialogs.message_layout import message_icon, message_label

log = logging.getLogger(__name__)


class ErrorDialog(QDialog):
    """Shows ``message``; with ``details`` (a traceback) also a box and "Copy details"."""

    def __init__(
        self,
        message: str,
        details: str = "",
        *,
        title: str = "Desk",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("error_dialog")
        self.setWindowTitle(title)
        self._details = details

        self.message_label = message_label(self, message, min_width=360)
        top = QHBoxLayout()
        top.addWidget(message_icon(self, QStyle.StandardPixmap.SP_MessageBoxCritical), 0)
        top.addWidget(self.message_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        if details:
            box = QPlainTextEdit(details, self)
            box.setObjectName("details")
            box.setReadOnly(True)
            box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            box.setMinimumSize(560, 220)
            layout.addWidget(box, 1)
            self.copy_button = QPushButton("Copy details", self)
            self.copy_button.clicked.connect(self.copy_details)
            buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        """Put the message and details on the clipboard, for a support ticket."""
        QGuiApplication.clipboard().setText(f"{self.message_label.text()}\n\n{self._details}")


class ErrorReporter(QObject):
    """``sys.excepthook`` → `ErrorDialog`, one at a time (later errors are only logged).

    The hook only emits a signal, so an exception raised on any thread is shown by
    the GUI thread, and the hook itself never runs a nested event loop. Every error
    that reaches the event loop is logged; the same one (a timer's, say) is shown once.
    """

    reported = Signal(object)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._previous = sys.excepthook
        self.dialog: ErrorDialog | None = None
        self._escaped: set[str] = set()
        self.reported.connect(self._show_escaped)

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self._hook

    def uninstall(self) -> None:
        if sys.excepthook == self._hook:
            sys.excepthook = self._previous

    def _hook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, exc, tb)
            return
        if isinstance(exc, DeskError):
            log.warning("error in the event loop: %s", exc.message)
        else:
            log.error("unexpected error", exc_info=(kind, exc, tb))
        self.reported.emit(exc)

    def _show_escaped(self, exc: BaseException) -> None:
        """An error that reached the event loop: shown the first time, logged every time."""
        said = f"{type(exc).__name__}: {exc}"
        if said not in self._escaped and self.show_error(exc) is not None:
            self._escaped.add(said)

    def show_error(self, exc: BaseException) -> ErrorDialog | None:
        """Open the dialog for ``exc``, unless one is already showing."""
        if self.dialog is not None and self.dialog.isVisible():
            return None
        if isinstance(exc, DeskError):
            self.dialog = ErrorDialog(exc.message, parent=self._parent)
        else:
            details = "".join(traceback.format_exception(exc))
            message = (
                f"Something went wrong inside Desk ({type(exc).__name__}: {exc}).\n\n"
                "The details below are also in the log; please send them to support."
            )
            self.dialog = ErrorDialog(
                message, details, title="Desk: unexpected error", parent=self._parent
            )
        self.dialog.open()
        return self.dialog
