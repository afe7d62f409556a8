"""Dated restrictions act by themselves: the daily sweep raises and clears their exceptions.

``today`` is injected (the days before New York's own, which a clerk's login may
record on PostgreSQL too); listing obligations sweeps New York's real today.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.codes import RestrictionKind, Side
from desk_app.domain.cutoffs import market_today
from desk_app.services.accounts.restriction_service import RestrictionService
from desk_app.services.settlement.obligations import obligation_of
from desk_app.services.settlement.restriction_sweeps import RestrictionSweeps, due_accounts
from tests.services.conftest import Desk
from tests.services.trading.test_trades import _terms

HOLD = "court order 26-114"
RAISED = "Account ACC-100 is restricted (Legal hold): check before settling"


def _sale(desk: Desk) -> int:
    """ACC-100 sells 10 AAPL: an open obligation delivering securities out."""
    return desk.ws["carl"].trades.book(_terms("ACC-100", side=Side.SELL, quantity=Decimal(10)))


def _exception(desk: Desk, trade_id: int) -> str | None:
    with desk.admin.uow.read() as session:
        found = obligation_of(session, trade_id)
        assert found is not None
        return found.exception_reason


def _restrictions_on(desk: Desk, day: date) -> RestrictionService:
    ws = desk.ws["carl"]
    return RestrictionService(ws.uow, ws.approvals, lambda: day)


def _sweeps(desk: Desk, day: date) -> RestrictionSweeps:
    return RestrictionSweeps(desk.ws["carl"].uow, lambda: day)


def _sweep_rows(desk: Desk) -> list[tuple[date, str, int, int, int]]:
    S = m.RestrictionSweep
    with desk.admin.uow.read() as session:
        rows = session.execute(
            select(S.swept_on, S.swept_by, S.accounts, S.raised, S.cleared).order_by(S.swept_on)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_restriction_raises_on_its_first_day_and_clears_after_its_last(
    settling_desk: Desk,
) -> None:
    today = market_today()
    before, first = today - timedelta(days=2), today - timedelta(days=1)
    trade = _sale(settling_desk)
    _restrictions_on(settling_desk, before).place(
        "ACC-100", RestrictionKind.LEGAL_HOLD, HOLD, starts_on=first, ends_on=first
    )
    assert _exception(settling_desk, trade) is None  # placed the day before it starts
    report = _sweeps(settling_desk, before).ensure()
    assert report is not None and (report.accounts, report.raised) == (0, 0)
    report = _sweeps(settling_desk, first).ensure()
    assert report is not None and (report.accounts, report.raised, report.cleared) == (1, 1, 0)
    assert _exception(settling_desk, trade) == RAISED
    # The day is swept: the same process does nothing more, another reads one row.
    again = _sweeps(settling_desk, first)
    assert again.swept(first) and again.ensure() is None
    report = _sweeps(settling_desk, today).ensure()
    assert report is not None and (report.accounts, report.cleared) == (1, 1)
    assert _exception(settling_desk, trade) is None  # its last day has passed
    assert _sweep_rows(settling_desk) == [
        (before, "carl", 0, 0, 0), (first, "carl", 1, 1, 0), (today, "carl", 1, 0, 1)
    ]  # fmt: skip


def test_only_the_accounts_whose_restrictions_began_or_ended_are_read(
    settling_desk: Desk,
) -> None:
    today = market_today()
    settling_desk.account("ACC-200")
    days = [today - timedelta(days=n) for n in (5, 4, 3)]
    service = _restrictions_on(settling_desk, days[0])
    service.place("ACC-100", "legal-hold", HOLD, starts_on=days[1])
    service.place("ACC-200", "legal-hold", HOLD, starts_on=days[0], ends_on=days[1])
    _sweeps(settling_desk, days[0]).ensure()
    with settling_desk.admin.uow.read() as session:
        number = dict(session.execute(select(m.Account.id, m.Account.account_number)).all())
        assert [number[i] for i in due_accounts(session, days[1])] == ["ACC-100"]
        assert [number[i] for i in due_accounts(session, days[2])] == ["ACC-100", "ACC-200"]
    _sweeps(settling_desk, days[1]).ensure()
    with settling_desk.admin.uow.read() as session:
        assert [number[i] for i in due_accounts(session, days[2])] == ["ACC-200"]


def test_listing_obligations_sweeps_new_yorks_today(settling_desk: Desk) -> None:
    """Placed yesterday to start today: nobody re-checks it by hand; the list does."""
    today = market_today()
    trade = _sale(settling_desk)
    _restrictions_on(settling_desk, today - timedelta(days=1)).place(
        "ACC-100", RestrictionKind.LEGAL_HOLD, HOLD, starts_on=today
    )
    assert _exception(settling_desk, trade) is None
    carl = settling_desk.ws["carl"]
    assert carl.settlements.obligations().count() == 1
    assert _exception(settling_desk, trade) == RAISED
    with settling_desk.admin.uow.read() as session:
        count = session.scalar(select(func.count()).select_from(m.RestrictionSweep))
    carl.settlements.obligations().count()  # the day is swept: nothing more is written
    assert _sweep_rows(settling_desk)[-1][:3] == (today, "carl", 1)
    assert len(_sweep_rows(settling_desk)) == count == 1


def test_settling_sweeps_before_it_settles(settling_desk: Desk) -> None:
    """A restriction that ended yesterday no longer stops today's delivery."""
    today = market_today()
    trade = _sale(settling_desk)
    carl = settling_desk.ws["carl"]
    _restrictions_on(settling_desk, today - timedelta(days=2)).place(
        "ACC-100", RestrictionKind.LEGAL_HOLD, HOLD, ends_on=today - timedelta(days=1)
    )
    assert _exception(settling_desk, trade) == RAISED
    with settling_desk.admin.uow.read() as session:
        found = obligation_of(session, trade)
        assert found is not None
        oid = found.id
    _sweeps(settling_desk, today - timedelta(days=2)).ensure()
    carl.settling.settle_all([oid])  # swept first (it is not matched yet: not settled)
    assert _exception(settling_desk, trade) is None
    carl.settling.instruct([oid])  # nothing stands in its way now
