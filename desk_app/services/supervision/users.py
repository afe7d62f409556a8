"""Users, their roles and registrations, and app passwords: managed by an admin.

What only takes power away (a role removed, a user deactivated, a registration
ended, a name corrected) applies at once, audited. What gives power is a *grant*
(`desk_app.domain.power`): filed as a ``user.grant`` request that a principal other
than its maker and its subject approves. Before the database has ever had a
principal nobody could approve one, so grants then apply at once, audited as such,
and the grant that makes the first principal records them for good.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.text_search import any_contains, every_word
from desk_app.domain import passwords
from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import NotPermitted, StaleRecord, ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.power import (
    POWER_ROLES,
    PasswordChange,
    Standing,
    decides_grants,
    grants,
    registrations_granted,
)
from desk_app.domain.supervision import Registration
from desk_app.services import audit
from desk_app.services.actor import login_of, user_of_login
from desk_app.services.supervision import user_rows
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.supervision.user_grants import (
    TABLE,
    GrantHandler,
    GrantTerms,
    apply_terms,
    proposed,
    shown,
)
from desk_app.services.supervision.user_view import (
    USERNAME,
    PendingGrant,
    UserView,
    parse_registration,
    parse_roles,
    pending_grants,
    view_of,
)
from desk_app.services.unit_of_work import UnitOfWork

__all__ = [
    "PendingGrant",
    "UserChange",
    "UserService",
    "UserView",
    "parse_registration",
    "parse_roles",
]


@dataclass(frozen=True)
class UserChange:
    """What adding or changing a user did."""

    username: str
    #: The user as they stand now (None: a new user, added once the grant is approved).
    view: UserView | None
    #: The grant filed for a principal to approve (None: nothing awaits approval).
    request_id: int | None = None
    #: How a grant applied at once was audited (before the database had a principal).
    applied_as: str | None = None


class UserService:
    """The user list for everyone who may see it; changes for admins only."""

    def __init__(self, uow: UnitOfWork, approvals: ApprovalService) -> None:
        self._uow = uow
        self._approvals = approvals
        approvals.register(GrantHandler())

    def users(self, search: str = "") -> list[UserView]:
        """Every user by name; ``search``: each word in the name, full name, roles or login."""
        self._uow.actor.require(Action.USER_VIEW)
        u = m.User
        where = every_word(search, lambda w: any_contains(w, u.username, u.full_name, u.roles,
                                                           u.db_login))  # fmt: skip
        with self._uow.read() as session:
            pending = self._pending_by_name(session)
            users = session.scalars(select(u).where(*where).order_by(u.username))
            return [view_of(u, pending) for u in users]

    def get(self, username: str) -> UserView:
        """One user: yourself, or anyone for those who may see the user list."""
        if username.strip().casefold() != self._uow.actor.username.casefold():
            self._uow.actor.require(Action.USER_VIEW)
        with self._uow.read() as session:
            return view_of(user_rows.find_user(session, username), self._pending_by_name(session))

    def pending_grants(self) -> list[PendingGrant]:
        """Grants of power awaiting a principal (new users among them)."""
        self._uow.actor.require(Action.USER_VIEW)
        with self._uow.read() as session:
            return pending_grants(session)

    def add(
        self,
        username: str,
        roles: Iterable[Role],
        *,
        full_name: str = "",
        registrations: Sequence[Registration] = (),
        db_login: str | None = None,
        password: str | None = None,
        reason: str = "",
    ) -> UserChange:
        """A new user; the username is how they sign in (``--user`` or the OS login).

        A user with power (a power role, a registration, a login or a password) is a
        grant: they are added when a principal approves it.
        """
        name = username.strip()
        if not USERNAME.fullmatch(name):
            raise ValidationError(
                "username", "2–64 letters, digits, '.', '_' or '-', starting with a letter", name
            )
        role_set = frozenset(roles)
        if not role_set:
            raise ValidationError("role", "give at least one role")
        hashed = passwords.hash_password(password) if password else None
        with self._uow.write("user.add", permission=Action.USER_MANAGE) as session:
            user_rows.before_first_principal(session, self._uow.actor.username)
            if (taken := user_rows.find_user_or_none(session, name)) is not None:
                raise ValidationError("username", "is already a user", taken.username)
            if db_login is None and (holder := user_of_login(session, name)) is not None:
                # The login spelled like the name already is someone: it cannot be two people.
                raise ValidationError("username", f"is {holder.username}'s login", name)
            ordered = sorted(registrations, key=lambda r: (r.effective_from, r.series))
            standing = Standing(
                role_set, True, user_rows.free_login(session, db_login), tuple(ordered)
            )
            change = PasswordChange.SET if hashed else PasswordChange.KEEP
            terms = GrantTerms(name, full_name.strip() or name, standing, change, new=True)
            words = grants(None, standing, change)
            if words:
                return self._grant(session, None, terms, words, hashed=hashed, reason=reason)
            user = apply_terms(session, terms, None)
            return UserChange(user.username, view_of(user))

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
        password: str | None = None,
        clear_password: bool = False,
        reason: str = "",
    ) -> UserChange:
        """Change a user as seen at ``expected_version`` (a newer change is not overwritten).

        What takes power away applies now; what gives it is filed as one grant.
        ``db_login=""`` removes the login mapping; None leaves it.
        """
        hashed = passwords.hash_password(password) if password else None
        with self._uow.write("user.update", permission=Action.USER_MANAGE) as session:
            user_rows.before_first_principal(session, self._uow.actor.username)
            user = user_rows.find_user(session, username)
            if user.version != expected_version:
                raise StaleRecord(
                    f"{user.username} was changed by someone else since you opened it "
                    f"(version {expected_version} → {user.version}); reopen and try again"
                )
            before = user_rows.standing_of(user)
            target = self._target(
                session, user, roles=roles, active=active, db_login=db_login,
                registrations=registrations,
            )  # fmt: skip
            change = self._password_change(user, hashed, clear_password)
            if full_name is not None:
                user.full_name = full_name.strip() or user.username
            direct = self._apply_direct(session, user, before, target)
            words = grants(direct, target, change)
            if not words:
                return UserChange(user.username, view_of(user))
            terms = GrantTerms(
                user.username, user.full_name, target, change, login_before=login_of(user)
            )
            return self._grant(session, user, terms, words, hashed=hashed, reason=reason)

    def set_password(
        self, username: str, password: str | None, *, current: str | None = None, reason: str = ""
    ) -> int | None:
        """Set or clear an app password: your own (with the current one, if you have one)
        at once; anyone else's, as an admin, is a grant. Returns the request filed, if any.
        """
        actor = self._uow.actor
        if username.strip().casefold() != actor.username.casefold():
            with self._uow.read() as session:
                version = user_rows.find_user(session, username).version
            change = self.update(
                username, version, password=password, clear_password=not password, reason=reason
            )
            return change.request_id
        with self._uow.write("user.set_password", permission=Action.VIEW_BOOKS) as session:
            # Every change to a user first records a first principal found (see user_rows).
            user_rows.before_first_principal(session, actor.username)
            user = user_rows.find_user(session, username)
            if user.password_hash is not None and (
                current is None or not passwords.matches(user.password_hash, current)
            ):
                raise NotPermitted("the current password is not right")
            user.password_hash = passwords.hash_password(password) if password else None
        return None

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is the acting user's app password (unlocking the window)."""
        return self._uow.password_matches(password)

    # -- the parts of a change ----------------------------------------------------------------

    def _target(
        self,
        session: Session,
        user: m.User,
        *,
        roles: Iterable[Role] | None,
        active: bool | None,
        db_login: str | None,
        registrations: Sequence[Registration] | None,
    ) -> Standing:
        """The user's standing once the whole change applies; refuses what nobody may do."""
        own = user.username == self._uow.actor.username
        held = user_rows.registrations_of(user)
        new_roles = user.role_set if roles is None else frozenset(roles)
        if not new_roles:
            raise ValidationError("role", "give at least one role")
        if own and new_roles - user.role_set:
            # Separation of duties: nobody grants themselves a role (say, supervisor).
            raise NotPermitted("another admin must give you a new role")
        wanted = held if registrations is None else tuple(registrations)
        if own and set(wanted) != set(held):
            raise NotPermitted("another admin must record your own registrations")
        new_active = user.active if active is None else active
        if own and user.active and not new_active:
            raise NotPermitted("you cannot deactivate yourself")
        login = user.db_login if db_login is None else user_rows.free_login(session, db_login, user)
        ordered = tuple(sorted(wanted, key=lambda r: (r.effective_from, r.series)))
        return Standing(new_roles, new_active, login, ordered)

    def _password_change(self, user: m.User, hashed: str | None, clear: bool) -> PasswordChange:
        if hashed is None and not clear:
            return PasswordChange.KEEP
        if user.username == self._uow.actor.username:
            raise NotPermitted("change your own password with your current one (user password)")
        if hashed is not None:
            return PasswordChange.SET
        return PasswordChange.CLEAR if user.password_hash is not None else PasswordChange.KEEP

    def _apply_direct(
        self, session: Session, user: m.User, before: Standing, target: Standing
    ) -> Standing:
        """Apply now what takes power away (or gives none); return the user's standing then."""
        roles_grant = bool((target.roles - before.roles) & POWER_ROLES)
        regs_grant = bool(registrations_granted(before.registrations, target.registrations))
        active_grant = target.active and not before.active and bool(target.roles & POWER_ROLES)
        direct = Standing(
            before.roles if roles_grant else target.roles,
            before.active if active_grant else target.active,
            before.db_login,
            before.registrations if regs_grant else target.registrations,
        )
        if (
            Role.ADMIN in before.roles
            and before.active
            and (Role.ADMIN not in direct.roles or not direct.active)
        ):
            user_rows.keep_an_admin(session, user)
        user_rows.keep_a_decider(session, user, direct)
        if direct.roles != before.roles:
            user.role_set = direct.roles
        if direct.active != before.active:
            user.active = direct.active
        user_rows.set_registrations(user, direct.registrations)
        session.flush()
        return direct

    def _grant(
        self,
        session: Session,
        user: m.User | None,
        terms: GrantTerms,
        words: Sequence[str],
        *,
        hashed: str | None,
        reason: str,
    ) -> UserChange:
        """File ``terms`` for a principal, or, before there was ever one, apply them now."""
        actor = self._uow.actor
        actor.require(Action.USER_GRANT)
        if user_rows.before_first_principal(session, actor.username):
            first = decides_grants(terms.standing, market_today())
            action = user_rows.FIRST_PRINCIPAL if first else user_rows.BEFORE_PRINCIPAL
            with audit.acting(session, action):
                applied = apply_terms(session, terms, hashed)
            user_rows.first_principal_made(session, actor.username)
            return UserChange(applied.username, view_of(applied), applied_as=action)
        verb = "Add" if user is None else "Grant"
        summary = f"{verb} {terms.username}: " + "; ".join(words)
        before = (
            {}
            if user is None
            else shown(user_rows.standing_of(user), user.password_hash is not None)
        )
        proposal = Proposal(
            Action.USER_GRANT, TABLE, f"{TABLE}:{terms.username}", summary, before,
            proposed(terms, before), None if user is None else user.id,
            None if user is None else user.version, terms.as_json(), hashed,
        )  # fmt: skip
        with audit.acting(session, "approval.request"):
            request_id = self._approvals.file(session, proposal, reason.strip() or summary)
        return UserChange(
            terms.username, None if user is None else view_of(user), request_id=request_id
        )

    @staticmethod
    def _pending_by_name(session: Session) -> dict[str, int]:
        return {g.username.casefold(): g.request_id for g in pending_grants(session)}
