"""The books' invariant on both engines: whatever moves, nothing is made or lost.

Any sequence of cash and securities journals (approved by another principal),
ACATS completions in and out (out approved), reversals of them (one that takes
assets out of an account approved) and estate re-registrations keeps the total of
each instrument and each currency across all holders, and every kept balance
equals the sum of its ledger entries. A step the books cannot make is refused
whole. The desk is kept across examples, so each step reads what is held first
(a seller's account may hold less than nothing: it sold what it delivered).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.acats import AcatsDirection, AcatsStatus, AcatsType
from desk_app.domain.codes import CounterpartyKind
from desk_app.domain.errors import ValidationError
from desk_app.services.transfers.acats import AssetAsked
from tests import books
from tests.services.conftest import Desk

AAPL = "US0378331005"
DIED = date(2026, 3, 6)  # a Friday with AAPL's high and low on record


@pytest.fixture
def books_desk(funded_desk: Desk) -> Desk:
    """``funded_desk``, Schwab as a contra firm, and AAPL's prices on the day of death."""
    with funded_desk.admin.uow.write("test.setup") as session:
        session.add(m.Counterparty(code="SCHW", name="Charles Schwab", dtc_participant="0164",
                                   kind=CounterpartyKind.BROKER))  # fmt: skip
        aapl = session.scalars(select(m.Instrument).where(m.Instrument.isin == AAPL)).one()
        session.add(m.InstrumentPrice(
            instrument_id=aapl.id, price_date=DIED, price=Decimal(100), currency="USD",
            high=Decimal(102), low=Decimal(98), source="test", loaded_by="tester",
        ))  # fmt: skip
    return funded_desk


def _held(desk: Desk, number: str) -> tuple[Decimal, Decimal]:
    carl = desk.ws["carl"]
    return carl.transfers.available_position(number, AAPL), carl.transfers.available_cash(
        number, "USD"
    )


def _journal(desk: Desk, kind: str, pair: tuple[str, str], size: Decimal) -> None:
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    source, target = pair
    before = {n: _held(desk, n) for n in pair}
    index = 0 if kind == "securities" else 1
    if size > before[source][index]:
        with pytest.raises(ValidationError):
            _ask(carl, kind, source, target, size)
        assert {n: _held(desk, n) for n in pair} == before
        return
    sue.approvals.approve(_ask(carl, kind, source, target, size))
    assert _held(desk, source)[index] == before[source][index] - size
    assert _held(desk, target)[index] == before[target][index] + size


def _ask(carl: Any, kind: str, source: str, target: str, size: Decimal) -> int:
    if kind == "cash":
        asked = carl.transfers.request_cash(source, target, size, "USD", "client's letter")
    else:
        asked = carl.transfers.request_securities(source, target, AAPL, size, "client's letter")
    return int(asked.request_id)


def _acats(
    desk: Desk, direction: AcatsDirection, number: str, quantity: int, cash: Decimal
) -> None:
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    held, money = _held(desk, number)
    listed = {"assets": [AssetAsked(AAPL, Decimal(quantity))],
              "cash": [("USD", cash)] if cash else []}  # fmt: skip
    out = direction is AcatsDirection.OUT
    if out and (quantity > held or (cash and cash > money)):
        with pytest.raises(ValidationError, match=f"{number} holds"):
            carl.acats.new(direction, number, contra="0164", contra_account="1",
                           transfer_type=AcatsType.PARTIAL, **listed)  # fmt: skip
        return
    tid = int(carl.acats.new(direction, number, contra="0164", contra_account="1",
                             transfer_type=AcatsType.PARTIAL, **listed).transfer_id)  # fmt: skip
    carl.acats.validate(tid)
    asked = carl.acats.complete(tid).request_id
    if asked is not None:
        sue.approvals.approve(asked)
    sign = -1 if out else 1
    assert _held(desk, number) == (held + sign * quantity, money + sign * cash)
    lots = carl.transfers.lots(number, AAPL)
    assert sum(lot.quantity for lot in lots) <= max(held + sign * quantity, 0)


