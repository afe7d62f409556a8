"""What an account holds, valued: positions, cash by currency, and how each is reckoned.

Plain arithmetic over what the ledger, the open obligations, the lots and the prices
say; the service (`desk_app.services.accounts.holdings`) gathers those. Rules:

- The settled quantity is what the ledger holds at the end of the day; the trade-date
  quantity adds what trades dated that day or earlier still have to settle.
- The basis (trade or settlement) chooses which of the two quantities is valued.
- Cost comes from the lots (first in, first out). On the trade basis, a pending
  purchase adds a lot at what it will pay and a pending sale takes the oldest lots,
  so cost and value speak of the same shares.
- Market value is the quantity at the last price on or before the date, by the
  instrument's own arithmetic (bonds in percent of par, contracts by their
  multiplier). No price means no value: never zero, which would read as worthless.
- A gain is shown only where the lots account for every share valued.
- A short position (less than nothing held) has no cost and no gain: what it will
  cost to cover is not known until it is covered. Blank, never 0.00.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from desk_app.domain.codes import InstrumentType
from desk_app.domain.lots import Lot, holding, take
from desk_app.domain.money import round_money
from desk_app.domain.trade_math import gross_amount

NO_PRICE = "no price"


class Basis(StrEnum):
    """Which quantity values a position: as traded, or as settled."""

    TRADE = "trade"
    SETTLEMENT = "settlement"


@dataclass(frozen=True)
class PendingTrade:
    """What a trade dated on or before the day still has to settle (signed: + receives)."""

    trade_date: date
    quantity: Decimal
    amount: Decimal  # the cash the unsettled part pays (a purchase) or is paid (a sale)


@dataclass(frozen=True)
class Quote:
    """The price a position is valued at, and the day it is from."""

    price: Decimal
    price_date: date
    currency: str


@dataclass(frozen=True)
class Position:
    """One instrument of an account, as of a date."""

    isin: str
    description: str
    instrument_type: InstrumentType
    currency: str
    settled: Decimal
    trade_date_quantity: Decimal
    basis: Basis
    lots_quantity: Decimal  # what the lots account for, of the valued quantity
    cost: Decimal | None  # None: a short position (its cost is not known)
    quote: Quote | None
    market_value: Decimal | None

    @property
    def quantity(self) -> Decimal:
        """The quantity the basis values."""
        return self.trade_date_quantity if self.basis is Basis.TRADE else self.settled

    @property
    def pending(self) -> Decimal:
        return self.trade_date_quantity - self.settled

    @property
    def gain(self) -> Decimal | None:
        """Market value less cost; None without a price, short, or where lots do not cover it."""
        if self.market_value is None or self.cost is None or self.lots_quantity != self.quantity:
            return None
        return self.market_value - self.cost

    @property
    def price_text(self) -> str:
        if self.quote is None:
            return NO_PRICE
        return f"{self.quote.price} ({self.quote.price_date.isoformat()})"


@dataclass(frozen=True)
class CashLine:
    """An account's cash in one currency: settled in the ledger, pending on open obligations."""

    currency: str
    settled: Decimal
    pending: Decimal

    @property
    def projected(self) -> Decimal:
        return self.settled + self.pending


@dataclass(frozen=True)
class Activity:
    """One recent thing that happened to an account: a trade, a settlement, a journal."""

    at: datetime
    kind: str  # trade, settlement, reversal, journal in, journal out
    reference: str  # the trade's external id, the obligation, the journal
    description: str
    quantity: Decimal | None
    amount: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class Holdings:
    """An account's positions on one day, valued on one basis."""

    account: str
    name: str
    as_of: date
    basis: Basis
    positions: tuple[Position, ...]


@dataclass(frozen=True)
class AccountSummary:
    """Everything the Holdings page shows for one account, read in one go."""

    holdings: Holdings
    cash: tuple[CashLine, ...]
    activity: tuple[Activity, ...]


def trade_basis_lots(lots: Sequence[Lot], pending: Iterable[PendingTrade]) -> list[Lot]:
    """The lots as they will be once ``pending`` trades settle, in trade-date order."""
    now = list(lots)
    for trade in sorted(pending, key=lambda t: t.trade_date):
        if trade.quantity > 0:
            now.append(Lot(trade.trade_date, trade.quantity, max(trade.amount, Decimal(0))))
        elif trade.quantity < 0:
            now, _ = take(now, -trade.quantity)
    return now


def value(
    instrument_type: InstrumentType,
    multiplier: Decimal,
    quantity: Decimal,
    quote: Quote | None,
) -> Decimal | None:
    """Quantity at the quote's price, rounded to the currency's minor unit; None unpriced."""
    if quote is None:
        return None
    amount = gross_amount(instrument_type, abs(quantity), quote.price, multiplier)
    rounded = round_money(amount, quote.currency)
    return -rounded if quantity < 0 else rounded


def position(
    *,
    isin: str,
    description: str,
    instrument_type: InstrumentType,
    currency: str,
    multiplier: Decimal,
    settled: Decimal,
    lots: Sequence[Lot],
    pending: Sequence[PendingTrade],
    basis: Basis,
    quote: Quote | None,
) -> Position:
    """One position valued on ``basis`` (see the module's rules)."""
    trade_quantity = settled + sum((p.quantity for p in pending), Decimal(0))
    valued_lots = trade_basis_lots(lots, pending) if basis is Basis.TRADE else list(lots)
    lots_quantity, cost = holding(valued_lots)
    quantity = trade_quantity if basis is Basis.TRADE else settled
    return Position(
        isin=isin,
        description=description,
        instrument_type=instrument_type,
        currency=currency,
        settled=settled,
        trade_date_quantity=trade_quantity,
        basis=basis,
        lots_quantity=lots_quantity,
        cost=None if quantity < 0 else cost,
        quote=quote,
        market_value=value(instrument_type, multiplier, quantity, quote),
    )
