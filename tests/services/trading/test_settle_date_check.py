"""`calendar check`'s service: dates booked under old rules, listed and corrected, on each engine.

An obligation booked before the bank-holiday rule was fixed holds the old date (a
Columbus Day trade settling on the Wednesday); the test writes such dates as an older
Desk did, then checks them against today's rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.errors import NotPermitted, StaleRecord, ValidationError
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.services.trading.settle_date_check import SettleDateCheck
from desk_app.services.workspace import Workspace
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, _obligation

COLUMBUS = date(2026, 10, 12)  # NYSE open, banks shut: settles with Friday's, on the 13th
FRIDAY = date(2026, 10, 9)
OLD_RULE = date(2026, 10, 14)  # what Desk gave before: counted from Tuesday
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def _check(ws: Workspace) -> SettleDateCheck:
    return SettleDateCheck(ws.uow, ws.trades, ws.calendar)


def _as_booked_by_an_older_desk(desk: Desk, obligation_id: int, day: date) -> None:
    with desk.admin.uow.write("test.setup") as session:
        ob = session.get_one(m.SettlementObligation, obligation_id)
        ob.settle_date = day
        ob.trade.settle_date = day


@pytest.fixture
def old_dates(settling_desk: Desk) -> dict[str, int]:
    """Three Columbus Day trades and a Friday one; two Columbus ones dated as before."""
    at = datetime(2026, 10, 12, 15, 0, tzinfo=UTC)
    ids = {
        "pending": _book(settling_desk, trade_date=COLUMBUS, trade_time=at),
        "instructed": _book(settling_desk, trade_date=COLUMBUS, trade_time=at),
        "right": _book(settling_desk, trade_date=COLUMBUS, trade_time=at),
        "friday": _book(settling_desk, trade_date=FRIDAY, trade_time=at.replace(day=9)),
    }
    assert {_obligation(settling_desk, i).settle_date for i in ids.values()} == {date(2026, 10, 13)}
    for key in ("pending", "instructed"):
        _as_booked_by_an_older_desk(settling_desk, ids[key], OLD_RULE)
    settling_desk.ws["carl"].settling.instruct([ids["instructed"]])
    return ids


def test_the_check_lists_what_today_s_rules_date_otherwise(
    settling_desk: Desk, old_dates: dict[str, int]
) -> None:
    found = _check(settling_desk.ws["carl"]).differences(*OCTOBER)
    assert [d.obligation_id for d in found] == [old_dates["pending"], old_dates["instructed"]]
    pending, instructed = found
    assert (pending.trade_date, pending.stored, pending.expected) == (
        COLUMBUS, OLD_RULE, date(2026, 10, 13)
    )  # fmt: skip
    assert pending.account == "ACC-100" and pending.counterparty == "GSCO"
    assert "2026-10-12 Columbus Day: a trading day but not a settlement day" in pending.why
    assert pending.correctable and pending.status is ObligationStatus.PENDING
    assert not instructed.correctable
    assert "re-instruct with the counterparty" in instructed.kept_because
    assert (
        _check(settling_desk.ws["carl"]).differences(date(2026, 10, 13), date(2026, 10, 31)) == []
    )
    with pytest.raises(ValidationError, match="is after --to"):
        _check(settling_desk.ws["carl"]).differences(date(2026, 11, 1), date(2026, 10, 1))


def test_only_a_supervisor_or_compliance_corrects_and_it_is_audited(
    settling_desk: Desk, old_dates: dict[str, int]
) -> None:
    before = settling_desk.audit_count()
    with pytest.raises(NotPermitted):
        _check(settling_desk.ws["carl"]).correct(*OCTOBER)
    assert settling_desk.audit_count() == before
    assert _obligation(settling_desk, old_dates["pending"]).settle_date == OLD_RULE

    seq = settling_desk.audit_entries()[-1].seq
    done = _check(settling_desk.ws["cora"]).correct(*OCTOBER)
    assert [d.obligation_id for d in done] == [old_dates["pending"]]
    old = _obligation(settling_desk, old_dates["pending"])
    assert old.status is ObligationStatus.CANCELLED
    assert old.trade.status is TradeStatus.AMENDED
    with settling_desk.admin.uow.read() as session:
        new_trade = session.scalars(
            select(m.Trade).where(m.Trade.supersedes_id == old.trade_id)
        ).one()
        assert new_trade.settle_date == date(2026, 10, 13)
        assert new_trade.settle_date_reason is None  # the calendar's date now
        assert new_trade.reason and "Columbus Day" in new_trade.reason
        new_ob = session.scalars(
            select(m.SettlementObligation).where(m.SettlementObligation.trade_id == new_trade.id)
        ).one()
        assert (new_ob.status, new_ob.settle_date) == (ObligationStatus.PENDING, date(2026, 10, 13))
    entries = settling_desk.audit_entries(seq)
    assert {e.action for e in entries} == {"settlement.correct_dates"}
    assert {e.app_user for e in entries} == {"cora"}
    # The instructed one stays as the street holds it; the check still shows it.
    left = _check(settling_desk.ws["sue"]).differences(*OCTOBER)
    assert [d.obligation_id for d in left] == [old_dates["instructed"]]
    assert _check(settling_desk.ws["sue"]).correct(*OCTOBER) == []


def test_a_correction_of_what_was_seen_refuses_when_it_changed_meanwhile(
    settling_desk: Desk, old_dates: dict[str, int]
) -> None:
    seen = [old_dates["pending"]]
    _check(settling_desk.ws["sam"]).correct(*OCTOBER, only=seen)
    before = settling_desk.audit_count()
    with pytest.raises(StaleRecord, match="no longer differ"):
        _check(settling_desk.ws["sue"]).correct(*OCTOBER, only=seen)
    assert settling_desk.audit_count() == before


def test_the_ticket_is_told_about_an_unusual_trade_date(settling_desk: Desk) -> None:
    """2025-01-09: no NYSE trading, yet a settlement day; a trade dated so counts from it."""
    trades = settling_desk.ws["carl"].trades
    day, label = trades.settle_date("US0378331005", date(2025, 1, 9))
    assert day == date(2025, 1, 10)
    assert label == (
        "T+1 (2025-01-09 is no US trading day: National Day of Mourning for former "
        "President Jimmy Carter)"
    )
    assert trades.settle_date("US0378331005", date(2024, 10, 14)) == (
        date(2024, 10, 15),
        "T+1 (Columbus Day: no settlement day, settles with 2024-10-11's trades)",
    )
    assert trades.settle_date("US0378331005", date(2025, 1, 8)) == (date(2025, 1, 9), "T+1")
