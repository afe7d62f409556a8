"""Reading a trade ticket's fields into terms: each field's reason, what it resolved to.

Kept apart from the widgets: the reader sees the ticket through `TicketFields` (texts
by field name), uses the importers' ``parse_*`` checks field by field, looks up the
account, instrument and counterparty as typed (remembering answers while the dialog
is open), fills in the calendar's settlement date and, once every field reads, asks
the trade service to check the whole ticket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time
from typing import Protocol, TypeVar

from desk_app.domain.codes import AccountStatus, Side
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.trade_rows import (
    parse_charge,
    parse_currency,
    parse_cusip_as_isin,
    parse_isin,
    parse_iso_date,
    parse_price,
    parse_quantity,
    parse_time_of_day,
)
from desk_app.domain.trade_ticket import TradeTerms, local_trade_time, market_zone
from desk_app.domain.trading_days import ticket_when
from desk_app.ui.tabs.trade_views import (
    AccountChoice,
    CheckedTradeView,
    InstrumentChoice,
    PartyChoice,
    TradeLookupView,
    TradeRecordView,
    TradesView,
)

T = TypeVar("T")
NOTHING_CHANGED = "Change at least one term to amend the trade."
#: A service's field name → the ticket row that shows it.
_ROWS = {
    "isin": "instrument", "instrument_type": "instrument", "security_id": "instrument",
    "settlement cycle": "settle_date", "cusip": "instrument",
}  # fmt: skip
_WHEN = ("trade_date", "trade_time")


class TicketFields(Protocol):
    """The ticket as the reader sees it."""

    @property
    def side_value(self) -> Side: ...
    @property
    def override_on(self) -> bool: ...
    def has(self, name: str) -> bool: ...
    def text(self, name: str) -> str: ...
    def set_text(self, name: str, text: str) -> None: ...


@dataclass
class Reading:
    """What the ticket says now: reasons and notes by field, and the checked trade."""

    errors: dict[str, str] = field(default_factory=dict)
    infos: dict[str, str] = field(default_factory=dict)
    #: Fields with something typed in (their reasons show before the clerk leaves them).
    filled: set[str] = field(default_factory=set)
    #: Reasons the whole-ticket check gave: shown at once.
    always_show: set[str] = field(default_factory=set)
    checked: CheckedTradeView | None = None
    zone_text: str = ""
    cycle_text: str = ""
    general: str = ""
    hint: str = ""
    can_add_instrument: bool = False
    #: The price is 0 or below: the ticket shows the price reason field.
    wants_price_reason: bool = False

    @property
    def ok(self) -> bool:
        return self.checked is not None and not self.errors and not self.general and not self.hint


def zone_text(market: str, moment: datetime) -> str:
    """How the ticket names a trade time's zone ("New York time (EST)")."""
    zone = market_zone(market)
    city = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time ({moment.astimezone(zone).tzname()})"


def instrument_text(ref: InstrumentChoice) -> str:
    return f"{ref.description} · {ref.instrument_type.label} · market {ref.market} · {ref.currency}"


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


