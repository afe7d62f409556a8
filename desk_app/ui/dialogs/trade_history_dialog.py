"""A trade's history: every version, oldest first, what each one changed, and who and why.

Corrections and cancels never overwrite a trade: each is a version linked to the
first. The table shows them all with the terms each said, the cells that differ from
the version before tinted, and the version that stands now in bold. Below it, the
selected version's changes field by field, as the record history shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import labels
from desk_app.domain.money import format_amount, format_quantity
from desk_app.domain.states import TradeStatus
from desk_app.domain.trade_ticket import market_zone
from desk_app.ui.dialogs.history_dialog import _heading, _note, _table
from desk_app.ui.dialogs.panes import titled_pane
from desk_app.ui.models.paged_table_model import exact_time
from desk_app.ui.models.read_only_table_model import Index
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.tabs.trade_views import TradeRecordView
from desk_app.ui.theme import Tone

_STATUS_TONES = {TradeStatus.AMENDED: Tone.MUTED, TradeStatus.CANCELLED: Tone.NEGATIVE}


@dataclass(frozen=True)
class _Column:
    title: str
    value: Callable[[TradeRecordView], Any]
    text: Callable[[TradeRecordView], str]
    #: A term of the trade (compared with the version before), not bookkeeping.
    term: bool = True
    right: bool = False


def _money(get: Callable[[TradeRecordView], Any]) -> Callable[[TradeRecordView], str]:
    return lambda r: format_amount(get(r))


def _trade_time(r: TradeRecordView) -> str:
    local = r.terms.trade_time.astimezone(market_zone(r.instrument.market))
    return f"{local:%H:%M:%S %Z}"


def _instrument(r: TradeRecordView) -> str:
    return f"{r.instrument.symbol}  {r.terms.isin}" if r.instrument.symbol else r.terms.isin


COLUMNS = (
    _Column("Version", lambda r: r.version_no, lambda r: str(r.version_no), term=False),
    _Column("Status", lambda r: r.status.value, lambda r: r.status.label, term=False),
    _Column("Source", lambda r: r.source.value,
            lambda r: labels.TRADE_SOURCE.get(r.source.value, r.source.value), term=False),
    _Column("External id", lambda r: r.external_id, lambda r: r.external_id or "", term=False),
    _Column("Created at", lambda r: r.created_at,
            lambda r: f"{r.created_at.astimezone():%Y-%m-%d %H:%M:%S %Z}", term=False),
    _Column("Created by", lambda r: r.created_by, lambda r: r.created_by, term=False),
    _Column("Reason", lambda r: r.reason, lambda r: r.reason or "", term=False),
    _Column("Account", lambda r: r.terms.account, lambda r: r.terms.account),
    _Column("Side", lambda r: r.terms.side, lambda r: r.terms.side.label),
    _Column("Instrument", lambda r: r.terms.isin, _instrument),
    _Column("Quantity", lambda r: r.terms.quantity, lambda r: format_quantity(r.terms.quantity),
            right=True),
    _Column("Price", lambda r: r.terms.price, _money(lambda r: r.terms.price), right=True),
    _Column("Price reason", lambda r: r.terms.price_reason, lambda r: r.terms.price_reason),
    _Column("Ccy", lambda r: r.terms.currency, lambda r: r.terms.currency),
    _Column("Trade date", lambda r: r.terms.trade_date, lambda r: r.terms.trade_date.isoformat()),
    _Column("Trade time", lambda r: r.terms.trade_time, _trade_time),
    _Column("Settlement date", lambda r: r.terms.settle_date,
            lambda r: r.terms.settle_date.isoformat() if r.terms.settle_date else ""),
    _Column("Counterparty", lambda r: r.terms.counterparty, lambda r: r.terms.counterparty),
    _Column("Commission", lambda r: r.terms.commission, _money(lambda r: r.terms.commission),
            right=True),
    _Column("Fees", lambda r: r.terms.fees, _money(lambda r: r.terms.fees), right=True),
    _Column("Gross", lambda r: r.gross_amount, _money(lambda r: r.gross_amount), right=True),
    _Column("Net", lambda r: r.net_amount, _money(lambda r: r.net_amount), right=True),
)  # fmt: skip
COLUMN_TITLES = tuple(c.title for c in COLUMNS)


def standing_index(versions: Sequence[TradeRecordView]) -> int:
    """The version that stands now: the active one, else the cancel (the latest)."""
    for i, version in enumerate(versions):
        if version.status is TradeStatus.ACTIVE:
            return i
    return len(versions) - 1


def changed_columns(versions: Sequence[TradeRecordView], i: int) -> list[int]:
    """The term columns where version ``i`` differs from the version before it."""
    if i == 0:
        return []
    before, after = versions[i - 1], versions[i]
    return [
        c for c, col in enumerate(COLUMNS) if col.term and col.value(before) != col.value(after)
    ]


def version_cells(versions: Sequence[TradeRecordView], i: int, standing: int) -> list[Cell]:
    record, changed = versions[i], set(changed_columns(versions, i))
    cells = []
    for c, col in enumerate(COLUMNS):
        text = col.text(record)
        tone, tooltip = None, text if col.title in ("Reason", "Price reason") else ""
        if col.title == "Version" and i == standing:
            text, tooltip = f"{text} (current)", "The version that stands now"
        if col.title == "Status":
            tone = _STATUS_TONES.get(record.status)
        if col.title == "Created at":
            tooltip = exact_time(record.created_at)
        if c in changed:
            tooltip = f"Was {col.text(versions[i - 1]) or '(empty)'} in version {i}"
        cells.append(Cell(text, col.value(record), tone=tone,
                          tint=Tone.POSITIVE if c in changed else None, bold=i == standing,
                          tooltip=tooltip))  # fmt: skip
    return cells


class AlignedTableModel(StaticTableModel):
    """A `StaticTableModel` whose amount columns are right-aligned, as money is in Desk."""

    def __init__(
        self, headers: Sequence[str], right: Iterable[int], parent: QObject | None = None
    ) -> None:
        super().__init__(headers, parent)
        self._right = frozenset(right)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid():
            side = Qt.AlignmentFlag.AlignRight if index.column() in self._right else (
                Qt.AlignmentFlag.AlignLeft)  # fmt: skip
            return side | Qt.AlignmentFlag.AlignVCenter
        return super().data(index, role)


class TradeHistoryDialog(QDialog):
    """Every version of one trade, and what the selected one changed."""

    def __init__(
        self,
        versions: Sequence[TradeRecordView],
        parent: QWidget | None = None,
        *,
        selected_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        if not versions:
            raise ValueError("a trade has at least one version")
        self.setObjectName("trade_history_dialog")
        self._versions = list(versions)
        key = versions[0].trade_key
        self.setWindowTitle(f"History of trade {key}")
        self.standing = standing_index(self._versions)
        count = len(versions)
        state = self._versions[self.standing].status.label.lower()
        heading = _heading(
            f"Trade {key}: {count} version{'' if count == 1 else 's'}, {state} now", self
        )
        right = [c for c, col in enumerate(COLUMNS) if col.right]
        self.versions = AlignedTableModel(COLUMN_TITLES, right, self)
        self.versions.set_rows([version_cells(self._versions, i, self.standing)
                                for i in range(count)])  # fmt: skip
        self.version_view = _table(self.versions, self, selectable=True)
        self.version_view.resizeColumnsToContents()
        self.version_view.horizontalHeader().setStretchLastSection(False)
        self.diff = StaticTableModel(("Field", "Before", "After"), self)
        self.diff_view = _table(self.diff, self)
        header = self.diff_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.diff_title = QLabel(self)
        self.diff_title.setObjectName("diff_title")
        self.diff_note = _note("", self)
        self.diff_note.setObjectName("diff_note")

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(titled_pane(self, heading, self.version_view))
        splitter.addWidget(
            titled_pane(
                self, self.diff_title, self.diff_note, self.diff_view, fixed={self.diff_note}
            )
        )
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(1180, 560)
        self.version_view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        ids = [v.id for v in self._versions]
        self.select_version(ids.index(selected_id) if selected_id in ids else self.standing)

    def select_version(self, index: int) -> None:
        """Show what version ``index`` (0 = the first) changed."""
        self.version_view.setCurrentIndex(self.versions.index(index, 0))
        self.version_view.selectRow(index)

    def current_version(self) -> int:
        return self.version_view.currentIndex().row()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        i = current.row()
        record = self._versions[i]
        who = f"by {record.created_by} on {record.created_at.astimezone():%Y-%m-%d %H:%M %Z}"
        source = labels.TRADE_SOURCE.get(record.source.value, record.source.value)
        why = f": {record.reason}" if record.reason else ""
        self.diff_title.setText(f"Version {record.version_no} ({source}, {who}){why}")
        rows = [
            [Cell(col.title), Cell(col.text(self._versions[i - 1]) or "—"),
             Cell(col.text(record) or "—", tint=Tone.POSITIVE)]
            for col in (COLUMNS[c] for c in changed_columns(self._versions, i))
        ]  # fmt: skip
        self.diff.set_rows(rows)
        if i == 0:
            note = "The trade as first booked."
        elif record.status is TradeStatus.CANCELLED:
            note = "This version cancels the trade: it settles nothing."
        elif not rows:
            note = "No term changed in this version."
        else:
            note = ""
        self.diff_note.setText(note)
        self.diff_note.setVisible(bool(note))
        self.diff_view.setVisible(bool(rows))
