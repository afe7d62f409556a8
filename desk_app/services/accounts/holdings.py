"""What an account holds: positions as of a day, cash by currency, recent activity.

Read only. A position as of a past day is the ledger's postings made before that
day ended in New York (the business date), and the trades dated that day or earlier
that had not settled by then; today's is read from the kept balances.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.holdings import (
    AccountSummary,
    Activity,
    Basis,
    CashLine,
    Holdings,
    position,
)
from desk_app.domain.lots import Lot
from desk_app.domain.permissions import Action
from desk_app.services.accounts import holding_queries as q
from desk_app.services.settlement.lots import lots_by_instrument, lots_of
from desk_app.services.unit_of_work import UnitOfWork

NEW_YORK = ZoneInfo("America/New_York")
#: How many recent trades, settlements and journals the activity list shows.
RECENT = 15


def end_of(day: date) -> datetime:
    """The moment ``day`` ends in New York, in UTC (postings before it belong to it)."""
    return datetime.combine(day + timedelta(days=1), time(0), NEW_YORK).astimezone(UTC)


class AccountHoldings:
    """Positions, cash and activity of one account, for the CLI and the Holdings page."""

    def __init__(self, uow: UnitOfWork, today: date | None = None) -> None:
        self._uow = uow
        self._today = today

    def today(self) -> date:
        return self._today or market_today()

    def positions(
        self, number: str, as_of: date | None = None, basis: Basis | str = Basis.SETTLEMENT
    ) -> Holdings:
        """Each instrument the account held (or had pending) at the end of ``as_of``."""
        self._uow.actor.require(Action.VIEW_BOOKS)
        with self._uow.read() as session:
            return self._positions(session, _account(session, number), as_of, Basis(basis))

    def cash(self, number: str) -> tuple[CashLine, ...]:
        """Cash by currency: settled (the ledger), pending (open obligations), projected."""
        self._uow.actor.require(Action.VIEW_BOOKS)
        with self._uow.read() as session:
            return _cash(session, _account(session, number))

    def activity(self, number: str, limit: int = RECENT) -> tuple[Activity, ...]:
        """The latest trades, settlements and journals of the account, newest first."""
        self._uow.actor.require(Action.VIEW_BOOKS)
        with self._uow.read() as session:
            return _activity(session, _account(session, number), limit)

    def summary(
        self, number: str, as_of: date | None = None, basis: Basis | str = Basis.SETTLEMENT
    ) -> AccountSummary:
        """Positions, cash and activity in one read (the Holdings page)."""
        self._uow.actor.require(Action.VIEW_BOOKS)
        with self._uow.read() as session:
            account = _account(session, number)
            return AccountSummary(
                self._positions(session, account, as_of, Basis(basis)),
                _cash(session, account),
                _activity(session, account, RECENT),
            )

    def lots(self, number: str, isin: str, as_of: date | None = None) -> tuple[Lot, ...]:
        """The account's cost-basis lots in ``isin`` at the end of ``as_of``, oldest first."""
        self._uow.actor.require(Action.VIEW_BOOKS)
        today = self.today()
        day = as_of or today
        with self._uow.read() as session:
            account = _account(session, number)
            code = isin.strip().upper()
            instrument_id = session.scalar(select(m.Instrument.id).where(m.Instrument.isin == code))
            if instrument_id is None:
                raise ValidationError("isin", "is not an instrument in reference data", code)
            before = None if day >= today else end_of(day)
            return tuple(lots_of(session, account.id, instrument_id, before=before))

    def _positions(
        self, session: Session, account: m.Account, as_of: date | None, basis: Basis
    ) -> Holdings:
        today = self.today()
        day = as_of or today
        before = None if day >= today else end_of(day)
        settled = q.settled_quantities(session, account.id, before)
        pending = q.pending_trades(session, account.id, day, before)
        ids = {i for i, quantity in settled.items() if quantity} | set(pending)
        instruments = {
            i.id: i for i in session.scalars(select(m.Instrument).where(m.Instrument.id.in_(ids)))
        }
        quotes = q.quotes(session, ids, day)
        lots = lots_by_instrument(session, account.id, ids, before=before)
        made = []
        for instrument_id in ids:
            inst = instruments[instrument_id]
            made.append(
                position(
                    isin=inst.isin,
                    description=inst.description,
                    instrument_type=inst.instrument_type,
                    currency=inst.currency,
                    multiplier=inst.multiplier,
                    settled=settled.get(instrument_id, Decimal(0)),
                    lots=lots[instrument_id],
                    pending=pending.get(instrument_id, []),
                    basis=basis,
                    quote=quotes.get(instrument_id),
                )
            )
        shown = [p for p in made if p.settled or p.trade_date_quantity]
        shown.sort(key=lambda p: p.isin)
        return Holdings(account.account_number, account.name, day, basis, tuple(shown))


