"""One way for a screen to run work: a service call off the GUI thread, errors mapped once.

A screen says what to call and what to do with the result::

    Op(self, lambda: workspace.settling.settle(oid), done=self._settled).run()

`Op` runs the call on the thread pool (`desk_app.ui.workers`), so a slow database never
freezes the window. Progress shows only when the call is slow: a busy cursor at once,
and a progress dialog once it has run for `SLOW_MS`. A `DeskError` (refused, not
permitted, stale, bad input) goes to the screen's notice in one place, the first of:
the ``refused`` callback, the nearest widget up the parent chain with
``show_notice(text, tone)`` (every tab), else a warning box. A `Retryable` one (the
database server ended the session, or could not be reached) first asks, in a box
with Retry and Cancel: Retry runs the same call again (on a new connection), Cancel
hands the refusal on as above. Anything else is a bug:
it goes to ``sys.excepthook``, which the window installs as the error dialog with the
traceback.

Calls that must not run twice at once (a button pressed again while the first is
running) are refused by ``busy_key``: while an op with the same key runs, another is
not started, and a dialog running such a call has its buttons off until it answers. Tests
wait for ops with ``running()`` and the tracker's ``finished`` signal (no sleeps).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QProgressDialog, QWidget

from desk_app.domain.errors import DeskError, Retryable
from desk_app.ui.workers import Progress, run_with_progress

T = TypeVar("T")
log = logging.getLogger(__name__)

#: How long a call runs before it shows a progress dialog (a busy cursor shows at once).
SLOW_MS = 600


class _Tracker(QObject):
    """Counts the ops in flight; ``finished`` fires after each one's callbacks ran."""

    finished = Signal()
    #: An op failed in a way that trying again may cure: the box asking (a `QMessageBox`).
    retry_offered = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.keys: set[str] = set()
        #: The ops in flight, held here: the worker's signals hold their callbacks only
        #: weakly, so an ``Op(...).run()`` nobody keeps would be collected before it ends.
        self.live: set[Op[Any]] = set()


_tracker: _Tracker | None = None


def tracker() -> _Tracker:
    """The ops in flight (created in the GUI thread on first use)."""
    global _tracker  # noqa: PLW0603 - one per process, like the thread pool it counts
    if _tracker is None:
        _tracker = _Tracker()
    return _tracker


def running() -> int:
    """How many ops have not finished yet."""
    return tracker().running


def notice_target(widget: QWidget | None) -> Callable[[str], object] | None:
    """The nearest ``show_notice`` up the parent chain (a tab's notice bar)."""
    from desk_app.ui.theme import Tone

    while widget is not None:
        show = getattr(widget, "show_notice", None)
        if callable(show):
            return lambda text: show(text, Tone.NEGATIVE)
        widget = widget.parentWidget()
    return None


