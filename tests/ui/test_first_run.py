"""The first run on an empty data folder: the welcome, and each of its three ways on.

Every test has a data folder and a settings file of its own (never the user's), and
a keyring kept in memory: a real `keyring` backend, so that Desk's own keyring calls
run as they do on a desktop.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from desk_app import opening
from desk_app.domain.codes import Role, Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.ui.dialogs.connect_dialog import ConnectDialog
from desk_app.ui.dialogs.welcome_dialog import WelcomeDialog
from desk_app.ui.first_run import NOTHING_CHOSEN
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from tests.services.supervision.test_first_user import Books

pytestmark = pytest.mark.gui


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its passwords in a dict for the test's lifetime."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder of this test's own: the default file is not there."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "Desk"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def controller(
    qtbot: QtBot, data_folder: Path, settings_file: Path
) -> Iterator[opening.DeskController]:
    def settings() -> DeskSettings:
        return DeskSettings(QSettings(str(settings_file), QSettings.Format.IniFormat))

    window = MainWindow(settings(), "tester")
    qtbot.addWidget(window)
    window.show()
    ctl = opening.DeskController(window, settings(), "tester")
    yield ctl
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    ctl.shutdown()


def _welcome(qtbot: QtBot, ctl: opening.DeskController) -> WelcomeDialog:
    ctl.start(None)
    qtbot.waitUntil(lambda: ctl.welcome is not None and ctl.welcome.dialog.isVisible())
    assert ctl.welcome is not None
    return ctl.welcome.dialog


def test_local_first_run_creates_you_with_your_roles_and_you_can_book(
    qtbot: QtBot, controller: opening.DeskController, data_folder: Path
) -> None:
    dialog = _welcome(qtbot, controller)
    page = dialog.local_page
    default = data_folder / "desk.db"
    assert page.default_label.text() == str(default)
    dialog.choice_buttons["local"].click()
    assert dialog.current_page() is page
    assert {r for r, box in page.role_boxes.items() if box.isChecked()} == {Role.CLERK, Role.ADMIN}
    assert not page.role_boxes[Role.ADMIN].isEnabled()  # the first user is always an admin

    page.create_button.click()  # no name: said, and nothing made
    assert page.error_label.text() == "Full name: say who you are (your full name)."
    assert dialog.isVisible() and not default.exists()

    page.full_name.setText("Tess Ter")
    page.role_boxes[Role.SUPERVISOR].setChecked(True)
    assert "principal registration" in page.hint.text()
    page.add_registration("S24")
    assert page.hint.isHidden()
    with qtbot.waitSignal(controller.workspace_opened, timeout=30_000):
        page.create_button.click()
    assert not dialog.isVisible() and default.is_file()
    ws = controller.workspace
    assert ws is not None
    assert (ws.user.username, ws.user.full_name) == ("tester", "Tess Ter")
    assert ws.user.roles == {Role.CLERK, Role.SUPERVISOR, Role.ADMIN}
    assert [r.series for r in ws.user.registrations] == ["S24"]
    assert controller.settings.last_database_url() == DatabaseAddress.sqlite_file(default).url

    from desk_app.services.workspace import Workspace

    assert isinstance(ws, Workspace)
    books = Books(ws)
    books.account("ACC-100")
    books.instrument("US0378331005")
    books.counterparty("GSCO")
    assert ws.trades.book(TradeTerms(
        account="ACC-100", side=Side.BUY, isin="US0378331005", quantity=Decimal(100),
        price=Decimal("210.25"), currency="USD", trade_date=market_today(),
        trade_time=datetime.now(UTC), counterparty="GSCO",
    )) > 0  # fmt: skip


def test_an_existing_file_elsewhere_is_opened_as_it_is(
    qtbot: QtBot, controller: opening.DeskController, sqlite_url: str
) -> None:
    dialog = _welcome(qtbot, controller)
    dialog.choice_buttons["local"].click()
    page = dialog.local_page
    existing = sqlite_url.removeprefix("sqlite:///")
    page.elsewhere.setChecked(True)
    page.other_path.setText(existing)
    assert page.create_button.text() == "Open database"
    assert not page.who.isEnabled() and page.existing_note.isVisibleTo(page)
    with qtbot.waitSignal(controller.workspace_opened, timeout=30_000):
        page.create_button.click()
    assert controller.workspace is not None
    assert controller.workspace.url == DatabaseAddress.sqlite_file(Path(existing)).url


def _connect_dialog(qtbot: QtBot, ctl: opening.DeskController) -> ConnectDialog:
    dialog = _welcome(qtbot, ctl)
    dialog.choice_buttons["shared"].click()
    qtbot.waitUntil(lambda: ctl.connect_dialog is not None and ctl.connect_dialog.isVisible())
    assert ctl.connect_dialog is not None and not dialog.isVisible()
    return ctl.connect_dialog


def _refused(qtbot: QtBot, connect: ConnectDialog, url: str) -> str:
    connect.set_url(url)
    with qtbot.waitSignal(connect.test_finished, timeout=30_000) as tested:
        connect.connect_button.click()
    assert tested.args[0] is False
    return str(tested.args[1])


def test_shared_is_tested_before_anything_is_saved(
    qtbot: QtBot,
    controller: opening.DeskController,
    pg_url: str,
    memory_keyring: MemoryKeyring,
    settings_file: Path,
) -> None:
    connect = _connect_dialog(qtbot, controller)
    qtbot.waitUntil(connect.remember.isEnabled)  # the keyring works here
    connect.password.setText("s3cret")
    no_db = make_url(pg_url).set(database="no_such_desk").render_as_string(hide_password=False)
    said = _refused(qtbot, connect, no_db)
    assert said.startswith("Not connected, nothing saved.") and "no_such_desk" in said
    no_server = make_url(pg_url).set(port=1).render_as_string(hide_password=False)
    assert "Cannot reach" in _refused(qtbot, connect, no_server)
    assert connect.isVisible() and connect.result_label.text().startswith("Not connected")
    assert controller.workspace is None and memory_keyring.passwords == {}
    assert controller.settings.last_database_url() is None

    connect.set_url(pg_url)
    with qtbot.waitSignal(controller.workspace_opened, timeout=60_000):
        connect.connect_button.click()
    ws = controller.workspace
    assert ws is not None and ws.is_shared
    assert controller.settings.last_database_url() == DatabaseAddress.parse(pg_url).url
    entry = DatabaseAddress.parse(pg_url).keyring_entry()
    assert memory_keyring.passwords == {("Desk", entry): "s3cret"}
    controller.settings.sync()
    assert "s3cret" not in settings_file.read_text()


def test_cancelling_the_connection_comes_back_to_the_welcome(
    qtbot: QtBot, controller: opening.DeskController
) -> None:
    connect = _connect_dialog(qtbot, controller)
    connect.reject()
    assert controller.welcome is not None
    qtbot.waitUntil(controller.welcome.dialog.isVisible)
    controller.welcome.dialog.close_button.click()
    assert controller.window.database_text() == NOTHING_CHOSEN
    assert controller.window.statusBar().currentMessage() == NOTHING_CHOSEN


def test_the_demo_opens_the_demo_file_and_is_not_remembered(
    qtbot: QtBot, controller: opening.DeskController, data_folder: Path, demo_template: Path
) -> None:
    data_folder.mkdir(parents=True)
    shutil.copyfile(demo_template, data_folder / "desk-demo.db")  # filled: no 30,000 trades
    dialog = _welcome(qtbot, controller)
    with qtbot.waitSignal(controller.workspace_opened, timeout=30_000):
        dialog.choice_buttons["demo"].click()
    ws = controller.workspace
    demo_file = data_folder / "desk-demo.db"
    assert ws is not None and ws.url == DatabaseAddress.sqlite_file(demo_file).url
    assert controller.settings.last_database_url() is None
    assert not (data_folder / "desk.db").exists()


def test_no_welcome_once_a_database_was_chosen(
    qtbot: QtBot, controller: opening.DeskController, sqlite_url: str
) -> None:
    controller.settings.set_last_database_url(sqlite_url)
    with qtbot.waitSignal(controller.workspace_opened, timeout=30_000):
        controller.start(None)
    assert controller.welcome is None


def test_no_welcome_when_the_default_file_is_there(
    qtbot: QtBot, controller: opening.DeskController, data_folder: Path, sqlite_url: str
) -> None:
    data_folder.mkdir(parents=True)
    shutil.copyfile(sqlite_url.removeprefix("sqlite:///"), data_folder / "desk.db")
    with qtbot.waitSignal(controller.workspace_opened, timeout=30_000):
        controller.start(None)
    assert controller.welcome is None
    assert controller.workspace is not None
    assert controller.workspace.url == DatabaseAddress.sqlite_file(data_folder / "desk.db").url
