"""`Op`, the one way a screen runs a service call: off the GUI thread, errors mapped once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from desk_app.domain.errors import DeskError, NotPermitted, Retryable
from desk_app.ui import ops
from desk_app.ui.ops import Op
from desk_app.ui.theme import Tone
from tests.ui.conftest import wait_ops

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


class Tab(QWidget):
    """A stand-in for a tab: it has the notice line an op's refusal goes to."""

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[tuple[str, Tone | None]] = []
        self.child = QWidget(self)  # a screen inside the tab starts the op

    def show_notice(self, text: str, tone: Tone | None = None) -> None:
        self.notices.append((text, tone))


@pytest.fixture
def tab(qtbot: QtBot) -> Tab:
    widget = Tab()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Holds a call on its worker until the test opens it (never left shut)."""
    event = threading.Event()
    yield event
    event.set()


def test_the_result_reaches_done_on_the_gui_thread(qtbot: QtBot, tab: Tab) -> None:
    gui = threading.get_ident()
    seen: list[tuple[int, int]] = []
    started = Op(tab.child, threading.get_ident, done=lambda worker: seen.append(
        (worker, threading.get_ident())
    )).run()  # fmt: skip
    assert started and ops.running() == 1
    wait_ops(qtbot)
    [(worker, callback)] = seen
    assert worker != gui and callback == gui
    assert ops.running() == 0


def test_a_refusal_goes_to_the_nearest_notice(qtbot: QtBot, tab: Tab) -> None:
    def refuse() -> None:
        raise NotPermitted("Only a supervisor may approve")

    done: list[None] = []
    Op(tab.child, refuse, done=done.append).run()
    wait_ops(qtbot)
    assert tab.notices == [("Only a supervisor may approve", Tone.NEGATIVE)]
    assert done == []


def test_the_refused_callback_wins_over_the_notice(qtbot: QtBot, tab: Tab) -> None:
    def refuse() -> None:
        raise DeskError("Changed meanwhile by sue")

    refusals: list[str] = []
    Op(tab.child, refuse, refused=lambda exc: refusals.append(exc.message)).run()
    wait_ops(qtbot)
    assert refusals == ["Changed meanwhile by sue"]
    assert tab.notices == []


def test_a_bug_goes_to_the_error_dialog_hook(qtbot: QtBot, tab: Tab) -> None:
    def broken() -> None:
        raise ZeroDivisionError("a bug")

    after: list[None] = []
    with qtbot.captureExceptions() as exceptions:
        Op(tab.child, broken, after=lambda: after.append(None)).run()
        wait_ops(qtbot)
    [(kind, exc, _tb)] = exceptions
    assert kind is ZeroDivisionError and str(exc) == "a bug"
    assert tab.notices == [] and after == [None]  # not a refusal; the op still settles


def test_a_busy_key_refuses_a_second_run(qtbot: QtBot, tab: Tab, gate: threading.Event) -> None:
    calls: list[None] = []

    def settle() -> int:
        calls.append(None)
        gate.wait(30)
        return len(calls)

    results: list[int] = []
    assert Op(tab.child, settle, done=results.append, busy_key="settle").run()
    assert not Op(tab.child, settle, done=results.append, busy_key="settle").run()
    assert ops.running() == 1
    gate.set()
    wait_ops(qtbot)
    assert results == [1] and len(calls) == 1
    assert Op(tab.child, settle, done=results.append, busy_key="settle").run()  # free again
    wait_ops(qtbot)
    assert results == [1, 2]


def test_progress_shows_only_for_a_slow_call(
    qtbot: QtBot, tab: Tab, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ops, "SLOW_MS", 100)

    def shown() -> list[QProgressDialog]:
        return [d for d in tab.findChildren(QProgressDialog) if d.isVisible()]

    Op(tab, lambda: None).run()
    wait_ops(qtbot)
    assert shown() == []  # a quick call shows no dialog

    Op(tab, lambda: gate.wait(30), label="Settling 3 trades…").run()
    assert shown() == []  # not at once: only once the call has run SLOW_MS
    qtbot.waitUntil(lambda: bool(shown()))
    assert shown()[0].labelText() == "Settling 3 trades…"
    gate.set()
    wait_ops(qtbot)
    assert shown() == []
    assert ops.running() == 0


def test_a_screen_closed_while_its_call_runs_drops_the_result_and_restores_the_cursor(
    qtbot: QtBot, tab: Tab, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ops, "SLOW_MS", 50)
    screen = QWidget(tab)
    seen: list[object] = []
    Op(screen, lambda: gate.wait(30), done=seen.append, busy_key="closing").run()
    qtbot.waitUntil(lambda: bool(screen.findChildren(QProgressDialog)))  # slow: shown
    assert QGuiApplication.overrideCursor() is not None
    screen.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(screen))
    gate.set()
    wait_ops(qtbot)
    assert seen == []  # nobody left to tell
    assert QGuiApplication.overrideCursor() is None
    assert "closing" not in ops.tracker().keys and not ops.tracker().live


def test_a_done_that_raises_still_restores_the_cursor_and_settles(qtbot: QtBot, tab: Tab) -> None:
    def broken(_result: object) -> None:
        raise RuntimeError("a bug in the screen")

    with qtbot.captureExceptions() as raised:
        Op(tab.child, lambda: 1, done=broken, busy_key="broken").run()
        wait_ops(qtbot)
    assert [type(e[1]) for e in raised] == [RuntimeError]
    assert QGuiApplication.overrideCursor() is None
    assert ops.running() == 0 and "broken" not in ops.tracker().keys


def test_a_dialog_saving_has_its_buttons_off_until_the_call_answers(
    qtbot: QtBot, gate: threading.Event
) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    box.rejected.connect(dialog.reject)
    dialog.show()
    Op(dialog, lambda: gate.wait(30), done=lambda _r: dialog.accept(), busy_key="save").run()
    assert not box.isEnabled()  # neither OK again nor Cancel half-way
    gate.set()
    wait_ops(qtbot)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted
    assert box.isEnabled()


def test_progress_reports_reach_the_dialog_of_a_slow_call(
    qtbot: QtBot, tab: Tab, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ops, "SLOW_MS", 50)

    def work(progress: ops.Progress) -> str:
        progress(1, 4, "Posting…")
        gate.wait(30)
        progress(4, 4, "Moving the balances…")  # the last report, just before it ends
        return "done"

    results: list[str] = []
    Op(tab, with_progress=work, done=results.append).run()
    qtbot.waitUntil(lambda: bool(tab.findChildren(QProgressDialog)))
    dialog = tab.findChildren(QProgressDialog)[0]
    qtbot.waitUntil(lambda: dialog.labelText() == "Posting…")
    assert dialog.maximum() == 4
    gate.set()
    wait_ops(qtbot)
    assert results == ["done"] and QGuiApplication.overrideCursor() is None


class SessionEnded(Retryable):
    """What the database layer raises when the server ended the session mid-call."""


def test_a_lost_connection_offers_retry_and_retry_runs_the_call_again(
    qtbot: QtBot, tab: Tab
) -> None:
    calls: list[int] = []

    def book() -> str:
        calls.append(threading.get_ident())
        if len(calls) == 1:
            raise SessionEnded("The database server closed the connection")
        return "booked"

    done: list[str] = []
    after: list[None] = []
    with qtbot.waitSignal(ops.tracker().retry_offered) as offered:
        Op(
            tab.child, book, done=done.append, busy_key="book", after=lambda: after.append(None)
        ).run()
    box = offered.args[0]
    wait_ops(qtbot)
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == "The database server closed the connection"
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Retry)
    assert tab.notices == [] and done == []  # the clerk decides first
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Retry), Qt.MouseButton.LeftButton)
    assert ops.running() == 1  # the same call, on a worker again, under the same key
    wait_ops(qtbot)
    assert done == ["booked"] and len(calls) == 2 and after == [None, None]
    assert tab.notices == []


def test_cancel_on_a_lost_connection_refuses_the_usual_way(qtbot: QtBot, tab: Tab) -> None:
    def book() -> None:
        raise SessionEnded("The database server closed the connection")

    refusals: list[str] = []
    with qtbot.waitSignal(ops.tracker().retry_offered) as offered:
        Op(tab.child, book, refused=lambda exc: refusals.append(exc.message)).run()
    wait_ops(qtbot)
    qtbot.keyClick(offered.args[0], Qt.Key.Key_Escape)
    assert refusals == ["The database server closed the connection"]
    assert ops.running() == 0
