"""The server ends the session while a ticket books: the clerk is told so and retries.

On PostgreSQL only: the test ends its own session (never another's) the moment the
booking's first statement runs on its worker, as an administrator's
``pg_terminate_backend`` or a server restart would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import InstrumentType
from desk_app.ui import ops
from tests.db.test_lost_connections import ENDED, backend_pid, end_next_call, where
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops
from tests.ui.test_trade_ticket import fill, open_ticket, trades

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def floor(pg_url: str) -> Iterator[Desk]:
    desk = Desk(pg_url)
    desk.account("NYC-2001", name="Ada Lovelace")
    desk.instrument("US0378331005", symbol="AAPL", description="Apple Inc. common stock")
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
    yield desk
    desk.close()


def test_a_session_ended_while_booking_says_so_and_retry_books_once(
    qtbot: QtBot, floor: Desk
) -> None:
    dialog = open_ticket(qtbot, floor)
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    assert dialog.ok_button.isEnabled(), dialog.errors()
    ws = floor.ws["carl"]
    ended = end_next_call(ws.engine, on_worker=True)  # the booking's, not the live check's
    with qtbot.waitSignal(ops.tracker().retry_offered) as offered:
        qtbot.keyClick(dialog.editor("price"), Qt.Key.Key_Return)
    wait_ops(qtbot)
    box = offered.args[0]
    assert isinstance(box, QMessageBox) and box.isVisible() and ended
    assert box.text() == ENDED.format(where=where(ws))
    assert dialog.isVisible() and trades(floor) == []  # nothing was booked

    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Retry), Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert not dialog.isVisible()  # booked, on a new session
    (trade,) = trades(floor)
    assert trade.id == dialog.booked_id
    assert backend_pid(ws.engine) != ended[0]
