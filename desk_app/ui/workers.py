"""Run slow work (database connections, pings, demo data) off the GUI thread.

A worker never touches widgets: it reports through a bridge QObject that lives in the
GUI thread, so its signals arrive there as queued events. The bridge's signals are
connected before the runnable starts, and the bridge is parented to the application
so it outlives the runnable until its result has been delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressDialog, QWidget

    from desk_app.domain.progress import CancelToken

T = TypeVar("T")
Progress = Callable[[int, int, str], None]
"""``progress(done, total, text)``: safe to call from the worker thread."""


class _Bridge(QObject):
    """Carries a worker's result and progress into the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], bridge: _Bridge) -> None:
        super().__init__()
        self._fn = fn
        self._bridge = bridge

    def run(self) -> None:
        try:
            result = self._fn(self._bridge.progressed.emit)
        except Exception as exc:  # reported to on_error in the GUI thread
            self._bridge.failed.emit(exc)
        else:
            self._bridge.succeeded.emit(result)


def run_with_progress(
    fn: Callable[[Progress], T],
    on_done: Callable[[T], object],
    on_error: Callable[[Exception], object],
    on_progress: Callable[[int, int, str], object],
    *,
    pool: QThreadPool | None = None,
) -> None:
    """Run ``fn(progress)`` on a pool thread; callbacks run in the GUI thread."""
    app = QCoreApplication.instance()
    bridge = _Bridge(app)
    # Connect everything before the job can possibly emit.
    bridge.progressed.connect(on_progress)
    bridge.succeeded.connect(on_done)
    bridge.failed.connect(on_error)
    bridge.succeeded.connect(bridge.deleteLater)
    bridge.failed.connect(bridge.deleteLater)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, bridge))


def run_in_background(
    fn: Callable[[], T],
    on_done: Callable[[T], object],
    on_error: Callable[[Exception], object],
    *,
    pool: QThreadPool | None = None,
) -> None:
    """Run ``fn()`` on a pool thread; ``on_done(result)`` or ``on_error(exc)`` in the GUI."""
    run_with_progress(lambda _progress: fn(), on_done, on_error, _ignore, pool=pool)


def run_with_progress_dialog(
    fn: Callable[[Progress], T],
    on_done: Callable[[T], object],
    on_error: Callable[[Exception], object],
    *,
    parent: QWidget,
    title: str,
    label: str,
) -> QProgressDialog:
    """Run ``fn(progress)`` on a worker behind a window-modal progress dialog.

    The dialog closes before ``on_done``/``on_error`` run. It has no Cancel button:
    use it for work that cannot stop half-way.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog

    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(380)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)

    def show_progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(text)

    def finished(result: T) -> None:
        dialog.close()
        on_done(result)

    def failed(exc: Exception) -> None:
        dialog.close()
        on_error(exc)

    dialog.show()
    run_with_progress(fn, finished, failed, show_progress)
    return dialog


def run_cancellable_with_progress_dialog(
    fn: Callable[[Progress, CancelToken], T],
    on_done: Callable[[T], object],
    on_error: Callable[[Exception], object],
    *,
    parent: QWidget,
    title: str,
    label: str,
) -> QProgressDialog:
    """Run ``fn(progress, cancel)`` on a worker behind a progress dialog with Cancel.

    Cancel sets the token; the work stops at its next ``cancel.check()`` and its
    `Cancelled` error reaches ``on_error`` like any other (callers usually show it
    as a quiet notice). The dialog closes before ``on_done``/``on_error`` run.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog

    from desk_app.domain.progress import CancelToken

    token = CancelToken()
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(380)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def cancel() -> None:
        token.cancel()
        dialog.setLabelText("Cancelling…")

    dialog.canceled.connect(cancel)

    def show_progress(done: int, total: int, text: str) -> None:
        if token.cancelled:
            return
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(text)

    def finished(result: T) -> None:
        dialog.canceled.disconnect(cancel)
        dialog.close()
        on_done(result)

    def failed(exc: Exception) -> None:
        dialog.canceled.disconnect(cancel)
        dialog.close()
        on_error(exc)

    dialog.show()
    run_with_progress(lambda progress: fn(progress, token), finished, failed, show_progress)
    return dialog


def _ignore(_done: int, _total: int, _text: str) -> None:
    return None
