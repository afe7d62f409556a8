"""Which changes to a user give power (grants), and who may decide them."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.codes import Role
from desk_app.domain.power import (
    PASSWORD_CLEARED,
    PASSWORD_SET,
    PasswordChange,
    Standing,
    decides_grants,
    grants,
    registrations_granted,
    subject_refusal,
)
from desk_app.domain.supervision import Registration

TODAY = date(2026, 12, 7)
S24 = Registration("S24", date(2020, 1, 1))
S24_ENDED = Registration("S24", date(2020, 1, 1), date(2025, 1, 1))
CLERK = Standing(frozenset({Role.CLERK}))


@pytest.mark.parametrize(
    ("after", "password", "expected"),
    [
        (CLERK, PasswordChange.KEEP, ()),
        (Standing(frozenset({Role.SUPERVISOR})), PasswordChange.KEEP, ("role supervisor",)),
        (Standing(frozenset({Role.CLERK}), registrations=(S24,)), PasswordChange.KEEP,
         ("registration S24 from 2020-01-01",)),
        (Standing(frozenset({Role.CLERK}), db_login="jdoe"), PasswordChange.KEEP,
         ("login jdoe",)),
        (CLERK, PasswordChange.SET, (PASSWORD_SET,)),
    ],
)  # fmt: skip
def test_a_new_user_is_a_grant_when_they_hold_power(
    after: Standing, password: PasswordChange, expected: tuple[str, ...]
) -> None:
    assert grants(None, after, password) == expected


def test_taking_power_away_is_no_grant() -> None:
    held = Standing(frozenset({Role.SUPERVISOR, Role.ADMIN}), True, "sue", (S24,))
    less = Standing(frozenset({Role.SUPERVISOR}), False, "sue", (S24_ENDED,))
    assert grants(held, less) == ()
    assert grants(held, Standing(held.roles, True, "sue", ())) == ()
    assert grants(held, Standing(frozenset({Role.CLERK, Role.SUPERVISOR}), True, "sue", (S24,)))\
        == ()  # fmt: skip


def test_what_gives_power_to_someone_who_has_a_user() -> None:
    sue = Standing(frozenset({Role.SUPERVISOR}), False, "sue", (S24_ENDED,))
    assert grants(sue, Standing(sue.roles, True, "sue", sue.registrations)) == ("reactivated",)
    assert grants(sue, Standing(sue.roles, False, None, sue.registrations)) == (
        "login mapping removed",
    )
    assert grants(sue, Standing(sue.roles, False, "sue", (S24,))) == (
        "registration S24 from 2020-01-01",
    )
    assert grants(sue, sue, PasswordChange.CLEAR) == (PASSWORD_CLEARED,)
    clerk = Standing(frozenset({Role.CLERK}), False)
    assert grants(clerk, Standing(clerk.roles, True)) == ()  # a clerk back at work: no power


def test_a_registration_that_ended_gives_nothing() -> None:
    assert registrations_granted((), (S24_ENDED,), TODAY) == []
    assert registrations_granted((S24_ENDED,), (S24,), TODAY) == [S24]
    later = Registration("S24", date(2020, 1, 1), date(2027, 1, 1))
    assert registrations_granted((later,), (S24_ENDED,), TODAY) == []


def test_who_decides_grants() -> None:
    sup = Standing(frozenset({Role.SUPERVISOR}), True, None, (S24,))
    assert decides_grants(sup, TODAY)
    assert decides_grants(Standing(frozenset({Role.COMPLIANCE}), True, None, (S24,)), TODAY)
    assert not decides_grants(Standing(frozenset({Role.ADMIN}), True, None, (S24,)), TODAY)
    assert not decides_grants(Standing(sup.roles, False, None, (S24,)), TODAY)
    assert not decides_grants(Standing(sup.roles, True, None, (S24_ENDED,)), TODAY)
    s7 = Registration("S7", date(2020, 1, 1))
    assert not decides_grants(Standing(sup.roles, True, None, (s7,)), TODAY)


def test_nobody_approves_their_own_power() -> None:
    refuse = subject_refusal
    assert refuse(subject="sue", subject_logins=(), approver="SUE", approver_login="x")
    assert refuse(subject="carl", subject_logins=("carl_pg",), approver="sue",
                  approver_login="carl_pg")  # fmt: skip
    assert refuse(subject="carl", subject_logins=("carl",), approver="sue",
                  approver_login="sue") is None  # fmt: skip
