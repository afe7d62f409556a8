"""The settlement run: one obligation for every live trade version that lacks one.

Exactly once, however many desks run it together: the run takes the database's write
lock (SQLite) or an advisory lock (PostgreSQL) before it looks for the trades without
an obligation, so a second run waits and then finds none; and a trade version has at
most one obligation (a unique key) in any case. A trade booked from a ticket gets its
obligation as it is booked; imported trades get theirs from this run.

A route without a standing settlement instruction, or a closed or restricted account,
does not leave a gap: the obligation is made with the reason as its exception, so it
shows on the worklist to be cleared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.domain.codes import AccountStatus, Direction, InstrumentType, Payment
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.services import audit

#: Key of the PostgreSQL advisory lock that makes settlement runs take turns.
RUN_LOCK_KEY = 0x4453524E  # "DSRN"
_CHUNK = 5000
SSI = m.StandingSettlementInstruction


@dataclass(frozen=True)
class RunReport:
    """What a settlement run made."""

    created: int
    exceptions: int  # of them, made with an exception to clear

    @property
    def summary(self) -> str:
        made = f"{self.created:,} obligation{'' if self.created == 1 else 's'} created"
        return f"{made}, {self.exceptions:,} with an exception" if self.exceptions else made


class SSIBook:
    """Standing settlement instructions in memory: which one is in force for a trade.

    For a counterparty, market and asset class on the settlement date, one for the
    trade's very account wins over the counterparty's general one, then the latest.
    """

    def __init__(self, rows: Iterable[SSI]) -> None:
        self._routes: dict[tuple[int, str, InstrumentType], list[SSI]] = defaultdict(list)
        for ssi in rows:
            self._routes[(ssi.counterparty_id, ssi.market, ssi.asset_class)].append(ssi)
        for options in self._routes.values():
            options.sort(key=lambda s: (s.account_id is None, -s.effective_from.toordinal()))

    @classmethod
    def load(cls, session: Session, counterparty_ids: Iterable[int] | None = None) -> SSIBook:
        stmt = select(SSI)
        if counterparty_ids is not None:
            stmt = stmt.where(SSI.counterparty_id.in_(sorted(set(counterparty_ids))))
        return cls(session.scalars(stmt))

    def find(
        self, counterparty_id: int, market: str, asset_class: InstrumentType, account_id: int,
        settle_date: date,
    ) -> SSI | None:  # fmt: skip
        for ssi in self._routes.get((counterparty_id, market, asset_class), ()):
            if ssi.account_id not in (None, account_id):
                continue
            if ssi.effective_from <= settle_date and (
                ssi.effective_to is None or ssi.effective_to >= settle_date
            ):
                return ssi
        return None


def exception_of(
    account: m.Account, ssi: SSI | None, route: tuple[str, str, InstrumentType]
) -> str | None:
    """Why an obligation cannot simply be instructed (None: nothing stands in its way)."""
    if account.status is AccountStatus.CLOSED:
        return f"Account {account.account_number} is closed"
    if account.status is AccountStatus.RESTRICTED:
        return f"Account {account.account_number} is restricted: check before settling"
    if ssi is None:
        counterparty, market, kind = route
        return f"No standing settlement instruction for {counterparty} / {market} / {kind.value}"
    return None


def obligation_row(trade: m.Trade, ssi: SSI | None, exception: str | None) -> dict[str, Any]:
    """Every column of a new, pending obligation for ``trade`` (delivery against payment)."""
    now = datetime.now(UTC)
    return {
        "trade_id": trade.id, "account_id": trade.account_id,
        "instrument_id": trade.instrument_id, "counterparty_id": trade.counterparty_id,
        "ssi_id": None if ssi is None else ssi.id,
        "direction": Direction.DELIVER if trade.side.delivers else Direction.RECEIVE,
        "payment": Payment.AGAINST, "quantity": trade.quantity,
        "settled_quantity": Decimal(0), "amount": trade.net_amount,
        "settled_amount": Decimal(0), "currency": trade.currency,
        "settle_date": trade.settle_date, "status": ObligationStatus.PENDING,
        "fail_reason": None, "exception_reason": exception, "status_note": None,
        "status_changed_at": now,
        "created_at": now, "version": 1, "updated_at": now,
    }  # fmt: skip


def run_settlement(
    session: Session, *, as_of: date | None = None, trade_ids: Sequence[int] | None = None
) -> RunReport:
    """Make the obligations of live trade versions without one, inside ``session``.

    ``as_of``: only trades dated on or before it; ``trade_ids``: only these.
    """
    _take_turn(session)
    t, o = m.Trade, m.SettlementObligation
    stmt = (
        select(
            t, m.Account, m.Instrument.market, m.Instrument.instrument_type, m.Counterparty.code
        )  # fmt: skip
        .join(m.Account, m.Account.id == t.account_id)
        .join(m.Instrument, m.Instrument.id == t.instrument_id)
        .join(m.Counterparty, m.Counterparty.id == t.counterparty_id)
        .where(t.status == TradeStatus.ACTIVE, ~exists().where(o.trade_id == t.id))
        .order_by(t.id)
    )
    if as_of is not None:
        stmt = stmt.where(t.trade_date <= as_of)
    if trade_ids is not None:
        stmt = stmt.where(t.id.in_(list(trade_ids)))
    found = session.execute(stmt).all()
    if not found:
        return RunReport(0, 0)
    ssis = SSIBook.load(session, {row[0].counterparty_id for row in found})
    rows, exceptions = [], 0
    for trade, account, market, kind, counterparty in found:
        ssi = ssis.find(trade.counterparty_id, market, kind, trade.account_id, trade.settle_date)
        exception = exception_of(account, ssi, (counterparty, market, kind))
        exceptions += exception is not None
        rows.append(obligation_row(trade, ssi, exception))
    for start in range(0, len(rows), _CHUNK):
        bulk_insert(session, o, rows[start : start + _CHUNK])
    audit.record_event(session, "settlement_obligations", "run", {
        "created": len(rows), "exceptions": exceptions,
        "as_of": None if as_of is None else as_of.isoformat(),
    })  # fmt: skip
    return RunReport(len(rows), exceptions)


def share_run_lock(session: Session) -> None:
    """Make a settlement run wait while this transaction corrects or cancels a trade.

    On PostgreSQL a run could otherwise read a version as live, and make its
    obligation after the correction had looked for one. SQLite's writers take turns.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": RUN_LOCK_KEY})


def _take_turn(session: Session) -> None:
    """Wait for any other settlement run to finish before looking for trades."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})
    else:  # a write statement takes SQLite's write lock, which writers hold in turn
        session.execute(text("DELETE FROM settlement_obligations WHERE 0 = 1"))
