"""One user action = one transaction that checks permission and carries its audit context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from desk_app.db import models as m
from desk_app.domain import passwords
from desk_app.domain.errors import NotPermitted, StaleRecord
from desk_app.domain.permissions import Action
from desk_app.services import audit
from desk_app.services.actor import Actor, actor_of

#: SQLSTATE of PostgreSQL's "insufficient privilege": a grant or a supervision trigger.
INSUFFICIENT_PRIVILEGE = "42501"


def database_refusal(exc: DBAPIError) -> NotPermitted | None:
    """What the database refused (its privileges or supervision checks), said plainly.

    None for any other error: that is a fault, not a refusal.
    """
    if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
        return None
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "refused"
    hint = ""
    if "user.grant" in reason:
        hint = (
            " Giving power is a grant: file it through Desk (user add, user update, "
            "user password), and a principal approves it."
        )
    elif "users" in reason or "user_registrations" in reason:
        hint = (
            " Adding and changing users needs a database login in the desk_admin group: "
            "ask the DBA (GRANT desk_admin TO your_login)."
        )
    return NotPermitted(f"The database refused this change: {reason}. Nothing was saved.{hint}")


class UnitOfWork:
    """Opens write transactions for one signed-in user; services share one of these."""

    def __init__(self, sessions: sessionmaker[Session], actor: Actor) -> None:
        self.sessions = sessions
        self.actor = actor

    @contextmanager
    def write(self, action: Action | str, *, permission: Action | None = None) -> Iterator[Session]:
        """A transaction for ``action``: refused unless permitted, audited, all or nothing.

        ``permission`` is what the actor must hold (default: ``action`` itself).
        """
        needed = permission or action
        if isinstance(needed, Action):
            self.actor.require(needed)
        try:
            with self.sessions.begin() as session:
                session.info[audit.CONTEXT_KEY] = audit.AuditContext(
                    self.actor.username, self.actor.db_login, str(action)
                )
                current = self.current_actor(session)
                if isinstance(needed, Action):
                    current.require(needed)
                yield session
        except StaleDataError:
            raise StaleRecord(
                "Someone else saved a change to this record at the same moment; nothing "
                "was saved. Reload it and try again."
            ) from None
        except DBAPIError as exc:
            refusal = database_refusal(exc)
            if refusal is None:
                raise
            raise refusal from None

    def current_actor(self, session: Session) -> Actor:
        """The acting user as the database has them now, inside ``session``'s transaction.

        An admin may have deactivated them, changed their roles or ended a registration
        since they signed in; a window left open must not keep the old rights.
        """
        user = session.scalars(
            select(m.User).where(m.User.username == self.actor.username)
        ).one_or_none()
        if user is None or not user.active:
            raise NotPermitted(
                f"{self.actor.username} is no longer an active Desk user on this database; "
                "ask an admin."
            )
        return actor_of(user, self.actor.db_login, self.actor.proof)

    def password_matches(self, password: str) -> bool:
        """Whether ``password`` is the acting user's Desk password, as stored now."""
        with self.read() as session:
            hashed = session.scalar(
                select(m.User.password_hash).where(m.User.username == self.actor.username)
            )
        return hashed is not None and passwords.matches(hashed, password)

    def read(self) -> Session:
        """A read-only session (use as a context manager)."""
        return self.sessions()
