"""The pieces of a trade ticket: a field row with its reason beside it, search completers.

A `FieldRow` is a label, an editor and a note to the right of it: the note says why
the value is refused (red) or what it resolved to (muted: the client's name, the
instrument's description). A `SearchCompleter` asks a service as the clerk types
and offers what it found; picking one puts its code into the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from desk_app.domain.codes import AccountStatus
from desk_app.ui import theme
from desk_app.ui.tabs.trade_views import AccountChoice, InstrumentChoice, PartyChoice
from desk_app.ui.theme import Tone

#: The role a completion's code is kept in (what goes into the field when it is picked).
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
NOTE_WIDTH = 300

LABELS = {
    "account": "Account", "side": "Side", "instrument": "Instrument", "quantity": "Quantity",
    "price": "Price", "price_reason": "Price reason", "currency": "Currency",
    "trade_date": "Trade date", "trade_time": "Trade time", "counterparty": "Counterparty",
    "commission": "Commission", "fees": "Fees", "settle_date": "Settlement date",
    "settle_date_reason": "Why this date", "reason": "Reason for the change",
}  # fmt: skip
PLACEHOLDERS = {
    "account": "Account number or client name", "instrument": "ISIN, CUSIP or symbol",
    "quantity": "100", "price": "189.25",
    "price_reason": "Why at this price: a gift, a transfer at no cost… (required for a security)",
    "currency": "USD", "trade_date": "YYYY-MM-DD", "trade_time": "HH:MM:SS",
    "counterparty": "Broker code or name", "commission": "0.00", "fees": "0.00",
    "settle_date": "YYYY-MM-DD", "settle_date_reason": "Why not the calendar's date (required)",
    "reason": "Why the trade is being corrected (required)",
}  # fmt: skip
WIDTHS = {"currency": 70, "trade_date": 110, "trade_time": 90, "settle_date": 110}


@dataclass(frozen=True)
class Suggestion:
    """One line a completer offers: what it shows, the code it fills in, and if it is muted."""

    text: str
    code: str
    muted: bool = False
    tooltip: str = ""


def account_suggestions(found: Sequence[AccountChoice]) -> list[Suggestion]:
    return [
        Suggestion(
            f"{a.number}   {a.name}" + ("" if a.status is AccountStatus.OPEN else
                                        f"   ({a.status.value})"),
            a.number,
            muted=a.status is AccountStatus.CLOSED,
            tooltip="Closed: takes no trades" if a.status is AccountStatus.CLOSED else "",
        )
        for a in found
    ]  # fmt: skip


def instrument_suggestions(found: Sequence[InstrumentChoice]) -> list[Suggestion]:
    return [
        Suggestion(
            f"{i.symbol or '—'}   {i.isin}   {i.description}",
            i.isin,
            muted=not i.active,
            tooltip="" if i.active else "Inactive: takes no trades",
        )
        for i in found
    ]


def party_suggestions(found: Sequence[PartyChoice]) -> list[Suggestion]:
    return [Suggestion(f"{p.code}   {p.name}", p.code, muted=not p.active) for p in found]


class SearchCompleter(QCompleter):
    """Offers what ``search(text)`` finds for the text typed into ``editor``.

    The service does the filtering (prefix or contains, in SQL), so the popup shows
    every suggestion unfiltered; picking one fills in its code, not the whole line.
    """

    def __init__(self, editor: QLineEdit, search: Callable[[str], list[Suggestion]]) -> None:
        self.suggestions = QStandardItemModel(editor)
        super().__init__(self.suggestions, editor)
        self._editor = editor
        self._search = search
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCompletionRole(CODE_ROLE)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setMaxVisibleItems(12)
        editor.setCompleter(self)
        editor.textEdited.connect(self.refresh)

    def refresh(self, text: str) -> None:
        """Ask again for ``text`` and show the popup if anything was found."""
        # On the GUI thread: a prefix search by index for a dozen rows, per keystroke, as a
        # completion model fetches (a worker's answer would race the next keystroke).
        found = self._search(text) if text.strip() else []
        self.suggestions.clear()
        muted = theme.foreground(Tone.MUTED)
        for suggestion in found:
            item = QStandardItem(suggestion.text)
            item.setData(suggestion.code, CODE_ROLE)
            item.setEditable(False)
            if suggestion.muted:
                item.setForeground(muted)
            if suggestion.tooltip:
                item.setToolTip(suggestion.tooltip)
            self.suggestions.appendRow(item)
        popup = self.popup()
        if found and self._editor.hasFocus():
            self.complete()
        elif popup is not None:
            popup.hide()

    def texts(self) -> list[str]:
        """The lines the popup offers now (what a test reads)."""
        return [self.suggestions.item(row).text() for row in range(self.suggestions.rowCount())]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data(CODE_ROLE) or "")


def set_tone(label: QLabel, tone: Tone | None) -> None:
    """Colour ``label``'s text in ``tone`` (None: the palette's secondary text)."""
    palette = label.palette()
    colour = theme.foreground(tone) if tone is not None else theme.secondary_text()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)


@dataclass
class FieldRow:
    """One ticket field: its label, its editor (or a box of widgets) and the note beside it."""

    name: str
    label: QLabel
    editor: QWidget
    note: QLabel
    #: The clerk has been in this field: an empty required value is now worth saying.
    touched: bool = False
    error: str = field(default="")

    def show_error(self, reason: str) -> None:
        self.error = reason[:1].upper() + reason[1:]
        self._say(self.error)
        set_tone(self.note, Tone.NEGATIVE)
        self.note.show()

    def show_info(self, text: str) -> None:
        self.error = ""
        self._say(text)
        set_tone(self.note, None)
        self.note.setVisible(bool(text))

    def _say(self, text: str) -> None:
        """Set the note, tall enough for every line it wraps to at its narrowest.

        A grid does not ask a wrapped label how tall it must be, so a two- or three-line
        reason would be cut to the height of the editor beside it.
        """
        self.note.setText(text)
        self.note.setToolTip(text)
        self.note.setMinimumHeight(self.note.heightForWidth(NOTE_WIDTH) if text else 0)

    def clear(self) -> None:
        self.show_info("")


def note_label(name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(f"{name}_note")
    label.setWordWrap(True)
    label.setMinimumWidth(NOTE_WIDTH)
    label.setMaximumWidth(NOTE_WIDTH + 80)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def line_edit(name: str, parent: QWidget, placeholder: str = "", width: int = 0) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    if width:
        edit.setMaximumWidth(width)
    return edit


def row_box(parent: QWidget, *widgets: QWidget, stretch: bool = True) -> QWidget:
    """Several widgets side by side as one editor cell."""
    box = QWidget(parent)
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    if stretch:
        layout.addStretch(1)
    return box


SUPERVISED_TEXT = (
    "This trade needs a principal's approval to change: {because}. Your change will go "
    "to a principal as a request; nothing changes until one approves it."
)


def supervision_banner(because: str | None, parent: QWidget) -> QLabel:
    """A framed warning that a change becomes an approval request (hidden when not)."""
    banner = QLabel(parent)
    banner.setObjectName("supervision_banner")
    banner.setWordWrap(True)
    banner.setFrameShape(QFrame.Shape.StyledPanel)
    banner.setMargin(8)
    warning = theme.foreground(Tone.WARNING)
    banner.setStyleSheet(
        f"QLabel#supervision_banner {{ background: {theme.tint(Tone.WARNING).name()}; "
        f"border: 1px solid {warning.name()}; border-radius: 3px; }}"
    )
    if because:
        banner.setText(SUPERVISED_TEXT.format(because=because))
    banner.setVisible(bool(because))
    return banner


def error_label(name: str, parent: QWidget) -> QLabel:
    """A red, wrapped, selectable message under a form (hidden until it has something)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    set_tone(label, Tone.NEGATIVE)
    label.hide()
    return label
