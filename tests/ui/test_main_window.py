"""The main window and the app controller, driven like a clerk would, on real databases."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desk_app import opening
from desk_app.db import models
from desk_app.demo import generate_demo_data
from desk_app.domain.acats import AcatsStatus
from desk_app.domain.errors import DeskError
from desk_app.domain.states import ApprovalStatus, ObligationStatus
from desk_app.services.workspace import Workspace, open_workspace
from desk_app.ui.main_window import OFFLINE_RETRY_MS, MainWindow
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.settlements_tab import SettlementsTab
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab

pytestmark = pytest.mark.gui
OPEN_MANIFESTS = ("draft", "verified", "printed", "in_transit")
CTRL = Qt.KeyboardModifier.ControlModifier
OPEN_TRANSFERS = [s.value for s in AcatsStatus if s.is_open]
TABS = [
    "Trade Blotter", "Settlements Due", "Fails", "Accounts", "Estates", "ACATS",
    "Certificates", "Manifests", "Approvals", "Counterparties", "Instruments", "Prices",
]  # fmt: skip


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[[], DeskSettings]:
    """Settings in a temporary INI file: never the developer's own."""
    path = str(tmp_path / "settings.ini")
    return lambda: DeskSettings(QSettings(path, QSettings.Format.IniFormat))


@pytest.fixture
def make_window(
    qtbot: QtBot, make_settings: Callable[[], DeskSettings]
) -> Callable[[], MainWindow]:
    def make() -> MainWindow:
        window = MainWindow(make_settings(), "tester")
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()  # shortcuts go to the active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        return window

    return make


@pytest.fixture
def controller(
    qtbot: QtBot, make_window: Callable[[], MainWindow], make_settings: Callable[[], DeskSettings]
) -> Iterator[opening.DeskController]:
    ctl = opening.DeskController(make_window(), make_settings(), "tester")
    yield ctl
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    ctl.shutdown()


def _count(ws: Workspace, model: type[models.Base]) -> int:
    with ws.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _open_obligations(ws: Workspace) -> int:
    closed = [s for s in ObligationStatus if not s.is_open]
    with ws.sessions() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(models.SettlementObligation)
                .where(models.SettlementObligation.status.not_in(closed))
            )
            or 0
        )


def test_settlements_worklist_shows_open_obligations_unless_asked(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    tab = window.tab("settlements")
    assert isinstance(tab, SettlementsTab)
    open_count = _open_obligations(demo_ws)
    assert 0 < open_count < _count(demo_ws, models.SettlementObligation)
    assert tab.row_count_text() == f"{open_count:,} rows"
    statuses = {
        tab.model.index(r, tab.model.column_of("status")).data(Qt.ItemDataRole.UserRole)
        for r in range(tab.model.rowCount())
    }  # noqa: E501
    assert not statuses & {"settled", "cancelled"}
    qtbot.mouseClick(tab.include_closed, Qt.MouseButton.LeftButton)
    assert tab.include_closed.isChecked()
    total = _count(demo_ws, models.SettlementObligation)
    qtbot.waitUntil(lambda: tab.row_count_text() == f"{total:,} rows")
    tab.include_closed.setChecked(False)
    qtbot.waitUntil(lambda: tab.row_count_text() == f"{open_count:,} rows")


def _click_header(qtbot: QtBot, tab: TableTab, key: str) -> None:
    header = tab.view.horizontalHeader()
    section = tab.model.column_of(key)
    tab.view.scrollTo(tab.model.index(0, section))
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_empty_tabs_say_the_database_is_opening(make_window: Callable[[], MainWindow]) -> None:
    window = make_window()
    assert [window.tab_widget.tabText(i) for i in range(window.tab_widget.count())] == TABS
    for tab in window.tabs:
        assert tab.model.rowCount() == 0
        assert tab.row_count_text() == OPENING_TEXT
    assert window.database_text() == OPENING_TEXT


def test_ctrl_numbers_switch_tabs_showing_the_database(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    expected = {
        "blotter": _count(demo_ws, models.Trade),
        "settlements": _open_obligations(demo_ws),
        "fails": len(demo_ws.fails.fails()),
        "accounts": _count(demo_ws, models.Account),
        "estates": len(demo_ws.estates.open_cases("")),
        "certificates": _count(demo_ws, models.Certificate),
        "manifests": demo_ws.manifests.manifests(OPEN_MANIFESTS).count(),
        # the queue opens on pending requests: an admin sees only their own (none)
        "approvals": demo_ws.approvals.requests(status=ApprovalStatus.PENDING).count(),
        # reference data opens on the active records
        "counterparties": demo_ws.counterparties.listing(active=True).count(),
        "instruments": demo_ws.instruments.listing(active=True).count(),
        # the open transfers, nearest deadline first
        "acats": demo_ws.acats.transfers(OPEN_TRANSFERS).count(),
    }
    # Ctrl+1 to Ctrl+9: the first nine tabs (the rest are a click or the View menu away).
    for number, tab in reversed(list(enumerate(window.tabs[:9], start=1))):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), CTRL)
        assert window.current_tab() is tab
        rows = expected[tab.key]
        assert tab.row_count_text() == f"{rows:,} {'row' if rows == 1 else 'rows'}"
        assert tab.model.rowCount() == min(200, expected[tab.key])
    qtbot.keyClick(window.current_tab().view, Qt.Key.Key_PageDown, CTRL)
    assert window.current_tab() is window.tab("settlements")

    accounts = window.tab("accounts").model
    with demo_ws.sessions() as s:
        first = s.scalars(select(models.Account).order_by(models.Account.account_number)).first()
    assert first is not None
    assert accounts.index(0, accounts.column_of("account_number")).data() == first.account_number
    assert accounts.index(0, accounts.column_of("name")).data() == first.name
    assert accounts.index(0, accounts.column_of("opened_on")).data() == first.opened_on.isoformat()
    file_name = Path(str(demo_ws.engine.url.database)).name
    assert window.database_text() == f"Local file {file_name}"  # the path is in the tooltip
    assert window.windowTitle() == f"Desk — Local file {file_name}"
    assert str(demo_ws.engine.url.database) in window._database_label.toolTip()


