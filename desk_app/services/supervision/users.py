"""Users, their roles and registrations, and app passwords: managed by an admin."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain import passwords
from desk_app.domain.codes import Role
from desk_app.domain.errors import DeskError, NotPermitted, StaleRecord, ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.supervision import KNOWN_SERIES, Registration, normalise_series
from desk_app.services.actor import user_of_login
from desk_app.services.unit_of_work import UnitOfWork

USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{1,63}")


@dataclass(frozen=True)
class UserView:
    username: str
    full_name: str
    roles: frozenset[Role]
    active: bool
    db_login: str | None
    has_password: bool
    registrations: tuple[Registration, ...]
    version: int

    @property
    def role_text(self) -> str:
        return ", ".join(sorted(role.value for role in self.roles))

    @property
    def registration_text(self) -> str:
        return ", ".join(
            r.series + ("" if r.effective_to is None else f" (to {r.effective_to})")
            for r in self.registrations
        )


def _view(user: m.User) -> UserView:
    return UserView(
        user.username, user.full_name, user.role_set, user.active, user.db_login,
        user.password_hash is not None,
        _registrations(user),
        user.version,
    )  # fmt: skip


def _registrations(user: m.User) -> tuple[Registration, ...]:
    """In date order, as the database returns them (a just-added user's too)."""
    held = [Registration(r.series, r.effective_from, r.effective_to) for r in user.registrations]
    return tuple(sorted(held, key=lambda r: (r.effective_from, r.series)))


def parse_roles(codes: Iterable[str]) -> frozenset[Role]:
    roles = set()
    for code in codes:
        try:
            roles.add(Role(code.strip().lower()))
        except ValueError:
            known = "|".join(r.value for r in Role)
            raise ValidationError("role", f"must be {known}", code) from None
    if not roles:
        raise ValidationError("role", "give at least one role")
    return frozenset(roles)


def parse_registration(text: str) -> Registration:
    """``S24`` or ``S24:2019-03-01`` or ``S24:2019-03-01:2024-12-31``."""
    parts = text.split(":")
    series = normalise_series(parts[0])
    if series not in KNOWN_SERIES:
        known = ", ".join(sorted(KNOWN_SERIES, key=lambda s: int(s[1:])))
        raise ValidationError("registration", f"unknown series (known: {known})", parts[0])
    try:
        start = date.fromisoformat(parts[1]) if len(parts) > 1 and parts[1] else date.today()
        end = date.fromisoformat(parts[2]) if len(parts) > 2 and parts[2] else None
    except ValueError:
        raise ValidationError("registration", "dates must be YYYY-MM-DD", text) from None
    if end is not None and end < start:
        raise ValidationError("registration", "ends before it starts", text)
    return Registration(series, start, end)


class UserService:
    """The user list for everyone who may see it; changes for admins only."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def users(self) -> list[UserView]:
        self._uow.actor.require(Action.USER_VIEW)
        with self._uow.read() as session:
            return [_view(u) for u in session.scalars(select(m.User).order_by(m.User.username))]

    def get(self, username: str) -> UserView:
        """One user: yourself, or anyone for those who may see the user list."""
        if username.strip().casefold() != self._uow.actor.username.casefold():
            self._uow.actor.require(Action.USER_VIEW)
        with self._uow.read() as session:
            return _view(self._find(session, username))

    def add(
        self,
        username: str,
        roles: Iterable[Role],
        *,
        full_name: str = "",
        registrations: Sequence[Registration] = (),
        db_login: str | None = None,
        password: str | None = None,
    ) -> UserView:
        """A new user; the username is how they sign in (``--user`` or the OS login)."""
        name = username.strip()
        if not USERNAME.fullmatch(name):
            raise ValidationError(
                "username", "2–64 letters, digits, '.', '_' or '-', starting with a letter", name
            )
        role_set = frozenset(roles)
        if not role_set:
            raise ValidationError("role", "give at least one role")
        with self._uow.write("user.add", permission=Action.USER_MANAGE) as session:
            taken = session.scalars(
                select(m.User).where(func.lower(m.User.username) == name.casefold())
            ).first()
            if taken is not None:
                raise ValidationError("username", "is already a user", taken.username)
            if db_login is None and (holder := user_of_login(session, name)) is not None:
                # The login spelled like the name already is someone: it cannot be two people.
                raise ValidationError("username", f"is {holder.username}'s login", name)
            user = m.User(
                username=name,
                full_name=full_name.strip() or name,
                active=True,
                db_login=self._free_login(session, db_login),
                password_hash=passwords.hash_password(password) if password else None,
            )
            user.role_set = role_set
            user.registrations = [
                m.UserRegistration(series=r.series, effective_from=r.effective_from,
                                   effective_to=r.effective_to)
                for r in registrations
            ]  # fmt: skip
            session.add(user)
            session.flush()
            return _view(user)

    def update(
        self,
        username: str,
        expected_version: int,
        *,
        full_name: str | None = None,
        roles: Iterable[Role] | None = None,
        active: bool | None = None,
        db_login: str | None = None,
        registrations: Sequence[Registration] | None = None,
    ) -> UserView:
        """Change a user as seen at ``expected_version`` (a newer change is not overwritten)."""
        with self._uow.write("user.update", permission=Action.USER_MANAGE) as session:
            user = self._find(session, username)
            if user.version != expected_version:
                raise StaleRecord(
                    f"{user.username} was changed by someone else since you opened it "
                    f"(version {expected_version} → {user.version}); reopen and try again"
                )
            if full_name is not None:
                user.full_name = full_name.strip() or user.username
            own = user.username == self._uow.actor.username
            if roles is not None:
                new_roles = frozenset(roles)
                if not new_roles:
                    raise ValidationError("role", "give at least one role")
                if own and new_roles - user.role_set:
                    # Separation of duties: nobody grants themselves a role (say, supervisor).
                    raise NotPermitted("another admin must give you a new role")
                if Role.ADMIN in user.role_set and Role.ADMIN not in new_roles:
                    self._keep_an_admin(session, user)
                user.role_set = new_roles
            if active is not None and active != user.active:
                if not active and user.username == self._uow.actor.username:
                    raise NotPermitted("you cannot deactivate yourself")
                if not active and Role.ADMIN in user.role_set:
                    self._keep_an_admin(session, user)
                user.active = active
            if db_login is not None:
                user.db_login = self._free_login(session, db_login, user)
            if registrations is not None and own:
                held = {(r.series, r.effective_from, r.effective_to) for r in user.registrations}
                wanted = {(r.series, r.effective_from, r.effective_to) for r in registrations}
                if held != wanted:
                    raise NotPermitted("another admin must record your own registrations")
            if registrations is not None and self._set_registrations(user, registrations):
                # A new version of the user too, so an edit based on the old one is stale.
                user.updated_at = datetime.now(UTC)
            session.flush()
            return _view(user)

    def set_password(
        self, username: str, password: str | None, *, current: str | None = None
    ) -> None:
        """Set or clear an app password: your own (with the current one) or, as admin, anyone's."""
        actor = self._uow.actor
        own = username.casefold() == actor.username.casefold()
        permission = Action.VIEW_BOOKS if own else Action.USER_MANAGE
        with self._uow.write("user.set_password", permission=permission) as session:
            user = self._find(session, username)
            if own and user.password_hash is not None and not actor.can(Action.USER_MANAGE):
                if current is None or not passwords.matches(user.password_hash, current):
                    raise NotPermitted("the current password is not right")
            user.password_hash = passwords.hash_password(password) if password else None

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is the acting user's app password (unlocking the window)."""
        with self._uow.read() as session:
            user = self._find(session, self._uow.actor.username)
            return user.password_hash is not None and passwords.matches(
                user.password_hash, password
            )

    def _find(self, session: Session, username: str) -> m.User:
        user = session.scalars(
            select(m.User).where(func.lower(m.User.username) == username.strip().casefold())
        ).one_or_none()
        if user is None:
            raise DeskError(f"user {username.strip()}: no such user")
        return user

    def _free_login(
        self, session: Session, login: str | None, user: m.User | None = None
    ) -> str | None:
        login = (login or "").strip() or None
        if login is None:
            return None
        holder = user_of_login(session, login)
        if holder is not None and holder is not user:
            raise ValidationError("db_login", f"is already {holder.username}'s login", login)
        return login

    def _keep_an_admin(self, session: Session, user: m.User) -> None:
        admins = [
            u for u in session.scalars(select(m.User).where(m.User.active.is_(True)))
            if Role.ADMIN in u.role_set and u is not user
        ]  # fmt: skip
        if not admins:
            raise NotPermitted(
                f"{user.username} is the last active admin; make another admin first"
            )

    def _set_registrations(self, user: m.User, registrations: Sequence[Registration]) -> bool:
        """Make ``user`` hold exactly ``registrations``; True if anything changed."""
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
        return changed
