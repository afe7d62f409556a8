"""A trade's terms checked against the books: account, instrument, counterparty, dates.

The ticket checks one trade and an import checks thousands, so the reference rows a
batch names are read once (`BookRefs.load`) and settlement dates are computed once
per calendar, trade date and cycle (`SettleDates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.restriction_book import in_force_of
from desk_app.domain import settlement
from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.codes import AccountStatus, InstrumentType, Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.restrictions import AccountRestricted, Movement, Restriction, stopping
from desk_app.domain.trade_math import net_amount, principal
from desk_app.domain.trade_ticket import (
    Amounts,
    TradeTerms,
    amounts_of,
    price_reason,
    settle_date_reason,
)
from desk_app.services.reference.calendar import CalendarService

_CHUNK = 500
#: A row's own terms for `RowChecker.values`: side, quantity, price, currency, trade
#: date, trade time (aware), commission, fees, settlement date given (or None).
_RowTerms = tuple[Side, Decimal, Decimal, str, date, datetime, Decimal, Decimal, date | None]


#: The trade-table columns a trade's checked terms decide, in the order of
#: `CheckedTrade.values` and `RowChecker.values`.
TERM_COLUMNS = (
    "account_id", "instrument_id", "counterparty_id", "side", "quantity", "price", "currency",
    "trade_date", "trade_time", "settle_date", "settle_date_reason", "gross_amount",
    "commission", "fees", "net_amount", "price_reason",
)  # fmt: skip


@dataclass(frozen=True)
class AccountRef:
    id: int
    number: str
    name: str
    status: AccountStatus
    opened_on: date
    closed_on: date | None


@dataclass(frozen=True)
class InstrumentRef:
    id: int
    isin: str
    cusip: str | None
    symbol: str | None
    description: str
    instrument_type: InstrumentType
    market: str
    currency: str
    multiplier: Decimal
    active: bool


@dataclass(frozen=True)
class PartyRef:
    id: int
    code: str
    name: str
    active: bool


def account_ref(a: m.Account) -> AccountRef:
    return AccountRef(a.id, a.account_number, a.name, a.status, a.opened_on, a.closed_on)


def instrument_ref(i: m.Instrument) -> InstrumentRef:
    return InstrumentRef(
        i.id, i.isin, i.cusip, i.symbol, i.description, i.instrument_type, i.market,
        i.currency, i.multiplier, i.active,
    )  # fmt: skip


def party_ref(c: m.Counterparty) -> PartyRef:
    return PartyRef(c.id, c.code, c.name, c.active)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@dataclass
class BookRefs:
    """The reference rows a batch of trades names, by account number, ISIN and code."""

    accounts: dict[str, AccountRef]
    instruments: dict[str, InstrumentRef]
    parties: dict[str, PartyRef]
    #: The accounts' restrictions in force on `today` (by account id), and that date:
    #: a trade is refused on the day it is booked, whatever its trade date.
    restrictions: dict[int, list[Restriction]] = field(default_factory=dict)
    today: date = field(default_factory=market_today)

    @classmethod
    def load(
        cls,
        session: Session,
        accounts: Iterable[str],
        isins: Iterable[str],
        parties: Iterable[str],
    ) -> BookRefs:
        refs = cls({}, {}, {})
        for chunk in _chunks(a.upper() for a in accounts):
            for a in session.scalars(select(m.Account).where(m.Account.account_number.in_(chunk))):
                refs.accounts[a.account_number] = account_ref(a)
        ids = [a.id for a in refs.accounts.values()]
        refs.restrictions = in_force_of(session, ids, refs.today)
        for chunk in _chunks(isins):
            for i in session.scalars(select(m.Instrument).where(m.Instrument.isin.in_(chunk))):
                refs.instruments[i.isin] = instrument_ref(i)
        for chunk in _chunks(p.upper() for p in parties):
            for c in session.scalars(select(m.Counterparty).where(m.Counterparty.code.in_(chunk))):
                refs.parties[c.code] = party_ref(c)
        return refs

    def account(self, number: str, trade_date: date | None = None) -> AccountRef:
        ref = self.accounts.get(number.strip().upper())
        if ref is None:
            raise ValidationError("account", "is not an account on this database", number)
        if ref.status is AccountStatus.CLOSED:
            since = f" since {ref.closed_on.isoformat()}" if ref.closed_on else ""
            raise ValidationError("account", f"is closed{since}", number)
        if trade_date is not None and trade_date < ref.opened_on:
            raise ValidationError(
                "trade_date",
                f"is before account {ref.number} was opened ({ref.opened_on.isoformat()})",
                trade_date.isoformat(),
            )
        return ref

    def restricted(self, account: AccountRef, side: Side) -> AccountRestricted | None:
        """The refusal of a ``side`` in ``account`` a restriction makes, or None."""
        held = self.restrictions.get(account.id)
        if not held:
            return None
        movement = Movement.BUY if side is Side.BUY else Movement.SELL
        found = stopping(held, movement, self.today)
        return None if found is None else AccountRestricted(account.number, movement, found)

    def refuse_restricted(self, number: str, side: Side) -> None:
        """Raise `AccountRestricted` if a restriction stops a ``side`` in account ``number``."""
        ref = self.accounts.get(number.strip().upper())
        refusal = None if ref is None else self.restricted(ref, side)
        if refusal is not None:
            raise refusal

    def instrument(self, isin: str, field: str = "isin") -> InstrumentRef:
        ref = self.instruments.get(isin)
        if ref is None:
            raise ValidationError(
                field,
                "is not an instrument on this database (add it in the Reference tab or with "
                "instruments add)",
                isin,
            )
        if not ref.active:
            raise ValidationError(field, "is an inactive instrument", isin)
        return ref

    def party(self, code: str) -> PartyRef:
        ref = self.parties.get(code.strip().upper())
        if ref is None:
            raise ValidationError("counterparty", "is not a counterparty on this database", code)
        if not ref.active:
            raise ValidationError("counterparty", "is an inactive counterparty", code)
        return ref


class SettleDates:
    """Settlement dates from the cycles and calendars as stored (with overrides), cached."""

    def __init__(self, calendar: CalendarService) -> None:
        self._service = calendar
        self._cycles: Sequence[settlement.SettlementCycle] | None = None
        self._calendars: dict[str, SettlementCalendar] = {}
        self._dates: dict[tuple[InstrumentType, str, date], tuple[date, str]] = {}
        #: By calendar, trade date and offset: instrument types and markets that share a
        #: calendar and a cycle (equities and corporate bonds, T+1 on the US calendar)
        #: count the settlement days once.
        self._days: dict[tuple[str, date, int], tuple[date, str | None]] = {}

    def of(self, kind: InstrumentType, market: str, trade_date: date) -> tuple[date, str]:
        """The settlement date and the cycle's label ("T+1", and why the day is unusual)."""
        key = (kind, market, trade_date)
        found = self._dates.get(key)
        if found is None:
            if self._cycles is None:
                self._cycles = self._service.cycles()
            cycle = settlement.cycle_for(self._cycles, kind, market, trade_date)
            code = cycle.calendar_code
            if code not in self._calendars:
                self._calendars[code] = self._service.calendar(code)
            calendar = self._calendars[code]
            counted = (code, trade_date, cycle.offset_days)
            done = self._days.get(counted)
            if done is None:
                done = self._days[counted] = (
                    settlement.settlement_date(trade_date, cycle, calendar),
                    calendar.trade_date_note(trade_date),
                )
            day, note = done
            found = self._dates[key] = (day, f"{cycle.label} ({note})" if note else cycle.label)
        return found


