"""What each restriction stops, and when it is in force."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.codes import RestrictionKind
from desk_app.domain.restrictions import (
    STOPS,
    AccountRestricted,
    Movement,
    Restriction,
    stopping,
)

D = date(2026, 12, 7)


def test_every_kind_says_what_it_stops() -> None:
    assert set(STOPS) == set(RestrictionKind)


def test_a_reg_t_freeze_stops_buying_but_not_selling() -> None:
    freeze = Restriction(1, RestrictionKind.REG_T_FREEZE, "freeriding", D, date(2027, 3, 6))
    assert stopping([freeze], Movement.BUY, D) == freeze
    assert stopping([freeze], Movement.SELL, D) is None
    assert stopping([freeze], Movement.BUY, date(2027, 3, 7)) is None  # its 90 days are over


@pytest.mark.parametrize("movement", list(Movement))
def test_a_deceased_holders_account_stops_everything(movement: Movement) -> None:
    death = Restriction(2, RestrictionKind.DECEASED, "notice from the executor", D)
    assert stopping([death], movement, D) == death


def test_a_lifted_or_later_restriction_stops_nothing() -> None:
    lifted = Restriction(3, RestrictionKind.LEGAL_HOLD, "subpoena", D, lifted=True)
    later = Restriction(4, RestrictionKind.LEGAL_HOLD, "subpoena", date(2026, 12, 8))
    assert stopping([lifted, later], Movement.DELIVER, D) is None


def test_the_refusal_names_the_restriction() -> None:
    hold = Restriction(5, RestrictionKind.LEGAL_HOLD, "court order 26-114", date(2026, 11, 2))
    error = AccountRestricted("NYC-20417", Movement.JOURNAL_OUT, hold)
    assert str(error) == (
        "account NYC-20417 may not journal or transfer out: Legal hold since 2026-11-02 "
        "(court order 26-114)"
    )
