"""``desk-app screenshot``: each tab, and the trade ticket, rendered to PNG files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desk_app.ui.screenshot import render_screenshots
from tests.conftest import sign_in

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


def test_every_tab_and_the_ticket_are_rendered(qtbot: QtBot, demo_url: str, tmp_path: Path) -> None:
    ws = sign_in(demo_url, "sgoldberg")  # a supervisor: the ticket opens for them
    try:
        saved = render_screenshots(ws, tmp_path)
    finally:
        ws.close()
    names = [p.name for p in saved]
    assert names == [
        "blotter.png", "settlements.png", "fails.png", "accounts.png", "certificates.png",
        "manifests.png",
        "approvals.png", "ticket.png",
    ]  # fmt: skip
    for path in saved:
        image = QImage(str(path))
        assert image.width() > 400 and image.height() > 300, path.name
