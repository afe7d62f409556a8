"""Booking, amending and cancelling trades, on both engines, with four-eyes where due."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import AccountStatus, InstrumentType, Side, TradeSource
from desk_app.domain.cutoffs import business_date
from desk_app.domain.errors import NotPermitted, StaleRecord, ValidationError
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.settlement.obligations import new_obligation, obligation_of
from desk_app.services.trading.trades import TradeService
from tests.services.conftest import Desk

TODAY = date(2026, 11, 24)  # a Tuesday: T+1 is Wednesday the 25th


def _terms(account: str, **changes: object) -> TradeTerms:
    terms = TradeTerms(
        account=account,
        side=Side.BUY,
        isin="US0378331005",
        quantity=Decimal(100),
        price=Decimal("210.25"),
        currency="USD",
        trade_date=TODAY,
        trade_time=datetime(2026, 11, 24, 15, 30, tzinfo=UTC),
        counterparty="GSCO",
        commission=Decimal("5.00"),
        fees=Decimal("0.50"),
    )
    return terms.with_changes(**changes)


@pytest.fixture
def floor(desk: Desk) -> Desk:
    desk.instrument()
    desk.counterparty(ssi_for=InstrumentType.EQUITY)
    return desk


def _service(desk: Desk, user: str, today: date = TODAY) -> TradeService:
    ws = desk.ws[user]
    return TradeService(ws.uow, ws.approvals, ws.calendar, today=lambda: today)


def _trade(desk: Desk, trade_id: int) -> m.Trade:
    with desk.admin.uow.read() as session:
        trade = session.get(m.Trade, trade_id)
        assert trade is not None
        return trade


def test_a_ticket_books_one_version_with_its_amounts_and_calendar_date(floor: Desk) -> None:
    account = floor.account()
    trade_id = _service(floor, "carl").book(_terms(account))
    trade = _trade(floor, trade_id)
    assert (trade.status, trade.version_no, trade.source) == (
        TradeStatus.ACTIVE,
        1,
        TradeSource.MANUAL,
    )
    assert trade.gross_amount == Decimal("21025.00")
    assert trade.net_amount == Decimal("21030.50")  # a buy pays its charges on top
    assert trade.settle_date == date(2026, 11, 25)
    assert trade.settle_date_reason is None
    assert trade.created_by == "carl"


def test_a_settlement_date_off_the_calendar_needs_a_reason(floor: Desk) -> None:
    account = floor.account()
    service = _service(floor, "carl")
    with pytest.raises(ValidationError, match="settle_date_reason: is required"):
        service.book(_terms(account, settle_date=date(2026, 11, 27)))
    trade_id = service.book(
        _terms(account, settle_date=date(2026, 11, 27), settle_date_reason="Client asked for T+3")
    )
    trade = _trade(floor, trade_id)
    assert (trade.settle_date, trade.settle_date_reason) == (
        date(2026, 11, 27),
        "Client asked for T+3",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"account": "NOPE-1"}, "account: is not an account on this database"),
        ({"isin": "US5949181045"}, "isin: is not an instrument on this database"),
        ({"counterparty": "XXXX"}, "counterparty: is not a counterparty on this database"),
        ({"trade_date": date(2020, 1, 2)}, "trade_date: is before account"),
    ],
)
def test_the_ticket_names_the_field_that_is_wrong(
    floor: Desk, changes: dict[str, object], message: str
) -> None:
    account = floor.account()
    with pytest.raises(ValidationError, match=message):
        _service(floor, "carl").book(_terms(account).with_changes(**changes))


def test_a_closed_account_takes_no_trades(floor: Desk) -> None:
    account = floor.account(status=AccountStatus.CLOSED, closed_on=date(2026, 1, 5))
    with pytest.raises(ValidationError, match="account: is closed since 2026-01-05"):
        _service(floor, "carl").book(_terms(account))


def test_compliance_and_admins_do_not_book(floor: Desk) -> None:
    account = floor.account()
    for user in ("cora", "adam"):
        with pytest.raises(NotPermitted, match="clerk or supervisor"):
            _service(floor, user).book(_terms(account))


def test_an_amendment_is_a_new_version_linked_to_the_original(floor: Desk) -> None:
    account = floor.account()
    service = _service(floor, "carl")
    first = service.book(_terms(account))
    outcome = service.amend(first, _terms(account, quantity=Decimal(200)), "Allocation was 200")
    assert outcome.request_id is None and outcome.trade_id is not None
    second = outcome.trade_id
    again = service.amend(
        second, _terms(account, quantity=Decimal(200), price=Decimal("210.50")), "Price per the ER"
    )
    assert again.trade_id is not None
    versions = service.versions(first)
    assert [(v.id, v.version_no, v.status) for v in versions] == [
        (first, 1, TradeStatus.AMENDED),
        (second, 2, TradeStatus.AMENDED),
        (again.trade_id, 3, TradeStatus.ACTIVE),
    ]
    assert [v.terms.quantity for v in versions] == [Decimal(100), Decimal(200), Decimal(200)]
    assert versions[2].reason == "Price per the ER"
    assert {v.trade_key for v in versions} == {first}
    newest = _trade(floor, again.trade_id)
    assert (newest.original_id, newest.supersedes_id) == (first, second)
    with pytest.raises(StaleRecord, match="superseded by version"):
        service.amend(first, _terms(account, quantity=Decimal(300)), "late")


def test_nothing_to_change_and_no_reason_are_refused(floor: Desk) -> None:
    account = floor.account()
    service = _service(floor, "carl")
    first = service.book(_terms(account))
    with pytest.raises(ValidationError, match="nothing would change"):
        service.amend(first, _terms(account), "same")
    with pytest.raises(ValidationError, match="reason"):
        service.cancel(first, "  ")


def test_a_cancel_is_a_version_that_keeps_the_terms(floor: Desk) -> None:
    account = floor.account()
    service = _service(floor, "carl")
    first = service.book(_terms(account))
    outcome = service.cancel(first, "Booked to the wrong account")
    assert outcome.trade_id is not None
    cancel = _trade(floor, outcome.trade_id)
    assert (cancel.status, cancel.version_no, cancel.quantity) == (
        TradeStatus.CANCELLED,
        2,
        Decimal(100),
    )
    assert _trade(floor, first).status is TradeStatus.AMENDED
    with pytest.raises(StaleRecord):
        service.cancel(outcome.trade_id, "again")


def _with_obligation(desk: Desk, trade_id: int, status: ObligationStatus) -> None:
    with desk.admin.uow.write("test.setup") as session:
        trade = session.get(m.Trade, trade_id)
        assert trade is not None
        obligation = obligation_of(session, trade_id) or new_obligation(session, trade)
        obligation.status = status


def _obligations(desk: Desk) -> list[tuple[int, ObligationStatus, Decimal]]:
    with desk.admin.uow.read() as session:
        rows = session.scalars(
            select(m.SettlementObligation).order_by(m.SettlementObligation.id)
        ).all()
        return [(o.trade_id, o.status, o.quantity) for o in rows]


def test_amending_regenerates_the_obligation(floor: Desk) -> None:
    account = floor.account()
    service = _service(floor, "carl")
    first = service.book(_terms(account))
    _with_obligation(floor, first, ObligationStatus.PENDING)
    second = service.amend(first, _terms(account, quantity=Decimal(150)), "150 filled")
    assert _obligations(floor) == [
        (first, ObligationStatus.CANCELLED, Decimal(100)),
        (second.trade_id, ObligationStatus.PENDING, Decimal(150)),
    ]


def test_changing_a_trade_whose_settlement_started_is_a_request(floor: Desk) -> None:
    account = floor.account()
    carl = _service(floor, "carl")
    first = carl.book(_terms(account))
    _with_obligation(floor, first, ObligationStatus.INSTRUCTED)
    record = carl.record(first)
    assert record.supervised_because == "its settlement has started (instructed)"
    outcome = carl.amend(first, _terms(account, price=Decimal("211")), "Wrong price on the ER")
    assert outcome.trade_id is None and outcome.request_id is not None
    assert _trade(floor, first).status is TradeStatus.ACTIVE  # nothing changed yet
    request = floor.request(outcome.request_id)
    assert (request.action, request.target_key) == ("trade.amend_settling", f"trades:{first}")
    floor.ws["sue"].approvals.approve(outcome.request_id, "Checked against the ER")
    versions = carl.versions(first)
    assert [v.status for v in versions] == [TradeStatus.AMENDED, TradeStatus.ACTIVE]
    assert versions[1].terms.price == Decimal("211")
    assert versions[1].created_by == "carl"  # the maker's change, approved by sue
    assert _obligations(floor) == [
        (first, ObligationStatus.CANCELLED, Decimal(100)),
        (versions[1].id, ObligationStatus.PENDING, Decimal(100)),
    ]


def test_cancelling_after_the_settlement_date_is_a_request(floor: Desk) -> None:
    account = floor.account()
    first = _service(floor, "carl").book(_terms(account))
    later = _service(floor, "carl", today=date(2026, 11, 26))
    assert later.record(first).supervised_because == ("its settlement date 2026-11-25 has passed")
    outcome = later.cancel(first, "Duplicate of trade booked by FIX")
    assert outcome.request_id is not None
    detail = floor.ws["sue"].approvals.detail(outcome.request_id)
    assert detail.target_key == f"trades:{first}"
    assert [(f.field, f.at_request, f.proposed) for f in detail.fields] == [
        ("status", "active", "cancelled")
    ]
    floor.ws["sue"].approvals.approve(outcome.request_id)
    assert [v.status for v in later.versions(first)] == [
        TradeStatus.AMENDED,
        TradeStatus.CANCELLED,
    ]


def test_a_cancel_after_settlement_leaves_a_visible_exception(floor: Desk) -> None:
    account = floor.account()
    carl = _service(floor, "carl")
    first = carl.book(_terms(account))
    _with_obligation(floor, first, ObligationStatus.SETTLED)
    outcome = carl.cancel(first, "Client disputes the order")
    assert outcome.request_id is not None
    floor.ws["sam"].approvals.approve(outcome.request_id)
    with floor.admin.uow.read() as session:
        obligation = session.scalars(select(m.SettlementObligation)).one()
        assert obligation.status is ObligationStatus.SETTLED
        assert obligation.exception_reason is not None
        assert "reverse it with the counterparty" in obligation.exception_reason


def test_every_change_is_in_the_audit_trail(floor: Desk) -> None:
    account = floor.account()
    start = floor.audit_count()
    carl = _service(floor, "carl")
    first = carl.book(_terms(account))
    carl.cancel(first, "Wrong account")
    entries = floor.audit_entries(after_seq=start)
    trades = [(e.action, e.change, e.record_id) for e in entries if e.table_name == "trades"]
    assert sorted(trades) == [
        ("trade.book", "create", str(first)),
        ("trade.cancel", "create", str(first + 1)),
        ("trade.cancel", "update", str(first)),
    ]
    obligations = [(e.action, e.change) for e in entries if e.table_name != "trades"]
    assert sorted(obligations) == [("trade.book", "create"), ("trade.cancel", "update")]
    assert {e.table_name for e in entries} == {"trades", "settlement_obligations"}
    assert {e.app_user for e in entries} == {"carl"}


def test_backdating_a_correction_past_its_settlement_is_a_request(floor: Desk) -> None:
    account = floor.account()
    carl = _service(floor, "carl")
    first = carl.book(_terms(account))
    backdated = _terms(
        account, trade_date=date(2026, 11, 2), trade_time=datetime(2026, 11, 2, 15, tzinfo=UTC)
    )
    outcome = carl.amend(first, backdated, "Booked on the wrong day")
    assert outcome.request_id is not None
    request = floor.request(outcome.request_id)
    assert request.summary == f"Amend trade {first}: trade date, trade time, settle date"


def test_amending_after_part_settled_flags_the_obligation_and_makes_no_second(floor: Desk) -> None:
    account = floor.account()
    carl = _service(floor, "carl")
    first = carl.book(_terms(account))
    with floor.admin.uow.write("test.setup") as session:
        trade = session.get(m.Trade, first)
        assert trade is not None
        obligation = obligation_of(session, trade.id)  # made as the trade was booked
        assert obligation is not None
        obligation.status, obligation.settled_quantity = ObligationStatus.FAILING, Decimal(40)
    outcome = carl.amend(first, _terms(account, price=Decimal("211")), "Price per the ER")
    assert outcome.request_id is not None  # failing: its settlement started
    floor.ws["sue"].approvals.approve(outcome.request_id)
    with floor.admin.uow.read() as session:
        rows = session.scalars(
            select(m.SettlementObligation).order_by(m.SettlementObligation.id)
        ).all()
        # The old one stays open, flagged; the new version's is closed, pointing at it.
        assert [(o.trade_id, o.status) for o in rows] == [
            (first, ObligationStatus.FAILING), (first + 1, ObligationStatus.CANCELLED),
        ]  # fmt: skip
        assert rows[0].exception_reason is not None
        assert "after 40 of 100 settled: settle the difference" in rows[0].exception_reason
        assert rows[1].exception_reason == f"Settles through obligation {rows[0].id} (see there)"


def test_a_cancelled_trade_says_it_cannot_be_changed(floor: Desk) -> None:
    account = floor.account()
    carl = _service(floor, "carl")
    cancel = carl.cancel(carl.book(_terms(account)), "Wrong account").trade_id
    assert cancel is not None
    with pytest.raises(StaleRecord, match="a cancelled trade cannot be changed"):
        carl.amend(cancel, _terms(account, quantity=Decimal(5)), "again")


@pytest.fixture
def computer_zone_not_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The computer's clock in a zone whose date differs from New York's right now."""
    new_york = datetime.now(ZoneInfo("America/New_York"))
    # UTC-12 is a day behind New York before 07:00 there (08:00 in summer), UTC+14 a
    # day ahead from 05:00 (06:00 in summer).
    monkeypatch.setenv("TZ", "Etc/GMT+12" if new_york.hour < 6 else "Etc/GMT-14")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("computer_zone_not_new_york")
def test_the_desk_s_today_is_new_york_s_whatever_the_computer_s_zone(floor: Desk) -> None:
    """Whether a settlement date has passed (and a change needs approval) is decided on
    New York's business date, as the ticket, the accounts and the cut-off are."""
    new_york = business_date(datetime.now(UTC))
    assert date.today() != new_york  # the computer's own date is another day
    assert floor.ws["carl"].trades.today() == new_york
