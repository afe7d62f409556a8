"""Settling many obligations at once: one transaction, set-based statements, one audit entry.

For a day's matched obligations (an end-of-day job, the tab's bulk Settle). Each is
checked in Python by the rule a single settlement uses
(`desk_app.domain.settlement_rules.settle_refusal`); what may not settle is left as it
is and named. The rest settle all that is left of them by the statements of
`desk_app.db.bulk_settlement`, which the database runs over the rows themselves. The
postings record who posted them and when; the audit trail gets one entry with the
counts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import bulk_settlement
from desk_app.db import models as m
from desk_app.db.bulk_settlement import post_settled
from desk_app.db.engine import hold_big_cache
from desk_app.db.restriction_book import in_force_of
from desk_app.domain.codes import Direction, Payment
from desk_app.domain.cutoffs import market_today
from desk_app.domain.restrictions import AccountRestricted, Movement, Restriction, stopping
from desk_app.domain.settlement_rules import settle_refusal
from desk_app.services import audit

__all__ = ["BulkSettled", "Progress", "movement_out", "post_settled", "settle_all"]

_CHUNK = 5000
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BulkSettled:
    """What a bulk settlement did: how many settled, and what was left and why."""

    settled: int
    refused: tuple[tuple[int, str], ...]

    @property
    def summary(self) -> str:
        text = f"{self.settled:,} obligation{'' if self.settled == 1 else 's'} settled"
        return f"{text}, {len(self.refused):,} left as they were" if self.refused else text


def movement_out(direction: Direction, payment: Payment) -> Movement | None:
    """What settling moves out of the account: securities delivered, cash paid, or nothing."""
    if direction is Direction.DELIVER:
        return Movement.DELIVER
    return Movement.PAY if payment is Payment.AGAINST else None


class _Restrictions:
    """The restrictions in force today of the accounts a bulk settlement touches, read once."""

    def __init__(self, session: Session, account_ids: set[int]) -> None:
        self.today = market_today()
        self.found: dict[int, list[Restriction]] = in_force_of(session, account_ids, self.today)
        self.numbers = dict(
            session.execute(
                select(m.Account.id, m.Account.account_number).where(
                    m.Account.id.in_(sorted(self.found))
                )
            ).all()
        ) if self.found else {}  # fmt: skip

    def refusal(self, row: Any) -> str | None:
        out = movement_out(row.direction, row.payment)
        held = self.found.get(row.account_id)
        found = stopping(held, out, self.today) if held and out is not None else None
        if found is None or out is None:
            return None
        return f"{row.id}: {AccountRestricted(self.numbers[row.account_id], out, found).message}"


def settle_all(
    session: Session, ids: Iterable[int], posted_by: str, progress: Progress | None = None
) -> BulkSettled:
    """Settle all that is left of each obligation of ``ids`` that may settle, in ``session``."""
    wanted = sorted(set(ids))
    report = progress or (lambda _done, _total, _message: None)
    bulk_settlement.lock_for_writing(session)
    hold_big_cache(session.connection(), len(wanted))
    now = datetime.now(UTC)
    chosen: list[int] = []
    refused: list[tuple[int, str]] = []
    rows = bulk_settlement.read(session, wanted)  # one read of them all, in id order
    restrictions = _Restrictions(session, {row.account_id for row in rows})
    read_ids = [row.id for row in rows]
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        first, end = bisect_left(read_ids, chunk[0]), bisect_right(read_ids, chunk[-1])
        for row in rows[first:end]:
            why = settle_refusal(
                row.id, status=row.status, matched=row.matched_at is not None,
                exception=row.exception_reason, trade_status=row.trade_status,
                trade_id=row.trade_id,
            ) or restrictions.refusal(row)  # fmt: skip
            if why is None:
                chosen.append(row.id)
            else:
                refused.append((row.id, why))
        found = set(read_ids[first:end])
        refused += [(i, f"no settlement obligation {i}") for i in chunk if i not in found]
        report(start + len(chunk), len(wanted), "Checking…")
    if chosen:
        report(len(wanted), len(wanted), "Posting…")
        bulk_settlement.post_all_left(session, chosen, posted_by, now)
        report(len(wanted), len(wanted), "Moving the balances…")
        bulk_settlement.enter_postings(session, now)
    audit.record_event(session, "ledger_postings", "bulk_settlement", {
        "settled": len(chosen), "refused": len(refused), "posted_by": posted_by,
    })  # fmt: skip
    return BulkSettled(len(chosen), tuple(sorted(refused)))
