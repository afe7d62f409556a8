"""The terms of a trade version, as a ticket, a file or a correction states them.

One shape for every way a trade arrives, so that the checks against the books
(account, instrument, counterparty, settlement date) are written once. Times are
aware; a time of day without a zone is read in the instrument's market.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_math import net_amount, principal

#: Where each market trades: a time of day in a file or ticket is local to it.
MARKET_ZONES = {
    "US": ZoneInfo("America/New_York"),
    "EU": ZoneInfo("Europe/Berlin"),
    "GB": ZoneInfo("Europe/London"),
    "CH": ZoneInfo("Europe/Zurich"),
}
_ZERO = Decimal(0)


def market_zone(market: str) -> ZoneInfo:
    """The time zone of ``market`` (New York for a market Desk does not know)."""
    return MARKET_ZONES.get(market.upper(), MARKET_ZONES["US"])


def local_trade_time(
    trade_date: datetime.date, time_of_day: datetime.time | None, market: str
) -> datetime.datetime:
    """The moment of a trade given as a date and a local time (midnight if none)."""
    moment = datetime.datetime.combine(trade_date, time_of_day or datetime.time(0))
    offset = _day_offset(trade_date, market)
    if offset is not None:  # no clock change that day: one subtraction
        return (moment - offset).replace(tzinfo=datetime.UTC)
    return moment.replace(tzinfo=market_zone(market)).astimezone(datetime.UTC)


@functools.lru_cache(maxsize=4096)
def _day_offset(trade_date: datetime.date, market: str) -> datetime.timedelta | None:
    """The market's UTC offset all through ``trade_date``; None on a day the clocks change."""
    zone = market_zone(market)
    first = datetime.datetime.combine(trade_date, datetime.time(0), tzinfo=zone)
    last = datetime.datetime.combine(trade_date, datetime.time.max, tzinfo=zone)
    offset = first.utcoffset()
    return offset if offset is not None and offset == last.utcoffset() else None


@dataclass(frozen=True)
class TradeTerms:
    """What a trade version says: who, what, how much, when, with whom.

    ``settle_date`` None means "from the settlement calendar"; a date that differs
    from the calendar's needs ``settle_date_reason``. A price of 0 needs
    ``price_reason`` unless the instrument is a future (see `price_reason`).
    """

    account: str
    side: Side
    isin: str
    quantity: Decimal
    price: Decimal
    currency: str
    trade_date: datetime.date
    trade_time: datetime.datetime
    counterparty: str
    commission: Decimal = _ZERO
    fees: Decimal = _ZERO
    settle_date: datetime.date | None = None
    settle_date_reason: str = ""
    price_reason: str = ""

    def __post_init__(self) -> None:
        if self.trade_time.tzinfo is None:
            raise ValueError("trade_time must be aware (give its time zone)")

    def with_changes(self, **changes: object) -> TradeTerms:
        return replace(self, **changes)  # type: ignore[arg-type]

    def changed_fields(self, other: TradeTerms) -> list[str]:
        """The names of the terms that differ between ``self`` and ``other``."""
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


@dataclass(frozen=True)
class Amounts:
    """What a trade comes to: principal (rounded to the currency) and net."""

    gross: Decimal
    net: Decimal


def amounts_of(
    terms: TradeTerms, instrument_type: InstrumentType, multiplier: Decimal = Decimal(1)
) -> Amounts:
    gross = principal(instrument_type, terms.quantity, terms.price, terms.currency, multiplier)
    return Amounts(gross, net_amount(terms.side, gross, terms.commission, terms.fees))


def settle_date_reason(
    terms: TradeTerms, calendar_date: datetime.date, *, default_reason: str = ""
) -> tuple[datetime.date, str | None]:
    """The settlement date to book and why it is not the calendar's (None if it is).

    A date the terms give that differs from ``calendar_date`` needs a reason (the
    terms' own, else ``default_reason``, which a file import gives); a settlement
    date before the trade date is refused.
    """
    given = terms.settle_date
    if given is None or given == calendar_date:
        return calendar_date, None
    if given < terms.trade_date:
        raise ValidationError(
            "settle_date", f"is before the trade date {terms.trade_date.isoformat()}", given
        )
    reason = terms.settle_date_reason.strip() or default_reason
    if not reason:
        raise ValidationError(
            "settle_date_reason",
            f"is required: {given.isoformat()} is not the calendar's settlement date "
            f"{calendar_date.isoformat()}",
        )
    return given, reason


def price_reason(terms: TradeTerms, instrument_type: InstrumentType) -> str | None:
    """The reason to book beside the price (None: it needs none), or `ValidationError`.

    One rule for the ticket, the files, the command line and corrections. A price
    above 0 needs no reason (one given is not kept). A future may trade at 0 or
    below, with a reason if the clerk gives one. A security never trades below 0,
    and at 0 (or -0) only with a reason an auditor can read: a gift, a transfer at
    no cost, a worthless position closed out.
    """
    if terms.price > 0:
        return None
    reason = " ".join(terms.price_reason.split())
    if instrument_type.trades_at_or_below_zero:
        return reason or None
    kind = instrument_type.label.lower()
    a_kind = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    if terms.price < 0:
        raise ValidationError(
            "price", f"is below 0: {a_kind} never trades below 0 (only futures do)",
            str(terms.price),
        )  # fmt: skip
    if not reason:
        raise ValidationError(
            "price", f"is 0: {a_kind} trades at 0 only with a price reason saying why"
        )
    return reason


def terms_to_json(terms: TradeTerms) -> dict[str, str]:
    """The terms as plain text values (exact decimals, ISO dates): a request's proposal."""
    return {
        "account": terms.account, "side": terms.side.value, "isin": terms.isin,
        "quantity": str(terms.quantity), "price": str(terms.price), "currency": terms.currency,
        "trade_date": terms.trade_date.isoformat(),
        "trade_time": terms.trade_time.astimezone(datetime.UTC).isoformat(),
        "counterparty": terms.counterparty, "commission": str(terms.commission),
        "fees": str(terms.fees),
        "settle_date": "" if terms.settle_date is None else terms.settle_date.isoformat(),
        "settle_date_reason": terms.settle_date_reason, "price_reason": terms.price_reason,
    }  # fmt: skip


def terms_from_json(values: dict[str, str]) -> TradeTerms:
    settle = values.get("settle_date") or ""
    return TradeTerms(
        account=values["account"],
        side=Side(values["side"]),
        isin=values["isin"],
        quantity=Decimal(values["quantity"]),
        price=Decimal(values["price"]),
        currency=values["currency"],
        trade_date=datetime.date.fromisoformat(values["trade_date"]),
        trade_time=datetime.datetime.fromisoformat(values["trade_time"]),
        counterparty=values["counterparty"],
        commission=Decimal(values.get("commission") or 0),
        fees=Decimal(values.get("fees") or 0),
        settle_date=datetime.date.fromisoformat(settle) if settle else None,
        settle_date_reason=values.get("settle_date_reason", ""),
        price_reason=values.get("price_reason", ""),
    )
