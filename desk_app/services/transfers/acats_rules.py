"""ACATS inside a unit of work: finding records, moving a status, reading the deadlines.

Shared by the ACATS service and its completion, so that every status change goes
through the state machine, keeps the day it happened and sets the next deadline.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.acats import (
    ACATS,
    REJECT_CODES,
    AcatsDeadlines,
    AcatsStatus,
    BusinessDays,
    deadline,
)
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.ledger import Book, Holder, Movement
from desk_app.domain.trade_rows import parse_isin

TABLE = "acats_transfers"
#: Aging limits (reference data) that hold the deadlines, by `AcatsDeadlines` field.
LIMIT_CODES = {
    "review": "acats_review",
    "settlement": "acats_settlement",
    "correction": "acats_correction",
}
#: The business day each status keeps.
_DAY_FIELD = {
    AcatsStatus.VALIDATED: "validated_on",
    AcatsStatus.REJECTED: "rejected_on",
    AcatsStatus.SETTLE_PREP: "settle_prep_on",
    AcatsStatus.COMPLETED: "completed_on",
    AcatsStatus.PURGED: "purged_on",
    AcatsStatus.REVERSED: "reversed_on",
}


def deadlines(session: Session) -> AcatsDeadlines:
    """The deadlines as the aging limits hold them now (seeded by migration 0027, changed
    by a principal's approval: ``aging-limits amend acats_review --days N``)."""
    rows: dict[str, int] = {
        code: days
        for code, days in session.execute(
            select(m.AgingLimit.code, m.AgingLimit.days).where(
                m.AgingLimit.code.in_(list(LIMIT_CODES.values()))
            )
        )
    }
    missing = [code for code in LIMIT_CODES.values() if code not in rows]
    if missing:
        raise DeskError(
            f"the ACATS aging limits {', '.join(missing)} are missing from reference data "
            "(upgrade the database)"
        )
    return AcatsDeadlines(**{field: rows[code] for field, code in LIMIT_CODES.items()})


def move(
    session: Session,
    transfer: m.AcatsTransfer,
    target: AcatsStatus,
    today: date,
    calendar: BusinessDays,
) -> None:
    """Move ``transfer`` to ``target`` (refused unless the state machine allows it)."""
    ACATS.check(transfer.status, target)
    transfer.status = target
    transfer.status_since = today
    field = _DAY_FIELD.get(target)
    if field is not None:
        setattr(transfer, field, today)
    soft = bool(transfer.reject_code and REJECT_CODES[transfer.reject_code].soft)
    # Settlement counts from validation, whether or not settle-prep has begun.
    since = transfer.validated_on or today if target is AcatsStatus.SETTLE_PREP else today
    rules = deadlines(session)
    transfer.deadline_on = deadline(target, since, calendar, rules=rules, soft=soft)
    session.flush()


def get(session: Session, transfer_id: int) -> m.AcatsTransfer:
    transfer = session.get(m.AcatsTransfer, transfer_id)
    if transfer is None:
        raise ValidationError("transfer", "is not an ACATS transfer", transfer_id)
    return transfer


def account(session: Session, number: str) -> m.Account:
    text = number.strip().upper()
    if not text:
        raise ValidationError("account", "is required (an account number)")
    found = session.scalars(select(m.Account).where(m.Account.account_number == text)).one_or_none()
    if found is None:
        raise ValidationError("account", "is not an account", number.strip())
    return found


def contra_firm(session: Session, text: str) -> m.Counterparty:
    """The contra firm by its DTC number (``417`` is ``0417``) or its counterparty code."""
    value = text.strip()
    if not value:
        raise ValidationError("contra", "is required (the contra firm's DTC number)")
    dtc = value.zfill(4) if value.isdigit() and len(value) <= 4 else None
    cp = m.Counterparty
    wanted = cp.code == value.upper() if dtc is None else cp.dtc_participant == dtc
    found = session.scalars(select(cp).where(wanted).order_by(cp.id)).first()
    if found is None:
        raise ValidationError("contra", "is not a counterparty's DTC number or code", value)
    if not found.dtc_participant:
        raise ValidationError("contra", f"{found.code} has no DTC number: ACATS needs one", value)
    return found


def instrument(session: Session, isin: str, field: str = "asset") -> m.Instrument:
    code = parse_isin(field, isin.strip().upper())
    found = session.scalars(select(m.Instrument).where(m.Instrument.isin == code)).one_or_none()
    if found is None:
        raise ValidationError(field, "is not an instrument in reference data", code)
    return found


def balance_key(holder: Holder, book: Book, asset: str) -> str:
    return Movement(holder, book, asset, Decimal(0)).balance_key
