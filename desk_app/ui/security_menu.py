"""The Security menu: Users…, Verify the audit trail…, Change/Clear my password, Lock.

Installed by the app after the main window exists (the window stays a shell that
knows nothing of users); it follows the open workspace through `set_workspace`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.ui.dialogs.audit_check_dialog import AuditCheckDialog
from desk_app.ui.dialogs.password_dialog import PasswordDialog
from desk_app.ui.dialogs.users_dialog import UserDirectory, UsersDialog
from desk_app.ui.idle_lock import IdleLock
from desk_app.ui.settings import IDLE_LOCK_ENV, DeskSettings

if TYPE_CHECKING:
    from desk_app.ui.tabs.workspace_view import HistoryView

LOCK_SHORTCUT = "Ctrl+L"  # free in Desk; Win+L is the operating system's own lock
IDLE_CHOICES = (5, 10, 15, 30, 60, 0)


class SignedInUser(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def db_login(self) -> str: ...
    @property
    def has_password(self) -> bool: ...
    def can(self, action: Action) -> bool: ...
    def refusal(self, action: Action) -> str | None: ...


class SecuredWorkspace(Protocol):
    """What the menu uses of a workspace (structurally `services.workspace.Workspace`)."""

    @property
    def actor(self) -> str: ...
    @property
    def user(self) -> SignedInUser: ...
    @property
    def users(self) -> UserDirectory: ...
    @property
    def history(self) -> HistoryView: ...
    @property
    def is_shared(self) -> bool: ...


class SecurityMenu(QObject):
    """Adds "&Security" before Help in ``window``'s menu bar."""

    def __init__(self, window: QMainWindow, settings: DeskSettings, idle_lock: IdleLock) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._lock = idle_lock
        self._workspace: SecuredWorkspace | None = None
        self._has_password = False
        self.users_dialog: UsersDialog | None = None
        self.password_dialog: PasswordDialog | None = None
        self.audit_check_dialog: AuditCheckDialog | None = None

        self.menu = QMenu("&Security", window)
        self.menu.setObjectName("security_menu")
        self.menu.setToolTipsVisible(True)
        bar = window.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu, self.menu)
        else:
            bar.addMenu(self.menu)
        self.menu.aboutToShow.connect(self._refresh_password_state)

        self.users_action = self._add("&Users…", self.show_users)
        self.verify_action = self._add("&Verify the audit trail…", self.show_audit_check)
        self.menu.addSeparator()
        self.change_password_action = self._add("&Change my password…", self.change_password)
        self.clear_password_action = self._add("C&lear my password…", self.clear_password)
        self.menu.addSeparator()
        self.lock_action = self._add("&Lock now", self._lock.lock)
        self.lock_action.setShortcut(QKeySequence(LOCK_SHORTCUT))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.idle_menu = self.menu.addMenu("Lock when &idle")
        self._idle_group = QActionGroup(self)
        for minutes in IDLE_CHOICES:
            text = f"After {minutes} minutes" if minutes else "Never"
            action = self.idle_menu.addAction(text)
            action.setCheckable(True)
            action.setData(minutes)
            self._idle_group.addAction(action)
            action.triggered.connect(lambda _=False, m=minutes: self.set_idle_minutes(m))
        self._check_idle_choice()
        self.set_workspace(None)

    def _add(self, text: str, slot: object) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(slot)
        self._window.addAction(action)  # the shortcut works with the menu bar hidden too
        return action

    # -- following the workspace -----------------------------------------------------------
    def set_workspace(self, workspace: SecuredWorkspace | None) -> None:
        """Enable what the signed-in user may do; say why in a tooltip where not."""
        self._workspace = workspace
        for action in (self.change_password_action, self.lock_action):
            action.setEnabled(workspace is not None)
        if workspace is None:
            for action in (self.users_action, self.verify_action):
                action.setEnabled(False)
                action.setToolTip("No database open")
            self.clear_password_action.setEnabled(False)
            return
        user = workspace.user
        verify = user.refusal(Action.AUDIT_VERIFY)
        self.verify_action.setEnabled(verify is None)
        self.verify_action.setToolTip(verify or "Check the audit trail, and every record")
        refused = user.refusal(Action.USER_VIEW)
        self.users_action.setEnabled(refused is None)
        if refused is not None:
            self.users_action.setToolTip(refused)
        else:
            manage = user.refusal(Action.USER_MANAGE)
            self.users_action.setToolTip(f"Read-only: {manage}" if manage else "Manage users")
        self._set_has_password(user.has_password)

    def _set_has_password(self, has: bool) -> None:
        self._has_password = has
        self.change_password_action.setText(
            "&Change my password…" if has else "Set a &password for me…"
        )
        self.clear_password_action.setEnabled(self._workspace is not None and has)
        self.clear_password_action.setToolTip("" if has else "You have no Desk password")

    def _refresh_password_state(self) -> None:
        """An admin may have set or cleared it since signing in."""
        if self._workspace is None:
            return
        # On the GUI thread: the signed-in user's one row by key, before a menu or dialog
        # shows; if it cannot be read, the menu keeps what it knew (nothing to tell the user).
        try:
            record = self._workspace.users.get(self._workspace.actor)
        except DeskError:  # quiet: the menu keeps what it knew
            return
        self._set_has_password(record.has_password)

    # -- actions -----------------------------------------------------------------------------
    def show_users(self) -> UsersDialog | None:
        """Security → Users… (read-only without ``user.manage``)."""
        ws = self._workspace
        if ws is None or not ws.user.can(Action.USER_VIEW):
            return None
        dialog = UsersDialog(
            ws.users,
            self._window,
            refusal=ws.user.refusal(Action.USER_MANAGE),
            local_login=None if ws.is_shared else ws.user.db_login,
        )
        dialog.finished.connect(lambda _r: self._refresh_password_state())
        if self.users_dialog is not None:
            self.users_dialog.deleteLater()
        self.users_dialog = dialog
        dialog.open()
        return dialog

    def show_audit_check(self) -> AuditCheckDialog | None:
        """Security → Verify the audit trail… (compliance and admins)."""
        ws = self._workspace
        if ws is None or not ws.user.can(Action.AUDIT_VERIFY):
            return None
        if self.audit_check_dialog is not None:
            self.audit_check_dialog.deleteLater()
        self.audit_check_dialog = AuditCheckDialog(ws.history, self._window)
        self.audit_check_dialog.open()
        return self.audit_check_dialog

    def change_password(self) -> PasswordDialog | None:
        return self._password_dialog(clear=False)

    def clear_password(self) -> PasswordDialog | None:
        return self._password_dialog(clear=True)

    def _password_dialog(self, *, clear: bool) -> PasswordDialog | None:
        ws = self._workspace
        if ws is None:
            return None
        self._refresh_password_state()
        if clear and not self._has_password:
            return None
        dialog = PasswordDialog(
            ws.users, ws.actor, has_password=self._has_password, clear=clear, parent=self._window
        )
        dialog.password_changed.connect(self._on_password_changed)
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
        self.password_dialog = dialog
        dialog.open()
        return dialog

    def _on_password_changed(self, has: bool) -> None:
        self._set_has_password(has)
        word = "saved" if has else "removed"
        self._window.statusBar().showMessage(f"Your Desk password was {word}.", 8_000)

    def set_idle_minutes(self, minutes: int) -> None:
        """Lock when idle: remembered in the settings, applied at once."""
        self._settings.set_idle_lock_minutes(minutes)
        self._lock.set_idle_minutes(self._settings.idle_lock_minutes())
        self._check_idle_choice()

    def _check_idle_choice(self) -> None:
        current = self._settings.idle_lock_minutes()
        overridden = bool(os.environ.get(IDLE_LOCK_ENV))
        for action in self._idle_group.actions():
            action.setChecked(action.data() == current)
            action.setEnabled(not overridden)
        if overridden:
            self.idle_menu.setToolTip(f"Set by {IDLE_LOCK_ENV}={os.environ[IDLE_LOCK_ENV]}")
