"""``desk-app screenshot``: each tab, and the trade ticket, rendered to PNG files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desk_app.ui.screenshot import render_screenshots
from tests.conftest import STAFF_PASSWORD, sign_in

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


def test_every_tab_and_the_ticket_are_rendered(qtbot: QtBot, demo_url: str, tmp_path: Path) -> None:
    ws = sign_in(demo_url, "sgoldberg")  # a supervisor: the ticket opens for them
    try:
        saved = render_screenshots(ws, tmp_path)
    finally:
        ws.close()
    names = [p.name for p in saved]
    assert names == [
        "blotter.png", "settlements.png", "fails.png", "accounts.png", "estates.png",
        "acats.png", "certificates.png", "manifests.png", "approvals.png",
        "counterparties.png", "instruments.png", "prices.png", "ticket.png",
    ]  # fmt: skip
    for path in saved:
        image = QImage(str(path))
        assert image.width() > 400 and image.height() > 300, path.name


def test_the_command_signs_in_with_the_password_and_shows_the_demo_at_work(
    qtbot: QtBot, demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `make screenshots` runs it: a demo supervisor proven by DESK_PASSWORD."""
    from desk_app.app import main

    monkeypatch.setenv("DESK_PASSWORD", "wrong")
    assert (
        main(["--db", demo_url, "--user", "sgoldberg", "screenshot", "--out", str(tmp_path)]) == 1
    )
    assert not list(tmp_path.glob("*.png"))  # a wrong password renders nothing
    monkeypatch.setenv("DESK_PASSWORD", STAFF_PASSWORD)
    out = tmp_path / "shots"
    shoot = ["--db", demo_url, "--user", "sgoldberg", "screenshot", "--out", str(out)]
    with pytest.raises(SystemExit) as usage:
        main([*shoot, "--size", "1366by768"])
    assert usage.value.code == 2 and not out.exists()
    # The user guide's pictures: the size of a common floor laptop.
    assert main([*shoot, "--size", "1366x768"]) == 0
    assert (out / "blotter.png").is_file() and (out / "ticket.png").is_file()
    blotter = QImage(str(out / "blotter.png"))
    assert (blotter.width(), blotter.height()) == (1366, 768)
