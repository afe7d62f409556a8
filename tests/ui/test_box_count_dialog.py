"""The box count dialog: a clerk counts the vault, a supervisor resolves and closes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desk_app.domain.cutoffs import market_today
from desk_app.domain.states import BoxCountStatus
from desk_app.ui import theme
from desk_app.ui.dialogs.box_count_dialog import (
    NO_COUNT,
    NOT_COUNTING,
    SELECT_ONE,
    SELECT_ROWS,
    BoxCountDialog,
)
from desk_app.ui.theme import Tone
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import IBM, register
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui
W = TypeVar("W", bound=QWidget)


def _open(qtbot: QtBot, desk: Desk, user: str) -> BoxCountDialog:
    ws = desk.ws[user]
    dialog = BoxCountDialog(ws.box_counts, ws.user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _find(dialog: BoxCountDialog, kind: type[W], name: str) -> W:
    """The dialog's widget by objectName (what the clerk sees, not an attribute)."""
    found = dialog.findChild(kind, name)
    assert isinstance(found, kind), name
    return found


def _button(dialog: BoxCountDialog, name: str) -> QPushButton:
    return _find(dialog, QPushButton, name)


def _label(dialog: BoxCountDialog, name: str) -> str:
    return _find(dialog, QLabel, name).text()


def _click(qtbot: QtBot, dialog: BoxCountDialog, name: str) -> None:
    button = _button(dialog, name)
    assert button.isEnabled(), f"{name}: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)  # the step runs on a worker; its outcome or refusal comes back here


def _type(qtbot: QtBot, dialog: BoxCountDialog, name: str, text: str) -> None:
    edit = _find(dialog, QLineEdit, name)
    edit.clear()
    qtbot.keyClicks(edit, text)


def _sheet(dialog: BoxCountDialog, column: str = "result") -> dict[str, str]:
    """Certificate number -> the text the sheet shows in ``column``."""
    model, number = dialog.model, dialog.model.column_of("certificate_number")
    where = model.column_of(column)
    rows = range(model.rowCount())
    return {model.index(r, number).data(): model.index(r, where).data() for r in rows}


def _select(qtbot: QtBot, dialog: BoxCountDialog, *numbers: str) -> None:
    """Ctrl+click the rows of ``numbers`` in the sheet, as a clerk would."""
    view = _find(dialog, QTableView, "box_count_table")
    view.clearSelection()
    model, column = dialog.model, dialog.model.column_of("certificate_number")
    for r in range(model.rowCount()):
        index = model.index(r, column)
        if index.data() in numbers:
            centre = view.visualRect(index).center()
            ctrl = Qt.KeyboardModifier.ControlModifier
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, ctrl, centre)
    assert sorted(str(dialog.model.value_in(r, "certificate_number"))
                  for r in dialog.selected_rows()) == sorted(numbers)  # fmt: skip


def _answers(monkeypatch: pytest.MonkeyPatch, *texts: str) -> None:
    """What the user types into the next QInputDialog.getText prompts."""
    replies: Iterator[str] = iter(texts)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: (next(replies), True))


