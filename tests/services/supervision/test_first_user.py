"""The first user of a brand-new database says who they are, and can work at once."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.codes import Role, Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.domain.first_user import FirstUser
from desk_app.domain.supervision import Registration
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.workspace import Workspace, open_workspace
from tests.conftest import settle_workers
from tests.services.conftest import Desk

S7 = Registration("S7", date(2019, 5, 1))
S24 = Registration("S24", date(2020, 1, 1))


class Books:
    """Reference data written as set-up, with the shared desk's helpers."""

    account = Desk.account
    instrument = Desk.instrument
    counterparty = Desk.counterparty
    next_number = Desk.next_number

    def __init__(self, ws: Workspace) -> None:
        self.admin = ws
        self._numbers = itertools.count(1001)


@pytest.fixture
def opened() -> Iterator[list[Workspace]]:
    """Workspaces a test opens, closed after it."""
    made: list[Workspace] = []
    yield made
    settle_workers()
    for ws in made:
        ws.close()


def _open(opened: list[Workspace], url: str, name: str, **kw: object) -> Workspace:
    ws = open_workspace(url, name, **kw)  # type: ignore[arg-type]
    opened.append(ws)
    return ws


def test_the_first_user_is_who_they_say_and_books_a_trade(
    db_url: str, opened: list[Workspace]
) -> None:
    me = FirstUser("Tess Ter", frozenset({Role.CLERK, Role.ADMIN}), (S7,))
    ws = _open(opened, db_url, "tester", first_user=me)
    assert (ws.user.username, ws.user.full_name) == ("tester", "Tess Ter")
    assert ws.user.roles == {Role.CLERK, Role.ADMIN}
    assert [r.series for r in ws.user.registrations] == ["S7"]
    books = Books(ws)
    books.account("ACC-100")
    books.instrument("US0378331005")
    books.counterparty("GSCO")
    trade_id = ws.trades.book(TradeTerms(
        account="ACC-100", side=Side.BUY, isin="US0378331005", quantity=Decimal(100),
        price=Decimal("210.25"), currency="USD", trade_date=market_today(),
        trade_time=datetime.now(UTC), counterparty="GSCO",
    ))  # fmt: skip
    assert trade_id > 0
    with ws.uow.read() as session:
        first = session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.seq).limit(2)).all()
        assert [(e.action, e.table_name) for e in first] == [
            ("user.bootstrap_admin", "users"), ("user.bootstrap_admin", "user_registrations"),
        ]  # fmt: skip
        assert session.get(m.FirstPrincipal, 1) is None  # S7 is no principal's registration
    assert ws.history.verify().intact


def test_a_principal_first_user_is_recorded_and_later_grants_need_a_second_person(
    db_url: str, opened: list[Workspace]
) -> None:
    me = FirstUser("Pat Principal", frozenset({Role.SUPERVISOR, Role.ADMIN}), (S24,))
    ws = _open(opened, db_url, "tester", first_user=me)
    with ws.uow.read() as session:
        recorded = session.get(m.FirstPrincipal, 1)
        assert recorded is not None and recorded.username == "tester"
    change = ws.users.add("sue", {Role.SUPERVISOR}, registrations=(S24,))
    assert change.request_id is not None and change.view is None  # filed, not applied
    assert ws.history.verify().intact


def test_a_database_with_users_keeps_them(db_url: str, opened: list[Workspace]) -> None:
    _open(opened, db_url, "tester")  # the first user: an admin, as ever
    again = _open(opened, db_url, "tester", first_user=FirstUser("Other", frozenset(Role)))
    assert again.user.roles == {Role.ADMIN} and again.user.full_name == "tester"
    with pytest.raises(NotPermitted):
        open_workspace(db_url, "eve", first_user=FirstUser("Eve", frozenset(Role)))
    with again.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(m.User)) == 1


def test_a_bad_statement_is_refused_and_nothing_is_written(
    empty_sqlite_url: str, opened: list[Workspace]
) -> None:
    bad = FirstUser("  ", frozenset({Role.CLERK}))
    with pytest.raises(ValidationError, match="full_name"):
        open_workspace(empty_sqlite_url, "tester", first_user=bad)
    assert (
        Path(empty_sqlite_url.removeprefix("sqlite:///")).stat().st_size == 0
    )  # not even migrated
    ws = _open(opened, empty_sqlite_url, "tester")  # still empty: the plain first user
    assert ws.user.roles == {Role.ADMIN}