def test_header_click_sorts_in_the_database(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    tab = window.tab("blotter")
    column = tab.model.column_of("net_amount")
    with demo_ws.sessions() as s:
        low = s.scalar(select(func.min(models.Trade.net_amount)))
        high = s.scalar(select(func.max(models.Trade.net_amount)))
    _click_header(qtbot, tab, "net_amount")
    first = tab.model.index(0, column).data(Qt.ItemDataRole.UserRole)
    spec = tab.model.sort_spec()
    assert spec.key == "net_amount"
    assert first == (high if spec.descending else low)
    _click_header(qtbot, tab, "net_amount")
    assert tab.model.sort_spec().descending is not spec.descending
    assert tab.model.index(0, column).data(Qt.ItemDataRole.UserRole) == (
        low if spec.descending else high
    )
    assert tab.view.horizontalHeader().sortIndicatorSection() == column

    accounts = window.tab("accounts")
    window.tab_widget.setCurrentWidget(accounts)
    _click_header(qtbot, accounts, "tax_id")  # masked: not sortable, the order stays
    assert accounts.model.sort_spec().key == "account_number"
    header = accounts.view.horizontalHeader()
    assert header.sortIndicatorSection() == accounts.model.column_of("account_number")


def test_scrolling_fetches_more_pages_without_repeats(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    view = window.tab("blotter").view
    model = window.tab("blotter").model
    for _ in range(3):
        view.scrollToBottom()
        qtbot.waitUntil(lambda: not model.canFetchMore(view.rootIndex()) or model.rowCount() > 200)
    qtbot.waitUntil(lambda: model.rowCount() == 600)
    ids = [model.row_at(r)[-1] for r in range(model.rowCount())]
    assert len(set(ids)) == 600
    with demo_ws.sessions() as s:
        assert set(ids) == set(s.scalars(select(models.Trade.id)))


def test_column_layout_survives_a_restart(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    tab = window.tab("certificates")
    header = tab.view.horizontalHeader()
    header.moveSection(header.visualIndex(tab.model.column_of("status")), 0)
    header.resizeSection(tab.model.column_of("issuer"), 333)
    tab.model.sort(tab.model.column_of("shares"), Qt.SortOrder.DescendingOrder)
    window.resize(700, 500)  # within the offscreen screen
    window.close()

    again = make_window()
    assert (again.width(), again.height()) == (700, 500)
    again.set_workspace(demo_ws)
    tab = again.tab("certificates")
    header = tab.view.horizontalHeader()
    assert header.logicalIndex(0) == tab.model.column_of("status")
    assert header.sectionSize(tab.model.column_of("issuer")) == 333
    assert tab.model.sort_spec().key == "shares" and tab.model.sort_spec().descending
    assert header.sortIndicatorSection() == tab.model.column_of("shares")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    again.tab_widget.setCurrentWidget(tab)
    again.current_tab().reset_layout()
    assert header.logicalIndex(0) == 0
    assert tab.model.sort_spec().key == "certificate_number"


def test_ctrl_c_copies_selected_rows_with_a_header(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)
    tab = window.current_tab()
    tab.view.selectRow(0)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(tab.view, Qt.Key.Key_C, CTRL)
    lines = QApplication.clipboard().text().splitlines()
    assert len(lines) == 3
    # As shown: the restriction badge beside the account, its hidden detail left out.
    assert lines[0].split("\t")[:3] == ["Account", "Restriction", "Name"]
    account = tab.model.index(1, 0).data()
    assert lines[2].split("\t")[0] == account
    assert len(lines[1].split("\t")) == tab.model.columnCount() - 1


def test_about_shows_versions_and_the_database(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    from importlib.metadata import version

    window = make_window()
    window.set_workspace(demo_ws)
    text = window.show_about().copy_versions()
    assert f"SQLAlchemy: {version('SQLAlchemy')}" in text
    assert "Database server: SQLite 3." in text
    assert f"Database: {demo_ws.url}" in text


def test_status_bar_shows_the_connection(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    window.check_connection()
    qtbot.waitUntil(lambda: not window._ping_in_flight)
    assert window.connection_text() == "Connected"
    window.clear_workspace()
    assert window.connection_text() == ""
    assert window.tab("blotter").model.rowCount() == 0


def test_lost_database_shows_offline(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    ws = open_workspace(f"sqlite:///{folder / 'desk.db'}", "tester")
    window = make_window()
    try:
        window.set_workspace(ws)
        ws.engine.dispose()
        shutil.rmtree(folder)  # the network share went away
        window.check_connection()
        qtbot.waitUntil(lambda: window.connection_text() == "Offline — retrying")
        assert window._ping_timer.interval() == OFFLINE_RETRY_MS
    finally:
        window.clear_workspace()
        ws.close()


def test_recent_databases_are_offered_without_passwords(
    qtbot: QtBot, make_window: Callable[[], MainWindow], make_settings: Callable[[], DeskSettings]
) -> None:
    settings = make_settings()
    settings.add_recent_url("sqlite:////data/desk.db")
    settings.add_recent_url("postgresql+psycopg://clerk:s3cret@db.example:5432/desk")
    settings.set_last_database_url("postgresql+psycopg://clerk:s3cret@db.example:5432/desk")
    settings.sync()
    assert "s3cret" not in Path(settings.store.fileName()).read_text()
    window = make_window()
    window.recent_menu.aboutToShow.emit()
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions] == [
        "postgresql+psycopg://clerk@db.example:5432/desk", "sqlite:////data/desk.db",
    ]  # fmt: skip
    with qtbot.waitSignal(window.database_change_requested) as chosen:
        actions[1].trigger()
    assert chosen.args == ["sqlite:////data/desk.db"]


# -- the app controller ----------------------------------------------------------------------


def test_opens_the_database_after_the_window_and_remembers_gui_choices(
    qtbot: QtBot, controller: opening.DeskController, demo_url: str, sqlite_url: str
) -> None:
    window = controller.window
    with qtbot.waitSignal(controller.workspace_opened, timeout=20_000):
        controller.start(demo_url)
    assert window.tab("blotter").row_count_text() == "600 rows"
    assert controller.settings.recent_urls() == [demo_url]
    assert controller.settings.last_database_url() is None  # --db is not a GUI choice

    other = demo_url.replace("desk.db", "other.db")
    Path(other.removeprefix("sqlite:///")).touch()  # an empty file: a new database
    with qtbot.waitSignal(controller.workspace_opened, timeout=20_000):
        window.database_change_requested.emit(other)  # File → Open
    assert window.tab("blotter").row_count_text() == "0 rows"
    assert controller.settings.last_database_url() == other
    assert controller.settings.recent_urls() == [other, demo_url]


def test_corrupt_file_shows_the_database_error_and_is_left_alone(
    qtbot: QtBot, controller: opening.DeskController, tmp_path: Path
) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"not a database")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with qtbot.waitSignal(controller.open_failed, timeout=20_000) as failed:
        controller.start(f"sqlite:///{path}")
    dialog = controller.database_error_dialog
    assert dialog is not None and dialog.isVisible()
    assert "not a Desk database" in failed.args[0]
    assert "Traceback" not in dialog.message_label.text()
    buttons = (dialog.retry_button, dialog.open_button, dialog.connect_button, dialog.quit_button)
    assert [b.text() for b in buttons] == [
        "Retry", "Open another database…", "Connect to shared database…", "Quit",
    ]  # fmt: skip
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("broken")) == [
        "broken.db"
    ]
    assert controller.settings.recent_urls() == []
    assert controller.window.database_text() == "No database open"

    dialog.connect_button.click()
    connect = controller.connect_dialog
    assert connect is not None and connect.isVisible()
    connect.reject()
    controller.show_database_error("again").quit_button.click()
    assert not controller.window.isVisible()


def test_unreachable_postgres_is_explained(
    qtbot: QtBot, controller: opening.DeskController
) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with qtbot.waitSignal(controller.open_failed, timeout=30_000) as failed:
        controller.start(url)
    assert "Cannot reach the database server (PostgreSQL 127.0.0.1:1/none)" in failed.args[0]
    dialog = controller.database_error_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.message_label.text() == failed.args[0]

    dialog.connect_button.click()
    connect = controller.connect_dialog
    assert connect is not None
    assert (connect.host.text(), connect.port.value(), connect.user.text()) == (
        "127.0.0.1", 1, "nobody",
    )  # fmt: skip
    assert connect.url() == url
    with qtbot.waitSignal(connect.test_finished, timeout=30_000) as tested:
        connect.test_button.click()
    assert tested.args[0] is False
    assert "Cannot reach" in connect.result_label.text()


def test_a_bad_url_is_a_message_not_a_crash(
    qtbot: QtBot, controller: opening.DeskController
) -> None:
    with qtbot.waitSignal(controller.open_failed, timeout=20_000) as failed:
        controller.start("mysql://somewhere/db")
    assert failed.args[0].startswith("The database address is not valid: unsupported database")


def test_demo_mode_fills_the_demo_database_with_progress(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    make_settings: Callable[[], DeskSettings],
    empty_sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desk_app.services.database import demo_sqlite_path

    demo_file = demo_sqlite_path()  # in the test session's own data folder (conftest)
    for leftover in demo_file.parent.glob(demo_file.name + "*"):
        leftover.unlink()
    monkeypatch.setattr(opening, "DEMO_TRADES", 300)  # the full 30,000 take a while
    controller = opening.DeskController(make_window(), make_settings(), "tester", demo=True)
    try:
        with qtbot.waitSignal(controller.workspace_opened, timeout=60_000):
            controller.start(empty_sqlite_url)  # as if DESK_DB_URL were set: not used by --demo
        assert controller.progress_dialog is not None
        assert not controller.progress_dialog.isVisible()
        assert controller.window.tab("blotter").row_count_text() == "300 rows"
        assert controller.workspace is not None
        assert controller.workspace.url == f"sqlite:///{demo_file}"
        assert Path(empty_sqlite_url.removeprefix("sqlite:///")).stat().st_size == 0  # untouched
    finally:
        controller.shutdown()


def test_errors_become_dialogs(qtbot: QtBot, controller: opening.DeskController) -> None:
    dialog = controller.errors.show_error(DeskError("Account 123 is closed."))
    assert dialog is not None
    assert dialog.message_label.text() == "Account 123 is closed."
    assert not hasattr(dialog, "copy_button")
    dialog.close()
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        bug = controller.errors.show_error(exc)
    assert bug is not None and "RuntimeError: boom" in bug.message_label.text()
    bug.copy_button.click()
    assert 'raise RuntimeError("boom")' in QApplication.clipboard().text()


def test_shared_database_end_to_end(
    qtbot: QtBot, pg_url: str, controller: opening.DeskController
) -> None:
    """PostgreSQL (skipped unless configured): test the connection, open it, list it."""
    connect = controller.show_connect_dialog(pg_url, keyring=False)
    assert connect.url() == pg_url
    with qtbot.waitSignal(connect.test_finished, timeout=30_000) as tested:
        connect.test_button.click()
    assert tested.args[0] is True, tested.args[1]
    assert connect.result_label.text().startswith("Connected: PostgreSQL")
    with qtbot.waitSignal(controller.workspace_opened, timeout=60_000):
        connect.accept()
    ws = controller.workspace
    assert ws is not None and ws.is_shared
    generate_demo_data(ws.sessions, seed=3, trades=250)
    window = controller.window
    window.refresh()
    assert window.tab("blotter").row_count_text() == "250 rows"
    assert window.database_text().startswith("PostgreSQL ")
    blotter = window.tab("blotter")
    _click_header(qtbot, blotter, "quantity")
    with ws.sessions() as s:
        low = s.scalar(select(func.min(models.Trade.quantity)))
        high = s.scalar(select(func.max(models.Trade.quantity)))
    first = blotter.model.index(0, blotter.model.column_of("quantity")).data(
        Qt.ItemDataRole.UserRole
    )
    assert first == (high if blotter.model.sort_spec().descending else low)
    assert controller.settings.last_database_url() == connect.url()


def test_the_view_menu_opens_the_receipts_and_deliveries_of_certificates(
    qtbot: QtBot, make_window: Callable[[], MainWindow], demo_ws: Workspace
) -> None:
    window = make_window()
    window.set_workspace(demo_ws)
    window.show_movements()
    tab = window.current_tab()
    assert tab.key == "certificates" and getattr(tab, "showing", None) == "movements"
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    assert [c.key for c in tab.model.columns()][:3] == ["at", "kind", "certificate_number"]
    assert window.print_action.isEnabled() is False  # nothing prints from the register
