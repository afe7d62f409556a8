"""ACATS-style transfers between firms: statuses, reject codes and deadlines as data.

A transfer moves a client's account to or from another firm (the contra firm, known
by its DTC number). The receiving firm asks; the delivering firm reviews it and
validates it or takes exception with a reject code (within one business day); a
validated transfer settles (within three business days). A soft reject may be
corrected by the receiver and resubmitted (within twenty business days); a hard one
ends the transfer. Those limits are reference data (aging limits a principal may
change, seeded by migration 0027), never constants here: the callers pass them in as
`AcatsDeadlines`. Every day here is a US settlement business day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import ValidationError
from desk_app.domain.states import StateMachine


class AcatsDirection(StrEnum):
    """In: the client's assets come to us from the contra firm; out: they leave us."""

    IN = "in"
    OUT = "out"

    @property
    def label(self) -> str:
        return {"in": "In (we receive)", "out": "Out (we deliver)"}[self.value]


class AcatsType(StrEnum):
    """Full: the whole account; partial: the assets listed; residual: what came in late."""

    FULL = "full"
    PARTIAL = "partial"
    RESIDUAL = "residual"

    @property
    def label(self) -> str:
        return {"full": "Full", "partial": "Partial", "residual": "Residual credit"}[self.value]


class AcatsStatus(StrEnum):
    REQUEST = "request"  # asked for, not yet with the delivering side
    REVIEW = "review"  # the delivering side validates or takes exception
    VALIDATED = "validated"
    REJECTED = "rejected"  # exception taken, with a reject code
    SETTLE_PREP = "settle_prep"  # assets being readied for settlement
    COMPLETED = "completed"
    PURGED = "purged"  # withdrawn or timed out: nothing moved
    REVERSED = "reversed"  # a completed transfer undone

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()

    @property
    def is_open(self) -> bool:
        return self not in (AcatsStatus.COMPLETED, AcatsStatus.PURGED, AcatsStatus.REVERSED)


_S = AcatsStatus
ACATS = StateMachine[AcatsStatus](
    "ACATS transfer",
    {
        _S.REQUEST: frozenset({_S.REVIEW, _S.PURGED}),
        _S.REVIEW: frozenset({_S.VALIDATED, _S.REJECTED, _S.PURGED}),
        _S.VALIDATED: frozenset({_S.SETTLE_PREP, _S.PURGED}),
        _S.SETTLE_PREP: frozenset({_S.COMPLETED, _S.PURGED}),
        # Back to review only when the receiver corrects a soft reject (see `correction_refusal`).
        _S.REJECTED: frozenset({_S.REVIEW, _S.PURGED}),
        _S.COMPLETED: frozenset({_S.REVERSED}),
        _S.PURGED: frozenset(),
        _S.REVERSED: frozenset(),
    },
)


@dataclass(frozen=True)
class RejectCode:
    """Why the delivering side took exception; a soft one the receiver may correct."""

    code: str
    label: str
    soft: bool


#: The reject codes, as reference data.
REJECT_CODES: dict[str, RejectCode] = {
    c.code: c
    for c in (
        RejectCode("account-number", "Account number does not match the delivering firm's", True),
        RejectCode("tin-mismatch", "SSN/TIN does not match", True),
        RejectCode("title-mismatch", "Account title does not match", True),
        RejectCode("type-mismatch", "Account type does not match (e.g. cash vs IRA)", True),
        RejectCode("documentation", "Documentation needed (signatures, court papers)", True),
        RejectCode("no-assets", "No transferable assets: the account is flat", False),
        RejectCode("closed", "The account is closed at the delivering firm", False),
        RejectCode("duplicate", "A duplicate of a transfer already in progress", False),
        RejectCode("rescinded", "The client rescinded the transfer", False),
    )
}


def reject_code(code: str) -> RejectCode:
    """The reject code ``code``, or a `ValidationError` listing the known ones."""
    found = REJECT_CODES.get(code.strip().lower())
    if found is None:
        raise ValidationError("code", f"is not a reject code; known: {', '.join(REJECT_CODES)}",
                              code)  # fmt: skip
    return found


@dataclass(frozen=True)
class AcatsDeadlines:
    """Business days each side has: the stored aging limits (`acats_rules.deadlines`)."""

    review: int  # the delivering side validates or rejects
    settlement: int  # from validation to completion
    correction: int  # the receiver corrects a soft reject

    def text(self) -> str:
        """``review 1, settlement 3, correction 20 business days``."""
        return (
            f"review {self.review}, settlement {self.settlement}, "
            f"correction {self.correction} business days"
        )

    def rule_of(self, status: AcatsStatus, soft: bool = False) -> str:
        """What the deadline of ``status`` counts (``3 business days from validation``)."""
        if status in (AcatsStatus.REQUEST, AcatsStatus.REVIEW):
            return f"{self.review} business day(s) to validate or take exception"
        if status in (AcatsStatus.VALIDATED, AcatsStatus.SETTLE_PREP):
            return f"{self.settlement} business day(s) from validation to settle"
        if status is AcatsStatus.REJECTED and soft:
            return f"{self.correction} business day(s) to correct the soft reject"
        return ""


