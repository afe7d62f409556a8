"""The Accounts tab's Restrictions page and the restriction badge, driven as a clerk would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desk_app.domain.restrictions import BADGE
from desk_app.services.workspace import Workspace
from desk_app.ui.dialogs.restriction_dialog import LiftRestrictionDialog, PlaceRestrictionDialog
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.accounts_tab import AccountsTab
from tests.conftest import sign_in
from tests.ui.conftest import wait_ops

if TYPE_CHECKING:
    from tests.ui.conftest import FreeAccounts

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def open_ws(demo_url: str) -> Iterator[Callable[[str], Workspace]]:
    opened: list[Workspace] = []

    def open_as(user: str) -> Workspace:
        opened.append(sign_in(demo_url, user))
        return opened[-1]

    yield open_as
    for ws in opened:
        ws.close()


def _tab(qtbot: QtBot, tmp_path: Path, ws: Workspace) -> AccountsTab:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    tab = AccountsTab(DeskSettings(store))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    tab.set_workspace(ws)
    tab.detail.setCurrentWidget(tab.restrictions_page)  # the pages read only while shown
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    return tab


def _select(qtbot: QtBot, tab: AccountsTab, number: str) -> None:
    tab.set_search(number)
    tab.apply_search()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.view.selectRow(0)
    qtbot.waitUntil(lambda: tab.restrictions_page.number == number)


def _badge(tab: AccountsTab) -> tuple[str, str]:
    index = tab.model.index(0, tab.model.column_of(BADGE))
    return str(index.data() or ""), str(index.data(Qt.ItemDataRole.ToolTipRole) or "")


def test_a_clerk_places_a_restriction_and_asks_to_lift_it(
    qtbot: QtBot, tmp_path: Path, open_ws: Callable[[str], Workspace], free_accounts: FreeAccounts
) -> None:
    clerk, boss = open_ws("jmorales"), open_ws("mobrien")
    number = free_accounts(clerk)[0]
    tab = _tab(qtbot, tmp_path, clerk)
    assert tab.findChild(type(tab.detail), "account_detail") is tab.detail
    assert tab.detail.tabText(tab.detail.currentIndex()) == "Restrictions"
    _select(qtbot, tab, number)
    page = tab.restrictions_page
    assert "no restriction in force" in page.summary.text()
    assert _badge(tab)[0] == ""
    assert not page.lift_button.isEnabled()
    assert page.lift_button.toolTip() == "Select a restriction first"

    qtbot.mouseClick(page.place_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, PlaceRestrictionDialog)
    # What a process places (ACATS validation, a recorded death) is not offered, and said so.
    assert dialog.kind.findData("acats") == dialog.kind.findData("deceased") == -1
    assert dialog.kind.count() == 5
    assert "Deceased holder (placed by recording the holder's death)" in dialog.by_process.text()
    assert "ACATS transfer out (placed by validating" in dialog.by_process.text()
    dialog.kind.setCurrentIndex(dialog.kind.findData("legal-hold"))
    assert "deliver securities" in dialog.stops.text()
    qtbot.mouseClick(dialog.ok_button, LEFT)  # no reason: refused in the dialog
    wait_ops(qtbot)
    assert dialog.isVisible() and "say why" in dialog.error.text()
    qtbot.keyClicks(dialog.reason, "Subpoena 26-114 from the county court")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    wait_ops(qtbot)
    assert not dialog.isVisible() and dialog.made is not None
    assert page.model.column_texts(0) == ["Legal hold"]
    assert page.model.column_texts(1) == ["In force"]
    assert "⚠ Legal hold in force" in page.summary.text()
    assert tab.notice.text().startswith(f"Restriction {dialog.made} placed on {number}")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and _badge(tab)[0] == "⚠ Legal hold")
    assert "Subpoena 26-114" in _badge(tab)[1]

    assert page.lift_button.isEnabled()
    qtbot.mouseClick(page.lift_button, LEFT)
    lift = page.dialog
    assert isinstance(lift, LiftRestrictionDialog)
    qtbot.keyClicks(lift.reason, "The court withdrew the subpoena")
    qtbot.mouseClick(lift.ok_button, LEFT)
    wait_ops(qtbot)
    assert lift.made is not None and not lift.isVisible()
    assert page.model.column_texts(6) == [f"request {lift.made}"]
    assert page.lift_button.toolTip() == f"Request {lift.made} already asks to lift it"

    boss.approvals.approve(lift.made, "Counsel's letter seen")
    page.show_account(number)
    assert page.model.column_texts(1) == ["Lifted"]
    assert page.model.column_texts(7)[0].startswith("mobrien ")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and _badge(tab)[0] == "")


def test_compliance_sees_the_restrictions_but_may_not_place_one(
    qtbot: QtBot, tmp_path: Path, open_ws: Callable[[str], Workspace]
) -> None:
    tab = _tab(qtbot, tmp_path, open_ws("lwashington"))
    tab.view.selectRow(0)
    page = tab.restrictions_page
    qtbot.waitUntil(lambda: page.number is not None)
    assert not page.place_button.isEnabled()
    assert "needs the clerk or supervisor role" in page.place_button.toolTip()
    page.set_workspace(None)
    assert not page.place_button.isEnabled() and page.place_button.toolTip() == "No database open"


def test_the_demo_books_restricted_accounts_wear_the_badge(
    qtbot: QtBot, tmp_path: Path, open_ws: Callable[[str], Workspace]
) -> None:
    tab = _tab(qtbot, tmp_path, open_ws("jmorales"))
    column = tab.model.column_of(BADGE)
    header = tab.view.horizontalHeader()
    assert header.visualIndex(column) == 1  # beside the account number
    assert tab.view.isColumnHidden(tab.model.column_of("restriction_note"))
    qtbot.waitUntil(lambda: not tab.model.canFetchMore(tab.view.rootIndex()) or True)
    badges = [tab.model.index(r, column).data() for r in range(tab.model.rowCount())]
    assert any(str(b).startswith("⚠ ") for b in badges if b)