def _account(session: Session, number: str) -> m.Account:
    text = number.strip().upper()
    if not text:
        raise ValidationError("account", "is required (an account number)")
    found = session.scalars(select(m.Account).where(m.Account.account_number == text)).one_or_none()
    if found is None:
        raise ValidationError("account", "is not an account", number.strip())
    return found


def _cash(session: Session, account: m.Account) -> tuple[CashLine, ...]:
    settled = q.settled_cash(session, account.id)
    pending = q.pending_cash(session, account.id)
    currencies = sorted(set(settled) | set(pending))
    return tuple(
        CashLine(c, settled.get(c, Decimal(0)), pending.get(c, Decimal(0))) for c in currencies
    )


def _activity(session: Session, account: m.Account, limit: int) -> tuple[Activity, ...]:
    T, Ob, P, Ins = m.Trade, m.SettlementObligation, m.LedgerPosting, m.Instrument
    found: list[Activity] = []
    for trade, isin in session.execute(
        select(T, Ins.isin)
        .join(Ins, Ins.id == T.instrument_id)
        .where(T.account_id == account.id)
        .order_by(T.trade_date.desc(), T.id.desc())
        .limit(limit)
    ):
        status = "" if trade.status.value == "active" else f" ({trade.status.label.lower()})"
        found.append(Activity(
            trade.trade_time, "trade", trade.external_id or f"trade {trade.id}",
            f"{trade.side.label} {trade.quantity} {isin} at {trade.price}{status}",
            trade.quantity, trade.net_amount, trade.currency,
        ))  # fmt: skip
    for posting, obligation_id, direction, isin in session.execute(
        select(P, Ob.id, Ob.direction, Ins.isin)
        .join(Ob, Ob.id == P.obligation_id)
        .join(Ins, Ins.id == Ob.instrument_id)
        .where(Ob.account_id == account.id)
        .order_by(P.posted_at.desc(), P.id.desc())
        .limit(limit)
    ):
        verb = "Received" if direction.value == "receive" else "Delivered"
        if posting.kind != "settlement":
            verb = f"Reversed: {verb.lower()}"
        found.append(Activity(
            posting.posted_at, posting.kind, f"obligation {obligation_id}",
            f"{verb} {posting.quantity} {isin}", posting.quantity, posting.amount,
            posting.currency,
        ))  # fmt: skip
    for journal, posted_at in q.journals_of(session, account.id, limit):
        incoming = journal.to_account_id == account.id
        other = journal.from_account if incoming else journal.to_account
        what = (
            f"{journal.quantity} {journal.instrument.isin}"
            if journal.instrument is not None
            else f"{journal.amount} {journal.currency}"
        )
        found.append(Activity(
            posted_at, "journal in" if incoming else "journal out", f"journal {journal.id}",
            f"{what} {'from' if incoming else 'to'} {other.account_number}",
            journal.quantity, journal.amount, journal.currency,
        ))  # fmt: skip
    found.sort(key=lambda a: a.at, reverse=True)
    return tuple(found[:limit])
