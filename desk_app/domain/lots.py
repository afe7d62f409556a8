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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

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

    def long_term(self, on: date) -> bool:
        """Held more than a year on ``on``, or inherited (IRC 1223(9))."""
        if self.inherited:
            return True
        try:
            year_later = self.acquired.replace(year=self.acquired.year + 1)
        except ValueError:  # acquired on 29 February
            year_later = date(self.acquired.year + 1, 3, 1)
        return on > year_later


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


def holding(lots: Iterable[Lot]) -> tuple[Decimal, Decimal]:
    """Quantity and cost the lots add up to."""
    quantity = cost = Decimal(0)
    for lot in lots:
        quantity += lot.quantity
        cost += lot.cost
    return quantity, cost
