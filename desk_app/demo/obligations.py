"""Settlement obligations of the demo book: one per trade version, and a fails list.

An obligation's status follows its settlement date against the demo's "today":
settled before it, pending, instructed or matched from it on. Then a few dozen
settled ones become fails and partial settlements, mostly young, some well aged,
the way a real fails list looks. Routes without an SSI become exceptions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, datetime, timedelta
from decimal import Decimal

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.demo.book import CHUNKS, Book, Row, Steps, Trade, stamped
from desk_app.demo.history import tell_obligations
from desk_app.domain.codes import Direction, FailReason, Payment
from desk_app.domain.money import round_money
from desk_app.domain.states import ObligationStatus as OS
from desk_app.domain.states import TradeStatus

_ZERO = Decimal(0)
#: Why the residual of a partial settlement is still open (not NMAS: it matched).
_SHORT_CODES = {
    Direction.DELIVER: (FailReason.LACK, FailReason.LACK, FailReason.CMON),
    Direction.RECEIVE: (FailReason.CLAC, FailReason.CLAC, FailReason.MONY),
}
_FAIL_CODES = {
    Direction.DELIVER: (FailReason.LACK, FailReason.LACK, FailReason.CMON, FailReason.NMAS),
    Direction.RECEIVE: (FailReason.CLAC, FailReason.CLAC, FailReason.MONY, FailReason.NMAS),
}


def make_obligations(book: Book, trades: list[Trade], steps: Steps) -> int:
    """One obligation per trade version that settles (a cancel version settles nothing)."""
    trades = [t for t in trades if t.row["status"] is not TradeStatus.CANCELLED]
    rows = [_obligation(book, t) for t in trades]
    _fails_and_partials(book, trades, rows)
    _ensure_open_statuses(rows)
    for row in rows:
        row["matched_at"] = row["status_changed_at"] if _matched(row) else None
    size = max(1, math.ceil(len(rows) / CHUNKS))
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        for row, new_id in zip(chunk, bulk_insert(book.session, m.SettlementObligation, chunk),
                               strict=True):  # fmt: skip
            row["id"] = new_id
        steps(f"Settlement obligations ({min(start + size, len(rows))} of {len(rows)})")
    tell_obligations(book, {t.id: t.row for t in trades}, rows)
    return len(rows)


def _obligation(book: Book, trade: Trade) -> Row:
    t, inst = trade.row, trade.inst
    ssi = book.ssi(trade.party, inst, t["settle_date"])
    created = t["created_at"] + timedelta(minutes=1)
    row = {
        "trade_id": trade.id, "account_id": t["account_id"], "instrument_id": inst.id,
        "counterparty_id": trade.party.id, "ssi_id": ssi,
        "direction": Direction.DELIVER if t["side"].delivers else Direction.RECEIVE,
        "payment": Payment.FREE if book.rng.random() < 0.015 else Payment.AGAINST,
        "quantity": t["quantity"], "settled_quantity": _ZERO, "amount": t["net_amount"],
        "settled_amount": _ZERO, "currency": t["currency"], "settle_date": t["settle_date"],
        "fail_reason": None, "exception_reason": None, "status_note": None,
        "net_id": None, "created_at": created,
    }  # fmt: skip
    status, when = _status_by_date(book, t["settle_date"], created)
    if t["status"] is not TradeStatus.ACTIVE:
        status, when = OS.CANCELLED, t["updated_at"]
    elif ssi is None:
        route = f"{trade.party.code} / {inst.market} / {inst.kind.value}"
        row["exception_reason"] = f"No standing settlement instruction for {route}"
        if t["settle_date"] < book.today:  # could not be instructed, so it failed
            status, when = OS.FAILING, book.at(t["settle_date"], 22)
            row["fail_reason"] = FailReason.SSID
        else:
            status, when = OS.PENDING, created
    elif status is OS.SETTLED:
        row["settled_quantity"], row["settled_amount"] = t["quantity"], t["net_amount"]
    row["status"], row["status_changed_at"] = status, when
    return stamped(row, when)


def _status_by_date(book: Book, settle: date, created: datetime) -> tuple[OS, datetime]:
    rng = book.rng
    if settle < book.today:
        return OS.SETTLED, book.at(settle, rng.randint(13, 20), rng.randrange(60))
    ahead = (settle - book.today).days
    weights = (10, 35, 55) if ahead == 0 else (25, 45, 30) if ahead == 1 else (55, 35, 10)
    status = rng.choices((OS.PENDING, OS.INSTRUCTED, OS.MATCHED), weights)[0]
    minutes = 0 if status is OS.PENDING else rng.randint(5, 240)
    return status, created + timedelta(minutes=minutes)


def _fails_and_partials(book: Book, trades: list[Trade], rows: list[Row]) -> None:
    """A fails list that looks real: a few dozen, mostly young, a tail past 30 days."""
    rng, us = book.rng, book.calendars["US"]
    settle_days = [d for d in book.days if us.is_settlement_day(d)]
    now = bisect_right(settle_days, book.today)
    by_age: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        if row["status"] is OS.SETTLED:
            age = max(1, now - bisect_right(settle_days, row["settle_date"]) + 1)
            by_age.setdefault(age, []).append(i)
    fails = min(60, max(4, len(rows) // 700)) if len(rows) >= 50 else int(len(rows) >= 10)
    partials = min(30, max(3, len(rows) // 1500)) if len(rows) >= 50 else 0
    for k in range(fails + partials):
        ages = [a for a in sorted(by_age) if by_age[a] and a <= 60]
        if not ages:
            return
        if k in (0, fails):  # the youngest of each
            age = ages[0]
        elif k == 1:  # and one well aged
            age = max([a for a in ages if a <= 45] or ages)
        else:
            age = rng.choices(ages, [1 / a**0.9 for a in ages])[0]
        i = by_age[age].pop(rng.randrange(len(by_age[age])))
        _unsettle(book, trades[i], rows[i], partial=k >= fails)


def _unsettle(book: Book, trade: Trade, row: Row, *, partial: bool) -> None:
    """Turn a settled obligation into a fail, or a partial settlement with a residual."""
    rng, kind = book.rng, trade.inst.kind
    codes = (_SHORT_CODES if partial else _FAIL_CODES)[row["direction"]]
    row.update(status=OS.FAILING, settled_quantity=_ZERO, settled_amount=_ZERO,
               fail_reason=rng.choice(codes))  # fmt: skip
    quantity = row["quantity"]
    lot = 1000 if kind.quoted_in_percent_of_par else 100 if quantity >= 200 else 1
    if partial and quantity > lot:
        lots = int(quantity / lot)
        done = Decimal(max(1, min(lots - 1, round(lots * rng.uniform(0.3, 0.8))))) * lot
        settled = round_money(row["amount"] * done / quantity, row["currency"])
        row.update(status=OS.PARTIALLY_SETTLED, settled_quantity=done, settled_amount=settled)
    row["status_changed_at"] = row["updated_at"] = book.at(row["settle_date"], 21)


def _matched(row: Row) -> bool:
    """Whether the counterparty's instruction matched it (a fail for NMAS or SSID never did)."""
    if row["status"] is OS.FAILING:
        return row["fail_reason"] not in (FailReason.NMAS, FailReason.SSID)
    return row["status"] in (OS.MATCHED, OS.PARTIALLY_SETTLED, OS.SETTLED)


def _ensure_open_statuses(rows: list[Row]) -> None:
    """Even a small book shows pending, instructed and matched work if it can."""
    upcoming = [r for r in rows if r["status"] in (OS.PENDING, OS.INSTRUCTED, OS.MATCHED)
                and r["exception_reason"] is None]  # fmt: skip
    for status in (OS.PENDING, OS.INSTRUCTED, OS.MATCHED):
        counts = {s: sum(r["status"] is s for r in upcoming) for s in OS}
        if counts[status] == 0:
            spare = [r for r in upcoming if counts[r["status"]] > 1]
            if spare:
                spare[0]["status"] = status
