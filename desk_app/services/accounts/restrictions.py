"""Restrictions on accounts, read and placed inside the caller's unit of work.

Every service that moves an account's securities or cash calls `refuse_if` in the
same transaction as the movement, so a restriction placed a moment before is seen
(it lives in `desk_app.db.restriction_book`, which settlement and custody read too).
Placing or lifting one re-checks the account's open obligations in the same
transaction: a delivery or a payment it stops gets an exception, which clears on
lifting (`desk_app.services.settlement.exception_checks`). A process that restricts an
account for its own reason (an ACATS transfer out, an estate) places it with a
``source_key`` and lifts it through `lift_source` when done.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.restriction_book import in_force, open_rows, refuse_if, rule
from desk_app.domain.codes import RestrictionKind
from desk_app.domain.errors import ValidationError
from desk_app.services.settlement.obligations import account_status_changed

__all__ = ["in_force", "lift", "lift_source", "open_rows", "place", "refuse_if", "rule"]

TABLE = "account_restrictions"


def place(
    session: Session,
    account: m.Account,
    kind: RestrictionKind,
    *,
    reason: str,
    placed_by: str,
    starts_on: date,
    ends_on: date | None = None,
    source_key: str | None = None,
    on: date | None = None,
) -> m.AccountRestriction:
    """Restrict ``account`` from ``starts_on``, in the caller's transaction (audited with it)."""
    if not reason.strip():
        raise ValidationError("reason", "say why the account is restricted")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError("ends_on", "is before the restriction starts", ends_on.isoformat())
    row = m.AccountRestriction(
        account_id=account.id, kind=kind, reason=reason.strip(), starts_on=starts_on,
        ends_on=ends_on, placed_by=placed_by, source_key=source_key,
    )  # fmt: skip
    session.add(row)
    session.flush()
    account_status_changed(session, account.id, on)
    return row


def lift(session: Session, row: m.AccountRestriction, lifted_by: str, reason: str) -> None:
    """Lift one restriction; it stays on the record with who lifted it and why."""
    if row.lifted_at is not None:
        raise ValidationError("restriction", f"{row.id} was already lifted by {row.lifted_by}")
    if not reason.strip():
        raise ValidationError("reason", "say why the restriction is lifted")
    row.lifted_by, row.lifted_at, row.lift_reason = lifted_by, datetime.now(UTC), reason.strip()
    session.flush()
    account_status_changed(session, row.account_id)


def lift_source(session: Session, source_key: str, lifted_by: str, reason: str) -> int:
    """Lift every open restriction a process placed (``acats:12``); how many were."""
    R = m.AccountRestriction
    rows = session.scalars(select(R).where(R.source_key == source_key, R.lifted_at.is_(None)))
    count = 0
    for row in rows:
        lift(session, row, lifted_by, reason)
        count += 1
    return count
