"""The settlement run: one obligation per live trade version, exactly once, gaps shown."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from desk_app.db import models as m
from desk_app.domain.codes import AccountStatus, Direction, InstrumentType, Payment
from desk_app.domain.errors import NotPermitted
from desk_app.domain.listing import iter_rows
from desk_app.domain.states import ObligationStatus, TradeStatus
from tests.conftest import sign_in
from tests.services.conftest import Desk

DATA = Path(__file__).resolve().parents[2] / "data"
GOOD_CSV = DATA / "trades" / "good.csv"


@pytest.fixture
def floor(desk: Desk) -> Desk:
    """The golden file's books; GSCO has a DTC instruction for US equities."""
    for number in ("ACC-100", "ACC-200", "ACC-300"):
        desk.account(number)
    desk.instrument("US0378331005")
    desk.instrument("US5949181045")
    desk.instrument("GB0002405495", market="GB", currency="GBP", cusip=None)
    desk.instrument("US912828EG12", InstrumentType.TREASURY)
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
    for code in ("MSCO", "BARC", "JPMS", "NOMU"):
        desk.counterparty(code)
    return desk


def _obligations(desk: Desk) -> list[m.SettlementObligation]:
    with desk.admin.uow.read() as session:
        return list(
            session.scalars(select(m.SettlementObligation).order_by(m.SettlementObligation.id))
        )


def _imported(desk: Desk) -> list[m.Trade]:
    report = desk.ws["carl"].imports.import_file(GOOD_CSV)
    assert report.ok, report.problems
    with desk.admin.uow.read() as session:
        return list(session.scalars(select(m.Trade).order_by(m.Trade.id)))


def test_the_run_makes_one_obligation_per_trade_and_nothing_the_second_time(
    floor: Desk,
) -> None:
    trades = _imported(floor)
    assert _obligations(floor) == []  # imported trades wait for the run
    report = floor.ws["carl"].settlements.run()
    assert (report.created, report.exceptions) == (5, 4)
    assert report.summary == "5 obligations created, 4 with an exception"
    made = _obligations(floor)
    assert [o.trade_id for o in made] == [t.id for t in trades]
    first, trade = made[0], trades[0]
    assert (first.direction, first.payment, first.status) == (
        Direction.RECEIVE, Payment.AGAINST, ObligationStatus.PENDING,
    )  # fmt: skip
    assert (first.quantity, first.amount, first.currency, first.settle_date) == (
        trade.quantity, trade.net_amount, trade.currency, trade.settle_date,
    )  # fmt: skip
    assert first.ssi_id is not None and first.exception_reason is None  # GSCO / US / equity
    assert made[1].exception_reason == ("No standing settlement instruction for MSCO / US / equity")
    assert made[2].direction is Direction.DELIVER  # a short sale delivers
    again = floor.ws["carl"].settlements.run()
    assert (again.created, len(_obligations(floor))) == (0, 5)


def test_a_closed_or_restricted_account_is_an_exception_not_a_gap(floor: Desk) -> None:
    _imported(floor)
    with floor.admin.uow.write("test.setup") as session:
        for number, status in (("ACC-100", AccountStatus.CLOSED),
                               ("ACC-200", AccountStatus.RESTRICTED)):  # fmt: skip
            account = session.scalars(
                select(m.Account).where(m.Account.account_number == number)
            ).one()
            account.status = status
    floor.ws["carl"].settlements.run()
    reasons = {o.exception_reason for o in _obligations(floor)}
    assert "Account ACC-100 is closed" in reasons
    assert "Account ACC-200 is restricted: check before settling" in reasons


def test_as_of_leaves_later_trades_for_a_later_run(floor: Desk) -> None:
    trades = _imported(floor)
    early = floor.ws["carl"].settlements.run(as_of=date(2024, 6, 3))
    assert early.created == sum(1 for t in trades if t.trade_date <= date(2024, 6, 3))
    assert floor.ws["carl"].settlements.run().created == len(trades) - early.created


def test_cancelled_and_superseded_versions_get_none(floor: Desk) -> None:
    _imported(floor)
    with floor.admin.uow.write("test.setup") as session:
        trades = list(session.scalars(select(m.Trade).order_by(m.Trade.id)))
        trades[0].status = TradeStatus.CANCELLED
        trades[1].status = TradeStatus.AMENDED
    assert floor.ws["carl"].settlements.run().created == 3


