"""ACATS transfers on both engines: entering, freezing, rejecting, completing with lots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.acats import AcatsDirection, AcatsStatus, AcatsType
from desk_app.domain.codes import CounterpartyKind
from desk_app.domain.errors import DeskError, IllegalTransition, NotPermitted, ValidationError
from desk_app.domain.lots import Lot
from desk_app.domain.restrictions import AccountRestricted
from desk_app.services.transfers.acats import NO_ORDER_BOOK, AcatsService, AssetAsked
from tests.books import totals
from tests.services.conftest import Desk

AAPL = "US0378331005"
IN, OUT = AcatsDirection.IN, AcatsDirection.OUT


@pytest.fixture
def acats_desk(funded_desk: Desk) -> Desk:
    """``funded_desk`` and Schwab as a contra firm (DTC 0164)."""
    with funded_desk.admin.uow.write("test.setup") as session:
        session.add(m.Counterparty(code="SCHW", name="Charles Schwab", dtc_participant="0164",
                                   kind=CounterpartyKind.BROKER))  # fmt: skip
    return funded_desk


def _out(desk: Desk, quantity: int = 60) -> int:
    return desk.ws["carl"].acats.new(
        OUT, "ACC-200", contra="164", contra_account="9981-2201", transfer_type=AcatsType.PARTIAL,
        assets=[AssetAsked(AAPL, Decimal(quantity))],
    ).transfer_id  # fmt: skip


def test_a_transfer_out_freezes_the_account_and_completes_on_approval(acats_desk: Desk) -> None:
    carl, sue = acats_desk.ws["carl"], acats_desk.ws["sue"]
    lots_before = carl.transfers.lots("ACC-200", AAPL)
    before = totals(acats_desk)
    tid = _out(acats_desk)
    view = carl.acats.view(tid)
    assert (view.status, view.contra, view.contra_dtc) == (AcatsStatus.REVIEW, "SCHW", "0164")
    assert view.deadline_on is not None and view.days_in_status == 0
    done = carl.acats.validate(tid)
    assert NO_ORDER_BOOK in done.notes and "no unsettled trades" in done.notes
    # The freeze stops a journal out, naming the restriction.
    with pytest.raises(AccountRestricted, match="ACC-200 may not journal or transfer out"):
        carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(1), "gift")
    asked = carl.acats.complete(tid)
    assert asked.request_id is not None
    assert carl.acats.view(tid).status is AcatsStatus.SETTLE_PREP
    assert carl.transfers.available_position("ACC-200", AAPL) == 100  # nothing moved yet
    with pytest.raises(NotPermitted):
        carl.approvals.approve(asked.request_id)
    sue.approvals.approve(asked.request_id)
    view = carl.acats.view(tid)
    assert view.status is AcatsStatus.COMPLETED and view.completed_on is not None
    assert carl.transfers.available_position("ACC-200", AAPL) == 40
    assert totals(acats_desk) == before  # moved to the contra firm, nothing made or lost
    with acats_desk.admin.uow.read() as session:
        schw = session.scalars(select(m.Counterparty).where(m.Counterparty.code == "SCHW")).one()
        key = f"counterparty:{schw.id}:securities:"
        held = session.scalars(
            select(m.LedgerBalance.quantity).where(m.LedgerBalance.balance_key.startswith(key))
        ).all()
    assert held == [Decimal(60)]
    # The lots left oldest first; what stays is the rest of them.
    (lot,) = lots_before
    assert carl.transfers.lots("ACC-200", AAPL)[0].quantity == lot.quantity - 60
    assert view.assets[0].lots.startswith("60 acquired")
    # The freeze is lifted: a journal out works again.
    carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(1), "gift")


def test_a_transfer_in_brings_the_positions_with_their_lots(acats_desk: Desk) -> None:
    carl = acats_desk.ws["carl"]
    before = totals(acats_desk)
    lots = (Lot(date(2019, 5, 1), Decimal(30), Decimal("3000.00")),
            Lot(date(2021, 2, 1), Decimal(20), Decimal("2600.00")))  # fmt: skip
    tid = carl.acats.new(
        IN, "ACC-300", contra="SCHW", contra_account="5550-1", transfer_type=AcatsType.FULL,
        assets=[AssetAsked(AAPL, Decimal(50), lots)], cash=[("USD", Decimal("125.40"))],
    ).transfer_id  # fmt: skip
    with pytest.raises(IllegalTransition, match="from 'review' to 'completed'"):
        carl.acats.complete(tid)
    carl.acats.validate(tid)  # the delivering firm validated it
    assert carl.acats.complete(tid).request_id is None  # assets come in: no request
    assert carl.transfers.available_position("ACC-300", AAPL) == 50
    assert carl.transfers.available_cash("ACC-300", "USD") == Decimal("125.40")
    got = carl.transfers.lots("ACC-300", AAPL)
    assert [(x.acquired, x.quantity, x.cost) for x in got] == [
        (x.acquired, x.quantity, x.cost) for x in lots
    ]
    assert totals(acats_desk) == before
    assert carl.settling.balances() == carl.settling.ledger_balances()


def test_a_soft_reject_is_corrected_within_the_window_a_hard_one_ends_it(acats_desk: Desk) -> None:
    carl = acats_desk.ws["carl"]
    tid = _out(acats_desk)
    done = carl.acats.take_exception(tid, "tin-mismatch", "SSN differs")
    assert done.notes[0].startswith("tin-mismatch is soft")
    view = carl.acats.view(tid)
    assert (view.status, view.reject_code) == (AcatsStatus.REJECTED, "tin-mismatch")
    assert view.deadline_on is not None
    carl.acats.correct(tid, contra_account="9981-2202", note="new SSN on file")
    view = carl.acats.view(tid)
    assert (view.status, view.resubmissions, view.contra_account) == (
        AcatsStatus.REVIEW, 1, "9981-2202")  # fmt: skip
    carl.acats.take_exception(tid, "duplicate")
    with pytest.raises(ValidationError, match="hard: it ends the transfer"):
        carl.acats.correct(tid)
    carl.acats.purge(tid, "duplicate of another request")
    assert carl.acats.view(tid).status is AcatsStatus.PURGED


def test_after_the_window_a_soft_reject_can_no_longer_be_corrected(acats_desk: Desk) -> None:
    carl = acats_desk.ws["carl"]
    tid = _out(acats_desk)
    carl.acats.take_exception(tid, "documentation")
    due = carl.acats.view(tid).deadline_on
    assert due is not None
    later = AcatsService(carl.uow, carl.approvals, lambda: carl.calendar.calendar("US"),
                         lambda: date(due.year + 1, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError, match="correction window closed"):
        later.correct(tid)


def test_a_purge_after_validation_lifts_the_freeze(acats_desk: Desk) -> None:
    carl = acats_desk.ws["carl"]
    tid = _out(acats_desk)
    carl.acats.validate(tid)
    carl.acats.purge(tid, "client changed their mind")
    carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(1), "gift")


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"contra": "9999"}, "contra", "is not a counterparty's DTC number or code"),
        ({"contra": "GSCO"}, "contra", "GSCO has no DTC number"),
        ({"account": "NYC-0"}, "account", "is not an account"),
        ({"contra_account": " "}, "contra-account", "is required"),
        ({"quantity": 101}, "asset", "ACC-200 holds 100 of US0378331005; the transfer lists 101"),
        ({"isin": "US0378331006"}, "asset", "check digit"),
        ({"transfer_type": AcatsType.FULL, "direction": IN, "isin": None}, "asset", "list what"),
    ],
)  # fmt: skip
def test_bad_values_are_named_and_nothing_is_kept(
    acats_desk: Desk, kwargs: dict[str, object], field: str, reason: str
) -> None:
    values: dict[str, object] = {
        "direction": OUT, "account": "ACC-200", "contra": "0164", "contra_account": "X1",
        "transfer_type": AcatsType.PARTIAL, "isin": AAPL, "quantity": 10, **kwargs,
    }  # fmt: skip
    isin, quantity = values.pop("isin"), values.pop("quantity")
    assets = [] if isin is None else [AssetAsked(str(isin), Decimal(str(quantity)))]
    with pytest.raises(ValidationError) as refused:
        acats_desk.ws["carl"].acats.new(
            values.pop("direction"),
            values.pop("account"),
            assets=assets,
            **values,  # type: ignore[arg-type]
        )
    assert refused.value.field == field
    assert reason in refused.value.message
    with acats_desk.admin.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(m.AcatsTransfer)) == 0


def test_a_full_transfer_out_lists_what_the_account_holds(acats_desk: Desk) -> None:
    carl = acats_desk.ws["carl"]
    tid = carl.acats.new(OUT, "ACC-100", contra="0164", contra_account="1",
                         transfer_type=AcatsType.FULL).transfer_id  # fmt: skip
    assert [a.what for a in carl.acats.view(tid).assets] == ["21,019.50 USD"]
    with pytest.raises(ValidationError, match="already open"):
        carl.acats.new(OUT, "ACC-100", contra="0164", contra_account="1",
                       transfer_type=AcatsType.FULL)  # fmt: skip
    assert [r[0] for r in carl.acats.transfers(["review"]).fetch(
        carl.acats.transfers().default_sort, None, 10)] == [tid]  # fmt: skip
    with pytest.raises(DeskError, match="not an ACATS status"):
        carl.acats.transfers(["nope"])


def test_a_rejected_completion_may_be_asked_for_again(acats_desk: Desk) -> None:
    carl, sue = acats_desk.ws["carl"], acats_desk.ws["sue"]
    tid = _out(acats_desk)
    carl.acats.validate(tid)
    first = carl.acats.complete(tid).request_id
    assert first is not None and carl.acats.view(tid).approval_pending
    with pytest.raises(DeskError, match="already asks"):
        carl.acats.complete(tid)
    sue.approvals.reject(first, "the contra firm's account is not open yet")
    view = carl.acats.view(tid)
    assert (view.status, view.approval_pending) == (AcatsStatus.SETTLE_PREP, False)
    again = carl.acats.complete(tid).request_id
    assert again is not None and again != first
