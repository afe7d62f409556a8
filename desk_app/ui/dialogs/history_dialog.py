"""A record's history from the audit trail: who changed what, when, and any past version.

The list holds one line per audited change (oldest first). Below it, the selected
change field by field; "Show this version" adds the whole record as it stood after
that change, rebuilt from the trail. Tax ids stay masked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import labels
from desk_app.domain.history import QUIET_FIELDS, RecordChange, moment_text
from desk_app.ui.dialogs.panes import titled_pane
from desk_app.ui.models.paged_table_model import exact_time
from desk_app.ui.models.record_fields import EMPTY, field_label, field_text
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.tabs.workspace_view import RecordHistoryView
from desk_app.ui.theme import Tone, foreground

CHANGE_KINDS = {"create": "Created", "update": "Updated", "delete": "Deleted", "event": "Event"}
ACTION_TEXT = {
    **labels.ACTIONS,
    "account.reveal_tax_id": "Tax ID revealed",
    "demo.generate": "Demo data loaded",
    "trade.book": "Book trade",
    "trade.amend": "Amend trade",
    "trade.cancel": "Cancel trade",
    "trade.import": "Import trades",
    "certificate.register": "Register certificate",
    "certificate.move": "Move certificate",
    "settlement.settle": "Settle",
    "settlement.run": "Settlement run",
}


def action_text(action: str) -> str:
    """``certificate.move`` → ``Move certificate``; an action without a label as words."""
    known = ACTION_TEXT.get(action)
    if known is not None:
        return known
    return action.replace(".", " ").replace("_", " ").capitalize()


#: Bookkeeping a diff need not repeat (the version pane still shows it).
DIFF_QUIET = frozenset({"version"})
NO_CHANGES = (
    "No recorded changes: the record is as it was first loaded. "
    "Its current values are shown on the right."
)


#: Fields whose text `field_text` owns: tax ids stay masked, account codes read as labels.
_MASKED_OR_CODED = frozenset({"tax_id", "tax_id_masked", "revealed"})


def _when(change: RecordChange) -> Cell:
    try:
        moment = datetime.fromisoformat(change.recorded_at)
    except ValueError:
        return Cell(change.recorded_at, change.recorded_at)
    return Cell(moment_text(moment, seconds=True), moment, tooltip=exact_time(moment))


def value_cell_text(
    history: RecordHistoryView, name: str, value: Any, record: Mapping[str, Any] | None
) -> str:
    """A field's value as the history shows it: business keys, money with its currency."""
    if name in _MASKED_OR_CODED:
        return field_text(name, value)
    return history.text(name, value, record) or EMPTY


def change_cells(change: RecordChange, history: RecordHistoryView) -> list[Cell]:
    """When | User | Database login | Action | Change | Approval."""
    approval = change.approval_id
    return [
        _when(change),
        Cell(history.who(change.app_user), change.app_user),
        Cell(change.db_login, change.db_login, tooltip="The login the database knew them by"),
        Cell(action_text(change.action), change.action, tooltip=change.action),
        Cell(CHANGE_KINDS.get(change.change, change.change), change.change),
        Cell("" if approval is None else f"#{approval}", approval,
             tooltip="" if approval is None else f"Applied by approving request {approval}"),
    ]  # fmt: skip


OUTSIDE_WARNING = (
    "This record is not what its audit trail says it should be: it was changed outside "
    "Desk. The versions below are rebuilt from the trail alone; tell compliance."
)