class BusinessDays(Protocol):
    """What the deadline rules need of a settlement calendar."""

    def is_settlement_day(self, day: date) -> bool: ...
    def next_settlement_day(self, day: date) -> date: ...
    def add_settlement_days(self, day: date, n: int) -> date: ...


def deadline(
    status: AcatsStatus,
    since: date,
    calendar: BusinessDays,
    *,
    rules: AcatsDeadlines,
    soft: bool = False,
) -> date | None:
    """The last business day for what ``status`` waits on, counted from ``since``.

    A day that is not a business day counts from the next one (a request on a
    Saturday is reviewed by Tuesday, not Monday). None when nothing is due.
    """
    days = {
        AcatsStatus.REQUEST: rules.review,
        AcatsStatus.REVIEW: rules.review,
        AcatsStatus.VALIDATED: rules.settlement,
        AcatsStatus.SETTLE_PREP: rules.settlement,
        AcatsStatus.REJECTED: rules.correction if soft else None,
    }.get(status)
    if days is None:
        return None
    start = since if calendar.is_settlement_day(since) else calendar.next_settlement_day(since)
    return calendar.add_settlement_days(start, days)


def business_days_between(start: date, end: date, calendar: BusinessDays) -> int:
    """Business days after ``start`` up to and including ``end`` (0 if not later)."""
    count = 0
    day = start
    while True:
        day = calendar.next_settlement_day(day)
        if day > end:
            return count
        count += 1


class Aging(StrEnum):
    ON_TIME = "on time"
    DUE_TODAY = "due today"
    OVERDUE = "overdue"


def aging(due: date | None, today: date) -> Aging | None:
    """Where a deadline stands today (None when nothing is due)."""
    if due is None:
        return None
    if today > due:
        return Aging.OVERDUE
    return Aging.DUE_TODAY if today == due else Aging.ON_TIME


def correction_refusal(
    code: str | None,
    rejected_on: date | None,
    today: date,
    calendar: BusinessDays,
    rules: AcatsDeadlines,
) -> str | None:
    """Why a rejected transfer may not be corrected and resubmitted, or None if it may."""
    if code is None or rejected_on is None:
        return "the transfer was not rejected"
    found = REJECT_CODES.get(code)
    if found is None or not found.soft:
        return f"reject code {code} is hard: it ends the transfer (purge it)"
    last = deadline(AcatsStatus.REJECTED, rejected_on, calendar, rules=rules, soft=True)
    if last is not None and today > last:
        return (
            f"the correction window closed on {last.isoformat()} ({rules.correction} business days)"
        )
    return None


#: Says, where a reversal is refused, what may be reversed.
ONLY_COMPLETED = "only a completed transfer is reversed"


def reversal_refusal(status: AcatsStatus, pending: bool) -> str | None:
    """Why a transfer in ``status`` cannot be reversed now, or None; ``pending``: its
    reversal's request already waits for a principal."""
    if status is AcatsStatus.REVERSED:
        return "the transfer is already reversed"
    if status is not AcatsStatus.COMPLETED:
        return f"the transfer's status is {status.label.lower()}: {ONLY_COMPLETED}"
    if pending:
        return "its reversal waits for a principal's approval"
    return None


def cannot_move(
    instrument_type: InstrumentType, active: bool, issuer: str, delivering_firm: str
) -> str | None:
    """Why an asset cannot move by ACATS (listed for the client as not moving), or None.

    ``delivering_firm`` is the name of the firm the asset leaves: ours for a transfer
    out, the contra firm for one in. Its own (proprietary) products stay behind; another
    firm's products move like any other.
    """
    if instrument_type is InstrumentType.FUTURE:
        return "non-transferable: futures positions are not carried by ACATS"
    if not active:
        return "non-transferable: the instrument is no longer active (restricted)"
    if delivering_firm.strip() and issuer.strip().lower() == delivering_firm.strip().lower():
        return (
            f"proprietary product of the delivering firm ({delivering_firm.strip()}): "
            "it stays there (liquidate it or keep it there)"
        )
    return None


def lot_refusal(acquired: date, transfer_day: date) -> str | None:
    """Why a stated lot cannot be taken: acquired after the transfer was entered."""
    if acquired > transfer_day:
        return (
            f"a lot acquired {acquired.isoformat()} is dated after the transfer "
            f"({transfer_day.isoformat()})"
        )
    return None


#: Restrictions that stop the delivering side from validating a transfer out.
VALIDATION_STOPS = ("legal-hold", "stop-transfer")


def residual_refusal(direction: AcatsDirection, account: str, prior_full: bool) -> str | None:
    """Why a residual credit cannot be entered: no completed full transfer before it."""
    if prior_full:
        return None
    way = "out of" if direction is AcatsDirection.OUT else "in to"
    return (
        f"a residual credit {direction.value} follows a completed full transfer {way} "
        f"{account}, and there is none"
    )
