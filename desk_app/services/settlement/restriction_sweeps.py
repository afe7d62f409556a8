"""Dated restrictions act on their day: the once-a-day sweep.

A restriction placed to start later, or with an end date, changes what its account's
open obligations may do when the day comes: a delivery it stops gets an exception on
its first day, which clears the day after its last. Placing and lifting re-check at
once (`desk_app.services.accounts.restrictions`); the days in between are this
sweep's. The first opening of the app or the command line on a New York business
day, the day changing while the app runs, and listing or settling obligations each
call `RestrictionSweeps.ensure`: the accounts whose restrictions began or ended since
the last sweep (one read on the indexed start and end dates) have their open
obligations re-checked as of that day, and one ``restriction_sweeps`` row records
it. Until the next day, `ensure` costs one indexed read per process, then none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.cutoffs import market_today
from desk_app.services.settlement.exception_checks import recheck
from desk_app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: The audit action of a sweep (no permission of its own: it only applies what was placed).
SWEEP = "restrictions.sweep"
_CHUNK = 500


@dataclass(frozen=True)
class SweepReport:
    """What one day's sweep did."""

    swept_on: date
    accounts: int
    raised: int
    cleared: int


class RestrictionSweeps:
    """Makes sure the restrictions of New York's business day have acted."""

    def __init__(self, uow: UnitOfWork, today: Callable[[], date] = market_today) -> None:
        self._uow = uow
        self._today = today
        self._done: date | None = None  # swept (or seen swept) by this process

    def swept(self, on: date) -> bool:
        """Whether ``on`` has been swept (one read on the unique date)."""
        S = m.RestrictionSweep
        with self._uow.read() as session:
            return session.scalar(select(S.id).where(S.swept_on == on)) is not None

    def ensure(self, on: date | None = None) -> SweepReport | None:
        """Sweep ``on`` (default: today) unless it has been; the report, or None if it had.

        A read-only workspace never sweeps (whoever writes next does). Two desks
        sweeping the same day at once: one row is written, the other gives way.
        """
        day = on or self._today()
        if self._done == day or self._uow.actor.read_only:
            return None
        if self.swept(day):
            self._done = day
            return None
        try:
            with self._uow.write(SWEEP) as session:
                report = sweep(session, day, self._uow.actor.username)
        except IntegrityError:
            log.info("restriction sweep of %s: another desk swept it first", day)
            report = None
        self._done = day
        return report


def due_accounts(session: Session, day: date) -> list[int]:
    """Accounts with a restriction (not lifted) that began, or ended, since the last sweep
    before ``day``: began on or before ``day``, ended before it (all of them, the first time)."""
    S, R = m.RestrictionSweep, m.AccountRestriction
    last = session.scalar(select(func.max(S.swept_on)).where(S.swept_on < day))
    began = R.starts_on <= day if last is None else and_(R.starts_on > last, R.starts_on <= day)
    ended = R.ends_on < day if last is None else and_(R.ends_on >= last, R.ends_on < day)
    return list(
        session.scalars(
            select(R.account_id)
            .where(R.lifted_at.is_(None), or_(began, ended))
            .distinct()
            .order_by(R.account_id)
        )
    )


def sweep(session: Session, day: date, by: str) -> SweepReport:
    """Re-check the open obligations of `due_accounts` as of ``day`` and record the sweep,
    in the caller's transaction."""
    ids = due_accounts(session, day)
    raised = cleared = 0
    o = m.SettlementObligation
    for start in range(0, len(ids), _CHUNK):
        report = recheck(session, [o.account_id.in_(ids[start : start + _CHUNK])], day)
        raised += report.raised
        cleared += report.cleared
    session.add(
        m.RestrictionSweep(
            swept_on=day, swept_by=by, accounts=len(ids), raised=raised, cleared=cleared
        )
    )
    session.flush()
    return SweepReport(day, len(ids), raised, cleared)