def _warning(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("outside_warning")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {foreground(Tone.NEGATIVE).name()};")
    return label


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _toggle(parent: QWidget) -> QPushButton:
    button = QPushButton("Show this version", parent)
    button.setObjectName("version_toggle")
    button.setCheckable(True)
    button.setToolTip(
        "The whole record as it stood after the selected change, rebuilt from the trail"
    )
    return button


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def _table(model: StaticTableModel, parent: QWidget, *, selectable: bool = False) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setStretchLastSection(True)
    if selectable:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    else:
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    return view


class HistoryDialog(QDialog):
    """The changes of one record, the diff of the selected one, and that version in full."""

    def __init__(self, history: RecordHistoryView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history_dialog")
        self.setWindowTitle(f"History of {history.title}")
        self._history = history
        count = len(history.changes)
        plural = "" if count == 1 else "s"
        heading = _heading(f"{history.title}: {count} recorded change{plural}", self)

        self.changes = StaticTableModel(
            ("When", "User", "Database login", "Action", "Change", "Approval"), self
        )
        self.changes.set_rows([change_cells(c, history) for c in history.changes])
        self.change_view = _table(self.changes, self, selectable=True)
        self.change_view.resizeColumnsToContents()

        self.diff = StaticTableModel(("Field", "Before", "After"), self)
        self.diff_view = _table(self.diff, self)
        self.version = StaticTableModel(("Field", "Value"), self)
        self.version_view = _table(self.version, self)
        for view in (self.diff_view, self.version_view):
            header = view.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.diff_title = QLabel(self)
        self.version_title = QLabel(self)
        self.empty_note = _note(NO_CHANGES, self)
        self.version_toggle = _toggle(self)
        self.version_toggle.toggled.connect(self._show_version_pane)
        self.diff_pane = titled_pane(self, self.diff_title, self.diff_view, self.empty_note)
        self.version_pane = titled_pane(self, self.version_title, self.version_view)
        splitter = self._build_splitter(titled_pane(self, heading, self.change_view))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.version_toggle, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        self.outside_warning = _warning(OUTSIDE_WARNING, self)
        self.outside_warning.setVisible(history.changed_outside)
        layout.addWidget(self.outside_warning)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(960, 620)

        self.change_view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.empty_note.setVisible(count == 0)
        if count:
            self.select_change(count - 1)  # the latest change first
            self.version_pane.hide()
        else:
            self.diff_view.hide()
            self.diff_title.setText("Changes")
            self._fill_version(0)
            self.version_toggle.setChecked(True)
            self.version_toggle.setEnabled(False)

    def _build_splitter(self, upper: QWidget) -> QSplitter:
        """The change list above; the diff and (toggled) the version side by side below."""
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.diff_pane)
        lower.addWidget(self.version_pane)
        lower.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        return splitter

    # -- public -------------------------------------------------------------------------------
    def select_change(self, index: int) -> None:
        """Show change ``index`` (0 = the oldest) in the lower panes."""
        self.change_view.setCurrentIndex(self.changes.index(index, 0))
        self.change_view.selectRow(index)

    def current_change(self) -> int:
        return self.change_view.currentIndex().row()

    # -- internals ----------------------------------------------------------------------------
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        i = current.row()
        change = self._history.changes[i]
        kind = CHANGE_KINDS.get(change.change, change.change).lower()
        who = self._history.who(change.app_user)
        self.diff_title.setText(f"What change {i + 1} did ({kind} by {who})")
        rows = []
        old_record, new_record = self._history.versions[i], self._history.versions[i + 1]
        for d in self._history.diff(i):
            if d.field in DIFF_QUIET:
                continue
            before = value_cell_text(self._history, d.field, d.old, old_record or new_record)
            after = value_cell_text(self._history, d.field, d.new, new_record or old_record)
            rows.append([Cell(field_label(d.field), d.field), Cell(before, tooltip=before),
                         Cell(after, tint=Tone.POSITIVE, tooltip=after)])  # fmt: skip
        self.diff.set_rows(rows)
        self._fill_version(i + 1, {d.field for d in self._history.diff(i)})

    def _fill_version(self, index: int, changed: set[str] | None = None) -> None:
        """``versions[index]``: the record after change ``index - 1`` (0: before any)."""
        record = self._history.versions[index]
        n = len(self._history.changes)
        latest = index == n and not self._history.changed_outside  # else "now" would mislead
        when = "now" if latest else f"after change {index}" if index else "before any change"
        if record is None:
            self.version_title.setText(f"The record did not exist {when}")
            self.version.set_rows([])
            return
        self.version_title.setText(f"The record {when}")
        changed = changed or set()
        self.version.set_rows([
            [Cell(field_label(name), name),
             Cell(value_cell_text(self._history, name, value, record),
                  tint=Tone.POSITIVE if name in changed else None,
                  tooltip="Set by this change" if name in changed else "")]
            for name, value in record.items() if name not in QUIET_FIELDS
        ])  # fmt: skip

    def _show_version_pane(self, shown: bool) -> None:
        self.version_pane.setVisible(shown)
        self.version_toggle.setText("Hide this version" if shown else "Show this version")
