"""Settlement obligations as a worklist."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db.models import (
    Account,
    Counterparty,
    Instrument,
    SettlementObligation,
    StandingSettlementInstruction,
)
from desk_app.db.paging import Expr, KeysetSource
from desk_app.domain import labels
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.states import ObligationStatus
from desk_app.services.settlement.obligation_run import RunReport, run_settlement
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind

OBLIGATION_COLUMNS = (
    Column("id", "Obligation", K.INT),
    Column("settle_date", "Settle date", K.DATE),
    Column("status", "Status", K.STATUS, labels.OBLIGATION_STATUS),
    Column("direction", "Movement", K.STATUS, labels.DIRECTION),
    Column("payment", "Payment", K.STATUS, labels.PAYMENT),
    Column("account", "Account"),
    Column("isin", "ISIN"),
    Column("symbol", "Symbol"),
    Column("quantity", "Quantity", K.QUANTITY),
    Column("settled_quantity", "Settled qty", K.QUANTITY),
    Column("amount", "Amount", K.MONEY),
    Column("currency", "Ccy"),
    Column("counterparty", "Counterparty"),
    Column("place", "Place of settlement"),
    Column(
        "fail_reason",
        "Reason",
        K.STATUS,
        tooltip="sese.024 reason: LACK/MONY we are short, CLAC/CMON the counterparty is short, "
        "NMAS no matching instruction, SSID instructions missing",
    ),
    Column(
        "status_note",
        "Market status",
        tooltip="The latest status from the market "
        "(sese.024 or a status file): unmatched or pending, with its reason",
    ),
    Column("exception_reason", "Exception"),
    Column("net_id", "Net", K.INT, tooltip="The net instruction it settles through, if any"),
    Column("trade_id", "Trade", K.INT),
)

SSI = StandingSettlementInstruction


def _columns() -> list[Expr]:
    o = SettlementObligation
    return [
        o.id, o.settle_date, o.status, o.direction, o.payment, Account.account_number,
        Instrument.isin, Instrument.symbol, o.quantity, o.settled_quantity, o.amount,
        o.currency, Counterparty.code, SSI.place_of_settlement, o.fail_reason,
        o.status_note, o.exception_reason, o.net_id, o.trade_id,
    ]  # fmt: skip


def _joins(stmt: Select[Any]) -> Select[Any]:
    o = SettlementObligation
    return (
        stmt.select_from(o)
        .join(Account, Account.id == o.account_id)
        .join(Instrument, Instrument.id == o.instrument_id)
        .join(Counterparty, Counterparty.id == o.counterparty_id)
        .outerjoin(SSI, SSI.id == o.ssi_id)
    )


class SettlementService:
    """What must settle, by settlement date, and the run that makes the obligations."""

    def __init__(self, sessions: sessionmaker[Session], uow: UnitOfWork) -> None:
        self._sessions = sessions
        self._uow = uow

    def run(self, *, as_of: date | None = None) -> RunReport:
        """Make the obligations of live trades that lack one (exactly once; see obligation_run)."""
        with self._uow.write(Action.SETTLEMENT_RUN) as session:
            return run_settlement(session, as_of=as_of)

    def obligations(
        self,
        *,
        open_only: bool = False,
        due: date | None = None,
        status: ObligationStatus | None = None,
        before: date | None = None,
    ) -> KeysetSource:
        """Obligations by settlement date, oldest first (so overdue ones lead a worklist).

        ``due``: settling on that date; ``before``: settling before it (overdue);
        ``status``: in that state.
        """
        o = SettlementObligation
        closed = [s for s in ObligationStatus if not s.is_open]
        where: list[ColumnElement[bool]] = [o.status.not_in(closed)] if open_only else []
        if due is not None:
            where.append(o.settle_date == due)
        if before is not None:
            where.append(o.settle_date < before)
        if status is not None:
            where.append(o.status == status)
        return KeysetSource(
            self._sessions,
            OBLIGATION_COLUMNS,
            _columns,
            SettlementObligation.id,
            _joins,
            SortSpec("settle_date"),
            where=where,
        )
