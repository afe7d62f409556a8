"""The idle lock: after a while without input the window hides client data until the
user proves it is still them.

Nothing is closed or destroyed while locked: the main window's central widget is
swapped for a lock screen inside a `QStackedWidget` installed around it, the status
bar, docks and other windows (open dialogs with half-typed input) are hidden and
shown again after unlocking, and shortcuts and menus are off in between. How the
password is checked (app password, database password, OS login) is the app's to
decide: it hands in an `Unlocker`, whose slow calls run on a worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFrame,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desk_app.domain.errors import DeskError
from desk_app.ui.workers import run_in_background

log = logging.getLogger(__name__)

_INPUT = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})  # fmt: skip
_TRANSIENT = (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen)


class UnlockMethod(Protocol):
    """What the lock screen asks for (``hint``) and how the answer is checked (a worker)."""

    @property
    def hint(self) -> str: ...
    @property
    def check(self) -> Callable[[str], bool]: ...


class Unlocker(Protocol):
    """Supplied by the app for the open workspace."""

    @property
    def who(self) -> str:
        """Who is signed in, as the lock screen shows it."""
        ...

    def method(self) -> UnlockMethod:
        """How this user unlocks now (may read the database: runs on a worker)."""
        ...


class LockScreen(QWidget):
    """What the window shows while locked: who is signed in and a password field."""

    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self.setAutoFillBackground(True)
        panel = QFrame(self)
        panel.setObjectName("lock_panel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setMinimumWidth(420)
        title = QLabel("Desk is locked", panel)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.who_label = QLabel(panel)
        self.who_label.setObjectName("who")
        self.who_label.setWordWrap(True)
        self.hint_label = QLabel(panel)
        self.hint_label.setObjectName("hint")
        self.hint_label.setWordWrap(True)
        self.password = QLineEdit(panel)
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("password")
        self.unlock_button = QPushButton("Unlock", panel)
        self.unlock_button.setDefault(True)
        self.message_label = QLabel(panel)
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")

        inner = QVBoxLayout(panel)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(10)
        kept = QLabel("Your open forms and anything typed in them are kept.", panel)
        kept.setWordWrap(True)
        inner.addWidget(title)
        inner.addWidget(self.who_label)
        inner.addWidget(kept)
        inner.addWidget(self.hint_label)
        inner.addWidget(self.password)
        inner.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.message_label)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(3)

        self.password.returnPressed.connect(self._submit)
        self.unlock_button.clicked.connect(self._submit)

    def reset(self, who: str) -> None:
        self.who_label.setText(f"Signed in: {who}")
        self.hint_label.setText("Finding out how to confirm it is you…")
        self.message_label.clear()
        self.password.clear()
        self.set_ready(False)

    def set_ready(self, ready: bool) -> None:
        self.password.setEnabled(ready)
        self.unlock_button.setEnabled(ready)
        if ready:
            self.password.setFocus()

    def _submit(self) -> None:
        if self.unlock_button.isEnabled() and self.password.text():
            self.unlock_requested.emit(self.password.text())


class IdleLock(QObject):
    """Locks ``window`` after ``minutes`` without input (0: never); see the module doc."""

    locked = Signal()
    unlocked = Signal()
    #: A password was refused (or could not be checked); the text is on the lock screen.
    unlock_failed = Signal(str)

    def __init__(self, window: QMainWindow, minutes: float) -> None:
        super().__init__(window)
        self._window = window
        self._unlocker: Unlocker | None = None
        self._method: UnlockMethod | None = None
        self._locked = False
        self._checking = False
        self._generation = 0  # results of an earlier lock are ignored
        self._hidden: list[QWidget] = []
        self._restore: list[tuple[QWidget, bool]] = []
        self._focus: QWidget | None = None
        self._last_input = time.monotonic()
        self._idle_s = 0.0

        self.screen = LockScreen()
        self.screen.unlock_requested.connect(self.try_unlock)
        content = window.takeCentralWidget()
        self.stack = QStackedWidget(window)
        self.stack.setObjectName("lock_stack")
        self.content = content
        if content is not None:
            self.stack.addWidget(content)
        self.stack.addWidget(self.screen)
        window.setCentralWidget(self.stack)
        if content is not None:
            self.stack.setCurrentWidget(content)
        self.stack.show()  # now, not at the layout's queued show: the tabs stay usable

        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check_idle)
        self.set_idle_minutes(minutes)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    # -- configuration --------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self._locked

    @property
    def idle_seconds(self) -> float:
        return self._idle_s

    def set_idle_minutes(self, minutes: float) -> None:
        """Lock after ``minutes`` without input; 0 never locks by itself."""
        self._idle_s = max(0.0, minutes) * 60
        self._last_input = time.monotonic()
        if self._idle_s <= 0:
            self._timer.stop()
            return
        self._timer.start(int(min(max(self._idle_s * 1000 / 4, 20), 5_000)))

    def set_unlocker(self, unlocker: Unlocker | None) -> None:
        """The signed-in user of the open workspace; None: nothing to lock."""
        self._unlocker = unlocker
        self._method = None
        if self._locked and unlocker is not None:
            self._prepare()

    # -- input ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT:
            if not self._locked:
                self._last_input = time.monotonic()
            return False
        if kind == QEvent.Type.Close and watched is self._window:
            self._detach()  # closing: nothing left to guard (and never touch it mid-delete)
            return False
        if not self._locked:
            return False
        if kind == QEvent.Type.Shortcut:
            return True  # no menu action (Open, Users…, Quit…) behind the lock
        if kind == QEvent.Type.Show and isinstance(watched, QWidget):
            if self._should_hide(watched):
                QTimer.singleShot(0, lambda w=watched: self._hide_late(w))
        elif kind == QEvent.Type.Close and watched in self._hidden:
            self._forget(watched)
        return False

    def _detach(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _check_idle(self) -> None:
        if not self._locked and time.monotonic() - self._last_input >= self._idle_s:
            self.lock()

    def _should_hide(self, widget: QWidget) -> bool:
        return (
            widget.isWindow()
            and widget is not self._window
            and not isinstance(widget, QMainWindow)  # another main window guards itself
            and widget.windowType() not in _TRANSIENT
        )

    # -- locking ----------------------------------------------------------------------------
    def lock(self) -> bool:
        """Hide client data now; False if there is nothing to lock (no workspace)."""
        if self._locked or self._unlocker is None:
            return self._locked
        self._locked = True
        self._generation += 1
        self._focus = QApplication.focusWidget()
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()
        QToolTip.hideText()
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and self._should_hide(widget):
                self._hide(widget)
        window = self._window
        parts: list[QWidget] = [window.statusBar(), window.menuBar()]
        parts += window.findChildren(QDockWidget) + window.findChildren(QToolBar)
        self._restore = [(w, w.isVisible()) for w in parts]
        for widget, _visible in self._restore:
            if widget is window.menuBar():
                widget.setEnabled(False)  # hidden, it would leave a gap; disabled, it is inert
            else:
                widget.hide()
        self.screen.reset(self._unlocker.who)
        self.stack.setCurrentWidget(self.screen)
        self._prepare()
        self.locked.emit()
        return True

    def _hide(self, widget: QWidget) -> None:
        if widget in self._hidden:
            return
        self._hidden.append(widget)
        if isinstance(widget, QDialog):
            widget.finished.connect(lambda _r, w=widget: self._forget(w))
        widget.hide()

    def _hide_late(self, widget: QWidget) -> None:
        """A window that appeared while locked (an error, a finished worker's dialog)."""
        if self._locked and isValid(widget) and widget.isVisible():
            self._hide(widget)

    def _forget(self, widget: QWidget) -> None:
        """Closed while hidden: it must not come back after unlocking."""
        if self._locked and widget in self._hidden:
            self._hidden.remove(widget)

    def _prepare(self) -> None:
        unlocker, generation = self._unlocker, self._generation
        if unlocker is None:
            return
        self._method = None
        self.screen.set_ready(False)

        def done(method: UnlockMethod) -> None:
            if generation == self._generation and self._locked:
                self._method = method
                self.screen.hint_label.setText(method.hint)
                self.screen.set_ready(True)

        def failed(exc: Exception) -> None:
            if generation == self._generation and self._locked:
                self._show_failure(exc)
                self.screen.hint_label.setText("Enter your password.")
                self.screen.set_ready(True)  # a try asks again

        run_in_background(unlocker.method, done, failed)

    # -- unlocking --------------------------------------------------------------------------
    def try_unlock(self, password: str) -> None:
        """Check ``password`` on a worker; unlock if right, else say so and stay locked."""
        if not self._locked or self._checking or self._unlocker is None:
            return
        method, unlocker, generation = self._method, self._unlocker, self._generation
        self._checking = True
        self.screen.set_ready(False)
        self.screen.message_label.setText("Checking…")

        def check() -> bool:
            return (method or unlocker.method()).check(password)

        def done(right: bool) -> None:
            self._checking = False
            if generation != self._generation or not self._locked:
                return
            if right:
                self.unlock()
                return
            self.screen.password.clear()
            self.screen.message_label.setText("That password is not right.")
            self.screen.set_ready(True)
            self.unlock_failed.emit("That password is not right.")

        def failed(exc: Exception) -> None:
            self._checking = False
            if generation == self._generation and self._locked:
                self._show_failure(exc)
                self.screen.set_ready(True)

        run_in_background(check, done, failed)

    def _show_failure(self, exc: Exception) -> None:
        if isinstance(exc, DeskError):
            text = exc.message
        else:
            log.error("the unlock check failed", exc_info=exc)
            text = f"The password could not be checked: {exc}"
        self.screen.message_label.setText(text)
        self.unlock_failed.emit(text)

    def unlock(self) -> None:
        """Show everything again as it was (called once the password was right)."""
        if not self._locked:
            return
        self._locked = False
        self._generation += 1
        if self.content is not None:
            self.stack.setCurrentWidget(self.content)
        for widget, visible in self._restore:
            if not isValid(widget):
                continue
            if widget is self._window.menuBar():
                widget.setEnabled(True)
            elif visible:
                widget.show()
        for widget in self._hidden:
            if isValid(widget):
                widget.show()
        self._hidden, self._restore = [], []
        self.screen.password.clear()
        self.screen.message_label.clear()
        focus, self._focus = self._focus, None
        if focus is not None and isValid(focus) and focus.isVisible():
            focus.activateWindow()
            focus.setFocus()
        self._last_input = time.monotonic()
        self.unlocked.emit()
