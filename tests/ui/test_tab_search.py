"""The search box of each list tab: typed words narrow the list, Esc brings it all back.

Over the demo book (SQLite; the queries themselves are tested on both engines in
tests/services/test_search.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.demo.catalogue_people import DEMO_PASSWORD
from desk_app.services.workspace import Workspace, open_workspace
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.accounts_tab import AccountsTab
from desk_app.ui.tabs.approvals_tab import ApprovalsTab
from desk_app.ui.tabs.certificates_tab import CertificatesTab
from desk_app.ui.tabs.fails_tab import FailsTab
from desk_app.ui.tabs.manifests_tab import ManifestsTab
from desk_app.ui.tabs.settlements_tab import SettlementsTab
from desk_app.ui.tabs.table_tab import TableTab
from tests.conftest import settle_workers

pytestmark = pytest.mark.gui


@pytest.fixture
def supervisor(demo_url: str) -> Iterator[Workspace]:
    """The demo book as a supervisor sees it (everyone's approval requests too)."""
    ws = open_workspace(demo_url, "sgoldberg", password=DEMO_PASSWORD)
    yield ws
    settle_workers()
    ws.close()


def _word(ws: Workspace, tab: type[TableTab]) -> str:
    """A word of a record the tab lists by default, in another case than stored."""
    o = m.SettlementObligation
    with ws.sessions() as session:
        if tab is AccountsTab:
            value = session.scalar(select(m.Account.name).order_by(m.Account.id))
        elif tab in (SettlementsTab, FailsTab):
            value = session.scalar(
                select(m.Account.account_number)
                .join(o, o.account_id == m.Account.id)
                .where(o.status.in_(["failing", "partially_settled"]))
                .order_by(o.settle_date)
            )
        elif tab is CertificatesTab:
            value = session.scalar(
                select(m.Certificate.registered_holder).order_by(m.Certificate.id)
            )
        elif tab is ManifestsTab:
            value = session.scalar(select(m.CourierManifest.courier))
        else:
            value = session.scalar(
                select(m.ApprovalRequest.maker).where(m.ApprovalRequest.status == "pending")
            )
    assert value, f"the demo book has something for {tab.__name__}"
    return str(max(str(value).split(), key=len)).swapcase()


def _texts(tab: TableTab) -> list[str]:
    """Each row's shown cells, as one lower-case line."""
    model = tab.model
    return [
        " ".join(str(model.index(r, c).data() or "") for c in range(model.columnCount())).lower()
        for r in range(model.rowCount())
    ]


def _open(qtbot: QtBot, tmp_path: Path, cls: type[TableTab], ws: Workspace) -> TableTab:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    tab = cls(settings)
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    tab.set_workspace(ws)
    return tab


TABS = [AccountsTab, SettlementsTab, FailsTab, CertificatesTab, ManifestsTab, ApprovalsTab]


@pytest.mark.parametrize("cls", TABS, ids=lambda c: c.key)
def test_typing_narrows_the_list_and_esc_brings_it_back(
    qtbot: QtBot, tmp_path: Path, supervisor: Workspace, cls: type[TableTab]
) -> None:
    tab = _open(qtbot, tmp_path, cls, supervisor)
    box = tab.search_box
    assert box is not None and box.placeholderText().startswith("Search ")
    everything = tab.model.rowCount()
    assert everything > 0
    word = _word(supervisor, cls)

    qtbot.keyClicks(box, word)  # applied by itself after the pause
    qtbot.waitUntil(lambda: tab.search_text() == word, timeout=5_000)
    qtbot.waitUntil(lambda: not tab.reads_pending(), timeout=10_000)
    found = _texts(tab)
    assert found and len(found) <= everything
    if cls is not FailsTab:  # a fail's account name is not a column; its number is
        assert all(word.lower() in line for line in found), found[:3]
    assert f"matching “{word}”" in tab.row_count_text()

    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "" and tab.search_text() == ""
    qtbot.waitUntil(lambda: tab.model.rowCount() == everything, timeout=5_000)
    assert "matching" not in tab.row_count_text()


def test_no_matches_say_what_was_searched_and_enter_searches_at_once(
    qtbot: QtBot, tmp_path: Path, supervisor: Workspace
) -> None:
    tab = _open(qtbot, tmp_path, CertificatesTab, supervisor)
    assert tab.search_box is not None
    tab.search_box.setText("zzqx  nothing")
    qtbot.keyClick(tab.search_box, Qt.Key.Key_Return)
    assert tab.search_text() == "zzqx nothing"  # at once, blanks folded
    assert tab.model.rowCount() == 0
    assert tab.row_count_text() == "No matches for “zzqx nothing”"
    assert tab._placeholder.isVisible()
    assert tab._placeholder.text() == "No matches for “zzqx nothing”."


def test_ctrl_f_goes_to_the_search_box_of_the_tab_on_screen(
    qtbot: QtBot, tmp_path: Path, supervisor: Workspace
) -> None:
    tab = _open(qtbot, tmp_path, AccountsTab, supervisor)
    assert tab.search_box is not None
    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=5_000)
    tab.view.setFocus()
    qtbot.waitUntil(tab.view.hasFocus, timeout=5_000)
    qtbot.keyClick(tab.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(tab.search_box.hasFocus, timeout=5_000)


def test_a_tab_without_a_hint_has_no_search_box(qtbot: QtBot, tmp_path: Path) -> None:
    class Plain(TableTab):
        key = "plain"
        title = "Plain"

        def source_from(self, workspace: Any) -> Any:
            raise AssertionError("not opened")

    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    tab = Plain(settings)
    qtbot.addWidget(tab)
    assert tab.search_box is None and tab.search_text() == ""