class Op(Generic[T]):
    """A service call run for a screen: off the GUI thread, progress when slow, errors once."""

    def __init__(
        self,
        parent: QWidget,
        call: Callable[[], T] | None = None,
        *,
        done: Callable[[T], object] | None = None,
        refused: Callable[[DeskError], object] | None = None,
        with_progress: Callable[[Progress], T] | None = None,
        label: str = "Working…",
        busy_key: str | None = None,
        after: Callable[[], object] | None = None,
    ) -> None:
        if (call is None) == (with_progress is None):
            raise TypeError("give either call or with_progress")
        self._parent = parent
        self._work: Callable[[Progress], T] = (
            with_progress if with_progress is not None else (lambda _progress: call())  # type: ignore[misc]
        )
        self._done = done
        self._refused = refused
        self._label = label
        self._busy_key = busy_key
        self._after = after
        self._dialog: QProgressDialog | None = None
        self._timer: QTimer | None = None
        self._hold: _DialogHold | None = None
        self._last: tuple[int, int, str] = (0, 0, "")

    def run(self) -> bool:
        """Start the call; False (and nothing started) while one with the same key runs."""
        track = tracker()
        if self._busy_key is not None:
            if self._busy_key in track.keys:
                return False
            track.keys.add(self._busy_key)
        track.running += 1
        track.live.add(self)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        if self._busy_key is not None and isinstance(self._parent, QDialog):
            self._hold = _DialogHold(self._parent)
        # Not the widget's child: a widget deleted while the call runs must not take
        # the timer with it (the op still has to restore the cursor and settle).
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)
        self._timer.start(SLOW_MS)
        run_with_progress(self._work, self._succeeded, self._failed, self._progressed)
        return True

    def _parent_alive(self) -> bool:
        return shiboken6.isValid(self._parent)

    def _progressed(self, done: int, total: int, text: str) -> None:
        self._last = (done, total, text)
        dialog = self._dialog
        if dialog is None or not shiboken6.isValid(dialog):
            return
        if text:
            dialog.setLabelText(text)
        dialog.setMaximum(max(total, 1))
        # Last: on a shown modal dialog setValue processes events, and the op may end
        # (and drop the dialog) inside it.
        dialog.setValue(min(done, total))

    def _show_progress(self) -> None:
        if not self._parent_alive():
            return
        dialog = QProgressDialog(self._label, "", 0, 0, self._parent)
        dialog.setWindowTitle("Desk")
        dialog.setCancelButton(None)
        dialog.setMinimumWidth(380)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self._dialog = dialog
        if self._last[1]:
            self._progressed(*self._last)
        dialog.show()

    def _finish(self) -> None:
        try:
            if self._timer is not None:
                # Python owns the parentless timer: dropping it deletes it (a
                # deleteLater as well would delete it twice).
                self._timer.stop()
                self._timer = None
            dialog, self._dialog = self._dialog, None
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.close()
                dialog.deleteLater()
            if self._hold is not None:
                self._hold.release()
                self._hold = None
        finally:
            QGuiApplication.restoreOverrideCursor()

    def _settle(self) -> None:
        track = tracker()
        track.running -= 1
        track.live.discard(self)
        if self._busy_key is not None:
            track.keys.discard(self._busy_key)
        try:
            if self._after is not None:
                self._after()
        finally:
            track.finished.emit()

    def _succeeded(self, result: T) -> None:
        try:
            self._finish()
            if self._done is not None and self._parent_alive():
                self._done(result)
            elif self._done is not None:
                log.info("a screen closed before its call answered; its result is dropped")
        finally:
            self._settle()

    def _failed(self, exc: Exception) -> None:
        try:
            self._finish()
            if not isinstance(exc, DeskError):
                # A bug: the window's hook logs it and shows the error dialog.
                sys.excepthook(type(exc), exc, exc.__traceback__)
            elif self._parent_alive() and isinstance(exc, Retryable):
                self._offer_retry(exc)
            elif self._parent_alive():
                self._show_refusal(exc)
            else:
                log.warning("a screen closed before its call was refused: %s", exc.message)
        finally:
            self._settle()

    def _offer_retry(self, exc: DeskError) -> None:
        """Say what happened; Retry runs the call again, Cancel refuses it the usual way."""
        buttons = QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel
        box = QMessageBox(QMessageBox.Icon.Warning, "Desk", exc.message, buttons, self._parent)
        box.setObjectName("retry_box")
        box.setDefaultButton(QMessageBox.StandardButton.Retry)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # A partial, which the connection holds itself: this op is no longer tracked,
        # and a bound method of it would be held only weakly.
        box.finished.connect(partial(_retry_answered, self._again(), self._refusal(exc)))
        tracker().retry_offered.emit(box)
        box.open()

    def _again(self) -> Op[T]:
        """The same call for the same screen, not started yet."""
        return Op(
            self._parent, with_progress=self._work, done=self._done, refused=self._refused,
            label=self._label, busy_key=self._busy_key, after=self._after,
        )  # fmt: skip

    def _refusal(self, exc: DeskError) -> Callable[[], None]:
        def refuse() -> None:
            if self._parent_alive():
                self._show_refusal(exc)

        return refuse

    def _show_refusal(self, exc: DeskError) -> None:
        if self._refused is not None:
            self._refused(exc)
            return
        show = notice_target(self._parent)
        if show is not None:
            show(exc.message)
            return
        QMessageBox.warning(self._parent, "Desk", exc.message)


def _retry_answered(again: Op[Any], refuse: Callable[[], None], answer: int) -> None:
    """Retry starts the call afresh; any other answer (Cancel, Esc) is the refusal."""
    if answer == QMessageBox.StandardButton.Retry.value:
        again.run()
    else:
        refuse()


class _DialogHold:
    """A dialog's buttons while its call runs: off, so no second OK and no Cancel half-way.

    A dialog cancelled half-way through a save would leave the clerk not knowing
    whether the request was filed (it was: the call cannot be taken back). The fields
    stay as they are (a key released after Enter still lands), and should the dialog
    close anyway (Esc), its result still arrives: it is only hidden.
    """

    def __init__(self, dialog: QDialog) -> None:
        self._boxes = [b for b in dialog.findChildren(QDialogButtonBox) if b.isEnabled()]
        for box in self._boxes:
            box.setEnabled(False)

    def release(self) -> None:
        for box in self._boxes:
            if shiboken6.isValid(box):
                box.setEnabled(True)