class TicketReader:
    """Turns the ticket's texts into `TradeTerms`, with a reason for each field that fails."""

    def __init__(
        self, trades: TradesView, lookup: TradeLookupView, now: Callable[[], datetime]
    ) -> None:
        self._trades = trades
        self._lookup = lookup
        self._now = now
        self.terms: TradeTerms | None = None
        self.instrument: InstrumentChoice | None = None
        #: A valid ISIN (or CUSIP's ISIN) the database does not know: the ticket offers to add it.
        self.unknown_isin: str | None = None
        self._by_hand: set[str] = set()
        self._when_market = "US"
        #: The defaulted trade date and why it is not today (the clock's day is closed).
        self._when_note: tuple[str, str] | None = None
        self._original: tuple[str, str, datetime] | None = None
        self._record: TradeRecordView | None = None
        self._accounts: dict[str, list[AccountChoice]] = {}
        self._parties: dict[str, list[PartyChoice]] = {}
        self._instruments: dict[str, InstrumentChoice | None] = {}

    # -- filling in -----------------------------------------------------------------------
    def set_by_hand(self, name: str) -> None:
        """The clerk typed ``name``: stop filling it in from the instrument or the clock."""
        self._by_hand.add(name)

    def fill_defaults(self, ticket: TicketFields, keep: Iterable[str] = ()) -> None:
        """Today and now in the market's zone; the currency comes with the instrument."""
        self._by_hand.difference_update({"currency", *_WHEN} - set(keep))
        if "currency" not in keep:
            ticket.set_text("currency", "")
        self._set_when(ticket, self.instrument.market if self.instrument else "US")

    def fill_from(self, ticket: TicketFields, record: TradeRecordView) -> None:
        """The fields of ``record``'s terms; its trade time in its market's zone."""
        t, market = record.terms, record.instrument.market
        local = t.trade_time.astimezone(market_zone(market))
        texts = {
            "account": t.account, "instrument": t.isin, "quantity": str(t.quantity),
            "price": str(t.price), "currency": t.currency, "trade_date": t.trade_date.isoformat(),
            "trade_time": f"{local:%H:%M:%S}", "counterparty": t.counterparty,
            "commission": str(t.commission), "fees": str(t.fees),
            "settle_date": "" if t.settle_date is None else t.settle_date.isoformat(),
            "settle_date_reason": t.settle_date_reason, "price_reason": t.price_reason,
        }  # fmt: skip
        for name, text in texts.items():
            ticket.set_text(name, text)
        self._by_hand.update({"currency", *_WHEN})
        self._original = (texts["trade_date"], texts["trade_time"], t.trade_time)
        self._record = record
        self._when_market = market

    def _set_when(self, ticket: TicketFields, market: str) -> None:
        """Today and now on the market's clock; its last trading day when it is closed."""
        when = ticket_when(self._now(), market)
        ticket.set_text("trade_date", when.day.isoformat())
        ticket.set_text("trade_time", f"{when.time:%H:%M:%S}")
        self._when_market = market
        self._when_note = (when.day.isoformat(), when.note) if when.note else None

    def forget_instruments(self) -> None:
        """Look instruments up afresh (one was just added)."""
        self._instruments.clear()

    @staticmethod
    def row_of(name: str) -> str:
        return _ROWS.get(name, name)

    # -- reading --------------------------------------------------------------------------
    def read(self, ticket: TicketFields) -> Reading:
        r = Reading()
        names = [
            n
            for n in (*_FIELDS, "price_reason", "settle_date_reason", "reason")
            if n != "side" and ticket.has(n)
        ]
        r.filled = {n for n in names if ticket.text(n).strip()}
        self.terms = None
        account = self._account(ticket, r)
        ref = self._instrument_of(ticket, r)
        quantity = self._parse(ticket, r, "quantity", parse_quantity)
        price = self._parse(ticket, r, "price", parse_price)
        r.wants_price_reason = price is not None and price <= 0
        price_reason = " ".join(ticket.text("price_reason").split()) if r.wants_price_reason else ""
        currency = self._parse(ticket, r, "currency", parse_currency)
        day = self._parse(ticket, r, "trade_date", parse_iso_date)
        if self._when_note and ticket.text("trade_date").strip() == self._when_note[0]:
            r.infos.setdefault("trade_date", self._when_note[1])
        time = self._parse(ticket, r, "trade_time", parse_time_of_day)
        party = self._party(ticket, r)
        commission = self._parse(ticket, r, "commission", parse_charge)
        fees = self._parse(ticket, r, "fees", parse_charge)
        market = ref.market if ref else self._when_market
        moment = self._moment(ticket, day, time, market)
        r.zone_text = zone_text(market, moment or self._now())
        settle, settle_reason = self._settlement(ticket, r, ref, day)
        if ticket.has("reason") and not ticket.text("reason").strip():
            r.errors["reason"] = "is required: say why the trade is being corrected"
        values = (account, ref, quantity, price, currency, day, moment, party, commission, fees)
        if any(v is None for v in values) or set(r.errors) - {"reason"}:
            return r
        assert account and ref and quantity is not None and price is not None and currency
        assert day and moment and party and commission is not None and fees is not None
        terms = TradeTerms(
            account=account, side=ticket.side_value, isin=ref.isin, quantity=quantity,
            price=price, currency=currency, trade_date=day, trade_time=moment,
            counterparty=party, commission=commission, fees=fees, settle_date=settle,
            settle_date_reason=settle_reason, price_reason=price_reason,
        )  # fmt: skip
        self._check(terms, r)
        return r

    def _check(self, terms: TradeTerms, r: Reading) -> None:
        # On the GUI thread, like every read here: the ticket validates as the clerk types,
        # with small reads by key (cached per text) and no write; a refusal is the reading.
        try:
            checked = self._trades.check(terms)
        except ValidationError as exc:
            row = self.row_of(exc.field)
            if row in _FIELDS or row == "settle_date_reason":
                r.errors[row] = exc.reason
                r.always_show.add(row)
            else:
                r.general = exc.message
            return
        except DeskError as exc:  # part of the reading, shown under the ticket: not an op
            r.general = exc.message
            return
        self.terms = terms
        r.checked = checked
        if self._record is not None and not self._record.terms.changed_fields(checked.booked_terms):
            r.hint = NOTHING_CHANGED

    def _parse(
        self, ticket: TicketFields, r: Reading, name: str, parse: Callable[[str, str], T]
    ) -> T | None:
        try:
            return parse(name, ticket.text(name).strip())
        except ValidationError as exc:
            r.errors[name] = exc.reason
            return None

    def _account(self, ticket: TicketFields, r: Reading) -> str | None:
        number = _compact(ticket.text("account"))
        if not number:
            r.errors["account"] = "is required"
            return None
        if number not in self._accounts:
            self._accounts[number] = [
                a for a in self._lookup.find_accounts(number, 5) if a.number == number
            ]
        found = self._accounts[number]
        if not found:
            r.errors["account"] = "is not an account on this database"
            return None
        status = found[0].status
        if status is AccountStatus.CLOSED:
            r.errors["account"] = "is closed: it takes no trades"
            return None
        extra = "" if status is AccountStatus.OPEN else f" ({status.value})"
        r.infos["account"] = f"{found[0].name}{extra}"
        return number

    def _party(self, ticket: TicketFields, r: Reading) -> str | None:
        code = _compact(ticket.text("counterparty"))
        if not code:
            r.errors["counterparty"] = "is required"
            return None
        if code not in self._parties:
            self._parties[code] = [
                p for p in self._lookup.find_counterparties(code, 5) if p.code == code
            ]
        found = self._parties[code]
        if not found:
            r.errors["counterparty"] = "is not a counterparty on this database"
            return None
        r.infos["counterparty"] = found[0].name
        return code

    def _instrument_of(self, ticket: TicketFields, r: Reading) -> InstrumentChoice | None:
        text = _compact(ticket.text("instrument"))
        self.instrument = self.unknown_isin = None
        if not text:
            r.errors["instrument"] = "is required"
            return None
        if text not in self._instruments:
            try:
                self._instruments[text] = self._lookup.instrument(text)
            except ValidationError as exc:
                r.errors["instrument"] = exc.reason
                return None
        ref = self._instruments[text]
        if ref is None:
            self.unknown_isin = self._valid_isin(text)
            r.can_add_instrument = self.unknown_isin is not None
            r.errors["instrument"] = (
                "is not on this database yet: press Add instrument… to add it"
                if r.can_add_instrument
                else "is not an instrument on this database (type its ISIN or CUSIP to add it)"
            )
            return None
        self.instrument = ref
        r.infos["instrument"] = instrument_text(ref)
        if "currency" not in self._by_hand and ticket.text("currency") != ref.currency:
            ticket.set_text("currency", ref.currency)
        if not self._by_hand.intersection(_WHEN) and ref.market != self._when_market:
            self._set_when(ticket, ref.market)
        return ref

    @staticmethod
    def _valid_isin(text: str) -> str | None:
        """The ISIN ``text`` stands for if it is an ISIN or CUSIP (else None: a symbol)."""
        try:
            if len(text) == 12:
                return parse_isin("instrument", text)
            if len(text) == 9:
                return parse_cusip_as_isin("instrument", text)
        except ValidationError:
            return None
        return None

    def _moment(
        self, ticket: TicketFields, day: date | None, time: dt_time | None, market: str
    ) -> datetime | None:
        if day is None or time is None:
            return None
        original = self._original
        if original and (ticket.text("trade_date"), ticket.text("trade_time")) == original[:2]:
            return original[2]  # as booked, to the microsecond
        return local_trade_time(day, time, market)

    def _settlement(
        self, ticket: TicketFields, r: Reading, ref: InstrumentChoice | None, day: date | None
    ) -> tuple[date | None, str]:
        calendar: tuple[date, str] | None = None
        if ref is not None and day is not None:
            try:
                calendar = self._trades.settle_date(ref.isin, day)
            except ValidationError as exc:
                r.errors[self.row_of(exc.field)] = exc.reason
                r.always_show.add(self.row_of(exc.field))
        if not ticket.override_on:
            ticket.set_text("settle_date", calendar[0].isoformat() if calendar else "")
            r.cycle_text = f"{calendar[1]}, from the settlement calendar" if calendar else ""
            return None, ""
        if calendar:
            r.cycle_text = f"calendar: {calendar[0].isoformat()} ({calendar[1]})"
        settle = self._parse(ticket, r, "settle_date", parse_iso_date)
        reason = " ".join(ticket.text("settle_date_reason").split())
        if not reason:
            r.errors["settle_date_reason"] = "is required when you override the calendar's date"
            r.always_show.add("settle_date_reason")  # ticking Override asks for it
        return settle, reason


_FIELDS = (
    "account", "side", "instrument", "quantity", "price", "currency", "trade_date",
    "trade_time", "counterparty", "commission", "fees", "settle_date",
)  # fmt: skip
