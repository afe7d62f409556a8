"""Fails: obligations past their settlement date, aged, with their deadlines and flags.

A fail is aged in settlement days on its market's calendar: the first settlement
day after the settlement date is day 1. Delivering clients fail to deliver (FTD),
receiving ones fail to receive (FTR). The deadlines and flags come from rules kept
as reference data (`FailRule`), so that compliance can change them without a
release: Regulation SHO Rule 204 closes out a fail to deliver from a short sale by
S+1, from a long sale by S+3, and in a threshold security after 13 consecutive
settlement days; SEC Rule 15c3-1 charges capital for fails aged past a limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.codes import Direction
from desk_app.domain.states import ObligationStatus


class FailSide(StrEnum):
    TO_DELIVER = "ftd"
    TO_RECEIVE = "ftr"

    @property
    def label(self) -> str:
        return "Fail to deliver" if self is FailSide.TO_DELIVER else "Fail to receive"

    @classmethod
    def of(cls, direction: Direction) -> FailSide:
        return cls.TO_DELIVER if direction is Direction.DELIVER else cls.TO_RECEIVE


class RuleKind(StrEnum):
    CLOSE_OUT = "close_out"  # a deadline: the fail must be closed out by then
    CAPITAL = "capital"  # a flag: from this age the fail costs capital


class Applies(StrEnum):
    """Which fails a rule is for, besides its side."""

    ANY = "any"
    SHORT = "short"  # from a short sale
    LONG = "long"  # from a long sale
    THRESHOLD = "threshold"  # in a Reg SHO threshold security


@dataclass(frozen=True)
class FailRule:
    """One rule of the fails desk, as reference data keeps it."""

    code: str
    label: str
    kind: RuleKind
    side: FailSide
    applies: Applies
    days: int  # settlement days after the settlement date

    def covers(self, side: FailSide, *, short: bool, threshold: bool) -> bool:
        if side is not self.side:
            return False
        return {
            Applies.ANY: True,
            Applies.SHORT: short,
            Applies.LONG: not short,
            Applies.THRESHOLD: threshold,
        }[self.applies]


#: What a new database starts with (a migration seeds them; users may change them).
DEFAULT_RULES = (
    FailRule("REGSHO-SHORT", "Reg SHO 204 close-out: short sale", RuleKind.CLOSE_OUT,
             FailSide.TO_DELIVER, Applies.SHORT, 1),
    FailRule("REGSHO-LONG", "Reg SHO 204 close-out: long sale", RuleKind.CLOSE_OUT,
             FailSide.TO_DELIVER, Applies.LONG, 3),
    FailRule("REGSHO-THRESHOLD", "Reg SHO 203(b)(3) close-out: threshold security",
             RuleKind.CLOSE_OUT, FailSide.TO_DELIVER, Applies.THRESHOLD, 13),
    FailRule("CAPITAL-FTD", "15c3-1 capital charge: fail to deliver", RuleKind.CAPITAL,
             FailSide.TO_DELIVER, Applies.ANY, 5),
    FailRule("CAPITAL-FTR", "15c3-1 capital charge: fail to receive", RuleKind.CAPITAL,
             FailSide.TO_RECEIVE, Applies.ANY, 30),
)  # fmt: skip


@dataclass(frozen=True)
class Bucket:
    label: str
    low: int
    high: int | None  # None: and older

    def holds(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)


#: Aging buckets in settlement days, cut where the rules above bite.
BUCKETS = (
    Bucket("1–3", 1, 3),
    Bucket("4–5", 4, 5),
    Bucket("6–13", 6, 13),
    Bucket("14–30", 14, 30),
    Bucket("31+", 31, None),
)


def bucket_of(age: int) -> Bucket:
    for bucket in BUCKETS:
        if bucket.holds(age):
            return bucket
    raise ValueError(f"a fail is at least 1 settlement day old, not {age}")


def age_in_settlement_days(settle_date: date, as_of: date, calendar: SettlementCalendar) -> int:
    """Settlement days after ``settle_date`` up to and including ``as_of`` (0: not failing)."""
    age, day = 0, settle_date
    while True:
        day = calendar.next_settlement_day(day)
        if day > as_of:
            return age
        age += 1


@dataclass(frozen=True)
class Deadline:
    """A rule's date for one fail, and whether it has passed."""

    rule: FailRule
    day: date
    passed: bool


def deadlines(
    rules: Iterable[FailRule], side: FailSide, settle_date: date, as_of: date,
    calendar: SettlementCalendar, *, short: bool, threshold: bool,
) -> list[Deadline]:  # fmt: skip
    """Every rule that covers this fail, with its date (S + the rule's days), soonest first."""
    found = [
        Deadline(rule, day := calendar.add_settlement_days(settle_date, rule.days), day <= as_of)
        for rule in rules
        if rule.covers(side, short=short, threshold=threshold)
    ]
    return sorted(found, key=lambda d: (d.day, d.rule.code))


def next_close_out(found: Sequence[Deadline]) -> Deadline | None:
    """The earliest close-out deadline (passed or not): what the desk must meet."""
    return next((d for d in found if d.rule.kind is RuleKind.CLOSE_OUT), None)


def capital_flags(found: Sequence[Deadline]) -> list[FailRule]:
    """The capital rules this fail has reached."""
    return [d.rule for d in found if d.rule.kind is RuleKind.CAPITAL and d.passed]


@dataclass(frozen=True)
class Fail:
    """One fail as the fails desk reads it."""

    id: int
    side: FailSide
    age: int
    bucket: str
    settle_date: date
    account: str
    isin: str
    symbol: str | None
    counterparty: str
    quantity: Decimal
    amount: Decimal
    currency: str
    fail_reason: str | None
    status: ObligationStatus
    short: bool
    close_out: date | None
    close_out_rule: str | None
    capital: str | None
    close_out_passed: bool = False


@dataclass(frozen=True)
class BucketTotal:
    """How many fails, each way, of one aging bucket."""

    label: str
    to_deliver: int
    to_receive: int
