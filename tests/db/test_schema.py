"""The schema on both engines: migrations, exact money, optimistic locking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desk_app.db import models
from desk_app.db.migrate import current_revision, head_revision, upgrade
from desk_app.domain.codes import AccountStatus, RegistrationType
from desk_app.services import audit
from desk_app.services.actor import database_login
from desk_app.services.workspace import Workspace


def _account(number: str = "100-00001") -> models.Account:
    return models.Account(
        account_number=number,
        name="Jane Q. Public",
        registration_type=RegistrationType.INDIVIDUAL,
        status=AccountStatus.OPEN,
        registered_rep="RR01",
        opened_on=date(2024, 1, 2),
    )


def _audited(session: Session) -> Session:
    """A hand-made session writes with an acting user, as a unit of work's would."""
    login = database_login(session.get_bind().engine)
    session.info[audit.CONTEXT_KEY] = audit.AuditContext("tester", login, "test.edit")
    return session


def test_migrated_to_head_and_idempotent(workspace: Workspace) -> None:
    assert current_revision(workspace.engine) == head_revision()
    assert upgrade(workspace.engine) is False
    with workspace.sessions() as s:
        assert s.scalar(select(func.count()).select_from(models.SettlementCycle)) == 24


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("net_amount", Decimal("12345678901234.5678")),
        ("net_amount", Decimal("-12345678901234.5678")),
        ("net_amount", Decimal("0.0001")),
        ("gross_amount", Decimal("922337203685477.5807")),
        ("quantity", Decimal("0.000001")),
        ("quantity", Decimal("9223372036854.775807")),
        ("price", Decimal("0.000001")),
        ("price", Decimal("0.00000001")),
        ("price", Decimal("99.99999999")),
    ],
)
def test_decimal_round_trip_is_exact(workspace: Workspace, column: str, value: Decimal) -> None:
    with workspace.uow.write("test.setup") as s:
        acct = _account()
        inst = models.Instrument(
            isin="US0378331005", cusip="037833100", description="Apple Inc", issuer="Apple Inc",
            instrument_type="equity",
        )  # fmt: skip
        cp = models.Counterparty(code="HDRS", name="Hudson River Securities", kind="broker")
        s.add_all([acct, inst, cp])
        s.flush()
        values = dict(
            external_id="X1", source="manual", status="active", account_id=acct.id,
            instrument_id=inst.id, counterparty_id=cp.id, side="buy", quantity=Decimal(1),
            price=Decimal(1), currency="USD", trade_date=date(2025, 3, 3),
            trade_time=datetime(2025, 3, 3, 15, 0, tzinfo=UTC), settle_date=date(2025, 3, 4),
            gross_amount=Decimal(1), net_amount=Decimal(1), created_by="tester",
        )  # fmt: skip
        values[column] = value
        s.add(models.Trade(**values))
    with workspace.sessions() as s:
        stored = s.scalar(select(getattr(models.Trade, column)))
        assert stored == value
        assert isinstance(stored, Decimal)
        assert str(stored) == str(value)
        # and the database compares and sums exactly, not through float
        total = s.scalar(select(func.sum(getattr(models.Trade, column))))
        assert total == value


def test_too_many_decimals_are_refused_not_rounded(workspace: Workspace) -> None:
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="more than 4 decimal places"):
        with workspace.uow.write("test.setup") as s:
            s.add(models.CourierManifest(
                manifest_number="M1", manifest_date=date(2025, 1, 2), courier="X", sender="A",
                recipient="B", recipient_address="C", declared_value=Decimal("1.00001"),
                insured_value=Decimal(0), status="draft", prepared_by="tester",
            ))  # fmt: skip


def test_money_sorts_numerically_in_sql(workspace: Workspace) -> None:
    values = [Decimal("-5.5"), Decimal("10"), Decimal("2.25"), Decimal("-100"), Decimal("0")]
    with workspace.uow.write("test.setup") as s:
        for n, v in enumerate(values):
            s.add(models.CourierManifest(
                manifest_number=f"M{n}", manifest_date=date(2025, 1, 2), courier="X", sender="A",
                recipient="B", recipient_address="C", declared_value=v, insured_value=v,
                status="draft", prepared_by="tester",
            ))  # fmt: skip
    with workspace.sessions() as s:
        got = s.scalars(
            select(models.CourierManifest.declared_value).order_by(
                models.CourierManifest.declared_value
            )
        ).all()
        assert got == sorted(values)
        over = s.scalars(
            select(models.CourierManifest.declared_value).where(
                models.CourierManifest.declared_value > Decimal("2.25")
            )
        ).all()
        assert over == [Decimal(10)]


def test_concurrent_edit_is_detected(workspace: Workspace) -> None:
    with workspace.uow.write("test.setup") as s:
        s.add(_account())
    first = _audited(workspace.sessions())
    second = _audited(workspace.sessions())
    a = first.scalars(select(models.Account)).one()
    b = second.scalars(select(models.Account)).one()
    a.name = "Jane Public"
    first.commit()
    b.name = "J. Q. Public"
    with pytest.raises(StaleDataError):
        second.commit()
    second.rollback()
    first.close()
    second.close()
    with workspace.sessions() as s:
        acct = s.scalars(select(models.Account)).one()
        assert (acct.name, acct.version) == ("Jane Public", 2)


def test_datetimes_come_back_in_utc(workspace: Workspace) -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2025, 7, 1, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    with workspace.uow.write("test.setup") as s:
        s.add(models.User(username="u", full_name="U", roles="clerk", created_at=local))
    with workspace.sessions() as s:
        stored = s.scalars(select(models.User.created_at).where(models.User.username == "u")).one()
    assert stored == local
    assert stored.tzinfo is UTC


def test_seeded_cycles_are_the_domain_defaults(workspace: Workspace) -> None:
    from desk_app.domain.settlement import DEFAULT_CYCLES

    assert sorted(workspace.calendar.cycles(), key=repr) == sorted(DEFAULT_CYCLES, key=repr)


def test_migrations_match_the_models(workspace: Workspace) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with workspace.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": models.base.include_object}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, models.Base.metadata) == []


def test_a_closed_workspace_refuses_to_reconnect(db_url: str) -> None:
    """A worker's late read fails at once; it never opens a connection nobody closes."""
    from desk_app.db.engine import DatabaseUnavailable
    from desk_app.services.workspace import open_workspace

    ws = open_workspace(db_url, "tester")
    assert ws.blotter.change_marker() >= 0
    ws.close()
    with pytest.raises(DatabaseUnavailable, match="closed"):
        ws.blotter.change_marker()
    assert ws.engine.pool.checkedout() == 0
    ws.close()  # closing twice is harmless
