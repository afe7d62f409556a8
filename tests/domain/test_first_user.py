"""What the first user of a new database may state about themselves."""

from __future__ import annotations

from datetime import date, timedelta

from desk_app.domain.codes import Role
from desk_app.domain.first_user import FirstUser, principal_hint
from desk_app.domain.supervision import Registration

S24 = Registration("S24", date(2020, 1, 1))


def test_every_problem_is_named() -> None:
    today = date(2026, 12, 7)
    problems = FirstUser(
        "",
        frozenset({Role.SUPERVISOR}),
        (S24, S24, Registration("S99", today + timedelta(days=1)), Registration("S3", today)),
    ).problems(today)
    assert [(p.field, p.reason) for p in problems] == [
        ("full_name", "say who you are (your full name)"),
        ("role", "the first user must be an admin: nobody else could add users"),
        ("registration", "listed twice"),
        ("registration", "starts after today"),
        ("registration", "unknown series"),
    ]
    assert FirstUser("Ann", frozenset({Role.CLERK, Role.ADMIN})).problems(today) == []


def test_a_supervising_role_without_a_principal_registration_is_explained() -> None:
    assert "principal registration" in principal_hint({Role.SUPERVISOR}, ())
    assert "principal registration" in principal_hint(
        {Role.COMPLIANCE}, (Registration("S7", date(2020, 1, 1)),)
    )
    assert principal_hint({Role.SUPERVISOR}, (S24,)) == ""
    assert principal_hint({Role.CLERK, Role.ADMIN}, ()) == ""
