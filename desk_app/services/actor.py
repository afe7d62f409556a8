"""Who is acting, with what roles: proven once when a workspace opens (signing in).

One rule on both engines: a *login* is the database's login on PostgreSQL
(``session_user``, which the server authenticated) and the operating-system login on
a local file. A user *is* the login recorded on them (``db_login``) or, when none is
recorded, the login spelled like their username.

- PostgreSQL: you are the user your login is, and nobody else; a login that is no
  Desk user is refused (except the first user of an empty database).
- A local file: the user your computer login is needs no more; acting as anyone
  else needs that user's Desk password, and a user with neither cannot be acted as.
- An app password, where a user has one, is always asked for.

How identity was proven (`Proof`) decides whether it counts as a credential:
approving needs one (see `Actor.credentialed`).
"""

from __future__ import annotations

import enum
import getpass
from dataclasses import dataclass, replace

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
    """The user has an app password, or is not this login, and none (or a wrong one) was given."""

    def __init__(self, username: str, *, wrong: bool = False) -> None:
        self.username = username
        self.wrong = wrong
        what = "That password is not right" if wrong else "A password is needed"
        super().__init__(f"{what} for {username}.")


class CredentialRequired(DeskError):
    """Deciding a request needs a typed credential; the computer login alone is not one."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(
            f"Approving needs a credential: {username} opened Desk through the computer's "
            "login without typing a password. Give your Desk password (or, without one, "
            "your computer password) to confirm it is you."
        )


class Proof(enum.Enum):
    """How the acting user proved who they are."""

    #: The PostgreSQL server authenticated the login (its password, certificate, ...).
    DATABASE_LOGIN = "database login"
    #: The user's Desk password (or their computer password) was typed.
    PASSWORD = "password"
    #: The local file is opened by this computer login; nothing was typed.
    COMPUTER_LOGIN = "computer login"


@dataclass(frozen=True)
class Actor:
    """The signed-in user: the app user, and the login the database or OS knows them by."""

    username: str
    full_name: str
    roles: frozenset[Role]
    db_login: str
    registrations: tuple[Registration, ...] = ()
    has_password: bool = False
    proof: Proof = Proof.COMPUTER_LOGIN
    #: The database is open read-only: only `permissions.READS` are allowed.
    read_only: bool = False

    def can(self, action: Action) -> bool:
        return self.refusal(action) is None

    def refusal(self, action: Action) -> str | None:
        """Why this user may not do ``action`` (a tooltip's text), or None."""
        if self.read_only and action not in permissions.READS:
            return permissions.READ_ONLY_REFUSAL
        return permissions.refusal(self.roles, action)

    def require(self, action: Action) -> None:
        reason = self.refusal(action)
        if reason is not None:
            raise NotPermitted(reason)

    @property
    def credentialed(self) -> bool:
        """Whether identity rests on a credential (not only on who started the program)."""
        return self.proof is not Proof.COMPUTER_LOGIN

    def proven_by(self, proof: Proof) -> Actor:
        return replace(self, proof=proof)

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


def login_of(user: m.User) -> str:
    """The login that is ``user``: the one recorded, else their username."""
    return user.db_login or user.username


def is_login(user: m.User, login: str) -> bool:
    return login_of(user).casefold() == login.casefold()


def user_of_login(session: Session, login: str) -> m.User | None:
    """The user who *is* ``login``, if any (a recorded login wins over a same-named user)."""
    recorded = session.scalars(select(m.User).where(m.User.db_login == login)).one_or_none()
    if recorded is not None:
        return recorded
    return session.scalars(
        select(m.User).where(
            m.User.db_login.is_(None), func.lower(m.User.username) == login.casefold()
        )
    ).one_or_none()


def actor_of(user: m.User, db_login: str, proof: Proof = Proof.COMPUTER_LOGIN) -> Actor:
    return Actor(
        username=user.username,
        full_name=user.full_name,
        roles=user.role_set,
        db_login=db_login,
        registrations=tuple(
            Registration(r.series, r.effective_from, r.effective_to) for r in user.registrations
        ),
        has_password=user.password_hash is not None,
        proof=proof,
    )


def sign_in(
    sessions: sessionmaker[Session], engine: Engine, name: str, password: str | None = None
) -> Actor:
    """The user ``name`` acts as, after the identity rules; the first user becomes admin."""
    login = database_login(engine)
    shared = engine.dialect.name == "postgresql"
    try:
        return _sign_in(sessions, login, name, password, shared=shared)
    except IntegrityError:
        # Two workstations opened a brand-new database at once and both tried to become
        # its first user; one did. Sign in again, now as a user of a non-empty database.
        return _sign_in(sessions, login, name, password, shared=shared)


def _sign_in(
    sessions: sessionmaker[Session], login: str, name: str, password: str | None, *, shared: bool
) -> Actor:
    with sessions.begin() as session:
        if session.scalar(select(func.count()).select_from(m.User)) == 0:
            return _first_user(session, name, login, shared=shared)
        own = user_of_login(session, login)
        if own is not None and name.casefold() == login.casefold():
            name = own.username  # the login's own name means its person
        user = session.scalars(
            select(m.User).where(func.lower(m.User.username) == name.casefold())
        ).one_or_none()
        if shared:
            _check_database_login(login, name, own, user)
        if user is None:
            raise NotPermitted(
                f"{name} is not a Desk user on this database. An admin can add you: "
                f"desk-app user add {name} --role clerk"
            )
        if not user.active:
            raise NotPermitted(f"{user.username} is deactivated on this database; ask an admin.")
        if shared:
            proof = Proof.DATABASE_LOGIN
        elif is_login(user, login):
            proof = Proof.COMPUTER_LOGIN
        elif user.password_hash is None:
            raise NotPermitted(
                f"You are logged in to this computer as {login}, not as {user.username}, and "
                f"{user.username} has no Desk password to prove it is them. Sign in as "
                f"{user.username} on the computer, or ask an admin to set their password."
            )
        else:
            proof = Proof.PASSWORD
        if user.password_hash is not None:
            if password is None:
                raise PasswordRequired(user.username)
            if not passwords.matches(user.password_hash, password):
                raise PasswordRequired(user.username, wrong=True)
            proof = Proof.DATABASE_LOGIN if shared else Proof.PASSWORD
        return actor_of(user, login, proof)


def _check_database_login(login: str, name: str, own: m.User | None, user: m.User | None) -> None:
    """On PostgreSQL the login decides who you are: nobody acts through another's login."""
    if own is None:
        raise NotPermitted(
            f"You are logged in to the database as {login}, which is no Desk user's login. "
            f"An admin maps it to you: desk-app user update {name} --db-login {login}"
        )
    if user is None or user.id != own.id:
        raise NotPermitted(
            f"You are logged in to the database as {login}, who is the Desk user "
            f"{own.username}; you cannot act as {name}."
        )


def _first_user(session: Session, name: str, login: str, *, shared: bool) -> Actor:
    """A brand-new database: whoever opens it first becomes its admin (audited).

    They are recorded as the login that opened it, so that the first user is
    proven like everyone after them.
    """
    from desk_app.services import audit

    session.info[audit.CONTEXT_KEY] = audit.AuditContext(name, login, "user.bootstrap_admin")
    same = name.casefold() == login.casefold()
    user = m.User(username=name, full_name=name, active=True, db_login=None if same else login)
    user.role_set = frozenset({Role.ADMIN})
    session.add(user)
    session.flush()
    return actor_of(user, login, Proof.DATABASE_LOGIN if shared else Proof.COMPUTER_LOGIN)
