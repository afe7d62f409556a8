"""Power over Desk itself: which changes to a user grant it, and who may decide them.

A *grant* gives someone power they did not have: a supervising, compliance or admin
role, a registration (or a longer one), a password set by someone else, a login that
becomes them, or a return to work with a power role. A grant is never one person's
act: an admin files it, and a principal who is neither its maker nor its subject
decides it. Changes that only take power away stay direct (and audited).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.supervision import PRINCIPAL_SERIES, Registration

#: Roles that give power over other people's work or over Desk itself.
POWER_ROLES = frozenset({Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN})
#: Roles whose holders (with a principal registration in force) decide grants.
DECIDING_ROLES = frozenset({Role.SUPERVISOR, Role.COMPLIANCE})

PASSWORD_SET = "a new password (hidden)"
PASSWORD_CLEARED = "password cleared"


class PasswordChange(enum.Enum):
    """What a change does to someone's password."""

    KEEP = "keep"
    SET = "set"
    CLEAR = "clear"


@dataclass(frozen=True)
class Standing:
    """What a user holds that gives power, before or after a change."""

    roles: frozenset[Role]
    active: bool = True
    db_login: str | None = None
    registrations: tuple[Registration, ...] = ()


def decides_grants(standing: Standing, today: date) -> bool:
    """Whether someone with ``standing`` may decide grants (and ordinary requests)."""
    return (
        standing.active
        and bool(standing.roles & DECIDING_ROLES)
        and any(r.series in PRINCIPAL_SERIES and r.in_force(today) for r in standing.registrations)
    )


def _ends_later(new: date | None, old: date | None) -> bool:
    if new is None:
        return old is not None
    return old is not None and new > old


def registrations_granted(
    held: Iterable[Registration], wanted: Iterable[Registration], today: date | None = None
) -> list[Registration]:
    """The registrations of ``wanted`` that give more than ``held``: new or lengthened.

    One that ended before ``today`` gives nothing (history, recorded directly).
    """
    day = today or market_today()
    by_key = {(r.series, r.effective_from): r for r in held}
    granted = []
    for r in wanted:
        if r.effective_to is not None and r.effective_to < day:
            continue
        old = by_key.get((r.series, r.effective_from))
        if old is None or _ends_later(r.effective_to, old.effective_to):
            granted.append(r)
    return granted


def registration_words(r: Registration) -> str:
    """``S24 from 2020-01-01`` or ``S7 2010-03-01 to 2015-12-31``."""
    if r.effective_to is None:
        return f"{r.series} from {r.effective_from}"
    return f"{r.series} {r.effective_from} to {r.effective_to}"


def registrations_text(registrations: Iterable[Registration]) -> str:
    ordered = sorted(registrations, key=lambda r: (r.effective_from, r.series))
    return "; ".join(registration_words(r) for r in ordered)


def roles_text(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(role.value for role in roles))


def grants(
    before: Standing | None, after: Standing, password: PasswordChange = PasswordChange.KEEP
) -> tuple[str, ...]:
    """What in the change from ``before`` (None: a new user) to ``after`` gives power.

    In words, for a request's summary; empty when the change gives nothing.
    ``password`` is a change made by someone other than the user themselves.
    """
    held = before or Standing(frozenset(), active=False)
    found: list[str] = []
    added = (after.roles - held.roles) & POWER_ROLES
    if added:
        found.append(f"role {roles_text(added)}")
    granted = registrations_granted(held.registrations, after.registrations)
    if granted:
        found.append(f"registration {registrations_text(granted)}")
    if (after.db_login or None) != (held.db_login or None):
        found.append(f"login {after.db_login}" if after.db_login else "login mapping removed")
    if password is PasswordChange.SET:
        found.append(PASSWORD_SET)
    elif password is PasswordChange.CLEAR:
        found.append(PASSWORD_CLEARED)
    if before is not None and after.active and not before.active and after.roles & POWER_ROLES:
        found.append("reactivated")
    return tuple(found)


def subject_refusal(
    *, subject: str, subject_logins: Iterable[str], approver: str, approver_login: str
) -> str | None:
    """Why ``approver`` may not decide a grant to ``subject``: nobody approves their own power."""
    if approver.casefold() == subject.casefold():
        return f"the grant is to {approver}; nobody approves their own power"
    if approver_login.casefold() in {login.casefold() for login in subject_logins if login}:
        return f"the grant maps {approver}'s own login ({approver_login})"
    return None
