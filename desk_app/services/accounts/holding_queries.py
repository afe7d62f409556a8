"""The reads behind an account's holdings, each one indexed query for the whole account.

Settled quantities come from the kept balances (today) or the ledger's entries
posted before the end of the day (a past day); pending quantities and cash from the
account's obligations and the live trades that have none yet; prices from the
latest row on or before the day (the unique index on instrument and date).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import Direction, Payment
from desk_app.domain.holdings import PendingTrade, Quote
from desk_app.domain.ledger import Book
from desk_app.domain.states import ObligationStatus, TradeStatus

E, P, Ob, T, B = m.LedgerEntry, m.LedgerPosting, m.SettlementObligation, m.Trade, m.LedgerBalance


def settled_quantities(
    session: Session, account_id: int, before: datetime | None
) -> dict[int, Decimal]:
    """Instrument id -> the account's settled quantity (``before``: only earlier postings)."""
    if before is None:
        rows = session.execute(
            select(B.instrument_id, B.quantity).where(
                B.account_id == account_id, B.book == Book.SECURITIES
            )
        )
        return {i: q or Decimal(0) for i, q in rows if i is not None}
    keys = select(B.balance_key).where(B.account_id == account_id, B.book == Book.SECURITIES)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for instrument_id, quantity in session.execute(
        select(E.instrument_id, E.quantity)
        .join(P, P.id == E.posting_id)
        .where(E.balance_key.in_(keys), P.posted_at < before)
    ):
        if instrument_id is not None:
            totals[instrument_id] += quantity or Decimal(0)
    return dict(totals)


def _settled_by(
    session: Session, account_id: int, obligation_ids: Collection[int], before: datetime
) -> dict[int, tuple[Decimal, Decimal]]:
    """Obligation id -> (quantity, cash) its postings before ``before`` moved for the account."""
    moved: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    if not obligation_ids:
        return {}
    for obligation_id, book, quantity, amount in session.execute(
        select(P.obligation_id, E.book, E.quantity, E.amount)
        .join(E, E.posting_id == P.id)
        .where(
            P.obligation_id.in_(list(obligation_ids)),
            E.account_id == account_id,
            P.posted_at < before,
        )
    ):
        if obligation_id is None:
            continue
        totals = moved[obligation_id]
        if book is Book.SECURITIES:
            totals[0] += abs(quantity or Decimal(0))
        else:
            totals[1] += abs(amount or Decimal(0))
    return {k: (v[0], v[1]) for k, v in moved.items()}


def pending_trades(
    session: Session, account_id: int, as_of: date, before: datetime | None
) -> dict[int, list[PendingTrade]]:
    """Instrument id -> what trades dated ``as_of`` or earlier still had to settle then.

    ``before`` None: now (the obligations' own settled figures); else what their
    postings before that moment had settled.
    """
    wanted = [Ob.account_id == account_id, T.trade_date <= as_of]
    wanted.append(Ob.status != ObligationStatus.CANCELLED)
    if before is None:
        wanted.append(Ob.status != ObligationStatus.SETTLED)
    rows = session.execute(
        select(
            Ob.id, Ob.instrument_id, Ob.direction, Ob.payment, Ob.quantity, Ob.amount,
            Ob.settled_quantity, Ob.settled_amount, T.trade_date,
        ).join(T, T.id == Ob.trade_id).where(*wanted)
    ).all()  # fmt: skip
    settled = _settled_by(session, account_id, [r.id for r in rows], before) if before else None
    out: dict[int, list[PendingTrade]] = defaultdict(list)
    for r in rows:
        if settled is None:
            done_q, done_a = r.settled_quantity, r.settled_amount
        else:
            done_q, done_a = settled.get(r.id, (Decimal(0), Decimal(0)))
        left = r.quantity - done_q
        if left == 0:
            continue
        cash = r.amount - done_a if r.payment is Payment.AGAINST else Decimal(0)
        sign = 1 if r.direction is Direction.RECEIVE else -1
        out[r.instrument_id].append(PendingTrade(r.trade_date, sign * left, cash))
    for t in _unobligated_trades(session, account_id, as_of):
        sign = -1 if t.side.delivers else 1
        out[t.instrument_id].append(PendingTrade(t.trade_date, sign * t.quantity, t.net_amount))
    return dict(out)


def _unobligated_trades(session: Session, account_id: int, as_of: date) -> list[m.Trade]:
    """Live trades that no obligation covers yet (none made for it or an earlier version).

    Two indexed reads and a set, rather than a correlated search per trade: the trade
    chains the account's obligations cover, then the live trades without one of their own.
    """
    chain = func.coalesce(T.original_id, T.id)
    covered = set(
        session.scalars(
            select(chain).join(Ob, Ob.trade_id == T.id).where(Ob.account_id == account_id)
        )
    )
    own = select(Ob.id).where(Ob.trade_id == T.id).exists()
    candidates = session.scalars(
        select(T).where(
            T.account_id == account_id,
            T.trade_date <= as_of,
            T.status == TradeStatus.ACTIVE,
            ~own,
        )
    )
    return [t for t in candidates if (t.original_id or t.id) not in covered]


def pending_cash(session: Session, account_id: int) -> dict[str, Decimal]:
    """Currency -> the cash legs still open on the account's obligations (+ comes in)."""
    open_statuses = [s for s in ObligationStatus if s.is_open]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, direction, amount, settled in session.execute(
        select(Ob.currency, Ob.direction, Ob.amount, Ob.settled_amount).where(
            Ob.account_id == account_id,
            Ob.status.in_(open_statuses),
            Ob.payment == Payment.AGAINST,
        )
    ):
        left = amount - settled
        totals[currency] += left if direction is Direction.DELIVER else -left
    return dict(totals)


def settled_cash(session: Session, account_id: int) -> dict[str, Decimal]:
    """Currency -> the account's settled cash (the kept ledger balance)."""
    rows = session.execute(
        select(B.currency, B.amount).where(B.account_id == account_id, B.book == Book.CASH)
    )
    return {c: a or Decimal(0) for c, a in rows if c is not None}


def quotes(session: Session, instrument_ids: Collection[int], as_of: date) -> dict[int, Quote]:
    """Instrument id -> its last price on or before ``as_of`` (none: not in the result)."""
    if not instrument_ids:
        return {}
    IP = m.InstrumentPrice
    ids = list(instrument_ids)
    latest = (
        select(IP.instrument_id, func.max(IP.price_date).label("day"))
        .where(IP.instrument_id.in_(ids), IP.price_date <= as_of)
        .group_by(IP.instrument_id)
        .subquery()
    )
    rows = session.execute(
        select(IP.instrument_id, IP.price, IP.price_date, IP.currency).join(
            latest, and_(latest.c.instrument_id == IP.instrument_id, latest.c.day == IP.price_date)
        )
    )
    return {i: Quote(price, day, currency) for i, price, day, currency in rows}


def journals_of(session: Session, account_id: int, limit: int) -> list[tuple[m.Journal, datetime]]:
    """The account's latest posted journals, in or out, with when they posted."""
    J = m.Journal
    return [
        (journal, posted_at)
        for journal, posted_at in session.execute(
            select(J, P.posted_at)
            .join(P, P.id == J.posting_id)
            .where(or_(J.from_account_id == account_id, J.to_account_id == account_id))
            .order_by(P.posted_at.desc(), J.id.desc())
            .limit(limit)
        )
    ]
