"""Reversing a completed ACATS transfer on both engines: the assets go back with their lots.

Out: they come back into the account at once, with the very lots that left, and the
account is not frozen again. In: they go back to the contra firm on a principal's
approval, the lots the contra firm stated removed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.acats import AcatsStatus, AcatsType
from desk_app.domain.acats import reversal_refusal as refusal
from desk_app.domain.errors import DeskError, NotPermitted, ValidationError
from desk_app.domain.lots import Lot
from desk_app.domain.restrictions import AccountRestricted
from desk_app.services.transfers.acats import AssetAsked
from tests.books import totals
from tests.services.conftest import Desk
from tests.services.transfers.test_acats import AAPL, IN, _out, acats_desk  # noqa: F401

LOTS = (Lot(date(2019, 5, 1), Decimal(30), Decimal("3000.00")),
        Lot(date(2021, 2, 1), Decimal(20), Decimal("2600.00")))  # fmt: skip


def _in(desk: Desk, number: str = "ACC-300") -> int:
    """50 AAPL with two lots and 125.40 USD in from Schwab, completed."""
    carl = desk.ws["carl"]
    tid = carl.acats.new(
        IN, number, contra="SCHW", contra_account="5550-1", transfer_type=AcatsType.FULL,
        assets=[AssetAsked(AAPL, Decimal(50), LOTS)], cash=[("USD", Decimal("125.40"))],
    ).transfer_id  # fmt: skip
    carl.acats.validate(tid)
    carl.acats.complete(tid)
    return int(tid)


def _journal(desk: Desk, source: str, target: str) -> None:
    """10 AAPL from ``source`` to ``target``, approved."""
    asked = desk.ws["carl"].transfers.request_securities(source, target, AAPL, Decimal(10), "gift")
    desk.ws["sue"].approvals.approve(asked.request_id)


def _lots(desk: Desk, number: str) -> list[tuple[date, Decimal, Decimal]]:
    return [(x.acquired, x.quantity, x.cost) for x in desk.ws["carl"].transfers.lots(number, AAPL)]


def test_an_out_reversed_brings_back_the_lots_that_left(acats_desk: Desk) -> None:  # noqa: F811
    carl, sue = acats_desk.ws["carl"], acats_desk.ws["sue"]
    lots_before, before = _lots(acats_desk, "ACC-200"), totals(acats_desk)
    tid = _out(acats_desk)
    carl.acats.validate(tid)
    sue.approvals.approve(carl.acats.complete(tid).request_id or 0)
    assert carl.transfers.available_position("ACC-200", AAPL) == 40
    done = carl.acats.reverse(tid, "the contra firm returned them: wrong account")
    assert done.request_id is None  # assets come back: nothing to supervise
    view = carl.acats.view(tid)
    assert (view.status, view.reversed_on) == (AcatsStatus.REVERSED, view.status_since)
    assert view.reject_note == "reversed: the contra firm returned them: wrong account"
    assert carl.transfers.available_position("ACC-200", AAPL) == 100
    assert _lots(acats_desk, "ACC-200") == lots_before  # the same lots, acquired when they were
    assert totals(acats_desk) == before
    assert carl.settling.balances() == carl.settling.ledger_balances()
    with acats_desk.admin.uow.read() as session:
        transfer = session.get_one(m.AcatsTransfer, tid)
        P = m.LedgerPosting
        (reversal,) = session.scalars(select(P).where(P.reverses_id == transfer.posting_id))
        assert reversal.kind == "reversal" and reversal.reason is not None
        assert reversal.reason.startswith(f"ACATS out {tid} reversed")
    # The freeze is not placed again: a journal out works.
    carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(1), "gift")
    with pytest.raises(ValidationError, match="already reversed|reversed: only a completed"):
        carl.acats.reverse(tid, "again")


def test_an_in_reversed_goes_back_on_approval(acats_desk: Desk) -> None:  # noqa: F811
    carl, sue = acats_desk.ws["carl"], acats_desk.ws["sue"]
    before = totals(acats_desk)
    tid = _in(acats_desk)
    asked = carl.acats.reverse(tid, "the client never asked for it")
    assert asked.request_id is not None and "ACC-300 back to SCHW" in asked.notes[0]
    view = carl.acats.view(tid)
    assert (view.status, view.approval_pending) == (AcatsStatus.COMPLETED, True)
    assert refusal(view.status, view.approval_pending) == (
        "its reversal waits for a principal's approval"
    )
    with pytest.raises(DeskError, match="already asks"):
        carl.acats.reverse(tid, "twice")
    assert carl.transfers.available_position("ACC-300", AAPL) == 50  # nothing moved yet
    with pytest.raises(NotPermitted):
        carl.approvals.approve(asked.request_id)
    sue.approvals.approve(asked.request_id)
    view = carl.acats.view(tid)
    assert (view.status, view.approval_pending) == (AcatsStatus.REVERSED, False)
    assert carl.transfers.available_position("ACC-300", AAPL) == 0
    assert carl.transfers.available_cash("ACC-300", "USD") == 0
    assert _lots(acats_desk, "ACC-300") == []
    assert totals(acats_desk) == before
    assert carl.settling.balances() == carl.settling.ledger_balances()


def test_a_rejected_reversal_may_be_asked_for_again(acats_desk: Desk) -> None:  # noqa: F811
    carl, sue = acats_desk.ws["carl"], acats_desk.ws["sue"]
    tid = _in(acats_desk)
    first = carl.acats.reverse(tid, "wrong account").request_id
    sue.approvals.reject(first or 0, "the client confirmed it")
    assert not carl.acats.view(tid).approval_pending
    again = carl.acats.reverse(tid, "wrong account after all").request_id
    assert again is not None and again != first


def test_what_cannot_be_reversed_is_refused(acats_desk: Desk) -> None:  # noqa: F811
    carl = acats_desk.ws["carl"]
    open_ = _out(acats_desk)
    with pytest.raises(ValidationError, match=f"{open_} is review: only a completed"):
        carl.acats.reverse(open_, "not yet")
    assert refusal(AcatsStatus.REVIEW, False) == (
        "the transfer's status is review: only a completed transfer is reversed"
    )
    tid = _in(acats_desk)
    with pytest.raises(ValidationError, match="say why"):
        carl.acats.reverse(tid, " ")
    # What came in has partly left again: it cannot all go back.
    _journal(acats_desk, "ACC-300", "ACC-200")
    with pytest.raises(ValidationError, match="ACC-300 holds 40 of US0378331005"):
        carl.acats.reverse(tid, "wrong account")
    _journal(acats_desk, "ACC-200", "ACC-300")
    carl.restrictions.place("ACC-300", "legal-hold", "subpoena 26-114")
    with pytest.raises(AccountRestricted, match="ACC-300 may not journal or transfer out"):
        carl.acats.reverse(tid, "wrong account")
    assert carl.acats.view(tid).status is AcatsStatus.COMPLETED
    assert carl.transfers.available_position("ACC-300", AAPL) == 50
