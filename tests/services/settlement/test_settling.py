"""Settling obligations: the lifecycle, partial settlement, reversal, and the ledger's sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import Payment, Side
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.ledger import Book, Holder, Movement, check_balanced
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.services.settlement.obligations import obligation_of
from desk_app.services.workspace import Workspace
from tests.services.conftest import Desk
from tests.services.settlement.test_obligation_run import floor  # noqa: F401 - the fixture
from tests.services.trading.test_trades import _terms

S = ObligationStatus


def _book(desk: Desk, account: str = "ACC-100", **changes: object) -> int:
    """A ticket's trade (GSCO, a DTC SSI) and the id of its obligation."""
    trade_id = desk.ws["carl"].trades.book(_terms(account, **changes))
    with desk.admin.uow.read() as session:
        obligation = obligation_of(session, trade_id)
        assert obligation is not None
        return obligation.id


def settle_booked(desk: Desk, account: str, side: Side) -> None:
    """Book, instruct, match and settle 100 AAPL at 210.25 for ``account``."""
    oid = _book(desk, account, side=side)
    settling = desk.ws["carl"].settling
    settling.instruct([oid])
    settling.match([oid])
    settling.settle(oid)


def _obligation(desk: Desk, obligation_id: int) -> m.SettlementObligation:
    with desk.admin.uow.read() as session:
        found = session.get(m.SettlementObligation, obligation_id)
        assert found is not None
        assert found.trade is not None  # loaded while the session is open
        return found


