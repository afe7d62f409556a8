"""Grants of power as approval requests (``user.grant``), applied when a principal approves.

A request's ``terms`` are what the user will hold once it applies: every role, every
registration, the login, whether active, and whether the password is set or cleared
(its argon2 hash rides on the request row, never in the proposal or the trail). The
PostgreSQL triggers of migration 0015 compare the written rows with these terms, so
the approver applies exactly what was approved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import Role
from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.domain.power import (
    PASSWORD_CLEARED,
    PASSWORD_SET,
    PasswordChange,
    Standing,
    registrations_text,
    roles_text,
    subject_refusal,
)
from desk_app.domain.supervision import Registration
from desk_app.services.actor import Actor, Proof
from desk_app.services.supervision import user_rows

TABLE = "users"


@dataclass(frozen=True)
class GrantTerms:
    """A user as a grant leaves them (a new user, or an existing one at ``version``)."""

    username: str
    full_name: str
    standing: Standing
    password: PasswordChange = PasswordChange.KEEP
    new: bool = False
    #: The login that is the user before the grant (None for a new user).
    login_before: str | None = None

    def as_json(self) -> dict[str, Any]:
        s = self.standing
        terms: dict[str, Any] = {
            "username": self.username, "full_name": self.full_name, "new": self.new,
            "roles": ",".join(sorted(r.value for r in s.roles)), "active": s.active,
            "db_login": s.db_login, "login_before": self.login_before,
            "registrations": [
                {"series": r.series, "from": r.effective_from.isoformat(),
                 "to": None if r.effective_to is None else r.effective_to.isoformat()}
                for r in s.registrations
            ],
        }  # fmt: skip
        if self.password is PasswordChange.SET:
            terms["password"] = "set"
        elif self.password is PasswordChange.CLEAR:
            terms["password"] = "cleared"
        return terms

    @classmethod
    def from_json(cls, terms: Mapping[str, Any]) -> GrantTerms:
        registrations = tuple(
            Registration(r["series"], date.fromisoformat(r["from"]),
                         None if r["to"] is None else date.fromisoformat(r["to"]))
            for r in terms["registrations"]
        )  # fmt: skip
        roles = frozenset(Role(code) for code in str(terms["roles"]).split(",") if code)
        password = {"set": PasswordChange.SET, "cleared": PasswordChange.CLEAR}.get(
            terms.get("password", ""), PasswordChange.KEEP
        )
        return cls(
            terms["username"], terms["full_name"],
            Standing(roles, bool(terms["active"]), terms["db_login"], registrations),
            password, bool(terms["new"]), terms.get("login_before"),
        )  # fmt: skip


def shown(standing: Standing, has_password: bool) -> dict[str, Any]:
    """A user's power as the request pane shows it, field by field."""
    return {
        "roles": roles_text(standing.roles),
        "registrations": registrations_text(standing.registrations) or None,
        "db_login": standing.db_login,
        "active": "yes" if standing.active else "no",
        "password": "set" if has_password else "none",
    }


def proposed(terms: GrantTerms, before: Mapping[str, Any]) -> dict[str, Any]:
    """What the pane shows as proposed: only what changes (all of it for a new user)."""
    after = shown(terms.standing, before.get("password") == "set")
    if terms.password is PasswordChange.SET:
        after["password"] = PASSWORD_SET
    elif terms.password is PasswordChange.CLEAR:
        after["password"] = PASSWORD_CLEARED
    if terms.new:
        return {"username": terms.username, "full_name": terms.full_name, **after}
    return {k: v for k, v in after.items() if before.get(k) != v}


def terms_of(request: m.ApprovalRequest) -> GrantTerms:
    return GrantTerms.from_json(json.loads(request.proposal)["terms"])


def apply_terms(session: Session, terms: GrantTerms, password_hash: str | None) -> m.User:
    """Make the user what ``terms`` say, with the rules every user change meets."""
    user = user_rows.find_user_or_none(session, terms.username)
    s = terms.standing
    if terms.new:
        if user is not None:
            raise DeskError(f"{terms.username} was added meanwhile; reject this request")
        user = m.User(
            username=terms.username, full_name=terms.full_name, active=s.active,
            db_login=user_rows.free_login(session, s.db_login),
            password_hash=password_hash if terms.password is PasswordChange.SET else None,
        )  # fmt: skip
        user.role_set = s.roles
        session.add(user)
        user_rows.set_registrations(user, s.registrations)
        session.flush()
        return user
    if user is None:
        raise DeskError(f"user {terms.username}: no such user")
    if Role.ADMIN in user.role_set and (Role.ADMIN not in s.roles or not s.active):
        user_rows.keep_an_admin(session, user)
    user_rows.keep_a_decider(session, user, s)
    user.role_set = s.roles
    user.active = s.active
    user.db_login = user_rows.free_login(session, s.db_login, user)
    if terms.password is PasswordChange.SET:
        user.password_hash = password_hash
    elif terms.password is PasswordChange.CLEAR:
        user.password_hash = None
    user_rows.set_registrations(user, s.registrations)
    session.flush()
    return user


class GrantHandler:
    """Reads and applies ``user.grant`` requests; principals decide them, never their subject."""

    action = Action.USER_GRANT
    decide_permission = Action.GRANT_DECIDE

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        user = user_rows.find_user_or_none(session, terms_of(request).username)
        if user is None:
            return None
        return {**shown(user_rows.standing_of(user), user.password_hash is not None),
                "version": user.version}  # fmt: skip

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        apply_terms(session, terms_of(request), request.password_hash)

    def refusal(self, request: m.ApprovalRequest, actor: Actor) -> str | None:
        """Nobody approves their own power, password or login mapping."""
        terms = terms_of(request)
        logins = {terms.login_before or "", terms.standing.db_login or terms.username}
        return subject_refusal(
            subject=terms.username,
            subject_logins=logins if actor.proof is Proof.DATABASE_LOGIN else (),
            approver=actor.username,
            approver_login=actor.db_login,
        )
