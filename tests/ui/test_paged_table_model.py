"""The paged table model over real page sources on a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QModelRoleData, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select

from desk_app.db import models
from desk_app.domain.listing import Column, ColumnKind, PageSource, SortSpec
from desk_app.services.workspace import Workspace
from desk_app.ui import theme
from desk_app.ui.models.paged_table_model import PAGE_SIZE, PagedTableModel, format_value

pytestmark = pytest.mark.gui

K = ColumnKind
SOURCES: dict[str, Callable[[Workspace], PageSource]] = {
    "trades": lambda ws: ws.blotter.trades(),
    "obligations": lambda ws: ws.settlements.obligations(),
    "accounts": lambda ws: ws.reference.accounts(),
    "certificates": lambda ws: ws.certificates.certificates(),
}


def _load_all(model: PagedTableModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def _ids(model: PagedTableModel) -> list[int]:
    return [model.row_at(r)[-1] for r in range(model.rowCount())]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_model_passes_qt_model_tester(qtmodeltester, demo_ws: Workspace, name: str) -> None:  # type: ignore[no-untyped-def]
    model = PagedTableModel(SOURCES[name](demo_ws))
    assert model.rowCount() == PAGE_SIZE
    qtmodeltester.check(model)


def test_pages_through_every_trade_without_gaps_or_repeats(demo_ws: Workspace) -> None:
    model = PagedTableModel(demo_ws.blotter.trades())
    assert model.rowCount() == PAGE_SIZE
    assert model.total_count() == 600
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE
    _load_all(model)
    assert not model.canFetchMore(QModelIndex())
    with demo_ws.sessions() as s:
        expected = s.scalars(
            select(models.Trade.id).order_by(models.Trade.trade_date.desc(), models.Trade.id.desc())
        ).all()
    assert _ids(model) == list(expected)


@pytest.mark.parametrize("descending", [False, True])
def test_sort_requeries_in_sql(demo_ws: Workspace, descending: bool) -> None:
    model = PagedTableModel(demo_ws.blotter.trades())
    column = model.column_of("net_amount")
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    model.sort(column, order)
    assert model.sort_spec() == SortSpec("net_amount", descending)
    assert model.rowCount() == PAGE_SIZE  # a fresh first page, not a re-sorted old one
    with demo_ws.sessions() as s:
        extreme = s.scalar(
            select(func.max(models.Trade.net_amount) if descending
                   else func.min(models.Trade.net_amount))
        )  # fmt: skip
    first = model.index(0, column)
    assert first.data(Qt.ItemDataRole.UserRole) == extreme
    values = [model.row_at(r)[column] for r in range(model.rowCount())]
    assert values == sorted(values, reverse=descending)
    _load_all(model)
    assert len(set(_ids(model))) == 600


def test_unsortable_column_is_ignored(demo_ws: Workspace) -> None:
    model = PagedTableModel(demo_ws.reference.accounts())
    before = _ids(model)
    model.sort(model.column_of("tax_id"), Qt.SortOrder.DescendingOrder)
    assert model.sort_spec() == SortSpec("account_number")
    assert _ids(model) == before


def test_roles_format_by_kind(demo_ws: Workspace) -> None:
    model = PagedTableModel(demo_ws.blotter.trades())
    row = model.row_at(0)
    net = model.index(0, model.column_of("net_amount"))
    assert isinstance(net.data(Qt.ItemDataRole.UserRole), Decimal)
    assert net.data() == f"{row[model.column_of('net_amount')]:,.2f}"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert net.data(Qt.ItemDataRole.TextAlignmentRole) == right
    account = model.index(0, model.column_of("account"))
    assert account.data(Qt.ItemDataRole.TextAlignmentRole) != right
    trade_date = model.index(0, model.column_of("trade_date")).data()
    assert trade_date == row[model.column_of("trade_date")].isoformat()
    assert model.index(0, model.column_of("side")).data() in {"Buy", "Sell", "Sell short"}
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Trade"
    assert model.headerData(0, Qt.Orientation.Vertical) is None

    accounts = PagedTableModel(demo_ws.reference.accounts())
    tax = accounts.index(0, accounts.column_of("tax_id"))
    assert "last four" in tax.data(Qt.ItemDataRole.ToolTipRole)
    assert "last four" in accounts.headerData(tax.column(), Qt.Orientation.Horizontal,
                                              Qt.ItemDataRole.ToolTipRole)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (K.MONEY, Decimal("1234567.5"), "1,234,567.50"),
        (K.MONEY, Decimal("-0.0001"), "-0.0001"),
        (K.MONEY, Decimal("12"), "12.00"),
        (K.QUANTITY, Decimal("25000"), "25,000"),
        (K.QUANTITY, Decimal("0.125"), "0.125"),
        (K.PRICE, Decimal("101.50000000"), "101.50"),
        (K.PRICE, Decimal("0.00012345"), "0.00012345"),
        (K.PRICE, Decimal("1234"), "1,234.00"),
        (K.DATE, date(2025, 3, 4), "2025-03-04"),
        (K.BOOL, True, "Yes"),
        (K.BOOL, False, ""),
        (K.INT, 12345, "12345"),
        (K.TEXT, None, ""),
        (K.MONEY, None, ""),
    ],
)
def test_format_value(kind: ColumnKind, value: object, shown: str) -> None:
    assert format_value(Column("c", "C", kind), value) == shown


def test_status_codes_read_as_words() -> None:
    labelled = Column("status", "Status", K.STATUS, {"in_vault": "In vault"})
    assert format_value(labelled, "in_vault") == "In vault"
    assert format_value(Column("s", "S", K.STATUS), "partially_settled") == "Partially settled"
    assert format_value(Column("s", "S", K.STATUS), "LACK") == "LACK"  # a reason code as is


def test_refresh_keeps_sort_and_sees_new_rows(demo_ws: Workspace) -> None:
    model = PagedTableModel(demo_ws.reference.accounts())
    model.sort(model.column_of("name"), Qt.SortOrder.DescendingOrder)
    assert model.total_count() == 300
    with demo_ws.uow.write("test.setup") as s:
        s.add(models.Account(
            account_number="ZZZ-00001", name="Zzyzx Holdings", registration_type="corporate",
            status="open", registered_rep="RR01", opened_on=date(2024, 1, 2),
        ))  # fmt: skip
    assert model.total_count() == 300  # counted once, until the next refresh
    model.refresh()
    assert model.total_count() == 301
    assert model.sort_spec() == SortSpec("name", descending=True)
    assert model.index(0, model.column_of("name")).data() == "Zzyzx Holdings"


def test_no_source_is_an_empty_table(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = PagedTableModel()
    assert (model.rowCount(), model.columnCount(), model.total_count()) == (0, 0, 0)
    assert not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_source_can_be_replaced_and_removed(qtbot: QtBot, demo_ws: Workspace) -> None:
    model = PagedTableModel(demo_ws.blotter.trades())
    with qtbot.waitSignals([model.modelReset, model.reloaded]):
        model.set_source(demo_ws.certificates.certificates())
    assert (model.rowCount(), model.total_count()) == (PAGE_SIZE, 400)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Certificate"
    model.set_source(None)
    assert (model.rowCount(), model.columnCount(), model.total_count()) == (0, 0, 0)


def test_failing_database_is_reported_not_raised(qtbot: QtBot, demo_ws: Workspace) -> None:
    model = PagedTableModel(demo_ws.blotter.trades())
    with demo_ws.engine.begin() as conn:  # the table disappears under the open list
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.exec_driver_sql("DROP TABLE settlement_obligations")
        conn.exec_driver_sql("DROP TABLE trades")
    with qtbot.waitSignal(model.load_failed) as failed:
        model.fetchMore(QModelIndex())
    assert "trades" in failed.args[0]
    assert model.rowCount() == PAGE_SIZE
    assert not model.canFetchMore(QModelIndex())


def test_status_colours_follow_light_and_dark_palettes(demo_ws: Workspace) -> None:
    light = QPalette(QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    dark = QPalette(QColor("#202020"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1b1b1b"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    assert not theme.is_dark(light)
    assert theme.is_dark(dark)
    for tone in (theme.Tone.NEGATIVE, theme.Tone.WARNING, theme.Tone.POSITIVE):
        assert theme.foreground(tone, light).lightness() < 128
        assert theme.foreground(tone, dark).lightness() > 128
    tint = theme.background(theme.Tone.NEGATIVE, dark)
    assert tint is not None and tint.lightness() < 80  # a dark tint on a dark base

    def failing_status(column: Column, row: tuple[object, ...]) -> theme.Tone | None:
        return theme.Tone.NEGATIVE if column.key == "status" and row[1] == "failing" else None

    model = PagedTableModel(demo_ws.settlements.obligations(), tone_rule=failing_status)
    model.sort(model.column_of("status"), Qt.SortOrder.AscendingOrder)
    _load_all(model)
    status = model.column_of("status")
    failing = [r for r in range(model.rowCount()) if model.row_at(r)[status] == "failing"]
    assert failing, "the demo book has failing settlements"
    cell = model.index(failing[0], status)
    assert isinstance(cell.data(Qt.ItemDataRole.ForegroundRole), QColor)
    assert isinstance(cell.data(Qt.ItemDataRole.BackgroundRole), QColor)
    assert cell.data() == "Failing"
    assert model.index(failing[0], 0).data(Qt.ItemDataRole.ForegroundRole) is None


def test_first_page_and_its_row_count_take_one_count_and_one_page(demo_ws: Workspace) -> None:
    """The count that picks the reading order also answers the row count label."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(demo_ws.engine, "before_cursor_execute", seen)
    try:
        model = PagedTableModel(demo_ws.blotter.trades())
        assert model.quick_count() == (600, True)
        assert len(statements) == 2, statements
        model.refresh()  # a refresh counts again: rows may have come since
        assert model.quick_count() == (600, True)
        assert sum("count(" in s.lower() for s in statements) >= 2
    finally:
        event.remove(demo_ws.engine, "before_cursor_execute", seen)
    small = PagedTableModel()
    small.quick_count_limit = 100
    small.set_source(demo_ws.blotter.trades())
    assert small.quick_count() == (100, False)


