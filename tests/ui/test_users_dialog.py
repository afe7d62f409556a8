"""Security → Users…: an admin adds and changes users; refusals show beside the form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import Role
from desk_app.domain.supervision import Registration
from desk_app.services.workspace import Workspace
from desk_app.ui.dialogs.users_dialog import UserForm, UsersDialog
from desk_app.ui.idle_lock import IdleLock
from desk_app.ui.main_window import MainWindow
from desk_app.ui.security_menu import SecurityMenu
from desk_app.ui.settings import DeskSettings
from tests.conftest import STAFF_PASSWORD, add_staff, sign_in
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


def _users_dialog(qtbot: QtBot, ws: Workspace) -> UsersDialog:
    from desk_app.domain.permissions import Action

    dlg = UsersDialog(ws.users, refusal=ws.user.refusal(Action.USER_MANAGE))
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _column(dlg: UsersDialog, column: int) -> list[str]:
    return [dlg.table.item(r, column).text() for r in range(dlg.table.rowCount())]


def _save(qtbot: QtBot, form: UserForm) -> None:
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)  # saved (or refused) on a worker


def test_admin_adds_a_supervisor_with_a_registration(qtbot: QtBot, workspace: Workspace) -> None:
    dlg = _users_dialog(qtbot, workspace)
    assert _column(dlg, 0) == ["tester"]
    assert dlg.add_button.isEnabled()
    form = dlg.add_user()
    assert form is not None and form.isVisible()
    qtbot.keyClicks(form.username, "mobrien")
    qtbot.keyClicks(form.full_name, "Maeve O'Brien")
    form.role_boxes[Role.SUPERVISOR].setChecked(True)
    row = form.add_registration()
    series = form.registrations.cellWidget(row, 0)
    start = form.registrations.cellWidget(row, 1)
    assert isinstance(series, QComboBox) and isinstance(start, QDateEdit)
    series.setCurrentIndex(series.findData("S9"))
    start.setDate(QDate(2019, 3, 1))
    form.password_mode.setCurrentIndex(form.password_mode.findData("set"))
    qtbot.keyClicks(form.new_password, "supervise-me-42")
    qtbot.keyClicks(form.repeat_password, "supervise-me-42")
    with qtbot.waitSignal(form.accepted):
        _save(qtbot, form)

    assert _column(dlg, 0) == ["mobrien", "tester"]
    assert dlg.selected_user() is not None and dlg.selected_user().username == "mobrien"  # type: ignore[union-attr]
    assert _column(dlg, 6)[0] == "S9 since 2019-03-01"
    assert _column(dlg, 5)[0] == "set"
    saved = workspace.users.get("mobrien")
    assert saved.full_name == "Maeve O'Brien"
    assert saved.roles == {Role.SUPERVISOR}
    assert saved.registrations == (Registration("S9", date(2019, 3, 1), None),)
    assert saved.has_password


def test_refusals_are_shown_beside_the_form_and_the_input_kept(
    qtbot: QtBot, workspace: Workspace
) -> None:
    dlg = _users_dialog(qtbot, workspace)
    form = dlg.add_user()
    assert form is not None
    qtbot.keyClicks(form.username, "9lives")
    form.role_boxes[Role.CLERK].setChecked(True)
    _save(qtbot, form)
    assert form.isVisible()
    assert form.error_label.isVisible()
    assert form.error_label.text().startswith("username: 2–64 letters")
    assert form.username.text() == "9lives"

    form.username.setText("clerk1")
    row = form.add_registration()
    end = form.registrations.cellWidget(row, 2)
    assert isinstance(end, QDateEdit)
    end.setDate(QDate(2001, 1, 1))
    _save(qtbot, form)
    assert form.error_label.text().startswith("registration: ends before it starts")
    form.registrations.selectRow(row)
    form.remove_registration()
    assert form.registrations.rowCount() == 0

    form.password_mode.setCurrentIndex(form.password_mode.findData("set"))
    form.new_password.setText("short")
    form.repeat_password.setText("short")
    _save(qtbot, form)
    assert "at least 10 characters" in form.error_label.text()
    assert workspace.users.users()[0].username == "tester"  # nothing was added
    assert len(workspace.users.users()) == 1

    # Nobody gives themselves a role (the service says so, and the form shows it).
    dlg.table.selectRow(0)
    edit = dlg.edit_selected()
    assert edit is not None and not edit.username.isEnabled()
    edit.role_boxes[Role.ADMIN].setChecked(False)
    edit.role_boxes[Role.CLERK].setChecked(True)
    _save(qtbot, edit)
    assert "another admin must give you a new role" in edit.error_label.text()
    edit.role_boxes[Role.CLERK].setChecked(False)
    edit.role_boxes[Role.ADMIN].setChecked(True)
    edit.active.setChecked(False)
    _save(qtbot, edit)
    assert edit.error_label.text() == "you cannot deactivate yourself"


def test_a_change_made_elsewhere_meanwhile_is_not_overwritten(
    qtbot: QtBot, workspace: Workspace
) -> None:
    workspace.users.add("jdoe", {Role.CLERK}, full_name="Jo Doe")
    dlg = _users_dialog(qtbot, workspace)
    dlg.table.selectRow(0)
    form = dlg.edit_selected()
    assert form is not None and form.full_name.text() == "Jo Doe"
    fresh = workspace.users.get("jdoe")
    workspace.users.update("jdoe", fresh.version, full_name="Joanna Doe")  # someone else
    form.full_name.setText("Jo Doe-Smith")
    _save(qtbot, form)
    assert form.isVisible()
    assert "changed by someone else" in form.error_label.text()
    assert workspace.users.get("jdoe").full_name == "Joanna Doe"


def test_admin_deactivates_and_edits_registrations(qtbot: QtBot, workspace: Workspace) -> None:
    principal = [Registration("S24", date(2018, 1, 2))]
    add_staff(workspace, "sgold", {Role.SUPERVISOR}, registrations=principal)  # the first
    add_staff(workspace, "zed", {Role.SUPERVISOR}, registrations=principal)  # sgold approves
    dlg = _users_dialog(qtbot, workspace)
    dlg.table.selectRow(0)
    form = dlg.edit_selected()
    assert form is not None and form.registrations.rowCount() == 1
    end = form.registrations.cellWidget(0, 2)
    assert isinstance(end, QDateEdit) and end.text() == "in force"
    end.setDate(QDate(2024, 6, 30))
    form.active.setChecked(False)
    form.db_login.setText("sgold_pg")  # a new login mapping: a grant, filed
    with qtbot.waitSignal(form.accepted):
        _save(qtbot, form)
    user = workspace.users.get("sgold")
    assert not user.active and user.db_login != "sgold_pg"  # taking away: at once
    assert user.pending_grant is not None and "Request" in dlg.notice.text()
    assert user.registrations == (Registration("S24", date(2018, 1, 2), date(2024, 6, 30)),)
    assert _column(dlg, 3)[0] == "no (deactivated)"
    assert _column(dlg, 6)[0] == "S24 2018-01-02 – 2024-06-30"


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, SecurityMenu]]:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win = MainWindow(settings, "tester")
    qtbot.addWidget(win)
    menu = SecurityMenu(win, settings, IdleLock(win, 0))
    yield win, menu


def test_menu_follows_the_roles_of_the_signed_in_user(
    qtbot: QtBot, workspace: Workspace, window: tuple[MainWindow, SecurityMenu]
) -> None:
    win, menu = window
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles.index("&Security") == titles.index("&Help") - 1
    assert not menu.users_action.isEnabled()
    add_staff(workspace, "clerk1", {Role.CLERK})
    add_staff(workspace, "super1", {Role.SUPERVISOR})

    menu.set_workspace(workspace)
    assert menu.users_action.isEnabled()
    assert menu.users_action.toolTip() == "Manage users"

    with sign_in(workspace.url, "clerk1") as clerk:
        menu.set_workspace(clerk)
        assert not menu.users_action.isEnabled()
        assert "needs the supervisor, compliance or admin role" in menu.users_action.toolTip()
        assert "(you have clerk)" in menu.users_action.toolTip()
        assert menu.show_users() is None

    with sign_in(workspace.url, "super1") as supervisor:
        menu.set_workspace(supervisor)
        assert menu.users_action.isEnabled()
        assert menu.users_action.toolTip().startswith("Read-only: ")
        dlg = menu.show_users()
        assert dlg is not None and dlg.read_only
        assert not dlg.add_button.isEnabled() and not dlg.edit_button.isEnabled()
        assert "needs the admin role" in dlg.add_button.toolTip()
        assert "read-only" in dlg.summary.text()
        assert dlg.add_user() is None
        dlg.reject()


def test_change_and_clear_my_password(
    qtbot: QtBot, workspace: Workspace, window: tuple[MainWindow, SecurityMenu]
) -> None:
    win, menu = window
    add_staff(workspace, "clerk1", {Role.CLERK})
    with sign_in(workspace.url, "clerk1") as clerk:
        menu.set_workspace(clerk)
        # On a local file clerk1 signed in with a password (they are not the computer's
        # login); with their own database login they have none yet.
        had = clerk.user.has_password
        assert menu.clear_password_action.isEnabled() is had
        assert menu.change_password_action.text() == (
            "&Change my password…" if had else "Set a &password for me…"
        )
        first = menu.change_password()
        assert first is not None
        assert first.windowTitle() == ("Change my password" if had else "Set a password")
        if had:
            first.current.setText(STAFF_PASSWORD)
        first.new.setText("first-password-1")
        first.repeat.setText("first-password-2")
        first.save()
        wait_ops(qtbot)
        assert first.error_label.text().startswith("new password: the two entries")
        first.repeat.setText("first-password-1")
        with qtbot.waitSignal(first.password_changed):
            first.save()
        assert clerk.users.check_password("first-password-1")
        assert menu.clear_password_action.isEnabled()

        change = menu.change_password()
        assert change is not None and change.windowTitle() == "Change my password"
        change.current.setText("wrong-password-0")
        change.new.setText("second-password-2")
        change.repeat.setText("second-password-2")
        change.save()
        wait_ops(qtbot)
        assert change.error_label.text() == "current password: is not right"
        change.current.setText("first-password-1")
        change.save()
        wait_ops(qtbot)
        assert not change.isVisible()
        assert clerk.users.check_password("second-password-2")

        clear = menu.clear_password()
        assert clear is not None and clear.windowTitle() == "Clear my password"
        clear.current.setText("second-password-2")
        clear.save()
        wait_ops(qtbot)
        assert not clear.isVisible()
        assert not clerk.users.get("clerk1").has_password
        assert not menu.clear_password_action.isEnabled()
        assert win.statusBar().currentMessage() == "Your Desk password was removed."


def test_a_double_save_adds_the_user_once(
    qtbot: QtBot, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlg = _users_dialog(qtbot, workspace)
    form = dlg.add_user()
    assert form is not None
    qtbot.keyClicks(form.username, "clerk2")
    form.role_boxes[Role.CLERK].setChecked(True)
    added: list[str] = []
    add = workspace.users.add

    def counted(username: str, *args: object, **kwargs: object) -> object:
        added.append(username)
        return add(username, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workspace.users, "add", counted)
    form.save()
    form.save()  # pressed again before the first save came back
    wait_ops(qtbot)
    assert added == ["clerk2"] and not form.isVisible()
    assert _column(dlg, 0) == ["clerk2", "tester"]


def test_a_grant_is_filed_shown_pending_and_a_local_user_needs_a_password(
    qtbot: QtBot, sqlite_workspace: Workspace
) -> None:
    """Once the database has a principal, giving power is a request; the dialog says so."""
    principal = [Registration("S24", date(2020, 1, 1))]
    add_staff(sqlite_workspace, "boss", {Role.SUPERVISOR}, registrations=principal)  # the first
    local = dialog = UsersDialog(
        sqlite_workspace.users, refusal=None, local_login=sqlite_workspace.user.db_login
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert local.pending.isHidden()
    form = dialog.add_user()
    assert form is not None
    qtbot.keyClicks(form.username, "newsup")
    form.role_boxes[Role.SUPERVISOR].setChecked(True)
    _save(qtbot, form)  # no password: nobody could sign in as newsup on this file
    assert form.isVisible() and "cannot sign in" in form.error_label.text()
    form.password_mode.setCurrentIndex(form.password_mode.findData("set"))
    qtbot.keyClicks(form.new_password, "supervise-me-42")
    qtbot.keyClicks(form.repeat_password, "supervise-me-42")
    with qtbot.waitSignal(form.accepted):
        _save(qtbot, form)
    assert "newsup" not in _column(dialog, 0)
    assert "Request" in dialog.notice.text() and "principal" in dialog.notice.text()
    assert dialog.pending.isVisible() and "Add newsup" in dialog.pending.text()
    [grant] = sqlite_workspace.users.pending_grants()
    assert grant.username == "newsup"


def test_the_search_box_narrows_the_users_and_esc_brings_them_back(
    qtbot: QtBot, workspace: Workspace
) -> None:
    for name, full_name in (("mchen", "Mei Chen"), ("mchenko", "Mykola Chenko"),
                            ("jlee", "Jordan Lee")):  # fmt: skip
        add_staff(workspace, name, [Role.CLERK], full_name=full_name)
    dlg = _users_dialog(qtbot, workspace)
    everyone = dlg.table.rowCount()
    qtbot.keyClicks(dlg.search, "CHEN")
    qtbot.waitUntil(lambda: _column(dlg, 0) == ["mchen", "mchenko"], timeout=5_000)
    assert dlg.summary.text().startswith("2 users matching “CHEN”")
    dlg.search.setText("chen mykola")
    qtbot.keyClick(dlg.search, Qt.Key.Key_Return)
    assert _column(dlg, 0) == ["mchenko"]
    qtbot.keyClick(dlg.search, Qt.Key.Key_Escape)
    assert dlg.isVisible() and dlg.search.text() == ""  # Esc emptied the box, kept the dialog
    assert dlg.table.rowCount() == everyone
