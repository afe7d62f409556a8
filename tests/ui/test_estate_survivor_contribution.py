"""The Re-register dialog of a non-spouse joint account (IRC 2040(a)), on both engines:
the survivor's contribution and its evidence, checked as they are typed, go on the request.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.estates_tab import EstatesTab
from tests.services.conftest import Desk
from tests.services.estates.test_estate_parties import R, with_parties
from tests.services.estates.test_estates import BOUGHT, _holdings, _verify_all, estates, give

pytestmark = pytest.mark.gui
__all__ = ["estates"]
DIED = date(2026, 3, 6)


def _open_tab(qtbot: QtBot, tmp_path: Path, desk: Desk, case_id: int) -> EstatesTab:
    store = QSettings(str(tmp_path / "estates.ini"), QSettings.Format.IniFormat)
    tab = EstatesTab(DeskSettings(store))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    tab.set_workspace(desk.ws["carl"])  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: tab.case is not None and tab.case.id == case_id)
    return tab


def _joint_case(desk: Desk, spouses: bool) -> tuple[int, str]:
    number = desk.account(registration_type="joint-jtwros")
    give(desk, number, lots=(BOUGHT,))
    with_parties(desk, number, (R.OWNER, "Al Roe", {}), (R.JOINT_OWNER, "Bea Roe", {}))
    case_id = desk.ws["carl"].estates.open_case(number, DIED, decedent="Bea Roe", spouses=spouses)
    _verify_all(desk, case_id)
    return case_id, desk.account(name="Al Roe")


def test_the_survivor_s_contribution_is_checked_as_typed_and_goes_on_the_request(
    qtbot: QtBot, tmp_path: Path, estates: Desk
) -> None:
    case_id, survivor = _joint_case(estates, spouses=False)
    tab = _open_tab(qtbot, tmp_path, estates, case_id)
    tab.estate_actions["reregister"].trigger()
    dialog = tab.reregister_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.contribution.isVisible() and dialog.evidence.isVisible()
    assert dialog.targets.toPlainText() == f"{survivor}=100"
    assert dialog.contribution_check.text() == (
        "100% of each lot steps up to the value at death (IRC 2040(a))"
    )
    assert dialog.send_button.isEnabled()
    qtbot.keyClicks(dialog.contribution, "130")
    assert "must be from 0 to 100 (130%)" in dialog.contribution_check.text()
    assert not dialog.send_button.isEnabled()
    dialog.contribution.clear()
    qtbot.keyClicks(dialog.contribution, "25")
    assert "evidence: say what shows the survivor contributed it" in (
        dialog.contribution_check.text()
    )
    assert not dialog.send_button.isEnabled()
    qtbot.keyClicks(dialog.evidence, "Al's cheques of 2015")
    assert dialog.contribution_check.text() == (
        "75% of each lot steps up to the value at death (IRC 2040(a))"
    )
    assert dialog.send_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.request_id is not None
    sue = estates.ws["sue"]
    fields = {f.field: f.proposed for f in sue.approvals.detail(dialog.request_id).fields}
    assert (fields["survivor_contribution"], fields["evidence"]) == ("25%", "Al's cheques of 2015")
    sue.approvals.approve(dialog.request_id)
    assert _holdings(estates, survivor) == [
        (Decimal(25), Decimal("1000.00"), BOUGHT.acquired, False),
        (Decimal(75), Decimal("7500.00"), DIED, True),
    ]


def test_spouses_are_not_asked_for_a_contribution(
    qtbot: QtBot, tmp_path: Path, estates: Desk
) -> None:
    case_id, _ = _joint_case(estates, spouses=True)
    tab = _open_tab(qtbot, tmp_path, estates, case_id)
    tab.estate_actions["reregister"].trigger()
    dialog = tab.reregister_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert not dialog.asks_contribution
    assert not dialog.contribution.isVisible() and not dialog.evidence.isVisible()
