"""Who is acting, with what roles: resolved once when a workspace opens (signing in)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models as m
from desk_app.domain import passwords, permissions
from desk_app.domain.codes import Role
from desk_app.domain.errors import DeskError, NotPermitted
from desk_app.domain.permissions import Action
from desk_app.domain.supervision import Registration


class PasswordRequired(DeskError):
    """The user has an app password and none (or a wrong one) was given."""

    def __init__(self, username: str, *, wrong: bool = False) -> None:
        self.username = username
        self.wrong = wrong
        what = "That password is not right" if wrong else "A password is needed"
        super().__init__(f"{what} for {username}.")


@dataclass(frozen=True)
class Actor:
    """The signed-in user: the app user, and the login the database or OS knows them by."""

    username: str
    full_name: str
    roles: frozenset[Role]
    db_login: str
    registrations: tuple[Registration, ...] = ()
    has_password: bool = False

    def can(self, action: Action) -> bool:
        return permissions.allowed(self.roles, action)

    def refusal(self, action: Action) -> str | None:
        """Why this user may not do ``action`` (a tooltip's text), or None."""
        return permissions.refusal(self.roles, action)

    def require(self, action: Action) -> None:
        permissions.require(self.roles, action)

    @property
    def role_text(self) -> str:
        return ", ".join(sorted(role.value for role in self.roles))


def database_login(engine: Engine) -> str:
    """``session_user`` on PostgreSQL; the operating-system login on a local file."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT session_user")).scalar_one())
    try:
        return getpass.getuser()
    except OSError:
        return "unknown"


def actor_of(user: m.User, db_login: str) -> Actor:
    return Actor(
        username=user.username,
        full_name=user.full_name,
        roles=user.role_set,
        db_login=db_login,
        registrations=tuple(
            Registration(r.series, r.effective_from, r.effective_to) for r in user.registrations
        ),
        has_password=user.password_hash is not None,
    )


def sign_in(
    sessions: sessionmaker[Session], engine: Engine, name: str, password: str | None = None
) -> Actor:
    """The user ``name`` acts as, after the identity rules; the first user becomes admin.

    A database login recorded on a user (``db_login``, one PostgreSQL login per
    person) *is* that user: acting as somebody else through it is refused, and so is
    using that user's name through any other login. A user with an app password must
    give it.
    """
    login = database_login(engine)
    try:
        return _sign_in(sessions, login, name, password)
    except IntegrityError:
        # Two workstations opened a brand-new database at once and both tried to become
        # its first user; one did. Sign in again, now as a user of a non-empty database.
        return _sign_in(sessions, login, name, password)


def _sign_in(sessions: sessionmaker[Session], login: str, name: str, password: str | None) -> Actor:
    with sessions.begin() as session:
        if session.scalar(select(func.count()).select_from(m.User)) == 0:
            return _first_user(session, name, login)
        mapped = session.scalars(select(m.User).where(m.User.db_login == login)).one_or_none()
        if mapped is not None and mapped.username.casefold() != name.casefold():
            if name.casefold() != login.casefold():
                raise NotPermitted(
                    f"You are logged in to the database as {login}, who is the Desk user "
                    f"{mapped.username}; you cannot act as {name}."
                )
            name = mapped.username
        user = session.scalars(
            select(m.User).where(func.lower(m.User.username) == name.casefold())
        ).one_or_none()
        if user is None:
            raise NotPermitted(
                f"{name} is not a Desk user on this database. An admin can add you: "
                f"desk-app user add {name} --role clerk"
            )
        if not user.active:
            raise NotPermitted(f"{user.username} is deactivated on this database; ask an admin.")
        if user.db_login is not None and user.db_login != login:
            # Their own login is how the database knows them: nobody else may use the name.
            raise NotPermitted(
                f"{user.username} signs in through the database login {user.db_login}; "
                f"you are logged in as {login}."
            )
        if user.password_hash is not None:
            if password is None:
                raise PasswordRequired(user.username)
            if not passwords.matches(user.password_hash, password):
                raise PasswordRequired(user.username, wrong=True)
        return actor_of(user, login)


def _first_user(session: Session, name: str, login: str) -> Actor:
    """A brand-new database: whoever opens it first becomes its admin (audited)."""
    from desk_app.services import audit

    session.info[audit.CONTEXT_KEY] = audit.AuditContext(name, login, "user.bootstrap_admin")
    user = m.User(username=name, full_name=name, active=True, db_login=None)
    user.role_set = frozenset({Role.ADMIN})
    session.add(user)
    session.flush()
    return actor_of(user, login)
