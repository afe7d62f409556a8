"""Cost-basis lots: what a position was bought for, and when, first in first out.

A receipt that settles adds a lot (its quantity, the cash the client paid, the trade
date); a delivery takes from the oldest lots first. A journal carries the lots it
takes to the receiving account with their own acquisition dates and cost. A part of
a lot carries its share of the cost, to 4 decimal places, and the part left keeps
the rest, so the costs always add up to what was paid. A lot inherited from a
deceased holder is long-term whatever its date (``inherited``); its JSON says so only
when it is, so the lots journals carried before keep reading the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from desk_app.domain.money import MONEY_SCALE

_COST_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


@dataclass(frozen=True)
class Lot:
    acquired: date
    quantity: Decimal
    cost: Decimal  # of all of ``quantity``, in the instrument's currency
    source: int | None = None  # the posting that brought it in
    inherited: bool = False  # from a decedent: long-term whatever ``acquired`` says

    def to_json(self) -> dict[str, str]:
        data = {"acquired": self.acquired.isoformat(), "quantity": str(self.quantity),
                "cost": str(self.cost)}  # fmt: skip
        if self.inherited:
            data["inherited"] = "true"
        return data

    @classmethod
    def from_json(cls, data: dict[str, str], source: int | None = None) -> Lot:
        return cls(date.fromisoformat(data["acquired"]), Decimal(data["quantity"]),
                   Decimal(data["cost"]), source,
                   data.get("inherited") == "true")  # fmt: skip

    @property
    def unit_cost(self) -> Decimal | None:
        """Cost per share (per unit), to 4 places; None for an empty lot."""
        return (self.cost / self.quantity).quantize(_COST_QUANTUM) if self.quantity else None

    def long_term(self, on: date) -> bool:
        """Held more than a year on ``on``, or inherited (IRC 1223(9))."""
        return term(self.acquired, on, inherited=self.inherited) is Term.LONG


class Term(StrEnum):
    """How long a lot has been held, as the tax rules count it."""

    SHORT = "short"
    LONG = "long"


def term(acquired: date, on: date, *, inherited: bool = False) -> Term:
    """Long if held more than one year on ``on`` (IRS: the holding period starts the day
    after acquisition, so a lot bought 2025-03-10 is long from 2026-03-11); an
    inherited lot is always long (IRC 1223(9))."""
    if inherited:
        return Term.LONG
    try:
        year_later = acquired.replace(year=acquired.year + 1)
    except ValueError:  # acquired on 29 February: a year later is 28 February
        year_later = date(acquired.year + 1, 2, 28)
    return Term.LONG if on > year_later else Term.SHORT


def split(lot: Lot, quantity: Decimal) -> tuple[Lot, Lot]:
    """``quantity`` of ``lot`` (with its share of the cost) and what is left of it."""
    if not 0 < quantity < lot.quantity:
        raise ValueError(f"cannot split {quantity} from a lot of {lot.quantity}")
    cost = (lot.cost * quantity / lot.quantity).quantize(_COST_QUANTUM)
    return (
        replace(lot, quantity=quantity, cost=cost),
        replace(lot, quantity=lot.quantity - quantity, cost=lot.cost - cost),
    )


def take(lots: Sequence[Lot], quantity: Decimal) -> tuple[list[Lot], list[Lot]]:
    """Take ``quantity`` oldest first: (what is left, what was taken).

    Taking more than the lots hold takes them all; the rest has no known lot (a
    position that came in before lots were kept, or a short), and is not invented.
    """
    left: list[Lot] = []
    taken: list[Lot] = []
    need = quantity
    for lot in sorted(lots, key=lambda x: (x.acquired, x.source or 0)):
        if need <= 0:
            left.append(lot)
        elif lot.quantity <= need:
            taken.append(lot)
            need -= lot.quantity
        else:
            part, rest = split(lot, need)
            taken.append(part)
            left.append(rest)
            need = Decimal(0)
    return left, taken


def take_named(
    lots: Sequence[Lot], named: Mapping[date, Decimal], quantity: Decimal
) -> tuple[list[Lot], list[Lot]]:
    """Take the quantities the clerk named, by acquisition date: (what is left, what was
    taken). Lots acquired the same day are one choice, taken in the order they came.

    Raises `ValueError` listing every problem (a date with no lot, more than its lots
    hold, a quantity not above 0, a total that is not ``quantity``), one per line.
    """
    problems: list[str] = []
    held: dict[date, Decimal] = {}
    for lot in lots:
        held[lot.acquired] = held.get(lot.acquired, Decimal(0)) + lot.quantity
    for acquired, wanted in sorted(named.items()):
        day = acquired.isoformat()
        if wanted <= 0:
            problems.append(f"{day}: take more than 0 (not {wanted})")
        elif acquired not in held:
            problems.append(f"{day}: no lot was acquired that day")
        elif wanted > held[acquired]:
            problems.append(f"{day}: {wanted} is more than the {held[acquired]} the lot holds")
    total = sum(named.values(), Decimal(0))
    if total != quantity:
        problems.append(f"the lots add up to {total}; the journal moves {quantity}")
    if problems:
        raise ValueError("\n".join(problems))
    left: list[Lot] = []
    taken: list[Lot] = []
    need = dict(named)
    for lot in sorted(lots, key=lambda x: (x.acquired, x.source or 0)):
        want = need.get(lot.acquired, Decimal(0))
        if want <= 0:
            left.append(lot)
        elif lot.quantity <= want:
            taken.append(lot)
            need[lot.acquired] = want - lot.quantity
        else:
            part, rest = split(lot, want)
            taken.append(part)
            left.append(rest)
            need[lot.acquired] = Decimal(0)
    return left, taken


def named_of(lots: Iterable[Lot]) -> dict[date, Decimal]:
    """The quantities ``lots`` take, by acquisition date (what a journal named)."""
    named: dict[date, Decimal] = {}
    for lot in lots:
        named[lot.acquired] = named.get(lot.acquired, Decimal(0)) + lot.quantity
    return named


def by_day(lots: Iterable[Lot]) -> list[Lot]:
    """One lot per acquisition date, oldest first (what a journal names: lots bought the
    same day are one choice); inherited only if all of that day's are."""
    days: dict[date, Lot] = {}
    for lot in lots:
        seen = days.get(lot.acquired)
        days[lot.acquired] = (
            replace(lot, source=None)
            if seen is None
            else replace(seen, quantity=seen.quantity + lot.quantity, cost=seen.cost + lot.cost,
                         inherited=seen.inherited and lot.inherited)
        )  # fmt: skip
    return [days[day] for day in sorted(days)]


def holding(lots: Iterable[Lot]) -> tuple[Decimal, Decimal]:
    """Quantity and cost the lots add up to."""
    quantity = cost = Decimal(0)
    for lot in lots:
        quantity += lot.quantity
        cost += lot.cost
    return quantity, cost
