"""The demo blotter: trades over six months of trade days, and their corrections.

Originals come in time order over busy and quiet days, from three sources (FIX,
CSV files, manual tickets), each with the external id its source gives; about one
in seventy is corrected (some twice) and one in 120 cancelled. Trade times fall in
the trading hours of the instrument's market, in that market's own time zone.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from desk_app.db import models as m
from desk_app.demo.book import (
    CHUNKS,
    Account,
    Book,
    Instrument,
    Party,
    Steps,
    Trade,
    draw,
    save,
    stamped,
)
from desk_app.demo.catalogue_firms import MISSING_SSIS, ROUTES
from desk_app.demo.catalogue_people import MAY_SHORT
from desk_app.demo.trade_terms import amounts, draw_price, draw_quantity
from desk_app.domain.codes import AccountStatus, InstrumentType, RegistrationType, Side
from desk_app.domain.codes import TradeSource as Source
from desk_app.domain.states import TradeStatus

_E, _OP = InstrumentType.EQUITY, InstrumentType.OPTION
_KINDS = (_E, _OP, InstrumentType.CORPORATE_BOND, InstrumentType.MUNICIPAL_BOND,
          InstrumentType.TREASURY, InstrumentType.COMMERCIAL_PAPER)  # fmt: skip
_KIND_CUM = list(accumulate((66, 9, 7, 5, 6, 3)))
_FOREIGN_SHARE = 0.07
#: Where each market trades (Xetra for the euro area).
_ZONES = {
    "US": ZoneInfo("America/New_York"),
    "EU": ZoneInfo("Europe/Berlin"),
    "GB": ZoneInfo("Europe/London"),
    "CH": ZoneInfo("Europe/Zurich"),
}
#: Local trading hours in seconds after midnight; US exchange-traded vs dealer markets.
_HOURS = {"US": (28800, 61200), "EU": (32400, 63000), "GB": (28800, 59400), "CH": (32400, 62400)}
_LISTED_HOURS = (34200, 57600)  # NYSE and Cboe, 09:30-16:00 New York
_SOURCES, _SOURCE_CUM = (Source.FIX, Source.CSV, Source.MANUAL), (50, 85, 100)


class _Picker:
    """Precomputed cumulative weights, so 30,000 draws stay cheap."""

    def __init__(self, book: Book) -> None:
        self.pools = {}
        for kind in _KINDS:
            pool = [i for i in book.instruments if i.kind is kind and i.market == "US"]
            self.pools[kind] = (pool, list(accumulate(i.weight for i in pool)))
        self.foreign = [i for i in book.instruments if i.market != "US"]
        self.accounts = list(accumulate(a.weight for a in book.accounts))
        self.routes: dict[tuple[str, InstrumentType], tuple[list[str], list[float]]] = {}
        for (market, kind), codes in ROUTES.items():
            ok = [c for c in codes if (c, market, kind) not in MISSING_SSIS]
            self.routes[(market, kind)] = (
                ok,
                list(accumulate(1 / (1 + i) for i in range(len(ok)))),
            )

    def instrument(self, book: Book, day: date) -> Instrument:
        rng = book.rng
        for _ in range(8):
            if rng.random() < _FOREIGN_SHARE:
                inst = rng.choice(self.foreign)
                if book.calendars[inst.market].is_settlement_day(day):
                    return inst
                continue
            pool, cum = self.pools[draw(rng, _KINDS, _KIND_CUM)]
            inst = draw(rng, pool, cum)
            if inst.first_trade <= day < inst.maturity:
                return inst
        return self.pools[_E][0][0]

    def route(self, book: Book, inst: Instrument) -> Party:
        codes, cum = self.routes[(inst.market, inst.kind)]
        return book.parties[draw(book.rng, codes, cum)]

    def account(self, book: Book, day: date) -> Account:
        for _ in range(10):
            account = draw(book.rng, book.accounts, self.accounts)
            closed = account.row["closed_on"]
            if account.row["opened_on"] <= day and (closed is None or day < closed):
                return account
        return next(a for a in book.accounts if a.row["status"] is AccountStatus.OPEN)


def make_trades(book: Book, n: int, steps: Steps) -> list[Trade]:
    """``n`` trade versions: originals in time order, then their corrections and cancels."""
    corrections = n // 70 if n >= 70 else 0
    twice, cancels = corrections // 10, max(1, n // 120) if n >= 20 else 0
    originals = _originals(book, n - corrections - cancels)
    _mark_corrections(book, originals, corrections - twice, twice, cancels)
    size = max(1, math.ceil(len(originals) / CHUNKS))
    for start in range(0, len(originals), size):
        save(book, m.Trade, originals[start : start + size])
        steps(f"Trades ({min(start + size, len(originals))} of {n})")
    made, pending = list(originals), [t for t in originals if t.amend]
    while pending:
        pending = save(book, m.Trade, [_correct(book, t) for t in pending])
        made += pending
        pending = [t for t in pending if t.amend]
    made += save(book, m.Trade, [_cancel(book, t) for t in originals if t.cancel])
    return made


def _originals(book: Book, n: int) -> list[Trade]:
    """First versions over the trade days, busy and quiet days alike; a few exceptions."""
    rng, pick = book.rng, _Picker(book)
    day_cum = list(accumulate(0.75 + 0.5 * rng.random() for _ in book.days))
    exceptions = min(n, max(2, n // 2000)) if n >= 50 else 0
    indices = sorted(rng.choices(range(len(book.days)), cum_weights=day_cum, k=n - exceptions))
    recent = min(6, len(indices) // 10)  # even a small book has work still to settle
    indices = sorted(indices[recent:] + [len(book.days) - 1] * recent)
    trades = []
    for index in indices:
        day = book.days[index]
        inst = pick.instrument(book, day)
        trades.append(_trade(book, index, inst, pick.route(book, inst), pick.account(book, day)))
    for k in range(exceptions):  # recent trades on routes with no SSI on file
        code, _, kind = MISSING_SSIS[k % len(MISSING_SSIS)]
        index = len(book.days) - 1 - rng.randrange(min(8, len(book.days)))
        day = book.days[index]
        pool = [i for i in pick.pools[kind][0] if i.first_trade <= day < i.maturity]
        trade = _trade(book, index, rng.choice(pool), book.parties[code], pick.account(book, day))
        trade.exception = True
        trades.append(trade)
    trades.sort(key=lambda t: t.row["trade_time"])
    _external_ids(trades)
    return trades


def _trade(book: Book, index: int, inst: Instrument, party: Party, account: Account) -> Trade:
    rng, day = book.rng, book.days[index]
    side = _side(rng, inst, account)
    qty, px = draw_quantity(rng, inst, index), draw_price(rng, inst, index, day)
    listed = inst.kind in (_E, _OP) and inst.market == "US"
    opens, closes = _LISTED_HOURS if listed else _HOURS[inst.market]
    midnight = datetime.combine(day, time(), _ZONES[inst.market])  # wall-clock midnight
    # Today's trades are the day's so far: none after the moment the book is made.
    so_far = int((book.now - midnight).total_seconds())
    seconds = rng.randrange(opens, max(opens + 1, min(closes, so_far)))
    local = midnight + timedelta(seconds=seconds, milliseconds=rng.randrange(1000))
    trade_time = book.no_later(local.astimezone(UTC))
    source = draw(rng, _SOURCES, _SOURCE_CUM)
    delay = rng.randrange(1, 30) if source is Source.FIX else rng.randrange(60, 5400)
    settle, why = book.settle(inst.kind, inst.market, day)
    row = {
        "external_id": None, "source": source, "version_no": 1, "original_id": None,
        "supersedes_id": None, "status": TradeStatus.ACTIVE, "account_id": account.id,
        "instrument_id": inst.id, "counterparty_id": party.id, "side": side,
        "quantity": qty, "price": px, "currency": inst.row["currency"], "trade_date": day,
        "trade_time": trade_time, "settle_date": settle, "settle_date_reason": why,
        "created_at": book.no_later(trade_time + timedelta(seconds=delay)),
        "created_by": rng.choice(book.clerks),
        "reason": None, "import_id": None, "price_reason": None,
    }  # fmt: skip
    row.update(amounts(inst, side, qty, px, institutional=source is not Source.MANUAL))
    return Trade(stamped(row, row["created_at"]), inst, party)


def _side(rng: random.Random, inst: Instrument, account: Account) -> Side:
    kind = account.row["registration_type"]
    if kind is RegistrationType.ESTATE:
        return Side.SELL  # an estate liquidates
    roll = rng.random()
    if inst.kind is _E and kind in MAY_SHORT and roll < 0.04:
        return Side.SELL_SHORT
    return Side.BUY if roll < 0.54 else Side.SELL


def _external_ids(trades: list[Trade]) -> None:
    """CSV rows get a file-and-line id, FIX fills carry the broker's ExecID, manual none."""
    counters: dict[tuple[str, date], int] = {}
    for trade in trades:
        row = trade.row
        source, day = row["source"], row["trade_date"]
        if source is Source.MANUAL:
            continue
        key = ("CSV" if source is Source.CSV else trade.party.code, day)
        counters[key] = seq = counters.get(key, 0) + 1
        if source is Source.CSV:
            row["external_id"] = f"CSV-{day:%Y%m%d}-{seq:06d}"
        else:
            row["external_id"] = f"{trade.party.code}{day:%y%m%d}E{seq:07d}"


