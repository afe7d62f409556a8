"""An account's cost-basis lots in an instrument, replayed from its ledger postings.

Nothing is kept besides the ledger and what a journal carried: the lots are its
postings replayed in order (`desk_app.domain.lots`). A settled receipt adds a lot at
the trade date and the cash the account paid; a delivery takes the oldest; a
reversal of a receipt removes that receipt's lot, and of a delivery gives back what
it took; a journal in adds the lots it carried, a journal out takes those same lots
(the clerk named them, or they were the oldest); an
ACATS transfer in adds the lots the contra firm stated, one out takes the oldest.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.ledger_book import REVERSAL, SETTLEMENT
from desk_app.domain.ledger import Book, Holder, Movement
from desk_app.domain.lots import Lot, named_of, split, take, take_named

E, P, Ob, T = m.LedgerEntry, m.LedgerPosting, m.SettlementObligation, m.Trade
#: The kind of posting an ACATS transfer's completion makes (it carries lots, as a journal).
ACATS_POSTING = "acats"
#: What a journal or an ACATS transfer carried in, by (posting, instrument): one ACATS
#: posting moves several instruments.
Carried = dict[tuple[int, int], list[dict[str, str]]]


def _carried(session: Session, postings: Any) -> Carried:
    """The lots journals and ACATS transfers carried, by their posting and instrument."""
    carried: Carried = {}
    journals = select(m.Journal.posting_id, m.Journal.instrument_id, m.Journal.lots).where(
        m.Journal.posting_id.in_(postings)
    )
    acats = (
        select(m.AcatsTransfer.posting_id, m.AcatsAsset.instrument_id, m.AcatsAsset.lots)
        .join(m.AcatsAsset, m.AcatsAsset.transfer_id == m.AcatsTransfer.id)
        .where(m.AcatsTransfer.posting_id.in_(postings))
    )
    for query in (journals, acats):
        for posting_id, instrument_id, lots in session.execute(query):
            if posting_id is not None and instrument_id is not None:
                carried[posting_id, instrument_id] = json.loads(lots) if lots else []
    return carried


def lots_of(
    session: Session, account_id: int, instrument_id: int, *, before: datetime | None = None
) -> list[Lot]:
    """The account's open lots in the instrument, oldest first; ``before``: as postings
    made before that moment left them (a position as of a past day)."""
    return lots_by_instrument(session, account_id, [instrument_id], before=before).get(
        instrument_id, []
    )


def lots_by_instrument(
    session: Session,
    account_id: int,
    instrument_ids: Iterable[int],
    *,
    before: datetime | None = None,
) -> dict[int, list[Lot]]:
    """`lots_of` for many instruments of one account in three reads (a whole account)."""
    keys = {
        Movement(Holder("account", account_id), Book.SECURITIES, str(i), Decimal(0)).balance_key: i
        for i in instrument_ids
    }
    if not keys:
        return {}
    when = [] if before is None else [P.posted_at < before]
    rows = session.execute(
        select(E.balance_key, E.posting_id, E.quantity, P.kind, P.reverses_id, P.posted_at,
               T.trade_date)
        .join(P, P.id == E.posting_id)
        .outerjoin(Ob, Ob.id == P.obligation_id)
        .outerjoin(T, T.id == Ob.trade_id)
        .where(E.balance_key.in_(list(keys)), *when)
        .order_by(E.posting_id)
    ).all()  # fmt: skip
    postings = (
        select(E.posting_id)
        .join(P, P.id == E.posting_id)
        .where(E.balance_key.in_(list(keys)), *when)
    )
    paid: dict[int, Decimal] = defaultdict(Decimal)
    carried: Carried = {}
    if rows:
        for posting_id, amount in session.execute(
            select(E.posting_id, E.amount).where(
                E.posting_id.in_(postings), E.account_id == account_id, E.book == Book.CASH
            )
        ):
            paid[posting_id] -= amount or Decimal(0)
        carried = _carried(session, postings)
    by_key: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_key[r.balance_key].append(r)
    return {keys[k]: _replay(keys[k], by_key.get(k, []), paid, carried) for k in keys}


def _take_carried(lots: list[Lot], carried: list[dict[str, str]]) -> tuple[list[Lot], list[Lot]]:
    """The lots a journal out carried, taken from ``lots`` by their acquisition dates."""
    named = named_of(Lot.from_json(d) for d in carried)
    try:
        return take_named(lots, named, sum(named.values(), Decimal(0)))
    except ValueError:  # not as they were when it posted: the oldest, as before names
        return list(lots), []


def _replay(
    instrument_id: int, rows: Sequence[Any], paid: dict[int, Decimal], carried: Carried
) -> list[Lot]:
    """One instrument's postings, in order, as the lots they leave."""
    lots: list[Lot] = []
    took: dict[int, list[Lot]] = {}
    short = Decimal(0)  # delivered beyond the known lots: what a later receipt covers first

    def add(new: list[Lot]) -> None:
        nonlocal short
        for lot in new:
            if short >= lot.quantity:
                short -= lot.quantity
            elif short > 0:
                lots.append(split(lot, short)[1])
                short = Decimal(0)
            else:
                lots.append(lot)

    def remove(pool: list[Lot], quantity: Decimal) -> tuple[list[Lot], list[Lot]]:
        nonlocal short
        left, taken = take(pool, quantity)
        short += quantity - sum((lot.quantity for lot in taken), Decimal(0))
        return left, taken

    for r in rows:
        quantity = r.quantity or Decimal(0)
        if quantity > 0 and r.kind in ("journal", ACATS_POSTING):
            brought = carried.get((r.posting_id, instrument_id), [])
            add([Lot.from_json(d, r.posting_id) for d in brought])
        elif quantity > 0 and r.kind == SETTLEMENT:
            acquired = r.trade_date or r.posted_at.date()
            add([Lot(acquired, quantity, max(paid[r.posting_id], Decimal(0)), r.posting_id)])
        elif quantity > 0:  # the reversal of a delivery gives back what it took
            add(took.pop(r.reverses_id, []))
        elif r.kind == REVERSAL:  # the reversal of a receipt removes that receipt's lot
            own = [lot for lot in lots if lot.source == r.reverses_id]
            rest = [lot for lot in lots if lot.source != r.reverses_id]
            own_left, own_taken = take(own, -quantity)
            need = -quantity - sum((lot.quantity for lot in own_taken), Decimal(0))
            rest_left, _ = remove(rest, need) if need > 0 else (rest, [])
            lots[:] = own_left + rest_left
        elif r.kind == "journal" and carried.get((r.posting_id, instrument_id)):
            # A journal out takes the lots it carried (those the clerk named, or the oldest).
            left, named = _take_carried(lots, carried[r.posting_id, instrument_id])
            beyond = -quantity - sum((lot.quantity for lot in named), Decimal(0))
            left, more = remove(left, beyond) if beyond > 0 else (left, [])
            lots[:] = left
            took[r.posting_id] = named + more
        else:  # a delivery, an ACATS transfer out: the oldest first
            left, took[r.posting_id] = remove(lots, -quantity)
            lots[:] = left
    # Parts of one lot that came back together (a reversal) are one lot again.
    whole: dict[tuple[date, int | None, bool], Lot] = {}
    for lot in lots:
        same = (lot.acquired, lot.source, lot.inherited)
        seen = whole.get(same)
        whole[same] = (
            lot
            if seen is None
            else replace(seen, quantity=seen.quantity + lot.quantity, cost=seen.cost + lot.cost)
        )
    return sorted(whole.values(), key=lambda lot: (lot.acquired, lot.source or 0))
