"""Who the first user of a brand-new database is: what the welcome (or ``db upgrade``) asks.

The first user of an empty database cannot be approved by anyone: there is nobody
else yet. So whoever creates the database says who they are once, and that is
recorded as the database's bootstrap (audited). They are always an admin, because
nobody else could ever add a user; the other roles and registrations are theirs to
state, so that a one-person firm's first user can book a trade from the first minute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from desk_app.domain.codes import Role
from desk_app.domain.errors import ValidationError
from desk_app.domain.power import DECIDING_ROLES
from desk_app.domain.supervision import KNOWN_SERIES, PRINCIPAL_SERIES, Registration

#: What a one-person firm needs: book and settle (clerk), add colleagues later (admin).
DEFAULT_ROLES = frozenset({Role.CLERK, Role.ADMIN})
MAX_NAME = 120


@dataclass(frozen=True)
class FirstUser:
    """The first user's own statement: full name, roles and FINRA registrations."""

    full_name: str
    roles: frozenset[Role] = DEFAULT_ROLES
    registrations: tuple[Registration, ...] = ()

    def problems(self, today: date) -> list[ValidationError]:
        """Every reason this cannot be the first user (empty when it can)."""
        found: list[ValidationError] = []
        name = self.full_name.strip()
        if not name:
            found.append(ValidationError("full_name", "say who you are (your full name)"))
        elif len(name) > MAX_NAME:
            found.append(ValidationError("full_name", f"at most {MAX_NAME} characters", name))
        if Role.ADMIN not in self.roles:
            found.append(
                ValidationError(
                    "role", "the first user must be an admin: nobody else could add users"
                )
            )
        seen: set[tuple[str, date]] = set()
        for r in self.registrations:
            if r.series not in KNOWN_SERIES:
                found.append(ValidationError("registration", "unknown series", r.series))
            if r.effective_to is not None and r.effective_to < r.effective_from:
                found.append(ValidationError("registration", "ends before it starts", r.series))
            if r.effective_from > today:
                found.append(
                    ValidationError(
                        "registration", "starts after today", f"{r.series} {r.effective_from}"
                    )
                )
            if (r.series, r.effective_from) in seen:
                found.append(ValidationError("registration", "listed twice", r.series))
            seen.add((r.series, r.effective_from))
        return found

    def check(self, today: date) -> None:
        """Raise the first problem's `ValidationError` (the form shows them all first)."""
        problems = self.problems(today)
        if problems:
            raise problems[0]


def principal_hint(roles: Iterable[Role], registrations: Iterable[Registration]) -> str:
    """What a supervising role without a principal registration cannot do, in words; "" if fine."""
    held = set(roles)
    if not held & DECIDING_ROLES:
        return ""
    if any(r.series in PRINCIPAL_SERIES for r in registrations):
        return ""
    series = ", ".join(sorted(PRINCIPAL_SERIES, key=lambda s: int(s[1:])))
    return (
        "A supervisor or compliance officer approves only with a principal registration "
        f"in force ({series})."
    )