def test_column_widths_fit_the_widest_text_of_the_first_rows(
    qtbot: QtBot, demo_ws: Workspace
) -> None:
    model = PagedTableModel(demo_ws.blotter.trades())
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    metrics = view.fontMetrics()
    widths = model.fitted_widths(metrics, 40)
    assert len(widths) == model.columnCount()
    for c, width in enumerate(widths):
        texts = [str(model.index(r, c).data()) for r in range(40)]
        assert width == max(metrics.horizontalAdvance(t) for t in texts), c


def test_a_painted_cell_gets_every_role_in_one_call_as_data_gives_them(
    qtbot: QtBot, demo_ws: Workspace
) -> None:
    calls = {"data": 0, "multi": 0}

    class Counting(PagedTableModel):
        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            calls["data"] += 1
            return super().data(index, role)

        def multiData(self, index: Any, roleDataSpan: Any) -> None:  # noqa: N802, N803
            calls["multi"] += 1
            super().multiData(index, roleDataSpan)

    model = Counting(demo_ws.blotter.trades())
    for role in (
        Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.UserRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole,
    ):  # fmt: skip
        for column in range(model.columnCount()):
            index = model.index(3, column)
            asked = QModelRoleData(role)
            model.multiData(index, asked)
            assert asked.data() == index.data(role), (role, column)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1200, 600)
    view.show()
    qtbot.waitExposed(view)
    calls.update(data=0, multi=0)
    view.grab()  # paints every visible cell
    assert calls["multi"] > 100, calls  # a screenful of cells
    assert calls["data"] < calls["multi"]  # not seven calls a cell
