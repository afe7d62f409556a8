"""The settlement run: one obligation for every live trade version that lacks one.

Exactly once, however many desks run it together: the run takes the database's write
lock (SQLite) or an advisory lock (PostgreSQL) before it looks for the trades without
an obligation, so a second run waits and then finds none; and a trade version has at
most one obligation (a unique key) in any case. A trade booked from a ticket gets its
obligation as it is booked; imported trades get theirs from this run.

A route without a standing settlement instruction, or a closed or restricted account,
does not leave a gap: the obligation is made with the reason as its exception, so it
shows on the worklist to be cleared.

What an obligation holds is one SELECT (`obligation_values`): the settlement run
inserts from it over every trade at once, and a single booking reads its one row.
The SSI in force is the counterparty's for the market and asset class on the
settlement date; one for the trade's very account wins over the general one, then
the latest effective, then the latest entered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    case,
    cast,
    exists,
    insert,
    literal,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from desk_app.db import models as m
from desk_app.db.engine import BIG_LOAD_ROWS, hold_big_cache
from desk_app.db.restriction_book import stopping_label
from desk_app.db.sealing import note_written
from desk_app.db.types import UTCDateTime
from desk_app.domain.codes import AccountStatus, Direction, Payment, Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.restrictions import Movement
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.services import audit

#: Key of the PostgreSQL advisory lock that makes settlement runs take turns.
RUN_LOCK_KEY = 0x4453524E  # "DSRN"
SSI = m.StandingSettlementInstruction
#: The words of the exceptions the rule raises (`exception_rule`).
CLOSED = " is closed"
RESTRICTED = " is restricted: check before settling"  # a status of old databases
#: ``Account X is restricted (Legal hold): check before settling``: a restriction in force
#: stops what the obligation moves out (its securities delivered, or its cash paid).
RESTRICTED_BY, RESTRICTED_END = " is restricted (", "): check before settling"
NO_SSI = "No standing settlement instruction for "
#: An exception the rule raised (and a re-check may clear), not one the desk wrote.
RULE_EXCEPTION = re.compile(
    rf"Account .+(?:{re.escape(CLOSED)}|{re.escape(RESTRICTED)}"
    rf"|{re.escape(RESTRICTED_BY)}.+{re.escape(RESTRICTED_END)})|{re.escape(NO_SSI)}.+"
)


@dataclass(frozen=True)
class RunReport:
    """What a settlement run made."""

    created: int
    exceptions: int  # of them, made with an exception to clear

    @property
    def summary(self) -> str:
        made = f"{self.created:,} obligation{'' if self.created == 1 else 's'} created"
        return f"{made}, {self.exceptions:,} with an exception" if self.exceptions else made


def ssi_in_force(
    counterparty_id: Any, account_id: Any, market: Any, asset_class: Any, settle_date: Any
) -> Any:
    """The id of the SSI in force for a route on a settlement date (a correlated subquery).

    One for the very account wins over the counterparty's general one, then the latest
    effective, then the latest entered.
    """
    s = aliased(SSI)
    return (
        select(s.id)
        .where(
            s.counterparty_id == counterparty_id, s.market == market,
            s.asset_class == asset_class,
            or_(s.account_id.is_(None), s.account_id == account_id),
            s.effective_from <= settle_date,
            or_(s.effective_to.is_(None), s.effective_to >= settle_date),
        )
        .order_by(s.account_id.is_(None), s.effective_from.desc(), s.id.desc())
        .limit(1)
        .scalar_subquery()
    )  # fmt: skip


def moving_out(direction: Any, payment: Any) -> Any:
    """SQL: what an obligation moves out of its account (a `Movement` value), or NULL.

    A delivery delivers securities; a receipt against payment pays cash; a free receipt
    moves nothing out, and a restriction never stops it.
    """
    return case(
        (direction == Direction.DELIVER, literal(Movement.DELIVER.value, String)),
        (payment == Payment.AGAINST, literal(Movement.PAY.value, String)),
        else_=null(),
    )


def exception_rule(
    account_status: Any, account_number: Any, ssi_id: Any, *, counterparty_code: Any,
    market: Any, asset_class: Any, restricted: Any,
) -> Any:  # fmt: skip
    """Why an obligation may not settle as things stand (NULL when nothing stops it).

    ``restricted``: the label of the restriction that stops it (`stopping_label`), or
    NULL. The only exceptions the rule raises, so the only ones a re-check may clear:
    see `RULE_EXCEPTION`.
    """

    def words(*parts: Any) -> Any:
        out: Any = literal("", String)
        for part in parts:
            out = out + (literal(part, String) if isinstance(part, str) else cast(part, String))
        return out

    return case(
        (account_status == AccountStatus.CLOSED,
         words("Account ", account_number, CLOSED)),
        (account_status == AccountStatus.RESTRICTED,
         words("Account ", account_number, RESTRICTED)),
        (restricted.is_not(None),
         words("Account ", account_number, RESTRICTED_BY, restricted, RESTRICTED_END)),
        (ssi_id.is_(None),
         words(NO_SSI, counterparty_code, " / ", market, " / ", asset_class)),
        else_=null(),
    )  # fmt: skip


def obligation_values(*where: Any) -> Select[Any]:
    """Every column of a new, pending obligation (against payment) per trade ``where`` picks.

    Columns in the order and with the names of ``settlement_obligations`` (but the id).
    """
    t, o = m.Trade, m.SettlementObligation
    a, i, cp = m.Account, m.Instrument, m.Counterparty
    in_force = ssi_in_force(t.counterparty_id, t.account_id, i.market, i.instrument_type,
                            t.settle_date)  # fmt: skip
    trades = (
        select(
            t.id, t.account_id, t.instrument_id, t.counterparty_id, t.side, t.quantity,
            t.net_amount, t.currency, t.settle_date, in_force.label("ssi_id"),
            a.account_number, a.status.label("account_status"), cp.code, i.market,
            i.instrument_type,
        )
        .join(a, a.id == t.account_id)
        .join(i, i.id == t.instrument_id)
        .join(cp, cp.id == t.counterparty_id)
        .where(*where)
        .subquery()
    )  # fmt: skip
    now = literal(datetime.now(UTC), UTCDateTime())
    zero_quantity, zero_money = (
        literal(Decimal(0), o.quantity.type),
        literal(Decimal(0), o.amount.type),
    )

    direction = case(
        (trades.c.side == Side.BUY, literal(Direction.RECEIVE, o.direction.type)),
        else_=literal(Direction.DELIVER, o.direction.type),
    )
    out = moving_out(direction, literal(Payment.AGAINST, o.payment.type))
    exception = exception_rule(
        trades.c.account_status, trades.c.account_number, trades.c.ssi_id,
        counterparty_code=trades.c.code, market=trades.c.market,
        asset_class=trades.c.instrument_type,
        restricted=stopping_label(trades.c.account_id, out, market_today()),
    )  # fmt: skip
    return select(
        trades.c.id.label("trade_id"), trades.c.account_id, trades.c.instrument_id,
        trades.c.counterparty_id, trades.c.ssi_id, direction.label("direction"),
        literal(Payment.AGAINST, o.payment.type).label("payment"), trades.c.quantity,
        zero_quantity.label("settled_quantity"), trades.c.net_amount.label("amount"),
        zero_money.label("settled_amount"), trades.c.currency, trades.c.settle_date,
        literal(ObligationStatus.PENDING, o.status.type).label("status"),
        cast(null(), o.fail_reason.type).label("fail_reason"),
        exception.label("exception_reason"), cast(null(), String).label("status_note"),
        cast(null(), o.matched_at.type).label("matched_at"),
        now.label("status_changed_at"), now.label("created_at"),
        literal(1, Integer).label("version"), now.label("updated_at"),
    ).order_by(trades.c.id)  # fmt: skip


def run_settlement(
    session: Session, *, as_of: date | None = None, trade_ids: Sequence[int] | None = None
) -> RunReport:
    """Make the obligations of live trade versions without one, inside ``session``.

    ``as_of``: only trades dated on or before it; ``trade_ids``: only these.
    """
    _take_turn(session)
    # A run over the book is a load (thousands of rows, mostly): SQLite's larger cache.
    hold_big_cache(session.connection(), BIG_LOAD_ROWS if trade_ids is None else len(trade_ids))
    t, o = m.Trade, m.SettlementObligation
    where = [t.status == TradeStatus.ACTIVE, ~exists().where(o.trade_id == t.id)]
    if as_of is not None:
        where.append(t.trade_date <= as_of)
    if trade_ids is not None:
        where.append(t.id.in_(list(trade_ids)))
    values = obligation_values(*where)
    made = session.connection().execute(
        insert(o).from_select(list(values.selected_columns.keys()), values)
        .returning(o.id, o.exception_reason)
    ).all()  # fmt: skip
    note_written(session, o.__tablename__, [row.id for row in made])  # sealed at commit
    created = len(made)
    exceptions = sum(row.exception_reason is not None for row in made)
    if created:
        audit.record_event(session, "settlement_obligations", "run", {
            "created": created, "exceptions": exceptions,
            "as_of": None if as_of is None else as_of.isoformat(),
        })  # fmt: skip
    return RunReport(created, exceptions)


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
