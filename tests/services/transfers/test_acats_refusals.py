"""ACATS on both engines: deadlines as aging limits, the refusals, what does not move."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.acats import AcatsDeadlines, AcatsDirection, AcatsStatus, AcatsType
from desk_app.domain.calendars import calendar_for
from desk_app.domain.codes import RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.lots import Lot
from desk_app.domain.rule_changes import RuleKind
from desk_app.services import firm
from desk_app.services.reference.rules import RulesService
from desk_app.services.transfers.acats import AssetAsked
from tests.books import totals
from tests.services.conftest import Desk
from tests.services.transfers.test_acats import AAPL, _out, acats_desk  # noqa: F401

IN, OUT = AcatsDirection.IN, AcatsDirection.OUT
MSFT = "US5949181045"


def _count(desk: Desk) -> int:
    with desk.admin.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(m.AcatsTransfer)) or 0)


def _amend(desk: Desk, code: str, days: int) -> None:
    ws = desk.ws["carl"]
    maker = RulesService(ws.uow, ws.approvals, market_today)
    request = maker.request(RuleKind.AGING_LIMIT, {"code": code, "days": str(days)}, "why")
    desk.ws["sue"].approvals.approve(request)


def test_the_deadlines_are_the_stored_aging_limits_a_principal_changes(
    acats_desk: Desk,  # noqa: F811
) -> None:
    carl = acats_desk.ws["carl"]
    assert carl.acats.deadlines() == AcatsDeadlines(review=1, settlement=3, correction=20)
    ws = acats_desk.ws["carl"]
    listed = RulesService(ws.uow, ws.approvals, market_today).rows(RuleKind.AGING_LIMIT)
    assert {"acats_review", "acats_settlement", "acats_correction"} <= {r[0] for r in listed}
    us = calendar_for("US")
    today = market_today()
    start = today if us.is_settlement_day(today) else us.next_settlement_day(today)
    tid = _out(acats_desk)
    view = carl.acats.view(tid)
    assert view.deadline_on == us.add_settlement_days(start, 1)
    assert view.deadline_rule == "1 business day(s) to validate or take exception"
    _amend(acats_desk, "acats_review", 4)
    _amend(acats_desk, "acats_settlement", 6)
    assert carl.acats.deadlines() == AcatsDeadlines(review=4, settlement=6, correction=20)
    # A deadline already set stays; the next status counts by the limit in force.
    assert carl.acats.view(tid).deadline_on == us.add_settlement_days(start, 1)
    assert carl.acats.view(tid).deadline_rule.startswith("4 business day(s)")
    carl.acats.validate(tid)
    view = carl.acats.view(tid)
    assert view.deadline_on == us.add_settlement_days(start, 6)
    assert view.deadline_rule == "6 business day(s) from validation to settle"
    # The correction window too: 2 business days, and the refusal says so.
    _amend(acats_desk, "acats_correction", 2)
    carl.acats.purge(tid, "start again")
    again = _out(acats_desk)
    carl.acats.take_exception(again, "documentation")
    due = carl.acats.view(again).deadline_on
    assert due == us.add_settlement_days(start, 2)
    from desk_app.services.transfers.acats import AcatsService

    later = AcatsService(carl.uow, carl.approvals, lambda: us, lambda: due + timedelta(days=7))
    with pytest.raises(ValidationError, match=r"correction window closed on .* \(2 business"):
        later.correct(again)


def test_an_aging_limit_of_zero_is_refused(acats_desk: Desk) -> None:  # noqa: F811
    ws = acats_desk.ws["carl"]
    maker = RulesService(ws.uow, ws.approvals, market_today)
    with pytest.raises(Exception, match="between 1 and 365"):
        maker.request(RuleKind.AGING_LIMIT, {"code": "acats_review", "days": "0"}, "x")


def test_a_lot_dated_after_the_transfer_is_refused(acats_desk: Desk) -> None:  # noqa: F811
    carl = acats_desk.ws["carl"]
    tomorrow = market_today() + timedelta(days=1)
    lots = (Lot(date(2019, 5, 1), Decimal(30), Decimal("3000.00")),
            Lot(tomorrow, Decimal(20), Decimal("2600.00")))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        carl.acats.new(IN, "ACC-300", contra="SCHW", contra_account="5550-1",
                       transfer_type=AcatsType.PARTIAL,
                       assets=[AssetAsked(AAPL, Decimal(50), lots)])  # fmt: skip
    assert refused.value.field == "lot"
    assert f"a lot acquired {tomorrow.isoformat()} is dated after the transfer" in str(
        refused.value.message
    )
    assert _count(acats_desk) == 0
    # Acquired the day of the transfer is fine.
    same_day = (Lot(market_today(), Decimal(50), Decimal("5000.00")),)
    carl.acats.new(IN, "ACC-300", contra="SCHW", contra_account="5550-1",
                   transfer_type=AcatsType.PARTIAL,
                   assets=[AssetAsked(AAPL, Decimal(50), same_day)])  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "label"),
    [(RestrictionKind.LEGAL_HOLD, "legal hold"), (RestrictionKind.STOP_TRANSFER, "stop transfer")],
)
def test_a_held_account_is_not_validated_out(
    acats_desk: Desk,  # noqa: F811
    kind: RestrictionKind,
    label: str,
) -> None:
    carl = acats_desk.ws["carl"]
    tid = _out(acats_desk)
    rid = carl.restrictions.place("ACC-200", kind, "court order 26-114")
    with pytest.raises(ValidationError) as refused:
        carl.acats.validate(tid)
    assert refused.value.field == "account"
    assert f"ACC-200 has a {label} since" in refused.value.message
    assert "(court order 26-114): a transfer out cannot be validated" in refused.value.message
    assert carl.acats.view(tid).status is AcatsStatus.REVIEW
    # A transfer in to a held account is validated (nothing leaves it).
    tin = carl.acats.new(IN, "ACC-200", contra="SCHW", contra_account="1",
                         transfer_type=AcatsType.PARTIAL,
                         assets=[AssetAsked(AAPL, Decimal(5))]).transfer_id  # fmt: skip
    carl.acats.validate(tin)
    request = carl.restrictions.request_lift(rid, "order vacated")
    acats_desk.ws["sue"].approvals.approve(request)
    carl.acats.validate(tid)
    assert carl.acats.view(tid).status is AcatsStatus.VALIDATED


def test_an_aml_review_does_not_stop_validation(acats_desk: Desk) -> None:  # noqa: F811
    carl = acats_desk.ws["carl"]
    tid = _out(acats_desk)
    carl.restrictions.place("ACC-200", RestrictionKind.AML_REVIEW, "alert 7")
    carl.acats.validate(tid)
    assert carl.acats.view(tid).status is AcatsStatus.VALIDATED


def test_a_residual_credit_needs_a_completed_full_transfer_first(
    acats_desk: Desk,  # noqa: F811
) -> None:
    carl, sue = acats_desk.ws["carl"], acats_desk.ws["sue"]
    cash = [("USD", Decimal("10.00"))]

    def residual(direction: AcatsDirection, number: str) -> int:
        return carl.acats.new(direction, number, contra="SCHW", contra_account="R1",
                              transfer_type=AcatsType.RESIDUAL, cash=cash).transfer_id  # fmt: skip

    with pytest.raises(ValidationError) as out:
        residual(OUT, "ACC-100")
    assert (out.value.field, out.value.reason) == ("type", (
        "a residual credit out follows a completed full transfer out of ACC-100, and there is none"
    ))  # fmt: skip
    with pytest.raises(ValidationError, match="full transfer in to ACC-300, and there is none"):
        residual(IN, "ACC-300")
    assert _count(acats_desk) == 0
    # A full transfer in that is not completed yet does not count.
    full_in = carl.acats.new(IN, "ACC-300", contra="SCHW", contra_account="F1",
                             transfer_type=AcatsType.FULL, cash=cash).transfer_id  # fmt: skip
    with pytest.raises(ValidationError, match="and there is none"):
        residual(IN, "ACC-300")
    carl.acats.validate(full_in)
    carl.acats.complete(full_in)
    residual(IN, "ACC-300")
    # Out: the full transfer of ACC-100 completes on a principal's approval.
    full_out = carl.acats.new(OUT, "ACC-100", contra="SCHW", contra_account="F2",
                              transfer_type=AcatsType.FULL).transfer_id  # fmt: skip
    carl.acats.validate(full_out)
    request = carl.acats.complete(full_out).request_id
    assert request is not None
    with pytest.raises(ValidationError, match="and there is none"):
        residual(OUT, "ACC-100")  # still waiting for the approval
    sue.approvals.approve(request)
    assert carl.acats.view(full_out).status is AcatsStatus.COMPLETED
    # A full transfer in does not open the way for a residual credit out.
    with pytest.raises(ValidationError, match="out of ACC-300, and there is none"):
        residual(OUT, "ACC-300")


def test_the_delivering_firms_own_products_stay_behind_and_are_listed(
    acats_desk: Desk,  # noqa: F811
) -> None:
    carl = acats_desk.ws["carl"]
    with acats_desk.admin.uow.read() as session:
        issuer = session.scalars(select(m.Instrument.issuer).where(m.Instrument.isin == AAPL)).one()
    firm.set_firm_name(acats_desk.ws["adam"].uow, issuer)
    acats_desk.instrument(MSFT, issuer="Charles Schwab")
    # Out: we deliver, and our own product (AAPL here) stays with us.
    done = carl.acats.new(
        OUT, "ACC-200", contra="SCHW", contra_account="9", transfer_type=AcatsType.FULL
    )
    ((what, why),) = done.not_moving
    assert what.startswith(f"100 {AAPL}")
    assert why.startswith(f"proprietary product of the delivering firm ({issuer})")
    assert done.notes == (f"not moving: {what}: {why}",)
    view = carl.acats.view(done.transfer_id)
    assert [(a.what, a.blocked_reason) for a in view.not_moving] == [(what, why)]
    carl.acats.purge(done.transfer_id, "client asked for cash only")
    # In: Schwab delivers; its own fund stays there, our firm's product comes in.
    before = totals(acats_desk)
    got = carl.acats.new(
        IN,
        "ACC-300",
        contra="SCHW",
        contra_account="5",
        transfer_type=AcatsType.PARTIAL,
        assets=[AssetAsked(AAPL, Decimal(10)), AssetAsked(MSFT, Decimal(7))],
    )
    ((what, why),) = got.not_moving
    assert what.startswith(f"7 {MSFT}") and "(Charles Schwab): it stays there" in why
    carl.acats.validate(got.transfer_id)
    completed = carl.acats.complete(got.transfer_id)
    assert completed.not_moving == ((what, why),)
    assert carl.transfers.available_position("ACC-300", AAPL) == 10
    assert carl.transfers.available_position("ACC-300", MSFT) == 0
    assert totals(acats_desk) == before
    view = carl.acats.view(got.transfer_id)
    assert len(view.assets) == 2 and [a.what for a in view.not_moving] == [what]


def test_nothing_that_can_move_is_refused_at_completion(acats_desk: Desk) -> None:  # noqa: F811
    carl = acats_desk.ws["carl"]
    acats_desk.instrument(MSFT, issuer="Charles Schwab")
    tid = carl.acats.new(
        IN,
        "ACC-300",
        contra="SCHW",
        contra_account="5",
        transfer_type=AcatsType.PARTIAL,
        assets=[AssetAsked(MSFT, Decimal(7))],
    ).transfer_id
    carl.acats.validate(tid)
    with pytest.raises(ValidationError, match="has nothing that can move"):
        carl.acats.complete(tid)
