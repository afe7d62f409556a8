"""The quarterly box count (SEC 17a-13), from the Certificates tab, start to close.

One screen for the whole count so the clerk never loses the sheet: start it, print
it, mark what was found or missing, finish it, and (a supervisor or compliance)
resolve each difference and close it. The service decides; every refusal shows
in the dialog in its own words, and each button says why it is disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.certificates import CountResult
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError
from desk_app.domain.listing import Column, Row
from desk_app.domain.permissions import Action
from desk_app.domain.states import BoxCountStatus
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.market_dates import market_qdate
from desk_app.ui.models.paged_table_model import PagedTableModel
from desk_app.ui.ops import Op
from desk_app.ui.tabs.certificate_views import BoxCountsView, CountSummaryView
from desk_app.ui.tabs.workspace_view import ActorView
from desk_app.ui.theme import Tone

NO_COUNT = (
    "No box count is open. Starting one freezes a sheet of every certificate the firm "
    "holds: in the vault, prepared, awaiting pickup or returned."
)
SELECT_ROWS = "Select certificates on the sheet first"
SELECT_ONE = "Select one difference first"
NOT_COUNTING = "The count is finished: its results can no longer change"
NOT_COUNTED = "Differences are resolved once the count is finished"
#: objectName, text, and the tooltip while enabled (a disabled one says why instead).
_BUTTONS = (
    ("print_sheet", "Print sheet…", "Save the count sheet the counters take to the vault"),
    ("found", "Found", "Mark the selected certificates found (where: the box on the left)"),
    ("missing", "Missing", "Mark the selected certificates not found"),
    ("not_on_sheet", "Found, not on sheet…", "Add a certificate found that the sheet lacks"),
    ("finish_count", "Finish count", "Every certificate is counted: set the differences' deadline"),
    ("resolve", "Resolve…", "Record how the selected difference was dealt with"),
    ("close_count", "Close count", "Close the count once every difference is resolved"),
)


class BoxCountDialog(QDialog):
    """The open box count (or a way to start one), its sheet and every step of it."""

    #: A step was recorded (the Certificates tab may read again).
    changed = Signal()

    def __init__(
        self, counts: BoxCountsView, user: ActorView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("box_count_dialog")
        self.setWindowTitle("Box count")
        self._counts, self._user = counts, user
        self.count_id: int | None = None
        self.summary: CountSummaryView | None = None
        self.header = self._label("box_count_header")
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.notice = self._label("box_count_notice")
        self.error = error_label("box_count_error", self)
        self.quarter = self._line("quarter", "e.g. 2026-Q4 (blank: this quarter)")
        self.start_button = self._button("start_count", "Start count", self.start)
        self.differences_only = QCheckBox("Differences only", self)
        self.differences_only.setObjectName("differences_only")
        self.differences_only.toggled.connect(self._show_sheet)
        self.found_at = self._line("found_at", "Blank: where the register says")
        self.counted_on = QDateEdit(market_qdate(), self)
        self.counted_on.setObjectName("counted_on")
        self.counted_on.setCalendarPopup(True)
        self.counted_on.setDisplayFormat("yyyy-MM-dd")
        self.counted_on.setMaximumDate(market_qdate())
        self.counted_on.setToolTip("The day the vault was counted (sets the deadline)")
        slots: dict[str, Callable[[], object]] = {
            "print_sheet": self._ask_sheet_path, "found": lambda: self.mark(found=True),
            "missing": lambda: self.mark(found=False), "not_on_sheet": self._ask_unlisted,
            "finish_count": self.finish, "resolve": self._ask_resolution,
            "close_count": self.close_count,
        }  # fmt: skip
        self.buttons = {key: self._button(key, text, slots[key]) for key, text, _ in _BUTTONS}
        self.model = PagedTableModel(tone_rule=self._cell_tone, parent=self)
        self.view = self._table(self.model, "box_count_table")
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.past = PagedTableModel(parent=self)  # earlier counts: the evidence of each quarter
        self.past_view = self._table(self.past, "box_count_history")
        self.past_view.horizontalHeader().setStretchLastSection(False)
        self._start_box = self._box(
            self._box(QLabel("Quarter", self), self.quarter, self.start_button, across=True),
            QLabel("Earlier counts", self), self.past_view,
        )  # fmt: skip
        b = self.buttons
        self._count_box = self._box(
            self._box(b["print_sheet"], self.differences_only, across=True), self.view,
            self._box(QLabel("Found at", self), self.found_at, b["found"], b["missing"],
                      b["not_on_sheet"], across=True),
            self._box(QLabel("Counted on", self), self.counted_on, b["finish_count"], b["resolve"],
                      b["close_count"], across=True),
        )  # fmt: skip
        closer = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        closer.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.header, self._start_box, self._count_box, self.error, self.notice):
            layout.addWidget(widget, 1 if widget in (self._start_box, self._count_box) else 0)
        layout.addWidget(closer)
        self.resize(1080, 620)
        self.refresh()

    # -- building ------------------------------------------------------------------------
    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(placeholder) + 24)
        return edit

    def _button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _box(self, *widgets: QWidget, across: bool = False) -> QWidget:
        """Widgets one above the other (a table takes the height), or ``across``, to the left."""
        box = QWidget(self)
        line = QHBoxLayout(box) if across else QVBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            line.addWidget(widget, 1 if isinstance(widget, QTableView) else 0)
        if across:
            line.addStretch(1)
        return box

    def _table(self, model: PagedTableModel, name: str) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        view.horizontalHeader().setStretchLastSection(True)
        return view

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the open count, its summary and its sheet again (after every step)."""
        self.count_id = self.summary = None
        # On the GUI thread: the open count's summary, a page of its sheet and the past
        # counts, each a few rows, read again after every step.
        try:
            self.count_id = self._counts.open_count()
            self.summary = None if self.count_id is None else self._counts.summary(self.count_id)
        except DeskError as exc:  # not permitted or gone: said in the dialog's error line
            self._fail(exc.message)
        self._start_box.setVisible(self.summary is None)
        self._count_box.setVisible(self.summary is not None)
        self.past.set_source(self._counts.counts() if self.summary is None else None)
        self.past_view.resizeColumnsToContents()
        self._show_header()
        self._show_sheet()

    def _show_header(self) -> None:
        """What the count stands at; amber while differences are open, red once overdue."""
        s = self.summary
        self.header.setPalette(self.palette())
        if s is None:
            self.header.setText(NO_COUNT)
            self.counted_on.setDate(market_qdate())  # not the last count's day
            return
        text = (
            f"Count {s.id}, {s.quarter}: {s.status.label} · {s.items} certificates, "
            f"{s.pending} not counted yet"
        )
        if s.counted_on is not None:
            text += f" · counted on {s.counted_on.isoformat()}"
            self.counted_on.setDate(QDate(s.counted_on.year, s.counted_on.month, s.counted_on.day))
        if s.deadline is not None:
            open_, total = s.open_differences, len(s.differences)
            overdue = bool(open_) and market_today() > s.deadline
            text += f"\nDifferences due by {s.deadline.isoformat()} · {open_} of {total} open"
            text += " (overdue)" if overdue else ""
            if open_:
                set_tone(self.header, Tone.NEGATIVE if overdue else Tone.WARNING)
        self.header.setText(text)

    def _show_sheet(self) -> None:
        """Read the sheet again, keeping the selection (a refused step leaves it as it was)."""
        count_id, only = self.count_id, self.differences_only.isChecked()
        kept = [row[-1] for row in self.selected_rows()]
        self.model.set_source(
            None if count_id is None else self._counts.items(count_id, differences_only=only)
        )
        self.view.resizeColumnsToContents()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r in (self.model.row_of_id(item_id) for item_id in kept):
            if r >= 0:
                self.view.selectionModel().select(self.model.index(r, 0), flags)
        self._update_buttons()

    def _cell_tone(self, column: Column, row: Row) -> Tone | None:
        """Missing and unrecorded in red, found elsewhere in amber, resolutions in green."""
        value = self.model.value_in
        if column.key == "result":
            result = value(row, "result")
            if result in (CountResult.MISSING, CountResult.UNRECORDED):
                return Tone.NEGATIVE
            return Tone.MUTED if result == CountResult.PENDING else None
        if column.key == "counted_location":
            where = value(row, "counted_location")
            return Tone.WARNING if where and where != value(row, "expected_location") else None
        return Tone.POSITIVE if column.key == "resolution" else None

    def selected_rows(self) -> list[Row]:
        """The raw rows selected in the sheet, top to bottom (the id last)."""
        picked = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.row_at(r) for r in picked]

    def reference(self, row: Row) -> str:
        """CUSIP:NUMBER, which the service matches without ambiguity."""
        number = self.model.value_in(row, "certificate_number")
        return f"{self.model.value_in(row, 'cusip')}:{number}"

    # -- what may be done ----------------------------------------------------------------
    def refusal(self, key: str) -> str | None:
        """Why button ``key`` is disabled now, or None: permission, then state, then selection."""
        s = self.summary
        if s is None:
            return "No count is open"
        resolving = key in ("resolve", "close_count")
        if key != "print_sheet":
            why = self._user.refusal(Action.BOX_COUNT_RESOLVE if resolving else Action.BOX_COUNT)
            if why:
                return why
        if resolving:
            if s.status is not BoxCountStatus.COUNTED:
                return NOT_COUNTED
            return SELECT_ONE if key == "resolve" and len(self.selected_rows()) != 1 else None
        if key != "print_sheet" and s.status is not BoxCountStatus.COUNTING:
            return NOT_COUNTING
        return SELECT_ROWS if key in ("found", "missing") and not self.selected_rows() else None

    def _update_buttons(self) -> None:
        why = self._user.refusal(Action.BOX_COUNT)
        self.start_button.setEnabled(why is None)
        self.start_button.setToolTip(why or "Freeze the count sheet for the quarter")
        for key, _text, tip in _BUTTONS:
            reason = self.refusal(key)
            self.buttons[key].setEnabled(reason is None)
            self.buttons[key].setToolTip(reason or tip)

    # -- doing ---------------------------------------------------------------------------
    def _run(
        self, step: Callable[[], object], outcome: str, then: Callable[[], object] | None = None
    ) -> bool:
        """Do ``step`` on a worker; say ``outcome`` ("{}": its result) or why not; read again.

        ``step`` must not touch widgets or the model. False when nothing was started
        (a step of this dialog is still on its way).
        """
        self.error.hide()
        self.notice.clear()

        def done(result: object) -> None:
            self.notice.setText(outcome.replace("{}", str(result)))
            if then is not None:
                then()
            self.refresh()
            self.changed.emit()

        def refused(exc: DeskError) -> None:
            self._fail(exc.message)
            self.refresh()

        return Op(self, step, done=done, refused=refused, busy_key=f"box_count:{id(self)}").run()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def start(self) -> bool:
        quarter = self.quarter.text().strip() or None  # None: the service's current quarter
        counts = self._counts
        return self._run(lambda: counts.start(quarter), "Count {} started: print the sheet")

    def save_sheet(self, path: str | Path) -> bool:
        """Write the count sheet (a PDF) to ``path``."""
        counts, count_id = self._counts, self.count_id

        def write() -> int:
            pdf = counts.sheet_pdf(_open(count_id))
            try:
                return Path(path).write_bytes(pdf)
            except OSError as exc:  # the clerk's folder, not a bug
                raise DeskError(f"Not saved: {exc}") from None

        return self._run(write, f"Sheet saved to {path}")

    def _ask_sheet_path(self) -> None:
        name = f"box-count-{self.summary.quarter if self.summary else 'sheet'}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save the count sheet", name, "PDF (*.pdf)")
        if path:
            self.save_sheet(path)

    def mark(self, *, found: bool) -> bool:
        """Record the selected certificates found (at "Found at", if given) or missing."""
        rows, where = self.selected_rows(), self.found_at.text() if found else ""
        refs = [self.reference(row) for row in rows]  # all or none
        numbers = ", ".join(str(self.model.value_in(r, "certificate_number")) for r in rows)
        counts, count_id = self._counts, self.count_id

        def record_all() -> str:
            if found:
                counts.record_many(_open(count_id), found=refs, location=where)
            else:
                counts.record_many(_open(count_id), missing=refs)
            return numbers

        # A place typed for one find must not stick to the next.
        return self._run(
            record_all, "{}: " + ("found" if found else "missing"), then=self.found_at.clear
        )

    def add_unlisted(self, reference: str, location: str) -> bool:
        """Add a certificate found in the vault that the sheet does not list."""
        counts, count_id = self._counts, self.count_id
        return self._run(
            lambda: counts.record(_open(count_id), reference, found=True, location=location),
            f"{reference.strip().upper()} added: found, not on record",
        )

    def _ask_unlisted(self) -> None:
        title = "Found, not on sheet"
        reference, ok = QInputDialog.getText(self, title, "Certificate found (CUSIP:NUMBER):")
        if ok and reference.strip():
            location, ok = QInputDialog.getText(self, title, "Found at:")
            if ok:
                self.add_unlisted(reference, location)

    def finish(self) -> bool:
        day = self.counted_on.date()
        on = date(day.year(), day.month(), day.day())
        counts, count_id = self._counts, self.count_id
        return self._run(lambda: counts.finish(_open(count_id), on), "Differences due by {}")

    def resolve_selected(self, resolution: str) -> bool:
        """Record ``resolution`` on the one selected difference."""
        rows = self.selected_rows()
        if len(rows) != 1:
            self._fail(SELECT_ONE)
            return False
        ref, counts, count_id = self.reference(rows[0]), self._counts, self.count_id
        return self._run(
            lambda: counts.resolve(_open(count_id), ref, resolution), f"{ref} resolved"
        )

    def _ask_resolution(self) -> None:
        rows = self.selected_rows()
        number = self.model.value_in(rows[0], "certificate_number") if rows else ""
        ask = f"How was the difference on {number} dealt with?"
        text, ok = QInputDialog.getText(self, "Resolve a difference", ask)
        if ok:
            self.resolve_selected(text)

    def close_count(self) -> bool:
        counts, count_id = self._counts, self.count_id
        return self._run(lambda: counts.close(_open(count_id)), "Count closed")


def _open(count_id: int | None) -> int:
    """The count a step is for (read before the step went to the worker)."""
    if count_id is None:
        raise DeskError("No box count is open")
    return count_id
