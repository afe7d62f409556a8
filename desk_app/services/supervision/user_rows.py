"""User rows inside a unit of work: finding them, the rules that keep someone in charge,
and the database's first principal.

Shared by the user service (direct changes) and the grant handler (approved ones), so
that a change applied on approval meets the same rules as one applied at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, NotPermitted, ValidationError
from desk_app.domain.power import Standing, decides_grants
from desk_app.domain.supervision import Registration
from desk_app.services import audit
from desk_app.services.actor import user_of_login

#: The audit action of the grant that made the database's first principal.
FIRST_PRINCIPAL = "user.first_principal"
#: The audit action of a grant applied before the database had any principal.
BEFORE_PRINCIPAL = "user.grant_before_principal"


def find_user(session: Session, username: str) -> m.User:
    user = find_user_or_none(session, username)
    if user is None:
        raise DeskError(f"user {username.strip()}: no such user")
    return user


def find_user_or_none(session: Session, username: str) -> m.User | None:
    return session.scalars(
        select(m.User).where(func.lower(m.User.username) == username.strip().casefold())
    ).one_or_none()


def registrations_of(user: m.User) -> tuple[Registration, ...]:
    """In date order, as the database returns them (a just-added user's too)."""
    held = [Registration(r.series, r.effective_from, r.effective_to) for r in user.registrations]
    return tuple(sorted(held, key=lambda r: (r.effective_from, r.series)))


def standing_of(user: m.User) -> Standing:
    return Standing(user.role_set, user.active, user.db_login, registrations_of(user))


def free_login(session: Session, login: str | None, user: m.User | None = None) -> str | None:
    """``login`` cleaned, if it is nobody else's; None for none."""
    login = (login or "").strip() or None
    if login is None:
        return None
    holder = user_of_login(session, login)
    if holder is not None and holder is not user:
        raise ValidationError("db_login", f"is already {holder.username}'s login", login)
    return login


def set_registrations(user: m.User, registrations: Sequence[Registration]) -> bool:
    """Make ``user`` hold exactly ``registrations``; True if anything changed.

    A change also makes a new version of the user, so an edit based on the old one
    (or a grant requested against it) is stale.
    """
    wanted = {(r.series, r.effective_from): r for r in registrations}
    changed = False
    for row in list(user.registrations):
        key = (row.series, row.effective_from)
        if key not in wanted:
            user.registrations.remove(row)
            changed = True
        else:
            end = wanted.pop(key).effective_to
            changed = changed or row.effective_to != end
            row.effective_to = end
    changed = changed or bool(wanted)
    for r in wanted.values():
        user.registrations.append(
            m.UserRegistration(series=r.series, effective_from=r.effective_from,
                               effective_to=r.effective_to)
        )  # fmt: skip
    if changed:
        user.updated_at = datetime.now(UTC)
    return changed


def _active_users(session: Session) -> list[m.User]:
    return list(session.scalars(select(m.User).where(m.User.active.is_(True))))


def keep_an_admin(session: Session, user: m.User) -> None:
    """Refuse a change that would leave no active admin but ``user``."""
    if not any(Role.ADMIN in u.role_set and u is not user for u in _active_users(session)):
        raise NotPermitted(f"{user.username} is the last active admin; make another admin first")


def deciders(session: Session, today: date | None = None) -> list[m.User]:
    """Everyone who may decide grants today (as this transaction sees the users)."""
    day = today or market_today()
    return [u for u in _active_users(session) if decides_grants(standing_of(u), day)]


def keep_a_decider(session: Session, user: m.User, after: Standing) -> None:
    """Refuse leaving nobody who can approve a grant, as with the last admin."""
    today = market_today()
    if not decides_grants(standing_of(user), today) or decides_grants(after, today):
        return
    if not any(u is not user for u in deciders(session, today)):
        raise NotPermitted(
            f"{user.username} is the last person who can approve grants (an active "
            "supervisor or compliance officer with a principal registration in force); "
            "make another first"
        )


def before_first_principal(session: Session, actor: str) -> bool:
    """Whether the database has never had a principal (so a grant cannot be approved).

    A database upgraded with principals already in it records the earliest of them
    here, the first time anyone changes a user.
    """
    if session.get(m.FirstPrincipal, 1) is not None:
        return False
    present = sorted(deciders(session), key=lambda u: (u.created_at, u.id))
    if not present:
        return True
    record_first_principal(session, present[0].username, actor)
    return False


def record_first_principal(session: Session, username: str, actor: str) -> None:
    """Record the database's first principal (once: the row never changes)."""
    with audit.acting(session, FIRST_PRINCIPAL):
        session.add(m.FirstPrincipal(id=1, username=username, recorded_by=actor))


def first_principal_made(session: Session, actor: str) -> str | None:
    """After a grant applied before any principal: record the first, if it made one."""
    if session.get(m.FirstPrincipal, 1) is not None:
        return None
    session.flush()
    present = sorted(deciders(session), key=lambda u: (u.created_at, u.id))
    if not present:
        return None
    record_first_principal(session, present[0].username, actor)
    return present[0].username