@dataclass(frozen=True)
class CheckedTrade:
    """Terms that passed every check, with what they resolve to and come to."""

    terms: TradeTerms
    account: AccountRef
    instrument: InstrumentRef
    party: PartyRef
    settle_date: date
    settle_date_reason: str | None
    amounts: Amounts
    #: Why the price is 0 or below (None: above 0, or a future nobody explained).
    price_reason: str | None = None

    @property
    def booked_terms(self) -> TradeTerms:
        """The terms as booked: the calendar's settlement date if none was given, reasons kept."""
        return self.terms.with_changes(
            settle_date=self.settle_date,
            settle_date_reason=self.settle_date_reason or "",
            price_reason=self.price_reason or "",
        )

    def columns(self) -> dict[str, Any]:
        """The trade-table values these terms decide (not ids of versions, not who)."""
        t = self.terms
        return {
            "account_id": self.account.id, "instrument_id": self.instrument.id,
            "counterparty_id": self.party.id, "side": t.side, "quantity": t.quantity,
            "price": t.price, "currency": t.currency, "trade_date": t.trade_date,
            "trade_time": t.trade_time, "settle_date": self.settle_date,
            "settle_date_reason": self.settle_date_reason, "gross_amount": self.amounts.gross,
            "commission": t.commission, "fees": t.fees, "net_amount": self.amounts.net,
            "price_reason": self.price_reason,
        }  # fmt: skip

    def values(self) -> tuple[Any, ...]:
        """The values of `columns`, in the order of `TERM_COLUMNS`."""
        columns = self.columns()
        return tuple(columns[name] for name in TERM_COLUMNS)


