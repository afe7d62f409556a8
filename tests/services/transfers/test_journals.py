"""Journals between accounts: supervised, checked at request and again at approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.codes import Side
from desk_app.domain.errors import DeskError, NotPermitted, ValidationError
from desk_app.domain.states import ApprovalStatus
from tests.services.conftest import Desk

AAPL = "US0378331005"


def _counts(desk: Desk) -> tuple[int, int, int]:
    with desk.admin.uow.read() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table))
            for table in (m.Journal, m.ApprovalRequest, m.LedgerPosting)
        )


def test_a_cash_journal_posts_two_legs_only_when_a_principal_approves(funded_desk: Desk) -> None:
    carl, sue = funded_desk.ws["carl"], funded_desk.ws["sue"]
    assert carl.transfers.available_cash("ACC-100", "USD") == Decimal("21019.50")
    asked = carl.transfers.request_cash(
        "acc-100", "ACC-300", Decimal("1000.00"), "usd", "client asked to fund ACC-300"
    )
    assert asked.summary == "Journal 1,000.00 USD from ACC-100 to ACC-300"
    assert carl.transfers.available_cash("ACC-300", "USD") == 0  # nothing moves yet
    detail = sue.approvals.detail(asked.request_id)
    shown = {f.field: (f.at_request, f.current, f.proposed) for f in detail.fields}
    assert shown["available"] == ("21019.50", "21019.50", "20019.50")
    assert shown["amount"] == ("1000.00", "1000.00", "1000.00")
    assert shown["to_account"][2] == "ACC-300"
    sue.approvals.approve(asked.request_id)
    assert carl.transfers.available_cash("ACC-100", "USD") == Decimal("20019.50")
    assert carl.transfers.available_cash("ACC-300", "USD") == Decimal("1000.00")
    assert carl.settling.balances() == carl.settling.ledger_balances()
    with funded_desk.admin.uow.read() as session:
        journal = session.get(m.Journal, asked.journal_id)
        assert journal is not None and journal.posting is not None
        assert (journal.posting.kind, journal.posting.obligation_id) == ("journal", None)
        assert journal.posting.posted_by == "sue"
        entries = session.scalars(
            select(m.LedgerEntry).where(m.LedgerEntry.posting_id == journal.posting_id)
        ).all()
        assert sorted(e.amount for e in entries) == [Decimal("-1000.00"), Decimal("1000.00")]
        assert journal.approval_id == asked.request_id


def test_a_securities_journal_moves_the_position(funded_desk: Desk) -> None:
    carl, sam = funded_desk.ws["carl"], funded_desk.ws["sam"]
    assert carl.transfers.available_position("ACC-200", AAPL) == 100
    asked = carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(40), "gift")
    assert asked.summary == f"Journal 40 {AAPL} (Instrument {AAPL}) from ACC-200 to ACC-300"
    sam.approvals.approve(asked.request_id)
    assert carl.transfers.available_position("ACC-200", AAPL) == 60
    assert carl.transfers.available_position("ACC-300", AAPL) == 40
    assert carl.settling.balances() == carl.settling.ledger_balances()


def test_two_requests_that_together_overdraw_the_second_approval_is_refused(
    funded_desk: Desk,
) -> None:
    carl, sue = funded_desk.ws["carl"], funded_desk.ws["sue"]
    first = carl.transfers.request_cash("ACC-100", "ACC-200", Decimal(15000), "USD", "one")
    second = carl.transfers.request_cash("ACC-100", "ACC-300", Decimal(15000), "USD", "two")
    sue.approvals.approve(first.request_id)
    before = _counts(funded_desk)
    with pytest.raises(DeskError, match=r"cannot be approved: .*ACC-100 has 6,019.50 USD avail"):
        sue.approvals.approve(second.request_id)
    assert _counts(funded_desk) == before  # nothing of the refused approval was kept
    assert sue.approvals.detail(second.request_id).status is ApprovalStatus.PENDING
    sue.approvals.reject(second.request_id, "not enough cash")
    assert carl.transfers.available_cash("ACC-300", "USD") == 0
    assert carl.settling.balances() == carl.settling.ledger_balances()


def test_the_maker_never_approves_a_journal(funded_desk: Desk) -> None:
    sue, carl = funded_desk.ws["sue"], funded_desk.ws["carl"]
    asked = sue.transfers.request_cash("ACC-100", "ACC-200", Decimal(10), "USD", "fee refund")
    with pytest.raises(NotPermitted, match="sue made this request"):
        sue.approvals.approve(asked.request_id)
    with pytest.raises(NotPermitted):
        carl.approvals.approve(asked.request_id)  # a clerk decides nothing
    funded_desk.ws["sam"].approvals.approve(asked.request_id)


@pytest.mark.parametrize(
    ("args", "field", "reason"),
    [
        (("ACC-100", "ACC-200", Decimal("30000"), "USD"), "amount",
         "ACC-100 has 21,019.50 USD available; the journal needs 30,000.00 USD"),
        (("ACC-100", "ACC-100", Decimal(1), "USD"), "to", "is the account the journal comes"),
        (("ACC-100", "NYC-9999", Decimal(1), "USD"), "to", "is not an account"),
        (("", "ACC-200", Decimal(1), "USD"), "from", "is required"),
        (("ACC-100", "ACC-200", Decimal("1.005"), "USD"), "amount", "finer than USD"),
        (("ACC-100", "ACC-200", Decimal(0), "USD"), "amount", "greater than 0"),
        (("ACC-100", "ACC-200", Decimal(1), "XXY"), "currency", "ISO 4217"),
        (("ACC-300", "ACC-200", Decimal(1), "USD"), "amount", "ACC-300 has 0.00 USD available"),
    ],
)  # fmt: skip
def test_a_journal_that_cannot_be_made_is_refused_at_request(
    funded_desk: Desk, args: tuple[str, str, Decimal, str], field: str, reason: str
) -> None:
    before = _counts(funded_desk)
    with pytest.raises(ValidationError) as refused:
        funded_desk.ws["carl"].transfers.request_cash(*args, "why")
    assert refused.value.field == field
    assert reason in refused.value.reason
    assert _counts(funded_desk) == before


def test_securities_are_checked_against_the_position(funded_desk: Desk) -> None:
    transfers = funded_desk.ws["carl"].transfers
    with pytest.raises(ValidationError, match=f"ACC-200 has 100 {AAPL}"):
        transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(101), "too many")
    with pytest.raises(ValidationError, match="not an instrument"):
        transfers.request_securities("ACC-200", "ACC-300", "US88160R1014", Decimal(1), "none")
    with pytest.raises(ValidationError, match="reason"):
        transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(1), " ")


def test_an_account_closed_before_approval_stops_the_journal(funded_desk: Desk) -> None:
    carl, sue, sam = funded_desk.ws["carl"], funded_desk.ws["sue"], funded_desk.ws["sam"]
    asked = carl.transfers.request_cash("ACC-100", "ACC-300", Decimal(5), "USD", "move")
    status = carl.accounts.request_status("ACC-300", "closed", "client left")
    sue.approvals.approve(status)
    with pytest.raises(DeskError, match="is closed: nothing moves into it"):
        sam.approvals.approve(asked.request_id)
    with pytest.raises(ValidationError, match="is closed: nothing moves out of it"):
        carl.transfers.request_cash("ACC-300", "ACC-100", Decimal(5), "USD", "back")


def test_a_securities_journal_carries_its_cost_basis_lots(funded_desk: Desk) -> None:
    """ACC-200 bought 100 AAPL for 21,030.50; 40 go to ACC-300 with their date and cost."""
    carl, sue = funded_desk.ws["carl"], funded_desk.ws["sue"]
    (lot,) = carl.transfers.lots("ACC-200", AAPL)
    assert (lot.quantity, lot.cost, lot.acquired.isoformat()) == (
        Decimal(100), Decimal("21030.50"), "2026-11-24"
    )  # fmt: skip
    asked = carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(40), "gift")
    shown = {f.field: f.proposed for f in sue.approvals.detail(asked.request_id).fields}
    assert shown["lots"] == "40 acquired 2026-11-24 at 8,412.20 USD"
    sue.approvals.approve(asked.request_id)
    (given,) = carl.transfers.lots("ACC-300", AAPL)
    (kept,) = carl.transfers.lots("ACC-200", AAPL)
    assert (given.quantity, given.cost, given.acquired) == (Decimal(40), Decimal("8412.20"),
                                                            lot.acquired)  # fmt: skip
    assert (kept.quantity, kept.cost) == (Decimal(60), Decimal("12618.30"))


def test_a_sale_takes_the_oldest_lot_and_its_reversal_gives_it_back(funded_desk: Desk) -> None:
    from tests.services.settlement.test_settling import _book

    carl = funded_desk.ws["carl"]
    sale = _book(funded_desk, "ACC-200", side=Side.SELL, quantity=Decimal(30))
    carl.settling.instruct([sale])
    carl.settling.match([sale])
    done = carl.settling.settle(sale)
    (left,) = carl.transfers.lots("ACC-200", AAPL)
    assert (left.quantity, left.cost) == (Decimal(70), Decimal("14721.35"))
    carl.settling.reverse(done.posting_id, "DTC reversed it")
    (back,) = carl.transfers.lots("ACC-200", AAPL)
    assert (back.quantity, back.cost) == (Decimal(100), Decimal("21030.50"))


def test_lots_never_outlive_the_position(funded_desk: Desk) -> None:
    """ACC-100 sold 100 AAPL it had no lot for: a later purchase covers that first."""
    from tests.services.settlement.test_settling import settle_booked

    carl = funded_desk.ws["carl"]
    assert carl.transfers.lots("ACC-100", AAPL) == []  # short 100
    settle_booked(funded_desk, "ACC-100", Side.BUY)  # back to 0
    assert carl.transfers.lots("ACC-100", AAPL) == []
    settle_booked(funded_desk, "ACC-100", Side.BUY)  # now long 100
    assert [lot.quantity for lot in carl.transfers.lots("ACC-100", AAPL)] == [Decimal(100)]
    assert carl.transfers.available_position("ACC-100", AAPL) == 100