def _mark_corrections(
    book: Book, trades: list[Trade], amended: int, twice: int, cancelled: int
) -> None:
    """Pick the trades that get corrected (some twice) or cancelled."""
    pool = [i for i, t in enumerate(trades) if not t.exception]
    for n, index in enumerate(book.rng.sample(pool, min(len(pool), amended + cancelled))):
        row = trades[index].row
        if n < amended:
            trades[index].amend = 2 if n < twice else 1
            row["status"] = TradeStatus.AMENDED
        else:
            trades[index].cancel = True
            row["status"] = TradeStatus.AMENDED
            later = row["created_at"] + timedelta(minutes=book.rng.randint(5, 600))
            row["updated_at"] = book.no_later(later)


def _correct(book: Book, old: Trade) -> Trade:
    """The next version of ``old``: another quantity or price, linked back to it."""
    rng, row, kind = book.rng, dict(old.row), old.inst.kind
    per_hundred = kind.quoted_in_percent_of_par
    # Mostly a wrong quantity; always for CP, whose price follows from its rate.
    if rng.random() < 0.6 or kind is InstrumentType.COMMERCIAL_PAPER:
        row["reason"] = "Quantity corrected to the allocation"
        lot = 1000 if per_hundred else 1
        factor = rng.choice((Decimal("0.5"), Decimal(2), Decimal("1.5"), Decimal("0.8")))
        qty = max(Decimal(lot), (row["quantity"] * factor / lot).to_integral_value() * lot)
        row["quantity"] = qty if qty != row["quantity"] else qty + lot
    else:
        row["reason"] = "Price corrected to the execution report"
        tick = Decimal("0.125") if per_hundred else Decimal("0.01")
        row["price"] = max(tick, row["price"] + tick * rng.choice((-3, -2, -1, 1, 2, 3, 5)))
    created = book.no_later(old.row["created_at"] + timedelta(minutes=rng.randint(10, 1200)))
    old.row["updated_at"] = created
    manual = row["source"] is Source.MANUAL
    row.update(
        amounts(old.inst, row["side"], row["quantity"], row["price"], institutional=not manual),
        version_no=old.row["version_no"] + 1, supersedes_id=old.id,
        original_id=old.row["original_id"] or old.id, created_at=created,
        status=TradeStatus.AMENDED if old.amend > 1 else TradeStatus.ACTIVE,
        external_id=None if manual else f"{old.row['external_id']}-C{old.row['version_no']}",
    )  # fmt: skip
    del row["id"]
    return Trade(stamped(row, created), old.inst, old.party, amend=old.amend - 1)


_CANCEL_REASONS = (
    "Booked to the wrong account",
    "Duplicate of a trade already booked",
    "Client cancelled the order before allocation",
    "Counterparty DK'd the trade",
)


def _cancel(book: Book, old: Trade) -> Trade:
    """The version that cancels ``old``: the same terms, booked by a clerk with a reason."""
    row = dict(old.row)
    created = old.row["updated_at"]
    row.update(
        version_no=old.row["version_no"] + 1, supersedes_id=old.id,
        original_id=old.row["original_id"] or old.id, created_at=created,
        status=TradeStatus.CANCELLED, source=Source.MANUAL, external_id=None,
        reason=book.rng.choice(_CANCEL_REASONS), created_by=book.rng.choice(book.clerks),
    )  # fmt: skip
    del row["id"]
    return Trade(stamped(row, created), old.inst, old.party)