def test_a_receipt_settles_in_two_parts_and_the_ledger_balances(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"].settling
    oid = _book(floor)  # buy 100 at 210.25 + 5.50 charges: receive vs 21,030.50
    with pytest.raises(ValidationError, match="instruct and match it first"):
        carl.settle(oid)
    assert carl.instruct([oid]) == 1 and carl.match([oid]) == 1
    part = carl.settle(oid, quantity=Decimal(40))
    assert (part.status, part.quantity, part.amount, part.residual) == (
        S.PARTIALLY_SETTLED, Decimal(40), Decimal("8412.20"), Decimal(60),
    )  # fmt: skip
    o = _obligation(floor, oid)
    account, street = f"account:{o.account_id}", f"counterparty:{o.counterparty_id}"
    securities, cash = f"securities:{o.instrument_id}", "cash:USD"
    assert carl.balances() == {
        f"{account}:{securities}": Decimal(40), f"{street}:{securities}": Decimal(-40),
        f"{account}:{cash}": Decimal("-8412.20"), f"{street}:{cash}": Decimal("8412.20"),
    }  # fmt: skip
    rest = carl.settle(oid)
    assert (rest.status, rest.quantity, rest.amount, rest.residual) == (
        S.SETTLED, Decimal(60), Decimal("12618.30"), Decimal(0),
    )  # fmt: skip
    assert carl.balances()[f"{account}:{cash}"] == Decimal("-21030.50")
    assert carl.balances() == carl.ledger_balances()


def test_a_reversal_is_a_linked_posting_and_reopens_what_it_undoes(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"].settling
    oid = _book(floor, side=Side.SELL)  # deliver 100 vs 21,019.50
    carl.instruct([oid])
    carl.match([oid])
    first = carl.settle(oid)
    assert first.status is S.SETTLED
    undone = carl.reverse(first.posting_id, "DTC reversed the delivery")
    assert (undone.status, undone.quantity, undone.residual) == (S.MATCHED, Decimal(-100), 100)
    postings = carl.postings(oid)
    assert [(p.kind, p.reverses_id) for p in postings] == [
        ("settlement", None), ("reversal", first.posting_id),
    ]  # fmt: skip
    assert carl.balances() == {} == carl.ledger_balances()  # back to nothing held
    with pytest.raises(DeskError, match="was reversed by"):
        carl.reverse(first.posting_id, "again")
    assert carl.settle(oid).status is S.SETTLED  # it can settle again


def test_what_cannot_happen_is_refused_with_the_reason(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"].settling
    oid = _book(floor)
    with pytest.raises(ValidationError, match="only failing or instructed obligations are matched"):
        carl.match([oid])  # pending: instruct it first
    carl.instruct([oid])
    carl.match([oid])
    with pytest.raises(ValidationError, match="at most the 100"):
        carl.settle(oid, quantity=Decimal(101))
    with pytest.raises(ValidationError, match="more than 0"):
        carl.settle(oid, quantity=Decimal(0))
    with pytest.raises(ValidationError, match="reason"):
        carl.reverse(1, " ")
    with pytest.raises(DeskError, match="no settlement obligation"):
        carl.settle(99_999)
    with pytest.raises(ValidationError, match="settling all that is left moves the"):
        carl.settle(oid, amount=Decimal("1.00"))  # the whole quantity, not the whole cash
    assert carl.settle(oid).status is S.SETTLED
    with pytest.raises(ValidationError, match="only pending obligations are instructed"):
        carl.instruct([oid])
    with pytest.raises(ValidationError, match="only failing or instructed obligations are matched"):
        carl.match([oid])  # a settlement is undone only by reversing it


def test_a_sale_whose_charges_exceed_its_gross_has_the_client_pay(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"].settling
    oid = _book(floor, side=Side.SELL, quantity=Decimal(1), price=Decimal("0.01"))
    o = _obligation(floor, oid)
    assert o.amount == Decimal("-5.49")  # 0.01 - 5.00 - 0.50
    carl.instruct([oid])
    carl.match([oid])
    done = carl.settle(oid)
    assert (done.status, done.amount_text) == (S.SETTLED, "-5.49")
    balances = carl.balances()
    assert balances[f"account:{o.account_id}:cash:USD"] == Decimal("-5.49")  # the client pays
    assert balances == carl.ledger_balances()


def test_a_correction_after_a_part_settled_makes_no_second_obligation(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"]
    oid = _book(floor)
    carl.settling.instruct([oid])
    carl.settling.match([oid])
    carl.settling.settle(oid, quantity=Decimal(40))
    trade_id = _obligation(floor, oid).trade_id
    outcome = carl.trades.amend(trade_id, _terms("ACC-100", price=Decimal("211")), "price")
    assert outcome.request_id is not None  # its settlement started
    floor.ws["sue"].approvals.approve(outcome.request_id)
    assert carl.settlements.run().created == 0  # the new version settles through the old
    with floor.admin.uow.read() as session:
        rows = session.scalars(select(m.SettlementObligation).order_by(m.SettlementObligation.id))
        shown = [(o.status, (o.exception_reason or "")[:30]) for o in rows]
    assert shown == [
        (S.PARTIALLY_SETTLED, "Trade amended (version 2) afte"),
        (S.CANCELLED, f"Settles through obligation {oid} ("),
    ]
    with pytest.raises(ValidationError, match="exception to clear first"):
        carl.settling.settle(oid)  # the desk settles the difference by hand


def test_an_obligation_with_an_exception_is_not_instructed(floor: Desk) -> None:  # noqa: F811
    oid = _book(floor, counterparty="MSCO")  # MSCO has no SSI
    assert _obligation(floor, oid).exception_reason
    with pytest.raises(ValidationError, match="exception to clear first"):
        floor.ws["carl"].settling.instruct([oid])


def test_compliance_may_not_settle(floor: Desk) -> None:  # noqa: F811
    from desk_app.domain.errors import NotPermitted

    with pytest.raises(NotPermitted):
        floor.ws["cora"].settling.settle(1)


# -- the ledger under random work ------------------------------------------------------


def _entries_balanced(ws: Workspace) -> None:
    with ws.uow.sessions() as session:
        postings = session.scalars(select(m.LedgerPosting)).all()
        for posting in postings:
            entries = session.scalars(
                select(m.LedgerEntry).where(m.LedgerEntry.posting_id == posting.id)
            ).all()
            check_balanced([
                Movement(Holder("x", 0), e.book, str(e.instrument_id or e.currency),
                         (e.quantity if e.book is Book.SECURITIES else e.amount) or Decimal(0))
                for e in entries
            ])  # fmt: skip


def _obligations_agree_with_their_postings(ws: Workspace) -> None:
    """Settled quantity and cash are their postings' sums; the status says how far."""
    with ws.uow.sessions() as session:
        obligations = session.scalars(select(m.SettlementObligation)).all()
        open_by_root: dict[int, int] = {}
        for o in obligations:
            posted = session.scalars(
                select(m.LedgerPosting).where(m.LedgerPosting.obligation_id == o.id)
            ).all()
            sign = {"settlement": 1, "reversal": -1}
            assert o.settled_quantity == sum(sign[p.kind] * p.quantity for p in posted)
            assert o.settled_amount == sum(sign[p.kind] * p.amount for p in posted)
            if o.settled_quantity == o.quantity:
                assert o.status is S.SETTLED
            elif o.settled_quantity:
                assert o.status is S.PARTIALLY_SETTLED
            else:
                assert o.status is not S.SETTLED
            if o.status is not S.CANCELLED and o.status is not S.SETTLED:
                root = o.trade.original_id or o.trade_id
                assert root not in open_by_root, "two open obligations for one trade"
                open_by_root[root] = o.id


def test_many_settle_at_once_and_what_may_not_is_named(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"].settling
    buy, sell, pending = _book(floor), _book(floor, side=Side.SELL), _book(floor)
    partly = _book(floor, quantity=Decimal(50))
    carl.instruct([buy, sell, partly])
    carl.match([buy, sell, partly])
    carl.settle(partly, quantity=Decimal(20))
    done = carl.settle_all([buy, sell, pending, partly, 99_999])
    assert done.settled == 3
    assert [i for i, _ in done.refused] == [pending, 99_999]
    assert "instruct and match it first" in done.refused[0][1]
    assert done.summary == "3 obligations settled, 2 left as they were"
    for oid in (buy, sell, partly):
        o = _obligation(floor, oid)
        assert (o.status, o.settled_quantity, o.settled_amount) == (S.SETTLED, o.quantity, o.amount)
    assert carl.balances() == carl.ledger_balances()
    _entries_balanced(floor.ws["carl"])
    _obligations_agree_with_their_postings(floor.ws["carl"])
    assert [p.kind for p in carl.postings(partly)] == ["settlement", "settlement"]
    assert carl.settle_all([buy]).refused[0][1].startswith(f"{buy} is settled")


def test_an_obligation_fails_only_from_its_settlement_date(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"].settling
    oid = _book(floor)  # settles on 2026-11-25
    carl.instruct([oid])
    with pytest.raises(ValidationError, match="cannot fail before its settlement date"):
        carl.mark_failing([oid], "LACK", today=date(2026, 11, 24))
    assert carl.mark_failing([oid], "NMAS", today=date(2026, 11, 25)) == 1
    o = _obligation(floor, oid)
    assert (o.status, o.fail_reason, o.matched_at) == (S.FAILING, "NMAS", None)
    with pytest.raises(ValidationError, match="instruct and match it first"):
        carl.settle(oid)  # it never matched


def test_free_of_payment_settles_no_cash_one_by_one_or_in_bulk(floor: Desk) -> None:  # noqa: F811
    carl = floor.ws["carl"].settling
    one, many = _book(floor), _book(floor)
    with floor.admin.uow.write("test.setup") as session:
        for oid in (one, many):
            row = session.get(m.SettlementObligation, oid)
            assert row is not None
            row.payment = Payment.FREE
    carl.instruct([one, many])
    carl.match([one, many])
    single = carl.settle(one)
    bulk = carl.settle_all([many])
    assert (single.amount, bulk.settled) == (Decimal(0), 1)
    for oid in (one, many):
        o = _obligation(floor, oid)
        assert (o.status, o.settled_amount) == (S.SETTLED, Decimal(0))
        assert [p.amount for p in carl.postings(oid)] == [Decimal(0)]
    assert carl.balances() == carl.ledger_balances()
    assert not any(":cash:" in key for key in carl.balances())


def test_random_work_keeps_the_ledger_and_the_balances_equal(floor: Desk) -> None:  # noqa: F811
    """Bookings, corrections, cancels, partial and full settlements and reversals."""
    desk = floor

    class Ledger(RuleBasedStateMachine):
        obligations = Bundle("obligations")
        postings = Bundle("postings")

        def __init__(self) -> None:
            super().__init__()
            self.carl = desk.ws["carl"]

        @rule(target=obligations, quantity=st.integers(1, 500), sell=st.booleans())
        def book(self, quantity: int, sell: bool) -> int:
            return _book(desk, quantity=Decimal(quantity), side=Side.SELL if sell else Side.BUY)

        @rule(oid=obligations)
        def instruct_and_match(self, oid: int) -> None:
            if _obligation(desk, oid).status is S.PENDING:
                self.carl.settling.instruct([oid])
                self.carl.settling.match([oid])

        @rule(target=postings, oid=obligations, share=st.integers(1, 100))
        def settle(self, oid: int, share: int) -> int:
            o = _obligation(desk, oid)
            if o.status not in (S.MATCHED, S.PARTIALLY_SETTLED, S.FAILING):
                return -1
            if o.exception_reason or o.trade.status is not TradeStatus.ACTIVE:
                with pytest.raises(ValidationError):  # flagged by a correction, or replaced
                    self.carl.settling.settle(oid)
                return -1
            left = o.quantity - o.settled_quantity
            part = max(Decimal(1), (left * share / 100).to_integral_value())
            return self.carl.settling.settle(oid, quantity=min(part, left)).posting_id

        @rule(oids=st.lists(obligations, max_size=4))
        def settle_many(self, oids: list[int]) -> None:
            """The bulk path: whatever may settle does, the rest is named and left."""
            done = self.carl.settling.settle_all(oids)
            assert done.settled + len(done.refused) == len(set(oids))
            for oid in set(oids) - {i for i, _ in done.refused}:
                assert _obligation(desk, oid).status is S.SETTLED

        @rule(posting=postings)
        def reverse(self, posting: int) -> None:
            if posting < 0:
                return
            try:
                self.carl.settling.reverse(posting, "random reversal")
            except DeskError as exc:
                assert "was reversed by" in exc.message

        @rule(oid=obligations, price=st.integers(1, 900))
        def amend_or_cancel(self, oid: int, price: int) -> None:
            """Before settlement directly; after, by a request a principal approves."""
            o = _obligation(desk, oid)
            if o.trade.status is not TradeStatus.ACTIVE:
                return
            trades = self.carl.trades
            if price % 2:
                done = trades.amend(o.trade_id, _terms("ACC-100", price=Decimal(price)), "price")
            else:
                done = trades.cancel(o.trade_id, "wrong trade")
            if done.request_id is not None:
                desk.ws["sue"].approvals.approve(done.request_id)
            self.carl.settlements.run()  # nothing twice, whatever was corrected

        @invariant()
        def the_kept_balances_are_the_ledger(self) -> None:
            settling = self.carl.settling
            assert settling.balances() == settling.ledger_balances()
            _entries_balanced(self.carl)
            _obligations_agree_with_their_postings(self.carl)

    run = Ledger.TestCase
    run.settings = settings(
        max_examples=10, stateful_step_count=15, deadline=None,
        # Every step reads the whole ledger: shrinking a failure would replay it for
        # minutes. The failing steps are reported as generated.
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    run().runTest()
