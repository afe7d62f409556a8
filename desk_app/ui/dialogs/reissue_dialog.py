"""Reissue… on a certificate: the transfer agent cancelled it and issued new ones.

A transfer of part of a certificate comes back as new certificates for the buyers
plus a balance certificate to the old holder for the shares not transferred. The
dialog shows that balance live as the clerk types the new shares, asks for the
balance certificate's number only while there is one, and leaves the arithmetic's
final word (and every other check) to `CertificateMovesView.reissue`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.certificates import NewCertificate, clean_number, parse_shares
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.money import format_quantity
from desk_app.ui.dialogs.loss_dialogs import fit_height
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.tabs.certificate_views import CertificateMovesView
from desk_app.ui.theme import Tone

#: (key, header, placeholder, longest, width); a cell's editor is named ``{key}_{row}``.
COLUMNS = (
    ("number", "Number", "T2", 20, 110),
    ("holder", "Registered holder", "Jane Doe", 200, 170),
    ("registration", "Registration", "As the holder", 400, 200),
    ("shares", "Shares", "300", 20, 90),
    ("account", "Account", "Optional", 20, 100),
)
NOTE = (
    "The transfer agent cancels this certificate and issues new ones; what they do not "
    "carry comes back to the old holder on a balance certificate."
)


class ReissueDialog(QDialog):
    """Record a cancel-and-reissue of ``reference``; `new_ids` are the certificates made."""

    def __init__(
        self, moves: CertificateMovesView, reference: str, title: str, shares: Decimal,
        holder: str, *, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("reissue_dialog")
        self.setWindowTitle(f"Reissue {title}")
        self._moves = moves
        self.reference = reference
        self.shares = shares
        self.holder = holder
        self.new_ids: list[int] = []
        #: Each row's editors by column key, in table order.
        self.rows: list[dict[str, QLineEdit]] = []

        self.balance = QLabel(self)
        self.balance.setObjectName("balance")
        self.balance.setWordWrap(True)
        self.balance_number = self._line("balance_number", "Number of the balance certificate", 20)
        self.agent = self._line("agent", "Transfer agent that reissued (required)", 200)
        self.location = self._line("location", "Where the new certificates are kept", 80)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Balance certificate", self.balance_number)
        form.addRow("Transfer agent", self.agent)
        form.addRow("Location", self.location)
        self.error = error_label("reissue_error", self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("ok_button")
        self.ok_button.setText("Reissue")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("cancel_button")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self._note(title))
        layout.addWidget(QLabel("New certificates:", self))
        layout.addWidget(self._build_table())
        layout.addLayout(self._row_buttons())
        layout.addWidget(self.balance)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(720)
        self.add_row()

    def _note(self, title: str) -> QLabel:
        shares = format_quantity(self.shares)
        note = QLabel(f"{NOTE} {title} carries {shares} shares registered to {self.holder}.", self)
        note.setObjectName("note")
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return note

    def _build_table(self) -> QTableWidget:
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("new_certificates")
        self.table.setHorizontalHeaderLabels([header for _, header, *_ in COLUMNS])
        self.table.verticalHeader().setToolTip("Errors name the row by this number")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(150)
        for column, (*_, width) in enumerate(COLUMNS):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return self.table

    def _row_buttons(self) -> QHBoxLayout:
        self.add_row_button = self._button("add_row_button", "Add row", self.add_row)
        self.remove_row_button = self._button("remove_row_button", "Remove row", self.remove_row)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(self.add_row_button)
        row_buttons.addWidget(self.remove_row_button)
        row_buttons.addStretch(1)
        return row_buttons

    def _line(self, name: str, placeholder: str, longest: int) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(longest)
        return edit

    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cell being edited keeps the focus
        button.clicked.connect(slot)
        return button

    # -- the table ----------------------------------------------------------------------

    def add_row(self) -> None:
        """A blank new certificate at the end, its number focused."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        editors: dict[str, QLineEdit] = {}
        for column, (key, _, placeholder, longest, _) in enumerate(COLUMNS):
            edit = QLineEdit(self.table)
            edit.setPlaceholderText(placeholder)
            edit.setMaxLength(longest)
            edit.setFrame(False)
            edit.installEventFilter(self)
            self.table.setCellWidget(row, column, edit)
            editors[key] = edit
        editors["shares"].setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editors["shares"].textChanged.connect(self.update_balance)
        self.rows.append(editors)
        self._name_editors()
        self.update_balance()
        editors["number"].setFocus()

    def remove_row(self) -> None:
        """Remove the selected row (the one last edited), else the last."""
        if not self.rows:
            return
        row = self.table.currentRow()
        row = row if 0 <= row < len(self.rows) else len(self.rows) - 1
        self.table.removeRow(row)
        del self.rows[row]
        self._name_editors()
        self.update_balance()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Going into a cell selects its row (its number turns bold): the row Remove row removes."""
        if event.type() == QEvent.Type.FocusIn:
            for row, editors in enumerate(self.rows):
                if watched in editors.values():
                    self.table.selectRow(row)
        return super().eventFilter(watched, event)

    def _name_editors(self) -> None:
        for row, editors in enumerate(self.rows):
            for key, edit in editors.items():
                edit.setObjectName(f"{key}_{row}")

    def cell(self, row: int, key: str) -> QLineEdit:
        """The editor of column ``key`` in ``row`` (0-based)."""
        return self.rows[row][key]

    # -- the balance ---------------------------------------------------------------------

    def balance_shares(self) -> Decimal:
        """The old shares less what the rows carry so far (rows not yet numbers count 0)."""
        total = Decimal(0)
        for editors in self.rows:
            try:
                total += parse_shares("shares", editors["shares"].text())
            except ValidationError:
                continue
        return self.shares - total

    def update_balance(self) -> None:
        """Say what the balance certificate carries; red when the rows carry too many."""
        balance = self.balance_shares()
        text = f"Balance to {self.holder}: {format_quantity(balance)} shares"
        if balance < 0:
            text += f" — the new certificates carry {format_quantity(-balance)} too many"
        self.balance.setText(text)
        set_tone(self.balance, Tone.NEGATIVE if balance < 0 else None)
        self.balance_number.setEnabled(balance > 0)
        self.balance_number.setPlaceholderText(
            "Number of the balance certificate" if balance > 0 else "No balance certificate"
        )

    # -- OK -------------------------------------------------------------------------------

    def accept(self) -> None:
        """Record the reissue on a worker; a refusal shows under the form, the dialog stays open."""
        self.error.hide()
        try:
            issued = self.issued()
        except DeskError as exc:  # a bad row, found here before anything is sent
            self._refused(exc)
            return
        balance = self.balance_number.text() if self.balance_number.isEnabled() else ""
        moves, reference, agent, where = (
            self._moves,
            self.reference,
            self.agent.text(),
            self.location.text(),
        )
        submit(
            self, lambda: moves.reissue(
                reference, issued, balance_number=balance, agent=agent, location=where
            ),
            done=self._reissued, refused=self._refused,
        )  # fmt: skip

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
        fit_height(self, grow_only=True)

    def _reissued(self, new_ids: list[int]) -> None:
        self.new_ids = new_ids
        super().accept()

    def issued(self) -> list[NewCertificate]:
        """The rows as new certificates (blank rows skipped); raise naming a bad row."""
        issued: list[NewCertificate] = []
        for row, editors in enumerate(self.rows, start=1):
            text = {key: edit.text().strip() for key, edit in editors.items()}
            if not any(text.values()):
                continue
            try:
                number = clean_number("number", text["number"])
                if not text["holder"]:
                    raise ValidationError("registered holder", "is required")
                shares = parse_shares("shares", text["shares"])
            except ValidationError as exc:
                raise DeskError(f"Row {row}: {exc.message}") from None
            issued.append(
                NewCertificate(
                    number,
                    text["holder"],
                    text["registration"] or text["holder"],
                    shares,
                    text["account"].upper() or None,
                )  # fmt: skip
            )
        return issued
