"""The trade ticket: book a trade by hand, or amend one, with every field checked as typed.

Each field is read by the same ``parse_*`` checks the file importers use, so the
ticket and an import say the same thing about a value; once every field reads, the
whole ticket is checked against the books (`TradesView.check`), which fills in the
gross and net amounts. The settlement date comes from the calendar and can only be
overridden with a reason. Enter books (or amends), Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import Side
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.money import format_amount
from desk_app.domain.trade_rows import REASON_MAX
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.ui.dialogs.trade_ticket_fields import (
    LABELS,
    PLACEHOLDERS,
    WIDTHS,
    FieldRow,
    SearchCompleter,
    account_suggestions,
    error_label,
    instrument_suggestions,
    line_edit,
    note_label,
    party_suggestions,
    row_box,
    set_tone,
    supervision_banner,
)
from desk_app.ui.dialogs.trade_ticket_reading import TicketReader
from desk_app.ui.ops import Op
from desk_app.ui.tabs.trade_views import (
    CheckedTradeView,
    TradeLookupView,
    TradeRecordView,
    TradesView,
)
from desk_app.ui.theme import Tone


class TicketMode(StrEnum):
    BOOK = "book"
    AMEND = "amend"


class TradeTicketDialog(QDialog):
    """A trade ticket; in amend mode, opened on a trade version's record."""

    #: A new trade was booked (its id); "Book and new" may emit it several times.
    trade_booked = Signal(int)
    #: An amendment was made or sent for approval (the outcome, as the user reads it).
    trade_amended = Signal(str)

    def __init__(
        self,
        trades: TradesView,
        lookup: TradeLookupView,
        record: TradeRecordView | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trade_ticket_dialog")
        self.mode = TicketMode.BOOK if record is None else TicketMode.AMEND
        self._trades = trades
        self._lookup = lookup
        self._record = record
        self.rows: dict[str, FieldRow] = {}
        self.checked: CheckedTradeView | None = None
        self.booked_id: int | None = None
        self.outcome_text = ""
        self._updating = False
        self.reader = TicketReader(trades, lookup, now or (lambda: datetime.now(UTC)))
        self.setWindowTitle(
            "New trade"
            if record is None
            else f"Amend trade {record.trade_key} (version {record.version_no})"
        )
        self.banner = supervision_banner(record.supervised_because if record else None, self)
        self._build_editors()
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(12)
        for i, row in enumerate(self.rows.values()):
            grid.addWidget(row.label, i, 0)
            grid.addWidget(row.editor, i, 1)
            grid.addWidget(row.note, i, 2)
        self.totals = QLabel(self)
        self.totals.setObjectName("totals")
        font = self.totals.font()
        font.setBold(True)
        self.totals.setFont(font)
        self.general_error = error_label("general_error", self)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.hide()
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(grid)
        layout.addWidget(self.totals)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(860)
        self._fill()
        self.editor("account").setFocus()

    # -- building -------------------------------------------------------------------------
    def _add(self, name: str, editor: QWidget, cell: QWidget | None = None) -> None:
        label = QLabel(LABELS[name], self)
        label.setBuddy(editor)
        self.rows[name] = FieldRow(name, label, cell or editor, note_label(name, self))
        self._editors[name] = editor
        if isinstance(editor, QLineEdit):
            editor.textChanged.connect(self._changed)
            editor.editingFinished.connect(self._left_field)  # a method: gone with the dialog

    def _line(self, name: str) -> QLineEdit:
        edit = line_edit(name, self, PLACEHOLDERS.get(name, ""), WIDTHS.get(name, 0))
        if name in ("quantity", "price", "commission", "fees"):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(180)
        return edit

    def _build_editors(self) -> None:
        self._editors: dict[str, QWidget] = {}
        lookup = self._lookup
        account = self._line("account")
        self.account_completer = SearchCompleter(
            account, lambda t: account_suggestions(lookup.find_accounts(t))
        )
        self._add("account", account)
        self.side = QComboBox(self)
        self.side.setObjectName("side")
        for side in Side:
            self.side.addItem(side.label, side.value)
        self.side.currentIndexChanged.connect(self._changed)
        self._add("side", self.side, row_box(self, self.side))
        instrument = self._line("instrument")
        self.instrument_completer = SearchCompleter(
            instrument, lambda t: instrument_suggestions(lookup.find_instruments(t))
        )
        self.add_instrument_button = QPushButton("Add instrument…", self)
        self.add_instrument_button.setObjectName("add_instrument")
        self.add_instrument_button.setAutoDefault(False)
        self.add_instrument_button.hide()
        self.add_instrument_button.clicked.connect(self.add_instrument)
        self._add("instrument", instrument, row_box(self, instrument, self.add_instrument_button,
                                                    stretch=False))  # fmt: skip
        for name in ("quantity", "price", "price_reason", "currency", "trade_date"):
            self._add(name, self._line(name))
        self.editor("price_reason").setMaxLength(REASON_MAX)
        time = self._line("trade_time")
        self.zone = QLabel(self)
        self.zone.setObjectName("zone")
        set_tone(self.zone, None)
        self._add("trade_time", time, row_box(self, time, self.zone))
        counterparty = self._line("counterparty")
        self.party_completer = SearchCompleter(
            counterparty, lambda t: party_suggestions(lookup.find_counterparties(t))
        )
        self._add("counterparty", counterparty)
        for name in ("commission", "fees"):
            self._add(name, self._line(name))
        settle = self._line("settle_date")
        settle.setReadOnly(True)
        self.cycle = QLabel(self)
        self.cycle.setObjectName("cycle")
        self.override = QCheckBox("Override", self)
        self.override.setObjectName("override")
        self.override.setToolTip("Settle on another date than the calendar's (needs a reason)")
        self.override.toggled.connect(self._override_toggled)
        self._add("settle_date", settle, row_box(self, settle, self.cycle, self.override))
        self._add("settle_date_reason", self._line("settle_date_reason"))
        # Override, then the date it unlocks, then why.
        QWidget.setTabOrder(self.override, settle)
        QWidget.setTabOrder(settle, self.editor("settle_date_reason"))
        if self.mode is TicketMode.AMEND:
            self._add("reason", self._line("reason"))
        for name in ("currency", "trade_date", "trade_time"):
            self.editor(name).textEdited.connect(self._typed_by_hand)

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("book")
        supervised = self._record is not None and self._record.supervised_because
        self.ok_button.setText(
            "&Book" if self._record is None else "Send for &approval" if supervised else "&Amend"
        )
        self.ok_button.setDefault(True)  # Enter in any field books
        self.book_and_new: QPushButton | None = None
        if self.mode is TicketMode.BOOK:
            self.book_and_new = QPushButton("Book and &new", self)
            self.book_and_new.setObjectName("book_and_new")
            self.book_and_new.setAutoDefault(False)
            self.book_and_new.setToolTip("Book, then start the next ticket for the same account")
            self.book_and_new.clicked.connect(self.book_and_start_next)
            self.buttons.addButton(self.book_and_new, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _fill(self) -> None:
        """Today and now (in the market's zone) for a new ticket; the record's terms to amend."""
        self._updating = True
        try:
            if self._record is None:
                self.reader.fill_defaults(self)
            else:
                self.reader.fill_from(self, self._record)
                self.override.setChecked(bool(self._record.terms.settle_date_reason))
        finally:
            self._updating = False
        self._override_toggled(self.override.isChecked())

    # -- public ---------------------------------------------------------------------------
    def editor(self, name: str) -> QLineEdit:
        editor = self._editors[name]
        assert isinstance(editor, QLineEdit), name
        return editor

    def text(self, name: str) -> str:
        return self.editor(name).text()

    def set_text(self, name: str, text: str) -> None:
        """Fill ``name`` in from the program (not the user): no "typed by hand" flag."""
        self.editor(name).setText(text)

    def note(self, name: str) -> str:
        """What the note beside ``name`` says now (an error or what the value resolved to)."""
        row = self.rows[name]
        return row.note.text() if row.note.isVisibleTo(self) else ""

    def errors(self) -> dict[str, str]:
        return {name: row.error for name, row in self.rows.items() if row.error}

    @property
    def side_value(self) -> Side:
        return Side(str(self.side.currentData()))

    @property
    def override_on(self) -> bool:
        return self.override.isChecked()

    def has(self, name: str) -> bool:
        return name in self._editors

    def revalidate(self) -> None:
        """Read every field, say what is wrong beside it, check the whole ticket if all read."""
        if self._updating:
            return
        self._updating = True
        try:
            result = self.reader.read(self)
        finally:
            self._updating = False
        self.add_instrument_button.setVisible(result.can_add_instrument)
        self._show_row("price_reason", result.wants_price_reason)
        for name, row in self.rows.items():
            reason = result.errors.get(name)
            shown = row.touched or name in result.filled or name in result.always_show
            if reason and shown:
                row.show_error(reason)
            else:
                row.show_info(result.infos.get(name, ""))
        self.checked = result.checked
        self.zone.setText(result.zone_text)
        self.cycle.setText(result.cycle_text)
        self._show_totals(result.checked)
        self.general_error.setText(result.general or result.hint)
        set_tone(self.general_error, Tone.NEGATIVE if result.general else None)
        self.general_error.setVisible(bool(result.general or result.hint))
        self.ok_button.setEnabled(result.ok)
        self._fit_height()
        if self.book_and_new is not None:
            self.book_and_new.setEnabled(result.ok)

    def terms(self) -> TradeTerms | None:
        return None if self.checked is None else self.reader.terms

    # -- actions --------------------------------------------------------------------------
    def accept(self) -> None:
        """Book (or amend) what the ticket says; on a refusal, say why and stay open."""
        self._submit(super().accept)

    def book_and_start_next(self) -> None:
        """Book, then clear what differs trade to trade (account and counterparty stay)."""
        self._submit(self._start_next)

    def _start_next(self) -> None:
        self._updating = True
        try:
            for name in ("instrument", "quantity", "price", "price_reason", "commission", "fees",
                         "settle_date_reason"):  # fmt: skip
                self.set_text(name, "")
            self.override.setChecked(False)
            self.reader.fill_defaults(self, keep=("account", "counterparty"))
            for row in self.rows.values():
                row.touched = False
        finally:
            self._updating = False
        self.revalidate()
        self.status.setText(f"Trade {self.booked_id} booked. Next trade:")
        set_tone(self.status, Tone.POSITIVE)
        self.status.show()
        self.editor("instrument").setFocus()

    def add_instrument(self) -> None:
        """Add the unknown (valid) ISIN or CUSIP typed as the instrument, then use it."""
        from desk_app.ui.dialogs.add_instrument_dialog import AddInstrumentDialog

        identifier = self.text("instrument")
        isin = self.reader.unknown_isin
        if isin is None:
            return
        dialog = AddInstrumentDialog(self._lookup, identifier, isin, self)
        self.add_instrument_dialog = dialog
        dialog.accepted.connect(self._instrument_added)
        dialog.open()

    # -- internals ------------------------------------------------------------------------
    def _instrument_added(self) -> None:
        self.reader.forget_instruments()
        self.revalidate()
        self.editor("quantity").setFocus()

    def _submit(self, then: Callable[[], object]) -> None:
        """Book or amend on a worker; ``then`` runs once it is done (a refusal stays here)."""
        self.revalidate()
        terms = self.terms()
        if terms is None or not self.ok_button.isEnabled():
            for row in self.rows.values():
                row.touched = True
            self.revalidate()
            return
        record, reason = self._record, self.text("reason") if self.has("reason") else ""

        def call() -> object:
            if record is None:
                return self._trades.book(terms)
            return self._trades.amend(
                record.id, terms, reason, expected_version=record.row_version
            ).text

        def done(result: object) -> None:
            if record is None:
                assert isinstance(result, int)
                self.booked_id = result
                self.trade_booked.emit(result)
            else:
                self.outcome_text = str(result)
                self.trade_amended.emit(self.outcome_text)
            then()

        Op(self, call, done=done, refused=self._refused, busy_key=f"trade_ticket.{id(self)}").run()

    def _refused(self, exc: DeskError) -> None:
        if isinstance(exc, ValidationError):
            self._show_refusal(self.reader.row_of(exc.field), exc.reason, exc.message)
        else:
            self._show_refusal(None, "", exc.message)

    def _show_refusal(self, row: str | None, reason: str, message: str) -> None:
        if row in self.rows:
            self.rows[row].show_error(reason)
            self.ok_button.setEnabled(False)
            return
        self.general_error.setText(message)
        self.general_error.show()

    def _changed(self, *_args: object) -> None:
        self.status.hide()
        self.revalidate()

    def _left_field(self) -> None:
        row = self.rows.get(self.sender().objectName())
        if row is not None and not row.touched:
            row.touched = True
            self.revalidate()

    def _typed_by_hand(self, _text: str) -> None:
        self.reader.set_by_hand(self.sender().objectName())

    def _override_toggled(self, on: bool) -> None:
        settle = self.editor("settle_date")
        settle.setReadOnly(not on)
        settle.setFocusPolicy(Qt.FocusPolicy.StrongFocus if on else Qt.FocusPolicy.NoFocus)
        palette = self.palette()  # read-only looks it: the window's colour, not a field's
        if not on:
            palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
        settle.setPalette(palette)
        self._show_row("settle_date_reason", on)
        self.revalidate()
        if on and not self._updating and self.isVisible():
            settle.setFocus()
            settle.selectAll()

    def _fit_height(self) -> None:
        """Grow, never shrink, to what the rows now need: a note wrapped to a second line
        or a reason row shown would otherwise squeeze every row and clip the notes."""
        layout = self.layout()
        if layout is None:
            return
        width = self.width()
        need = (
            layout.totalHeightForWidth(width)
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if need > self.height():
            self.resize(width, need)

    def _show_row(self, name: str, on: bool) -> None:
        """A field that only some trades need (a reason): shown, or hidden with its note."""
        row = self.rows[name]
        for widget in (row.label, row.editor):
            widget.setVisible(on)
        if not on:
            row.note.hide()

    def _show_totals(self, checked: CheckedTradeView | None) -> None:
        if checked is None:
            self.totals.setText("Gross —     Net —")
            return
        ccy = self.reader.terms.currency if self.reader.terms else ""
        gross, net = format_amount(checked.amounts.gross), format_amount(checked.amounts.net)
        self.totals.setText(f"Gross {gross} {ccy}     Net {net} {ccy}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on an incomplete ticket shows every field's reason instead of doing nothing."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not self.ok_button.isEnabled():
            for row in self.rows.values():
                row.touched = True
            self.revalidate()
            event.accept()
            return
        super().keyPressEvent(event)
