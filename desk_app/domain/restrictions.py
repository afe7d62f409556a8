"""What each kind of account restriction stops, and how a refusal names it.

One table, read by every service that moves an account's securities or cash: a
booking, a settlement's delivery, a journal or a transfer out, a certificate leaving
the vault. A restriction stops the movements it lists and lets the rest through: an
account in a Reg T freeze may still sell and deliver (it may not buy on credit), a
deceased holder's account still receives what was bought before the death.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from desk_app.domain.codes import RestrictionKind
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.listing import Column


class Movement(StrEnum):
    """What an account may be stopped from doing."""

    BUY = "buy"
    SELL = "sell"
    DELIVER = "deliver"  # securities out on a settlement
    PAY = "pay"  # cash out on a settlement
    JOURNAL_OUT = "journal-out"  # cash or securities to another account or firm
    CERTIFICATE_OUT = "certificate-out"  # a certificate leaving the firm's custody

    @property
    def label(self) -> str:
        return {
            "buy": "book a buy",
            "sell": "book a sell",
            "deliver": "deliver securities",
            "pay": "pay cash out",
            "journal-out": "journal or transfer out",
            "certificate-out": "send a certificate out",
        }[self.value]


_M = Movement
_EVERYTHING_OUT = frozenset({_M.SELL, _M.DELIVER, _M.PAY, _M.JOURNAL_OUT, _M.CERTIFICATE_OUT})

#: What each kind of restriction stops.
STOPS: dict[RestrictionKind, frozenset[Movement]] = {
    RestrictionKind.DECEASED: _EVERYTHING_OUT | {_M.BUY},
    RestrictionKind.TRANSFER_FREEZE: frozenset({_M.DELIVER, _M.JOURNAL_OUT, _M.CERTIFICATE_OUT}),
    RestrictionKind.REG_T_FREEZE: frozenset({_M.BUY}),
    RestrictionKind.LEGAL_HOLD: _EVERYTHING_OUT,
    RestrictionKind.STOP_TRANSFER: frozenset({_M.JOURNAL_OUT, _M.CERTIFICATE_OUT}),
    RestrictionKind.AML_REVIEW: _EVERYTHING_OUT | {_M.BUY},
    RestrictionKind.ACATS: _EVERYTHING_OUT | {_M.BUY},
}

#: Restrictions only their own process places, never a clerk by hand: what places each.
PROCESS_OWNED: dict[RestrictionKind, str] = {
    RestrictionKind.ACATS: "validating an ACATS transfer out (the ACATS tab or `acats validate`)",
    RestrictionKind.DECEASED: "recording the holder's death (Estates: Record death…, or "
    "`estate open`)",
}
#: What a clerk may place by hand.
PLACED_BY_HAND = tuple(k for k in RestrictionKind if k not in PROCESS_OWNED)


def by_hand_refusal(kind: RestrictionKind) -> str | None:
    """Why ``kind`` may not be placed by hand (its process places it), or None."""
    process = PROCESS_OWNED.get(kind)
    if process is None:
        return None
    return (
        f"a {kind.label.lower()} restriction is placed only by {process}, not by hand; "
        f"by hand: {', '.join(k.value for k in PLACED_BY_HAND)}"
    )


@dataclass(frozen=True)
class Restriction:
    """A restriction as the rules see it."""

    id: int
    kind: RestrictionKind
    reason: str
    starts_on: date
    ends_on: date | None = None
    lifted: bool = False

    def in_force(self, on: date) -> bool:
        return (
            not self.lifted
            and self.starts_on <= on
            and (self.ends_on is None or on <= self.ends_on)
        )


#: What a list shows beside an account with a restriction in force today: the badge
#: (``⚠ Legal hold``), and what its tooltip says (a hidden column).
BADGE, BADGE_NOTE = "restriction", "restriction_note"
BADGE_COLUMNS = (
    Column(BADGE, "Restriction", sortable=False,
           tooltip="A restriction in force today: hover over it for which, since when and why"),
    Column(BADGE_NOTE, "Restriction detail", sortable=False),
)  # fmt: skip

#: A Reg T freeze (freeriding in a cash account) lasts 90 calendar days, its first included.
REG_T_FREEZE_DAYS = 90


def default_end(kind: RestrictionKind, starts_on: date) -> date | None:
    """The last day a restriction of ``kind`` is in force unless a date is given."""
    if kind is RestrictionKind.REG_T_FREEZE:
        return starts_on + timedelta(days=REG_T_FREEZE_DAYS - 1)
    return None


def kinds_stopping(movement: Movement) -> frozenset[RestrictionKind]:
    """The kinds of restriction that stop ``movement`` (what a query filters on)."""
    return frozenset(kind for kind, stops in STOPS.items() if movement in stops)


class AccountRestricted(ValidationError):
    """A movement refused because of a restriction, which it names.

    A `ValidationError` of the ``account`` field, so that a file's import names it
    with its line like any other problem; its message is the sentence alone.
    """

    def __init__(self, account: str, movement: Movement, restriction: Restriction) -> None:
        self.account = account
        self.movement = movement
        self.restriction = restriction
        message = (
            f"account {account} may not {movement.label}: {restriction.kind.label} "
            f"since {restriction.starts_on.isoformat()} ({restriction.reason})"
        )
        self.field, self.reason, self.value = "account", message, account
        DeskError.__init__(self, message)


def stopping(
    restrictions: Iterable[Restriction], movement: Movement, on: date
) -> Restriction | None:
    """The restriction in force on ``on`` that stops ``movement`` (the oldest), or None."""
    for r in sorted(restrictions, key=lambda r: (r.starts_on, r.id)):
        if r.in_force(on) and movement in STOPS[r.kind]:
            return r
    return None
