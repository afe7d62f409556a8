"""Re-checking open obligations: an exception clears once its cause has gone.

The settlement run gives an obligation an exception by one rule
(`obligation_run.exception_rule`): its account is closed, or a restriction in force
stops what it moves out of the account (a delivery, or a payment), or no standing
settlement instruction is in force for its route. When a cause changes (an SSI is
approved or ended, an account closed or reopened, a restriction placed or lifted) the
obligations
it touches are checked again in the same transaction; **Re-check** does it on demand.
An obligation not yet instructed also takes the SSI now in force, and may gain an
exception as well as lose one; one the street already knows of (instructed, matched,
failing, partly settled) keeps the route it was instructed on, and its exception can
only clear: a new one would stop a settlement already under way (a fail that must be
closed out), so that is left to the desk. An exception the desk wrote itself (a
trade amended after part of it settled) is not the rule's to clear: it stays.

Only the obligations that change are loaded and written, through the ORM, so each
change is audited like any other (before and after, by whom, in which action).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.restriction_book import stopping_label
from desk_app.domain.cutoffs import market_today
from desk_app.domain.states import ObligationStatus
from desk_app.services.settlement.netting import dissolve
from desk_app.services.settlement.obligation_run import (
    RULE_EXCEPTION,
    exception_rule,
    moving_out,
    ssi_in_force,
)

#: Obligations loaded (to be changed) per statement.
CHUNK = 500
OPEN = tuple(s for s in ObligationStatus if s.is_open)


@dataclass(frozen=True)
class RecheckReport:
    """What a re-check found: how many it looked at, cleared and raised, and what stands."""

    checked: int
    cleared: int
    raised: int
    remaining: tuple[tuple[int, str], ...]  # (obligation id, its exception), by id

    @property
    def summary(self) -> str:
        looked = f"{self.checked:,} open obligation{'' if self.checked == 1 else 's'} checked"
        parts = [f"{self.cleared:,} exception{'' if self.cleared == 1 else 's'} cleared"]
        if self.raised:
            parts.append(f"{self.raised:,} new")
        parts.append(f"{len(self.remaining):,} remain{'s' if len(self.remaining) == 1 else ''}")
        return f"{looked}: {', '.join(parts)}"


def recheck(
    session: Session, where: Sequence[ColumnElement[bool]] = (), on: date | None = None
) -> RecheckReport:
    """Check the open obligations ``where`` picks again, inside ``session``'s transaction
    (restrictions as they stand on ``on``, New York's today unless given)."""
    session.flush()  # the cause (an SSI, an account) as the SELECT reads it
    o, a, i, cp = m.SettlementObligation, m.Account, m.Instrument, m.Counterparty
    in_force = ssi_in_force(o.counterparty_id, o.account_id, i.market, i.instrument_type,
                            o.settle_date)  # fmt: skip
    ssi_now = case((o.status == ObligationStatus.PENDING, in_force), else_=o.ssi_id)
    rows = session.execute(
        select(
            o.id, o.status, o.ssi_id, o.exception_reason, ssi_now.label("ssi_now"),
            exception_rule(a.status, a.account_number, ssi_now, counterparty_code=cp.code,
                           market=i.market, asset_class=i.instrument_type,
                           restricted=stopping_label(o.account_id,
                                                     moving_out(o.direction, o.payment),
                                                     on or market_today())).label("rule"),
        )
        .join(a, a.id == o.account_id)
        .join(i, i.id == o.instrument_id)
        .join(cp, cp.id == o.counterparty_id)
        .where(o.status.in_(OPEN), *where)
        .order_by(o.id)
    ).all()  # fmt: skip
    changes: dict[int, tuple[int | None, str | None]] = {}
    remaining: list[tuple[int, str]] = []
    cleared = raised = 0
    for row in rows:
        was: str | None = row.exception_reason
        if was and not RULE_EXCEPTION.fullmatch(was):
            remaining.append((row.id, was))  # the desk's own note: a person clears it
            continue
        now: str | None = row.rule
        if now and not was and row.status is not ObligationStatus.PENDING:
            now = None  # under way at the street: not stopped by a re-check
        if now:
            remaining.append((row.id, now))
        if (row.ssi_now, now) != (row.ssi_id, was):
            changes[row.id] = (row.ssi_now, now)
            cleared += bool(was) and not now
            raised += bool(now) and not was
    _apply(session, changes)
    return RecheckReport(len(rows), cleared, raised, tuple(remaining))


def _apply(session: Session, changes: dict[int, tuple[int | None, str | None]]) -> None:
    """Write the new SSI and exception of each changed obligation (audited by the ORM)."""
    ids = sorted(changes)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for obligation in session.scalars(
            select(m.SettlementObligation).where(m.SettlementObligation.id.in_(chunk))
        ):
            ssi_id, reason = changes[obligation.id]
            if obligation.net_id is not None and (reason or ssi_id != obligation.ssi_id):
                # A net holds one route and no exceptions: its members go gross again.
                dissolve(session, obligation.net_id, f"obligation {obligation.id} re-checked")
            obligation.ssi_id = ssi_id
            obligation.exception_reason = reason


def of_obligations(ids: Sequence[int]) -> list[ColumnElement[bool]]:
    """Pick these obligations (for `recheck`)."""
    return [m.SettlementObligation.id.in_(list(ids))]


def touching(*, counterparty_id: int | None = None, account_id: int | None = None) -> list[Any]:
    """Pick the obligations a changed SSI (its counterparty) or account may touch."""
    o = m.SettlementObligation
    where: list[Any] = []
    if counterparty_id is not None:
        where.append(o.counterparty_id == counterparty_id)
    if account_id is not None:
        where.append(o.account_id == account_id)
    return where
