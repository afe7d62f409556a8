"""An ACATS transfer as a screen or a command shows it: plain values, read once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from desk_app.domain.acats import AcatsDirection, AcatsStatus, AcatsType, Aging


@dataclass(frozen=True)
class AssetView:
    """One listed asset as a clerk and the client read it."""

    what: str  # ``300 US0378331005 (AAPL)`` or ``1,250.00 USD``
    isin: str | None
    currency: str | None
    quantity: Decimal | None
    amount: Decimal | None
    lots: str  # ``100 acquired 2020-01-15 at 9,000.00; ...`` or ""
    blocked_reason: str | None  # why it cannot move, or None


@dataclass(frozen=True)
class TransferView:
    id: int
    direction: AcatsDirection
    account: str
    account_name: str
    contra: str
    contra_dtc: str
    contra_account: str
    transfer_type: AcatsType
    status: AcatsStatus
    status_since: date
    deadline_on: date | None
    aging: Aging | None
    days_in_status: int
    requested_on: date
    validated_on: date | None
    rejected_on: date | None
    completed_on: date | None
    reject_code: str | None
    reject_note: str | None
    resubmissions: int
    requested_by: str
    approval_id: int | None
    assets: tuple[AssetView, ...]
    #: The completion's request (a transfer out) or the reversal's (a transfer in) is
    #: still waiting for a principal.
    approval_pending: bool = False
    reversed_on: date | None = None
    #: What the deadline counts, from the aging limits in force (``3 business day(s)
    #: from validation to settle``); "" when nothing is due.
    deadline_rule: str = ""

    @property
    def not_moving(self) -> tuple[AssetView, ...]:
        """What does not move, each with its reason: listed for the client."""
        return tuple(a for a in self.assets if a.blocked_reason)

    @property
    def blocked(self) -> tuple[AssetView, ...]:
        """`not_moving` by its older name."""
        return self.not_moving