def _latest_completed(desk: Desk) -> int | None:
    """The transfer completed last (this example's or an earlier one's: the desk is kept)."""
    T = m.AcatsTransfer
    with desk.admin.uow.read() as session:
        return session.scalar(select(func.max(T.id)).where(T.status == AcatsStatus.COMPLETED))


def _reverse(desk: Desk, tid: int) -> None:
    """Undo a completed transfer: its assets go back, with their lots."""
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    view = carl.acats.view(tid)
    number, lots_before = view.account, None
    held, money = _held(desk, number)
    quantity = sum((a.quantity or Decimal(0) for a in view.assets), Decimal(0))
    cash = sum((a.amount or Decimal(0) for a in view.assets), Decimal(0))
    out = view.direction is AcatsDirection.OUT
    if not out and (quantity > held or (cash and cash > money)):
        with pytest.raises(ValidationError, match=f"{number} holds"):
            carl.acats.reverse(tid, "sent in error")
        assert carl.acats.view(tid).status is AcatsStatus.COMPLETED
        return
    if out:
        lots_before = sum(lot.quantity for lot in carl.transfers.lots(number, AAPL))
    asked = carl.acats.reverse(tid, "sent in error").request_id
    assert (asked is None) == out  # taking assets out of the account is supervised
    if asked is not None:
        sue.approvals.approve(asked)
    assert carl.acats.view(tid).status is AcatsStatus.REVERSED
    sign = 1 if out else -1
    assert _held(desk, number) == (held + sign * quantity, money + sign * cash)
    if lots_before is not None:  # the lots that left come back
        back = sum(lot.quantity for lot in carl.transfers.lots(number, AAPL))
        assert back >= lots_before


def _estate(desk: Desk, source: str, quantity: int, cash: Decimal) -> None:
    """A fresh account funded from ``source``; its holder dies; it goes to ACC-200 and -300."""
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    held, money = _held(desk, source)
    quantity_given = max(min(Decimal(quantity), held), Decimal(0))
    cash_given = max(min(cash, money), Decimal(0))
    if not quantity_given and not cash_given:
        return
    number = desk.account()
    for kind, size in (("securities", quantity_given), ("cash", cash_given)):
        if size:
            sue.approvals.approve(_ask(carl, kind, source, number, size))
    heirs = {n: _held(desk, n) for n in ("ACC-200", "ACC-300")}
    case_id = carl.estates.open_case(number, DIED, "call from the son")
    retitle = carl.estates.case(case_id).retitle_request_id
    if retitle is not None:
        sue.approvals.approve(retitle)
    for doc in carl.estates.case(case_id).documents:
        carl.estates.receive(case_id, doc.kind, verified=True)
    sue.approvals.approve(
        carl.estates.request_reregistration(case_id, [("ACC-200", None), ("ACC-300", None)])
    )
    assert _held(desk, number) == (0, 0)
    got = {n: _held(desk, n) for n in heirs}
    assert sum(got[n][0] - heirs[n][0] for n in heirs) == quantity_given
    assert sum(got[n][1] - heirs[n][1] for n in heirs) == cash_given


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=books.steps)
def test_any_movements_keep_each_instrument_and_currency_whole(
    books_desk: Desk, steps: list[tuple[Any, ...]]
) -> None:
    carl = books_desk.ws["carl"]
    before = books.totals(books_desk)
    for step in steps:
        kind = step[0]
        event(kind)
        if kind in ("cash", "securities"):
            _journal(books_desk, kind, step[1], Decimal(step[2]))
        elif kind == "acats":
            _acats(books_desk, *step[1:])
        elif kind == "reverse" and (tid := _latest_completed(books_desk)) is not None:
            _reverse(books_desk, tid)
        elif kind == "estate":
            _estate(books_desk, *step[1:])
        assert books.totals(books_desk) == before, step
    assert carl.settling.balances() == carl.settling.ledger_balances()
