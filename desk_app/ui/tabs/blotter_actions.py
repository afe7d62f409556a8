"""The blotter's trade actions: New trade…, Amend…, Cancel trade…, History…, Import trades…

A small QObject the blotter tab (and the File menu) host: it builds the actions on a
parent widget, enables each by the user's roles and the selected row (a refused
action is disabled with the reason as its tooltip, like the Accounts tab), opens
the dialogs, and says `trades_changed` once a trade was booked, amended, cancelled
or imported so the tab can refresh. The dialogs are imported when first opened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.domain.states import TradeStatus
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.tabs.trade_views import (
    TradeImportView,
    TradeLookupView,
    TradeRecordView,
    TradesView,
)
from desk_app.ui.tabs.workspace_view import ActorView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:
    from desk_app.ui.dialogs.import_trades_dialog import ImportTradesDialog
    from desk_app.ui.dialogs.trade_ticket_dialog import TradeTicketDialog

NO_TRADE = "Select a trade first"


@dataclass(frozen=True)
class TradeServices:
    """What the actions work with: one open database's services and its signed-in user."""

    trades: TradesView
    lookup: TradeLookupView
    imports: TradeImportView
    actor: ActorView


ACTIONS = {
    "new": ActionSpec("New trade…", Action.TRADE_BOOK, "Ctrl+N", "Book a trade from a ticket"),
    "amend": ActionSpec("Amend…", Action.TRADE_AMEND, "F2",
                        "Correct the selected trade: a new version, the old one kept"),
    "cancel": ActionSpec("Cancel trade…", Action.TRADE_CANCEL, "",
                         "Cancel the selected trade: a version that settles nothing"),
    "history": ActionSpec("History…", Action.VIEW_HISTORY, "Ctrl+H",
                          "Every version of the selected trade, and what each changed"),
    "import": ActionSpec("Import trades…", Action.TRADE_IMPORT, "Ctrl+I",
                         "Check a trades file (CSV or FIX 4.4), preview it, and import it"),
}  # fmt: skip
_NEEDS_A_TRADE = frozenset({"amend", "cancel", "history"})


