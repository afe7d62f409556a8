"""The trade blotter as a pageable list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db.models import Account, Counterparty, Instrument, Trade
from desk_app.services import labels
from desk_app.services.listing import Column, ColumnKind, SortSpec
from desk_app.services.paging import Expr, KeysetSource

K = ColumnKind

TRADE_COLUMNS = (
    Column("id", "Trade", K.INT),
    Column("trade_date", "Trade date", K.DATE),
    Column("account", "Account"),
    Column("side", "Side", K.STATUS, labels.SIDE),
    Column("isin", "ISIN"),
    Column("symbol", "Symbol"),
    Column("description", "Description"),
    Column("quantity", "Quantity", K.QUANTITY),
    Column("price", "Price", K.PRICE),
    Column("currency", "Ccy"),
    Column("net_amount", "Net amount", K.MONEY),
    Column("settle_date", "Settle date", K.DATE),
    Column("counterparty", "Counterparty"),
    Column("status", "Status", K.STATUS, labels.TRADE_STATUS),
    Column("source", "Source", K.STATUS, labels.TRADE_SOURCE),
    Column("external_id", "External ID"),
)


def _columns() -> list[Expr]:
    t = Trade
    return [
        t.id, t.trade_date, Account.account_number, t.side, Instrument.isin, Instrument.symbol,
        Instrument.description, t.quantity, t.price, t.currency, t.net_amount, t.settle_date,
        Counterparty.code, t.status, t.source, t.external_id,
    ]  # fmt: skip


def _joins(stmt: Select[Any]) -> Select[Any]:
    return (
        stmt.select_from(Trade)
        .join(Account, Account.id == Trade.account_id)
        .join(Instrument, Instrument.id == Trade.instrument_id)
        .join(Counterparty, Counterparty.id == Trade.counterparty_id)
    )


class BlotterService:
    """The book of original entry: every trade version, newest first."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def trades(self) -> KeysetSource:
        return KeysetSource(
            self._sessions,
            TRADE_COLUMNS,
            _columns,
            Trade.id,
            _joins,
            SortSpec("trade_date", descending=True),
        )
