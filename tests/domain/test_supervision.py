"""Maker-checker rules: nobody decides their own request; principals in force decide others'."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import chain, combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.codes import Role
from desk_app.domain.supervision import (
    KNOWN_SERIES,
    PRINCIPAL_SERIES,
    Registration,
    decision_refusal,
    normalise_series,
)

TODAY = date(2025, 10, 14)
ROLE_SETS = [
    frozenset(combo)
    for combo in chain.from_iterable(combinations(list(Role), n) for n in range(len(Role) + 1))
]
#: Registrations a would-be approver might hold, and whether they let them decide today.
HOLDINGS: dict[str, tuple[tuple[Registration, ...], bool]] = {
    "none": ((), False),
    "S24 in force": ((Registration("S24", date(2012, 3, 1)),), True),
    "S9 ends today": ((Registration("S9", date(2014, 3, 1), TODAY),), True),
    "S10 starts today": ((Registration("S10", TODAY),), True),
    "S24 lapsed": ((Registration("S24", date(2012, 3, 1), TODAY - timedelta(days=1)),), False),
    "S24 not yet": ((Registration("S24", TODAY + timedelta(days=1)),), False),
    "S7 only": ((Registration("S7", date(2008, 3, 1)),), False),
    "S7 and lapsed S24": (
        (
            Registration("S7", date(2008, 3, 1)),
            Registration("S24", date(2012, 3, 1), date(2020, 1, 1)),
        ),
        False,
    ),
    "lapsed S24, renewed S24": (
        (
            Registration("S24", date(2012, 3, 1), date(2020, 1, 1)),
            Registration("S24", date(2021, 6, 1)),
        ),
        True,
    ),
}


def test_in_force_includes_both_ends() -> None:
    reg = Registration("S24", date(2020, 1, 1), date(2020, 12, 31))
    assert not reg.in_force(date(2019, 12, 31))
    assert reg.in_force(date(2020, 1, 1)) and reg.in_force(date(2020, 12, 31))
    assert not reg.in_force(date(2021, 1, 1))
    open_ended = Registration("S9", date(2020, 1, 1))
    assert open_ended.in_force(date(2099, 1, 1)) and not open_ended.in_force(date(2019, 1, 1))


@given(
    st.dates(date(2000, 1, 1), date(2040, 1, 1)),
    st.one_of(st.none(), st.integers(0, 4000)),
    st.dates(date(1999, 1, 1), date(2041, 1, 1)),
)
def test_in_force_is_the_closed_interval(start: date, length: int | None, day: date) -> None:
    end = None if length is None else start + timedelta(days=length)
    expected = start <= day and (end is None or day <= end)
    assert Registration("S24", start, end).in_force(day) is expected


@pytest.mark.parametrize(
    ("text", "series"),
    [("Series 24", "S24"), ("s24", "S24"), ("24", "S24"), (" S9 ", "S9"), ("series10", "S10")],
)
def test_series_are_normalised(text: str, series: str) -> None:
    assert normalise_series(text) == series


def test_principal_series_are_known_series() -> None:
    assert PRINCIPAL_SERIES < KNOWN_SERIES
    assert {"S9", "S10", "S24"} <= PRINCIPAL_SERIES
    assert not {"S7", "S63", "S99"} & PRINCIPAL_SERIES


@pytest.mark.parametrize("holding", list(HOLDINGS))
@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "none")
@pytest.mark.parametrize(
    ("maker", "approver"),
    [("mobrien", "mobrien"), ("MObrien", "mobrien"), ("jmorales", "mobrien")],
    ids=["self", "self-other-case", "other"],
)
def test_decision_matrix(maker: str, approver: str, roles: frozenset[Role], holding: str) -> None:
    registrations, qualifies = HOLDINGS[holding]
    reason = decision_refusal(
        maker=maker, approver=approver, roles=roles, registrations=registrations, today=TODAY
    )
    if maker.casefold() == approver.casefold():  # zero self-approvals, whatever else holds
        assert reason == "mobrien made this request; another supervisor must decide it"
    elif Role.SUPERVISOR not in roles:
        assert reason is not None and "needs the supervisor role" in reason
    elif not qualifies:
        assert reason == (
            f"mobrien holds no principal registration in force on {TODAY.isoformat()} "
            "(S4, S9, S10, S23, S24, S26, S27, S53)"
        )
    else:
        assert reason is None


@given(
    maker=st.sampled_from(["jmorales", "mobrien", "sgoldberg"]),
    approver=st.sampled_from(["jmorales", "mobrien", "sgoldberg"]),
    roles=st.frozensets(st.sampled_from(list(Role))),
    series=st.lists(st.sampled_from(sorted(KNOWN_SERIES)), max_size=3),
    today=st.dates(date(2000, 1, 1), date(2040, 1, 1)),
)
def test_nobody_ever_decides_their_own_request(
    maker: str, approver: str, roles: frozenset[Role], series: list[str], today: date
) -> None:
    registrations = [Registration(s, date(2000, 1, 1)) for s in series]
    reason = decision_refusal(
        maker=maker, approver=approver, roles=roles, registrations=registrations, today=today
    )
    may = (
        maker != approver
        and Role.SUPERVISOR in roles
        and any(s in PRINCIPAL_SERIES for s in series)
    )
    assert (reason is None) is may