class BlotterActions(QObject):
    """The trade actions on ``parent``, for the trade ``current_trade()`` names (or None)."""

    #: A trade was booked, amended, cancelled (or a request sent), or a file imported.
    trades_changed = Signal()
    #: A one-line outcome or refusal for the tab's notice line: (text, Tone or None).
    notice = Signal(str, object)

    def __init__(
        self,
        parent: QWidget,
        current_trade: Callable[[], int | None],
        *,
        trades: TradesView | None = None,
        lookup: TradeLookupView | None = None,
        imports: TradeImportView | None = None,
        actor: ActorView | None = None,
        current_status: Callable[[], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._current_trade = current_trade
        self._current_status = current_status
        self._services: TradeServices | None = None
        if trades and lookup and imports and actor:
            self._services = TradeServices(trades, lookup, imports, actor)
        #: The dialog each action opened last (kept so a test or the tab can reach it).
        self.dialogs: dict[str, QDialog] = {}
        slots: dict[str, Callable[[], object]] = {
            "new": self.new_trade, "amend": self.amend, "cancel": self.cancel_trade,
            "history": self.show_history, "import": self.import_trades,
        }  # fmt: skip
        self.actions = build_actions(parent, ACTIONS, slots, name="trade_action")
        self.update_actions()

    def bind(self, services: TradeServices | None) -> None:
        """Act on another database's services (None: no database open)."""
        self._services = services
        self.update_actions()

    @property
    def _trades(self) -> TradesView:
        return self._bound.trades

    @property
    def _lookup(self) -> TradeLookupView:
        return self._bound.lookup

    @property
    def _imports(self) -> TradeImportView:
        return self._bound.imports

    @property
    def _bound(self) -> TradeServices:
        if self._services is None:
            raise DeskError("No database open")
        return self._services

    # -- what is allowed -----------------------------------------------------------------
    def refusal(self, key: str) -> str | None:
        """Why the action ``key`` cannot run now (roles first, then the selection)."""
        if self._services is None:
            return "No database open"
        why = self._services.actor.refusal(ACTIONS[key].permission)
        if why is None and key in _NEEDS_A_TRADE and self._current_trade() is None:
            return NO_TRADE
        status = self._current_status() if self._current_status else None
        if why is None and key in ("amend", "cancel") and status not in (None, "active"):
            label = TradeStatus(status).label.lower()
            return f"This version is {label}: only a trade's current version can change"
        return why

    def update_actions(self, *_args: object) -> None:
        """Enable what the user may do with the selection; say why not in the tooltip."""
        update_actions(self.actions, ACTIONS, self.refusal)

    # -- the actions ---------------------------------------------------------------------
    def new_trade(self) -> TradeTicketDialog | None:
        if self.refusal("new") is not None:
            return None
        from desk_app.ui.dialogs.trade_ticket_dialog import TradeTicketDialog

        dialog = TradeTicketDialog(self._trades, self._lookup, parent=self._parent)
        dialog.trade_booked.connect(self._booked)
        self._open("new", dialog)
        return dialog

    def amend(self) -> None:
        """Read the selected version on a worker, then open the ticket on it."""
        self._with_record("amend", self._open_amend)

    def _open_amend(self, record: TradeRecordView) -> None:
        from desk_app.ui.dialogs.trade_ticket_dialog import TradeTicketDialog

        dialog = TradeTicketDialog(self._trades, self._lookup, record, parent=self._parent)
        dialog.trade_amended.connect(self._changed)
        self._open("amend", dialog)

    def cancel_trade(self) -> None:
        """Read the selected version on a worker, then ask for the cancel's reason."""
        self._with_record("cancel", self._open_cancel)

    def _open_cancel(self, record: TradeRecordView) -> None:
        from desk_app.ui.dialogs.trade_cancel_dialog import TradeCancelDialog

        dialog = TradeCancelDialog(self._trades, record, parent=self._parent)
        dialog.trade_cancelled.connect(self._changed)
        self._open("cancel", dialog)

    def show_history(self) -> None:
        """Every version of the selected trade, read on a worker, in a dialog."""
        trade_id = self._current_trade()
        if self.refusal("history") is not None or trade_id is None:
            return
        trades = self._trades
        Op(
            self._parent,
            lambda: trades.versions(trade_id),
            done=lambda versions: self._open_history(versions, trade_id),
            refused=self._refused,
            busy_key=f"blotter.history.{id(self)}",
        ).run()

    def _open_history(self, versions: Sequence[TradeRecordView], trade_id: int) -> None:
        from desk_app.ui.dialogs.trade_history_dialog import TradeHistoryDialog

        dialog = TradeHistoryDialog(versions, self._parent, selected_id=trade_id)
        self._replace("history", dialog)
        dialog.show()

    def import_trades(self, path: Path | None = None) -> ImportTradesDialog | None:
        """The import dialog (on ``path`` if given; else the clerk chooses a file)."""
        if self.refusal("import") is not None:
            return None
        from desk_app.ui.dialogs.import_trades_dialog import ImportTradesDialog

        dialog = ImportTradesDialog(self._imports, self._parent, path=path)
        dialog.trades_imported.connect(self._imported)
        self._open("import", dialog)
        if path is None:
            dialog.choose_file()
        return dialog

    # -- internals -----------------------------------------------------------------------
    def _with_record(self, key: str, then: Callable[[TradeRecordView], object]) -> None:
        """Read the selected trade version; ``then`` gets it if it may be changed."""
        trade_id = self._current_trade()
        if self.refusal(key) is not None or trade_id is None:
            return
        trades = self._trades

        def read(record: TradeRecordView) -> None:
            if record.status is not TradeStatus.ACTIVE:
                state = record.status.label.lower()
                self.notice.emit(
                    f"Trade version {record.id} is {state}: only the current version of trade "
                    f"{record.trade_key} can be changed (History… shows it)",
                    Tone.WARNING,
                )
                return
            then(record)

        Op(
            self._parent,
            lambda: trades.record(trade_id),
            done=read,
            refused=self._refused,
            busy_key=f"blotter.{key}.{id(self)}",
        ).run()

    def _refused(self, exc: DeskError) -> None:
        self.notice.emit(exc.message, Tone.NEGATIVE)

    def _open(self, key: str, dialog: QDialog) -> None:
        self._replace(key, dialog)
        dialog.open()  # window-modal: the blotter waits for the ticket

    def _replace(self, key: str, dialog: QDialog) -> None:
        old = self.dialogs.get(key)
        if old is not None:
            old.deleteLater()
        self.dialogs[key] = dialog

    def _booked(self, trade_id: int) -> None:
        self.notice.emit(f"Trade {trade_id} booked", Tone.POSITIVE)
        self.trades_changed.emit()

    def _changed(self, outcome: str) -> None:
        self.notice.emit(outcome, Tone.POSITIVE)
        self.trades_changed.emit()

    def _imported(self, _import_id: int) -> None:
        self.notice.emit("Trades imported", Tone.POSITIVE)
        self.trades_changed.emit()
