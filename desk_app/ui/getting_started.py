"""The getting-started panel: what a new, empty book needs before its first trade.

Shown above the tabs while the database has no trades (and the user has not hidden
it for that database): add counterparties, add instruments, open accounts, then book
or import trades. Each step has a button that opens the real dialog, and is ticked
once the book has such a record (read off the GUI thread after every change). The
panel goes away by itself once the book has trades.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.permissions import Action
from desk_app.ui import theme
from desk_app.ui.settings import DeskSettings
from desk_app.ui.theme import Tone

if TYPE_CHECKING:
    from desk_app.ui.tabs.workspace_view import ActorView, FirstStepsView

#: What each button needs: a button the user may not use is disabled, the reason its tooltip.
NEEDS = {
    "counterparties": Action.REFERENCE_EDIT, "counterparties_import": Action.REFERENCE_EDIT,
    "instruments": Action.REFERENCE_EDIT, "instruments_import": Action.REFERENCE_EDIT,
    "accounts": Action.ACCOUNT_OPEN, "trades": Action.TRADE_BOOK,
    "trades_import": Action.TRADE_IMPORT,
}  # fmt: skip
DONE_MARK, TODO_MARK = "\N{CHECK MARK}", "\N{WHITE CIRCLE}"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: str
    button: str
    #: A second way to do the step (trades: import a file as well as book one).
    other: tuple[str, str] | None = None


STEPS = (
    Step("counterparties", "Add counterparties",
         "The brokers, custodians and clearing houses you trade and settle with "
         "(BIC, LEI and DTC number checked as you type).", "Add counterparty…",
         ("counterparties_import", "Import CSV…")),
    Step("instruments", "Add instruments",
         "The securities you trade, by ISIN or CUSIP (check digits verified).",
         "Add instrument…", ("instruments_import", "Import CSV…")),
    Step("accounts", "Open accounts",
         "Client accounts: an opening is a request a principal approves in Approvals.",
         "New account…"),
    Step("trades", "Book or import trades",
         "Book a trade from a ticket, or import a trades file (CSV or FIX 4.4).",
         "New trade…", ("trades_import", "Import trades…")),
)  # fmt: skip


def set_tone(label: QLabel, tone: Tone | None) -> None:
    """Colour ``label``'s text in ``tone`` (None: the palette's secondary text)."""
    palette = label.palette()
    colour = theme.foreground(tone) if tone is not None else theme.secondary_text()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)


def _dismissed_key(url: str) -> str:
    return f"getting_started/hidden/{url}"


class GettingStartedPanel(QFrame):
    """The four steps with their buttons; `step_requested` names the button pressed."""

    #: A step's button was pressed: its key (``counterparties``, ``trades_import``...).
    step_requested = Signal(str)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("getting_started")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._settings = settings
        self._url = ""
        self.marks: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        heading = QLabel("Getting started: this database has no trades yet", self)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        heading.setFont(font)
        self.hide_button = QPushButton("Hide", self)
        self.hide_button.setObjectName("hide_getting_started")
        self.hide_button.setToolTip("Hide these steps for this database")
        self.hide_button.clicked.connect(self.dismiss)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self.hide_button)
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        for row, step in enumerate(STEPS):
            mark = QLabel(TODO_MARK, self)
            mark.setObjectName(f"{step.key}_mark")
            title = QLabel(f"{row + 1}. {step.title}", self)
            title.setFont(font)
            text = QLabel(step.text, self)
            text.setWordWrap(True)
            set_tone(text, None)
            grid.addWidget(mark, row, 0)
            grid.addWidget(title, row, 1)
            grid.addWidget(text, row, 2)
            choices = [(step.key, step.button), *([step.other] if step.other else [])]
            for column, (key, label) in enumerate(choices, 3):
                button = QPushButton(label, self)
                button.setObjectName(f"step_{key}")
                button.clicked.connect(lambda _c=False, k=key: self.step_requested.emit(k))
                self.buttons[key] = button
                grid.addWidget(button, row, column)
            self.marks[step.key] = mark
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        self.setStyleSheet(
            f"QFrame#getting_started {{ background: {theme.tint(Tone.POSITIVE).name()}; }}"
        )
        self.hide()

    def dismissed(self) -> bool:
        return bool(self._url) and bool(self._settings.store.value(_dismissed_key(self._url)))

    def dismiss(self) -> None:
        """Hide the steps for this database (they stay hidden after a restart)."""
        if self._url:
            self._settings.store.setValue(_dismissed_key(self._url), True)
        self.hide()

    def show_steps(
        self, url: str, steps: FirstStepsView | None, user: ActorView | None = None
    ) -> None:
        """Tick what is done; shown while the book has no trades, unless hidden for ``url``.

        A step ``user`` may not do has its button disabled, saying which role does it.
        """
        self._url = url
        for key, button in self.buttons.items():
            refusal = user.refusal(NEEDS[key]) if user is not None else None
            button.setEnabled(refusal is None)
            button.setToolTip(refusal or "")
        if steps is None or steps.trades or self.dismissed():
            self.hide()
            return
        done = {
            "counterparties": steps.counterparties,
            "instruments": steps.instruments,
            "accounts": steps.accounts,
            "trades": steps.trades,
        }
        for key, mark in self.marks.items():
            mark.setText(DONE_MARK if done[key] else TODO_MARK)
            mark.setToolTip("Done" if done[key] else "Still to do")
            set_tone(mark, Tone.POSITIVE if done[key] else None)
        self.show()

    def done(self, key: str) -> bool:
        return self.marks[key].text() == DONE_MARK


def step_tab(key: str) -> str:
    """The tab a step's button works on (``trades_import`` -> ``blotter``)."""
    return "blotter" if key.startswith("trades") else key.removesuffix("_import")


def open_step(tab: QWidget, key: str) -> object:
    """Open the real dialog of step ``key`` on ``tab`` (from `step_tab`); the dialog."""
    from desk_app.ui.tabs.accounts_tab import AccountsTab
    from desk_app.ui.tabs.blotter_tab import BlotterTab
    from desk_app.ui.tabs.reference_tab import ReferenceTab

    if isinstance(tab, ReferenceTab):
        return tab.import_csv() if key.endswith("_import") else tab.add_record()
    if isinstance(tab, AccountsTab):
        tab.new_account()
        return tab.request_dialog
    assert isinstance(tab, BlotterTab)
    actions = tab.trade_actions
    return actions.import_trades() if key == "trades_import" else actions.new_trade()
