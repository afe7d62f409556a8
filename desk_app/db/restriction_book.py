"""Reading an account's restrictions inside the caller's transaction.

Every service that moves an account's securities or cash (trading, settlement,
journals, custody) asks here, in the same transaction as the movement, so a
restriction placed a moment before is seen. It sits in the database layer, not in the
accounts area, because the accounts area itself re-checks settlement's obligations
when a restriction changes: the areas would otherwise import each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, literal, or_, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.restrictions import (
    BADGE_COLUMNS,
    AccountRestricted,
    Movement,
    Restriction,
    kinds_stopping,
    stopping,
)

_CHUNK = 500


def rule(row: m.AccountRestriction) -> Restriction:
    """A row as the rules see it."""
    return Restriction(
        row.id, row.kind, row.reason, row.starts_on, row.ends_on, row.lifted_at is not None
    )


def open_rows(session: Session, account_id: int) -> list[m.AccountRestriction]:
    """The account's restrictions not lifted (in force now, or to start later)."""
    R = m.AccountRestriction
    return list(
        session.scalars(
            select(R)
            .where(R.account_id == account_id, R.lifted_at.is_(None))
            .order_by(R.starts_on, R.id)
        )
    )


def in_force(session: Session, account_id: int, on: date) -> list[Restriction]:
    """The account's restrictions in force on ``on``."""
    return [r for r in map(rule, open_rows(session, account_id)) if r.in_force(on)]


def in_force_of(
    session: Session, account_ids: Iterable[int], on: date
) -> dict[int, list[Restriction]]:
    """The restrictions in force on ``on`` of many accounts, by account id (one read a chunk)."""
    R = m.AccountRestriction
    ids = sorted(set(account_ids))
    found: dict[int, list[Restriction]] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = session.scalars(
            select(R)
            .where(R.account_id.in_(ids[start : start + _CHUNK]), *_in_force_sql(R, on))
            .order_by(R.starts_on, R.id)
        )
        for row in rows:
            found.setdefault(row.account_id, []).append(rule(row))
    return found


def refuse_if(session: Session, account: m.Account, movement: Movement, on: date) -> None:
    """Raise `AccountRestricted`, naming the restriction, if one stops ``movement``."""
    found = stopping(in_force(session, account.id, on), movement, on)
    if found is not None:
        raise AccountRestricted(account.account_number, movement, found)


def _in_force_sql(R: type[m.AccountRestriction], on: date) -> list[Any]:
    return [
        R.lifted_at.is_(None),
        R.starts_on <= on,
        or_(R.ends_on.is_(None), R.ends_on >= on),
    ]


def kind_label(kind: Any) -> Any:
    """SQL: a restriction kind's label (``Legal hold``)."""
    return case(
        *((kind == k.value, literal(k.label, String)) for k in RestrictionKind),
        else_=literal("Restricted", String),
    )


def stopping_label(account_id: Any, movement: Any, on: date) -> Any:
    """SQL: the label of the oldest restriction in force on ``on`` stopping ``movement``.

    ``movement`` is an SQL expression giving a `Movement` value (or NULL: nothing moves
    out); NULL when nothing stops it. A correlated subquery on the indexed account id.
    """
    R = m.AccountRestriction
    stops = or_(
        *(
            and_(movement == mv.value, R.kind.in_([k.value for k in kinds_stopping(mv)]))
            for mv in (Movement.DELIVER, Movement.PAY)
        )
    )
    return (
        select(kind_label(R.kind))
        .where(R.account_id == account_id, stops, *_in_force_sql(R, on))
        .order_by(R.starts_on, R.id)
        .limit(1)
        .scalar_subquery()
    )


class Badged:
    """A list's rows with a restriction badge beside each account, read per page.

    Wraps a `PageSource` whose ``account_key`` column holds an account number: after
    each page is read, one query finds the restrictions in force today of that page's
    accounts, and each row gets `BADGE` (``⚠ Legal hold``) and `BADGE_NOTE` (what the
    tooltip says) before its trailing id. Never a query per row, nor in paint; a
    million-row list costs one small read more per page. Everything else is the
    wrapped source's.
    """

    def __init__(self, source: Any, sessions: Any, account_key: str = "account") -> None:
        self._source = source
        self._sessions = sessions
        self._at = [c.key for c in source.columns].index(account_key)
        self.columns = (*source.columns, *BADGE_COLUMNS)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def fetch(self, sort: Any, after: Any, limit: int) -> list[Any]:
        rows = self._source.fetch(sort, after, limit)
        numbers = {row[self._at] for row in rows if row[self._at]}
        badges = badges_of(self._sessions, numbers, market_today()) if numbers else {}
        return [(*row[:-1], *badges.get(row[self._at], (None, None)), row[-1]) for row in rows]


def badges_of(sessions: Any, numbers: Iterable[str], on: date) -> dict[str, tuple[str, str]]:
    """``(badge, note)`` by account number, for the accounts with a restriction in force."""
    R, A = m.AccountRestriction, m.Account
    found: dict[str, list[tuple[RestrictionKind, str, date]]] = {}
    wanted = sorted(numbers)
    with sessions() as session:
        for start in range(0, len(wanted), _CHUNK):
            rows = session.execute(
                select(A.account_number, R.kind, R.reason, R.starts_on)
                .join(A, A.id == R.account_id)
                .where(A.account_number.in_(wanted[start : start + _CHUNK]), *_in_force_sql(R, on))
                .order_by(R.starts_on, R.id)
            ).all()
            for number, kind, reason, starts_on in rows:
                found.setdefault(number, []).append((kind, reason, starts_on))
    return {number: badge_text(held) for number, held in found.items()}


def badge_text(held: list[tuple[RestrictionKind, str, date]]) -> tuple[str, str]:
    """``⚠ Legal hold`` (``+1`` for each more) and one line per restriction for the tooltip."""
    first = held[0][0].label
    more = f" +{len(held) - 1}" if len(held) > 1 else ""
    note = "\n".join(f"{kind.label} since {since.isoformat()}: {why}" for kind, why, since in held)
    return f"⚠ {first}{more}", note


def restriction_text(session: Session, account: m.Account | None) -> str | None:
    """What a detail pane says of an account's restrictions in force today (None: none):
    ``⚠ Legal hold since 2026-11-02 (court order 26-114)``."""
    held = [] if account is None else in_force(session, account.id, market_today())
    if not held:
        return None
    return "⚠ " + "; ".join(
        f"{r.kind.label} since {r.starts_on.isoformat()} ({r.reason})" for r in held
    )