def _header_colour(dialog: BoxCountDialog) -> str:
    label = _find(dialog, QLabel, "box_count_header")
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def _count(qtbot: QtBot, dialog: BoxCountDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    """K1, K2 found; finishing too early refused; K3 elsewhere, K4 missing, Z1 unlisted."""
    found = _button(dialog, "found")
    assert not found.isEnabled() and found.toolTip() == SELECT_ROWS
    _select(qtbot, dialog, "K1", "K2")
    _click(qtbot, dialog, "found")
    assert _label(dialog, "box_count_notice") == "K1, K2: found"
    _click(qtbot, dialog, "finish_count")  # K3 and K4 are not counted yet: refused, shown
    assert _label(dialog, "box_count_error") == (
        "box count: 2 certificates are not counted yet: K3, K4"
    )
    assert _find(dialog, QLabel, "box_count_error").isVisible()

    _type(qtbot, dialog, "found_at", "Vault C, drawer 1")
    _select(qtbot, dialog, "K3")
    _click(qtbot, dialog, "found")
    assert _find(dialog, QLineEdit, "found_at").text() == ""  # cleared for the next find
    _select(qtbot, dialog, "K4")
    _click(qtbot, dialog, "missing")
    _answers(monkeypatch, f"{IBM}:Z1", "Vault A")
    _click(qtbot, dialog, "not_on_sheet")
    assert _sheet(dialog) == {"K1": "Found", "K2": "Found", "K3": "Found", "K4": "Missing",
                              "Z1": "Found, not on record"}  # fmt: skip
    assert _sheet(dialog, "counted_location")["K3"] == "Vault C, drawer 1"


def test_a_clerk_counts_the_vault_from_start_to_finish(
    qtbot: QtBot, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(desk, "K1", "K2", "K3", "K4")
    dialog = _open(qtbot, desk, "carl")
    assert _label(dialog, "box_count_header") == NO_COUNT
    assert not _button(dialog, "found").isVisible()

    _type(qtbot, dialog, "quarter", "2026-q5")
    _click(qtbot, dialog, "start_count")
    assert _label(dialog, "box_count_error") == (
        "quarter: is not a quarter such as 2026-Q4 ('2026-q5')"
    )
    _type(qtbot, dialog, "quarter", "")  # the service's default: this quarter
    with qtbot.waitSignal(dialog.changed):
        _click(qtbot, dialog, "start_count")
    today = market_today()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    assert not _find(dialog, QLabel, "box_count_error").isVisible()
    assert _label(dialog, "box_count_header") == (
        f"Count {dialog.count_id}, {quarter}: Counting · 4 certificates, 4 not counted yet"
    )
    assert _sheet(dialog) == dict.fromkeys(("K1", "K2", "K3", "K4"), "Not counted yet")

    pdf = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(pdf), "PDF"))
    _click(qtbot, dialog, "print_sheet")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _label(dialog, "box_count_notice") == f"Sheet saved to {pdf}"

    _count(qtbot, dialog, monkeypatch)
    resolve = _button(dialog, "resolve")  # a clerk does not resolve differences
    assert not resolve.isEnabled() and "supervisor" in resolve.toolTip()
    assert "needs the" in _button(dialog, "close_count").toolTip()
    _click(qtbot, dialog, "finish_count")
    header = _label(dialog, "box_count_header")
    assert "Counted · 5 certificates, 0 not counted yet" in header
    assert "\nDifferences due by " in header and header.endswith("· 3 of 3 open")
    assert _header_colour(dialog) == theme.foreground(Tone.WARNING).name()
    assert _button(dialog, "found").toolTip() == NOT_COUNTING
    assert not _button(dialog, "resolve").isEnabled()  # still carl's refusal

    checkbox = _find(dialog, QCheckBox, "differences_only")
    checkbox.click()
    assert sorted(_sheet(dialog)) == ["K3", "K4", "Z1"]


def test_a_supervisor_resolves_the_overdue_differences_and_closes_the_count(
    qtbot: QtBot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(desk, "K1", "K2", "K3")
    carl = desk.ws["carl"].box_counts
    count_id = carl.start()
    carl.record(count_id, "K1", found=True)
    carl.record(count_id, "K2", found=False)
    carl.record(count_id, "K3", found=True, location="Vault B")
    carl.finish(count_id, market_today() - timedelta(days=30))

    dialog = _open(qtbot, desk, "sue")
    header = _label(dialog, "box_count_header")
    assert header.endswith("· 2 of 2 open (overdue)")
    assert _header_colour(dialog) == theme.foreground(Tone.NEGATIVE).name()
    assert _button(dialog, "resolve").toolTip() == SELECT_ONE
    _click(qtbot, dialog, "close_count")
    assert _label(dialog, "box_count_error") == "box count: 2 differences are not resolved: K2, K3"

    _find(dialog, QCheckBox, "differences_only").click()
    assert sorted(_sheet(dialog)) == ["K2", "K3"]
    _select(qtbot, dialog, "K2")
    _answers(monkeypatch, "found in drawer 4; register corrected")
    _click(qtbot, dialog, "resolve")
    assert _sheet(dialog, "resolution")["K2"] == "found in drawer 4; register corrected"
    _select(qtbot, dialog, "K3")
    _answers(monkeypatch, "  ")
    _click(qtbot, dialog, "resolve")
    assert _label(dialog, "box_count_error") == "resolution: say how the difference was resolved"
    _answers(monkeypatch, "moved for the audit; register corrected")
    _click(qtbot, dialog, "resolve")
    assert _label(dialog, "box_count_header").endswith("· 0 of 2 open")

    with qtbot.waitSignal(dialog.changed):
        _click(qtbot, dialog, "close_count")
    assert _label(dialog, "box_count_header") == NO_COUNT
    assert _button(dialog, "start_count").isVisible()
    assert carl.summary(count_id).status is BoxCountStatus.CLOSED
    past = _find(dialog, QTableView, "box_count_history").model()  # the count is on record
    assert [past.index(0, c).data() for c in (0, 2, 8)] == [str(count_id), "Closed", "0"]


def test_start_pressed_twice_starts_one_count(qtbot: QtBot, desk: Desk) -> None:
    from desk_app.ui import ops

    register(desk, "K1")
    dialog = _open(qtbot, desk, "carl")
    changed: list[None] = []
    dialog.changed.connect(lambda: changed.append(None))
    assert dialog.start()
    assert not dialog.start()  # pressed again before the first answered: nothing is sent
    assert ops.running() == 1
    wait_ops(qtbot)
    assert len(changed) == 1 and dialog.count_id is not None
    assert not _find(dialog, QLabel, "box_count_error").isVisible()
