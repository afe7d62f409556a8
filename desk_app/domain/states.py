"""Explicit state machines: every allowed transition is named here, nothing else is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from desk_app.domain.codes import AccountStatus
from desk_app.domain.errors import IllegalTransition

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """A named set of allowed transitions over one status enum."""

    what: str
    transitions: Mapping[S, frozenset[S]]

    def allowed(self, current: S) -> tuple[S, ...]:
        return tuple(sorted(self.transitions.get(current, frozenset()), key=str))

    def can(self, current: S, target: S) -> bool:
        return target in self.transitions.get(current, frozenset())

    def check(self, current: S, target: S) -> S:
        """Return ``target`` if the move is allowed, else raise `IllegalTransition`."""
        if not self.can(current, target):
            raise IllegalTransition(
                self.what, str(current), str(target), tuple(str(s) for s in self.allowed(current))
            )
        return target

    def is_final(self, state: S) -> bool:
        return not self.transitions.get(state)


class TradeStatus(StrEnum):
    """A trade version's standing on the blotter."""

    ACTIVE = "active"  # the current version
    AMENDED = "amended"  # superseded: a correction or a cancel is the newer version
    CANCELLED = "cancelled"  # the version that cancels the trade (it settles nothing)

    @property
    def label(self) -> str:
        return {"active": "Active", "amended": "Superseded", "cancelled": "Cancelled"}[self.value]


TRADE = StateMachine[TradeStatus](
    "Trade",
    {
        TradeStatus.ACTIVE: frozenset({TradeStatus.AMENDED, TradeStatus.CANCELLED}),
        TradeStatus.AMENDED: frozenset(),
        TradeStatus.CANCELLED: frozenset(),
    },
)


class ObligationStatus(StrEnum):
    PENDING = "pending"
    INSTRUCTED = "instructed"
    MATCHED = "matched"
    PARTIALLY_SETTLED = "partially_settled"
    SETTLED = "settled"
    FAILING = "failing"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self not in (ObligationStatus.SETTLED, ObligationStatus.CANCELLED)


_O = ObligationStatus
OBLIGATION = StateMachine[ObligationStatus](
    "Settlement obligation",
    {
        _O.PENDING: frozenset({_O.INSTRUCTED, _O.FAILING, _O.CANCELLED}),
        _O.INSTRUCTED: frozenset({_O.MATCHED, _O.FAILING, _O.CANCELLED, _O.PENDING}),
        _O.MATCHED: frozenset({_O.SETTLED, _O.PARTIALLY_SETTLED, _O.FAILING, _O.CANCELLED}),
        # Back to matched, or from settled to partly: only by reversing a settlement.
        _O.PARTIALLY_SETTLED: frozenset(
            {_O.SETTLED, _O.PARTIALLY_SETTLED, _O.FAILING, _O.MATCHED}
        ),  # fmt: skip
        _O.FAILING: frozenset({_O.MATCHED, _O.SETTLED, _O.PARTIALLY_SETTLED, _O.CANCELLED}),
        _O.SETTLED: frozenset({_O.PARTIALLY_SETTLED, _O.MATCHED}),
        _O.CANCELLED: frozenset(),
    },
)


class CertificateStatus(StrEnum):
    IN_VAULT = "in_vault"
    PREPARED = "prepared"
    ON_MANIFEST = "on_manifest"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RETURNED = "returned"
    LOST = "lost"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "in_vault": "In vault",
            "prepared": "Prepared for delivery",
            "on_manifest": "On manifest",
            "in_transit": "In transit",
            "delivered": "Delivered",
            "returned": "Returned",
            "lost": "Lost",
            "cancelled": "Cancelled",
        }[self.value]


_C = CertificateStatus
CERTIFICATE = StateMachine[CertificateStatus](
    "Certificate",
    {
        _C.IN_VAULT: frozenset({_C.PREPARED, _C.LOST, _C.CANCELLED}),
        _C.PREPARED: frozenset({_C.ON_MANIFEST, _C.IN_VAULT, _C.LOST}),
        _C.ON_MANIFEST: frozenset({_C.IN_TRANSIT, _C.PREPARED, _C.LOST}),
        _C.IN_TRANSIT: frozenset({_C.DELIVERED, _C.RETURNED, _C.LOST}),
        _C.RETURNED: frozenset({_C.IN_VAULT, _C.LOST}),
        _C.DELIVERED: frozenset({_C.CANCELLED, _C.RETURNED}),  # the recipient sends it back
        _C.LOST: frozenset({_C.IN_VAULT, _C.CANCELLED}),
        _C.CANCELLED: frozenset(),
    },
)


class ManifestStatus(StrEnum):
    DRAFT = "draft"
    VERIFIED = "verified"
    PRINTED = "printed"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    RECEIVED_WITH_DIFFERENCE = "received_with_difference"
    RETURNED = "returned"  # the courier brought the package back undelivered
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_M = ManifestStatus
MANIFEST = StateMachine[ManifestStatus](
    "Courier manifest",
    {
        _M.DRAFT: frozenset({_M.VERIFIED, _M.CANCELLED}),
        _M.VERIFIED: frozenset({_M.PRINTED, _M.DRAFT, _M.CANCELLED}),
        _M.PRINTED: frozenset({_M.IN_TRANSIT, _M.CANCELLED}),
        _M.IN_TRANSIT: frozenset({_M.RECEIVED, _M.RECEIVED_WITH_DIFFERENCE, _M.RETURNED}),
        _M.RECEIVED: frozenset(),
        _M.RETURNED: frozenset(),
        _M.RECEIVED_WITH_DIFFERENCE: frozenset(),
        _M.CANCELLED: frozenset(),
    },
)


class BoxCountStatus(StrEnum):
    """A quarterly box count (SEC 17a-13): counting, then its differences, then closed."""

    COUNTING = "counting"
    COUNTED = "counted"  # results in; differences to record by the deadline
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


_B = BoxCountStatus
BOX_COUNT = StateMachine[BoxCountStatus](
    "Box count",
    {
        _B.COUNTING: frozenset({_B.COUNTED}),
        _B.COUNTED: frozenset({_B.CLOSED, _B.COUNTING}),
        _B.CLOSED: frozenset(),
    },
)


class ApprovalStatus(StrEnum):
    """An approval request: waiting for a principal, or decided (final)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the maker took it back before anyone decided


APPROVAL = StateMachine[ApprovalStatus](
    "Approval request",
    {
        ApprovalStatus.PENDING: frozenset(
            {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.WITHDRAWN}
        ),
        ApprovalStatus.APPROVED: frozenset(),
        ApprovalStatus.REJECTED: frozenset(),
        ApprovalStatus.WITHDRAWN: frozenset(),
    },
)


#: An account is restricted by restriction records now (`desk_app.domain.restrictions`),
#: not by its status: ``restricted`` remains only as a way out for an old database's row.
ACCOUNT = StateMachine[AccountStatus](
    "Account",
    {
        AccountStatus.OPEN: frozenset({AccountStatus.CLOSED}),
        AccountStatus.RESTRICTED: frozenset({AccountStatus.OPEN, AccountStatus.CLOSED}),
        AccountStatus.CLOSED: frozenset({AccountStatus.OPEN}),
    },
)
