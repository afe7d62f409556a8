"""Opening a database in the window lets the restrictions whose day came act."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from tests.services.accounts.test_restriction_sweeps import (
    HOLD,
    RAISED,
    _exception,
    _restrictions_on,
    _sale,
)
from tests.services.conftest import Desk

pytestmark = pytest.mark.gui


def test_the_window_sweeps_as_a_database_opens(
    qtbot: QtBot, tmp_path: Path, settling_desk: Desk
) -> None:
    today = market_today()
    trade = _sale(settling_desk)
    _restrictions_on(settling_desk, today - timedelta(days=1)).place(
        "ACC-100", RestrictionKind.LEGAL_HOLD, HOLD, starts_on=today
    )
    assert _exception(settling_desk, trade) is None
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(DeskSettings(store), "carl")
    qtbot.addWidget(window)
    ws = settling_desk.ws["carl"]
    window.set_workspace(ws)
    qtbot.waitUntil(lambda: ws.restriction_sweeps.swept(today), timeout=10_000)
    assert _exception(settling_desk, trade) == RAISED
    window.clear_workspace()
    QThreadPool.globalInstance().waitForDone(10_000)