def check_terms(
    refs: BookRefs,
    dates: SettleDates,
    terms: TradeTerms,
    *,
    instrument_type: InstrumentType | None = None,
    default_reason: str = "",
) -> CheckedTrade:
    """Check ``terms`` against the books; raise the first `ValidationError` found."""
    account = refs.account(terms.account, terms.trade_date)
    refs.refuse_restricted(terms.account, terms.side)
    instrument = refs.instrument(terms.isin)
    wrong_type = instrument_type_error(instrument, instrument_type)
    if wrong_type is not None:
        raise wrong_type
    why_price = price_reason(terms, instrument.instrument_type)
    party = refs.party(terms.counterparty)
    calendar_date, _label = dates.of(
        instrument.instrument_type, instrument.market, terms.trade_date
    )
    settle, why = settle_date_reason(terms, calendar_date, default_reason=default_reason)
    try:
        amounts = amounts_of(terms, instrument.instrument_type, instrument.multiplier)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError("price", f"gives an amount Desk cannot hold ({exc})") from None
    return CheckedTrade(terms, account, instrument, party, settle, why, amounts, why_price)


def instrument_type_error(
    instrument: InstrumentRef, instrument_type: InstrumentType | None
) -> ValidationError | None:
    """The error when a file's ``instrument_type`` is not the instrument's (None: it agrees)."""
    if instrument_type is None or instrument_type is instrument.instrument_type:
        return None
    return ValidationError(
        "instrument_type",
        f"says {instrument_type.value}, but {instrument.isin} is "
        f"{instrument.instrument_type.value}",
        instrument_type.value,
    )


class RowChecker:
    """`check_terms` of many file rows, with each distinct value checked once.

    `values` gives a row's trade-table values when every check passes, and None
    otherwise: the caller then checks the row the ordinary way (`check_terms`),
    which raises the very error it would have raised, so messages never differ.
    Accounts, instruments and counterparties are looked up once per value named;
    settlement dates once per instrument type, market and trade date.
    """

    def __init__(self, refs: BookRefs, dates: SettleDates, default_reason: str) -> None:
        self._refs = refs
        self._dates = dates
        self._default_reason = default_reason
        self._accounts: dict[str, AccountRef] = {}
        self._instruments: dict[str, InstrumentRef] = {}
        self._parties: dict[str, PartyRef] = {}
        self._settle: dict[tuple[InstrumentType, str, date], date] = {}

    def market(self, isin: str) -> str:
        """The market of the instrument (a time of day is local to it); "US" if unknown."""
        known = self._refs.instruments.get(isin)
        return known.market if known else "US"

    def values(
        self,
        account: str,
        isin: str,
        counterparty: str,
        instrument_type: InstrumentType | None,
        terms: _RowTerms,
    ) -> tuple[Any, ...] | None:
        """The values `CheckedTrade.values` would give, or None when any check fails."""
        side, quantity, price, currency, trade_date, trade_time, commission, fees, given = terms
        acc = self._accounts.get(account)
        if acc is None:
            try:
                acc = self._accounts[account] = self._refs.account(account)
            except ValidationError:
                return None
        if trade_date < acc.opened_on or self._refs.restricted(acc, side) is not None:
            return None
        ins = self._instruments.get(isin)
        if ins is None:
            try:
                ins = self._instruments[isin] = self._refs.instrument(isin)
            except ValidationError:
                return None
        kind = ins.instrument_type
        if instrument_type is not None and instrument_type is not kind:
            return None
        if price <= 0:
            return None  # rare: `price_reason` decides, the ordinary way
        party = self._parties.get(counterparty)
        if party is None:
            try:
                party = self._parties[counterparty] = self._refs.party(counterparty)
            except ValidationError:
                return None
        key = (kind, ins.market, trade_date)
        calendar_date = self._settle.get(key)
        if calendar_date is None:
            calendar_date = self._settle[key] = self._dates.of(*key)[0]
        reason: str | None = None
        settle = calendar_date
        if given is not None and given != calendar_date:
            if given < trade_date or not self._default_reason:
                return None
            settle, reason = given, self._default_reason
        try:
            gross = principal(kind, quantity, price, currency, ins.multiplier)
            net = net_amount(side, gross, commission, fees)
        except (ValueError, ArithmeticError, TypeError):
            return None
        return (
            acc.id, ins.id, party.id, side, quantity, price, currency, trade_date, trade_time,
            settle, reason, gross, commission, fees, net, None,
        )  # fmt: skip
