"""Standing settlement instructions: the list, and requests to add one or change one.

Nothing changes here: **Request new** files a request for the instruction in the
form, and **Request change** one for the selected instruction's end date (a new
route is a new instruction from the day it applies). A principal other than you approves it.
BICs are checked as they are sent; a refusal names the field. **Import CSV…** files a
request for every line of a file (with the form's reason), or none: each problem of
each line is listed instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import InstrumentType
from desk_app.domain.listing import iter_rows
from desk_app.domain.permissions import Action
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import ActorView, SSIImportView, SSIsView
from desk_app.ui.theme import Tone

HEADERS = ("SSI", "Counterparty", "For account", "Market", "Asset class", "Place",
           "Agent", "Account", "From", "To")  # fmt: skip
NOTE = (
    "Standing instructions are supervised: a request is filed, and nothing changes until "
    "a principal other than you approves it."
)
#: Form field -> SSI field.
FIELDS = (
    ("counterparty", "Counterparty", "GSCO"),
    ("account", "For account", "empty: every account"),
    ("market", "Market", "US"),
    ("place_of_settlement", "Place of settlement", "DTCYUS33"),
    ("agent_bic", "Agent BIC", "IRVTUS3N"),
    ("safekeeping_account", "Account at depository", "0352"),
    ("effective_from", "In force from", "2026-12-01"),
    ("effective_to", "In force to", "empty: open"),
    ("reason", "Reason", "why (the approver reads it)"),
)  # fmt: skip
#: What a change request may carry (see `desk_app.services.settlement.ssis.CHANGEABLE`).
CHANGE = ("effective_to",)


class SSIDialog(QDialog):
    """The instructions, and a form that files requests; `sent` holds the last request id."""

    def __init__(self, ssis: SSIsView, user: ActorView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ssi_dialog")
        self.setWindowTitle("Standing settlement instructions")
        self._ssis = ssis
        self.sent: int | None = None
        self.model = StaticTableModel(HEADERS, self)
        self.table = self._table()
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        self.asset_class = QComboBox(self)
        self.asset_class.setObjectName("asset_class")
        for kind in InstrumentType:
            self.asset_class.addItem(kind.label, kind.value)
        for key, label, hint in FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            self.edits[key] = edit
            form.addRow(label, edit)
            if key == "market":
                form.addRow("Asset class", self.asset_class)
        note = QLabel(NOTE, self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.error = error_label("ssi_error", self)
        self.new_button = self._button("request_new", "Request new", self.request_new)
        self.change_button = self._button("request_change", "Request change", self.request_change)
        self.import_button = self._button("import_csv", "Import CSV…", self.choose_file)
        self.import_button.setToolTip(
            "A request for each instruction of a CSV file, or none: columns "
            "counterparty, market, asset_class, place_of_settlement, agent_bic, "
            "safekeeping_account, effective_from; optional account, effective_to"
        )
        self.problems = QPlainTextEdit(self)
        self.problems.setObjectName("problems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(120)
        self.problems.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(900, 640)
        why = user.refusal(Action.SSI_CHANGE)
        for button in (self.new_button, self.change_button, self.import_button):
            button.setEnabled(why is None)
            button.setToolTip(why or "")
        self.table.selectionModel().currentRowChanged.connect(self._fill_from_selection)
        self.reload()

    def _button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("ssis")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        return table

    def reload(self) -> None:
        # On the GUI thread: the standing instructions are a short list, read as it opens.
        rows = list(iter_rows(self._ssis.instructions()))
        self.model.set_rows([
            [Cell("" if v is None else str(v), v) for v in row[: len(HEADERS)]] for row in rows
        ])  # fmt: skip
        self.table.resizeColumnsToContents()

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        return None if not index.isValid() else int(self.model.cell(index.row(), 0).value)

    def _fill_from_selection(self, *_args: object) -> None:
        """The selected instruction's values in the form, to start a change or a new one."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        values = [self.model.cell(index.row(), n).text for n in range(len(HEADERS))]
        shown = dict(zip(
            ("id", "counterparty", "account", "market", "asset_class", "place_of_settlement",
             "agent_bic", "safekeeping_account", "effective_from", "effective_to"),
            values, strict=True,
        ))  # fmt: skip
        for key, edit in self.edits.items():
            if key != "reason":
                edit.setText(shown.get(key, ""))
        self.asset_class.setCurrentIndex(max(0, self.asset_class.findData(shown["asset_class"])))

    def _values(self, keys: tuple[str, ...]) -> dict[str, str]:
        return {k: self.edits[k].text().strip() for k in keys if self.edits[k].text().strip()}

    def request_new(self) -> bool:
        """File a request for the instruction in the form (on a worker); False if not sent."""
        keys = tuple(k for k, _label, _hint in FIELDS if k != "reason")
        fields = {**self._values(keys), "asset_class": str(self.asset_class.currentData())}
        ssis, reason = self._ssis, self.edits["reason"].text()
        return self._send(lambda: ssis.request_add(fields, reason))

    def request_change(self) -> bool:
        """File a request to change the selected instruction's end date (on a worker)."""
        ssi = self.selected_id()
        if ssi is None:
            self._show("Select the instruction to change first")
            return False
        # On the GUI thread: the one instruction the form compares itself with.
        record = self._ssis.record(ssi).values
        changes = {k: v for k, v in self._values(CHANGE).items() if record.get(k) != v}
        ssis, reason = self._ssis, self.edits["reason"].text()
        return self._send(lambda: ssis.request_change(ssi, changes, reason))

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "Import standing settlement instructions", "", "CSV files (*.csv);;All files (*)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> bool:
        """Check every line of ``path`` and file a request for each, or none (on a worker)."""
        ssis, reason = self._ssis, self.edits["reason"].text()
        self.error.hide()
        self.problems.hide()
        return Op(
            self, lambda: ssis.import_csv(path, reason), done=self._imported,
            refused=lambda exc: self._show(exc.message), busy_key=f"ssi_request:{id(self)}",
        ).run()  # fmt: skip

    def _imported(self, result: SSIImportView) -> None:
        if result.problems:
            n = len(result.problems)
            self._show(f"{n} problem{'' if n == 1 else 's'} in the file; nothing was filed")
            self.problems.setPlainText("\n".join(str(p) for p in result.problems))
            self.problems.show()
            return
        ids = ", ".join(str(i) for i in result.request_ids)
        self.sent = result.request_ids[-1] if result.request_ids else self.sent
        self._show(f"{len(result.request_ids)} request(s) sent for approval: {ids}", error=False)

    def _send(self, send: Callable[[], int]) -> bool:
        """One request at a time: a second press while one is on its way sends nothing."""
        self.error.hide()
        self.problems.hide()
        return Op(
            self, send, done=self._sent, refused=lambda exc: self._show(exc.message),
            busy_key=f"ssi_request:{id(self)}",
        ).run()  # fmt: skip

    def _sent(self, request_id: int) -> None:
        self.sent = request_id
        self._show(f"Request {request_id} sent for approval", error=False)

    def _show(self, text: str, *, error: bool = True) -> None:
        self.error.setText(text)
        set_tone(self.error, Tone.NEGATIVE if error else Tone.POSITIVE)
        self.error.show()
