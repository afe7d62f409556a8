"""How users read: the view of one user, and parsing roles and registrations typed in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.states import ApprovalStatus
from desk_app.domain.supervision import KNOWN_SERIES, Registration, normalise_series
from desk_app.services.supervision.user_rows import registrations_of

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
    #: The grant of power awaiting a principal for this user (a request id), if any.
    pending_grant: int | None = None

    @property
    def role_text(self) -> str:
        return ", ".join(sorted(role.value for role in self.roles))

    @property
    def registration_text(self) -> str:
        return ", ".join(
            r.series + ("" if r.effective_to is None else f" (to {r.effective_to})")
            for r in self.registrations
        )


def view_of(user: m.User, pending: Mapping[str, int] | None = None) -> UserView:
    """``pending``: open grant requests by username (see `pending_grants`)."""
    return UserView(
        user.username, user.full_name, user.role_set, user.active, user.db_login,
        user.password_hash is not None,
        registrations_of(user),
        user.version,
        (pending or {}).get(user.username.casefold()),
    )  # fmt: skip


@dataclass(frozen=True)
class PendingGrant:
    """A grant of power filed and not yet decided."""

    request_id: int
    username: str
    summary: str
    maker: str


def pending_grants(session: Session) -> list[PendingGrant]:
    """Every ``user.grant`` request awaiting a principal, oldest first."""
    r = m.ApprovalRequest
    rows = session.execute(
        select(r.id, r.target_key, r.summary, r.maker)
        .where(r.action == "user.grant", r.status == ApprovalStatus.PENDING)
        .order_by(r.id)
    )
    return [PendingGrant(i, key.partition(":")[2], text, maker) for i, key, text, maker in rows]


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
        start = date.fromisoformat(parts[1]) if len(parts) > 1 and parts[1] else market_today()
        end = date.fromisoformat(parts[2]) if len(parts) > 2 and parts[2] else None
    except ValueError:
        raise ValidationError("registration", "dates must be YYYY-MM-DD", text) from None
    if end is not None and end < start:
        raise ValidationError("registration", "ends before it starts", text)
    return Registration(series, start, end)