def test_a_ticket_gets_its_obligation_as_it_is_booked(floor: Desk) -> None:
    from tests.services.trading.test_trades import _terms

    trade_id = floor.ws["carl"].trades.book(_terms("ACC-100"))
    made = _obligations(floor)
    assert [(o.trade_id, o.quantity) for o in made] == [(trade_id, Decimal(100))]
    assert floor.ws["carl"].settlements.run().created == 0


def test_the_ssi_in_force_is_the_accounts_own_then_the_latest_effective(floor: Desk) -> None:
    """Booked (one row) and run (set-based) pick the same instruction, by the same rule."""
    from tests.services.trading.test_trades import _terms

    def ssi(account: str | None, since: date, until: date | None, agent: str) -> None:
        with floor.admin.uow.write("test.setup") as session:
            party = session.scalars(select(m.Counterparty).where(m.Counterparty.code == "MSCO"))
            ids = {a.account_number: a.id for a in session.scalars(select(m.Account))}
            session.add(m.StandingSettlementInstruction(
                counterparty_id=party.one().id, account_id=ids[account] if account else None,
                market="US", asset_class=InstrumentType.EQUITY, place_of_settlement="DTCYUS33",
                agent_bic=agent, safekeeping_account="0001", effective_from=since,
                effective_to=until,
            ))  # fmt: skip

    ssi(None, date(2020, 1, 1), None, "OLDGUS33")
    ssi(None, date(2024, 1, 1), None, "NEWGUS33")  # the latest general one
    ssi(None, date(2099, 1, 1), None, "FUTRUS33")  # not in force yet
    ssi("ACC-200", date(2021, 1, 1), date(2022, 1, 1), "GONEUS33")  # expired
    ssi("ACC-300", date(2021, 1, 1), None, "MINEUS33")  # the account's own
    carl = floor.ws["carl"]
    booked = {n: carl.trades.book(_terms(n, counterparty="MSCO"))
              for n in ("ACC-100", "ACC-200", "ACC-300")}  # fmt: skip

    def agents() -> dict[str, str]:
        with floor.admin.uow.read() as session:
            return {
                number: session.scalars(
                    select(m.StandingSettlementInstruction.agent_bic)
                    .join(m.SettlementObligation)
                    .where(m.SettlementObligation.trade_id == trade_id)
                ).one()
                for number, trade_id in booked.items()
            }

    expected = {"ACC-100": "NEWGUS33", "ACC-200": "NEWGUS33", "ACC-300": "MINEUS33"}
    assert agents() == expected  # as booked
    with floor.admin.uow.write("test.setup") as session:  # the run makes them again
        session.execute(delete(m.SettlementObligation))
    assert carl.settlements.run().created == 3
    assert agents() == expected


def test_who_may_not_run_settlement_is_refused(floor: Desk) -> None:
    with pytest.raises(NotPermitted):
        floor.ws["cora"].settlements.run()


def test_two_runs_at_once_make_each_obligation_once(floor: Desk) -> None:
    """Two desks press Generate together: the second waits, then finds nothing to do."""
    _imported(floor)
    desks = [sign_in(floor.url, "carl") for _ in range(2)]
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(n: int) -> None:
        try:
            start.wait(5)
            results.append(desks[n].settlements.run().created)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for ws in desks:
        ws.close()
    assert errors == []
    assert sorted(results) == [0, 5]
    with floor.admin.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(m.SettlementObligation)) == 5


def test_the_list_narrows_by_due_date_and_status(floor: Desk) -> None:
    _imported(floor)
    floor.ws["carl"].settlements.run()
    service = floor.ws["carl"].settlements
    every = list(iter_rows(service.obligations()))
    due = every[0][2]  # Exception, Status, Settle date: what needs a person first
    rows = list(iter_rows(service.obligations(due=due)))
    assert rows and all(r[2] == due for r in rows)
    assert len(list(iter_rows(service.obligations(status=ObligationStatus.SETTLED)))) == 0
    assert len(list(iter_rows(service.obligations(status=ObligationStatus.PENDING)))) == 5
