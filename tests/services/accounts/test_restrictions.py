"""Restrictions as records: placed at once, lifted on approval, enforced by every movement.

Each kind of movement out of a restricted account is refused, in the same transaction,
with the restriction named; lifting it lets the same movement through again.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from desk_app.db import models as m
from desk_app.domain.codes import RestrictionKind, Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, NotPermitted, ValidationError
from desk_app.domain.restrictions import AccountRestricted
from desk_app.domain.states import CertificateStatus
from desk_app.services.settlement.obligations import obligation_of
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import dispatch, register
from tests.services.trading.test_trades import _terms

AAPL = "US0378331005"
HOLD = "court order 26-114"


def _hold(desk: Desk, number: str, kind: RestrictionKind = RestrictionKind.LEGAL_HOLD) -> int:
    return desk.ws["carl"].restrictions.place(number, kind, HOLD)


def _lift(desk: Desk, restriction_id: int) -> int:
    request = desk.ws["carl"].restrictions.request_lift(restriction_id, "order vacated")
    desk.ws["sue"].approvals.approve(request, "seen the order")
    return request


def _named(number: str, what: str, kind: str = "Legal hold") -> str:
    return f"account {number} may not {what}: {kind} since {market_today().isoformat()} \\({HOLD}"


def _obligation(desk: Desk, trade_id: int) -> m.SettlementObligation:
    with desk.admin.uow.read() as session:
        found = obligation_of(session, trade_id)
        assert found is not None
        return found


def test_placed_at_once_lifted_by_another_principal_with_who_and_why(funded_desk: Desk) -> None:
    carl, sue = funded_desk.ws["carl"].restrictions, funded_desk.ws["sue"]
    rid = carl.place("acc-200", "reg-t-90-day", "freeriding on 2026-11-20")
    [line] = carl.restrictions("ACC-200")
    today = market_today()
    assert (line.id, line.kind, line.state, line.placed_by) == (
        rid, RestrictionKind.REG_T_FREEZE, "in force", "carl"
    )  # fmt: skip
    assert (line.starts_on, line.ends_on) == (today, today + timedelta(days=89))  # 90 days
    request = carl.request_lift(rid, "paid in full")
    assert carl.restrictions("ACC-200")[0].lift_request == request
    with pytest.raises(NotPermitted):
        funded_desk.ws["carl"].approvals.approve(request)
    sue.approvals.approve(request, "checked the payment")
    [lifted] = carl.restrictions("ACC-200")
    assert (lifted.state, lifted.lifted_by) == ("lifted", "sue")
    assert lifted.lift_reason == f"paid in full (asked by carl, request {request})"
    assert carl.restrictions("ACC-200", include_past=False) == []
    with pytest.raises(ValidationError, match="is lifted: there is nothing to lift"):
        carl.request_lift(rid, "again")


def test_bad_placings_are_refused_naming_the_field(funded_desk: Desk) -> None:
    carl = funded_desk.ws["carl"].restrictions
    with pytest.raises(ValidationError, match="reason: say why"):
        carl.place("ACC-200", "legal-hold", " ")
    with pytest.raises(ValidationError, match="kind: is not a kind of restriction"):
        carl.place("ACC-200", "gag-order", "why")
    with pytest.raises(ValidationError, match="ends_on: is before the restriction starts"):
        carl.place("ACC-200", "legal-hold", "why", starts_on=date(2026, 12, 1),
                   ends_on=date(2026, 11, 1))  # fmt: skip
    with pytest.raises(DeskError, match="no such account"):
        carl.place("ACC-404", "legal-hold", "why")
    with pytest.raises(NotPermitted):
        funded_desk.ws["cora"].restrictions.place("ACC-200", "legal-hold", "why")
    with pytest.raises(ValidationError, match="placing a restriction"):
        funded_desk.ws["carl"].accounts.request_status("ACC-200", "restricted", "old way")


@pytest.mark.parametrize(
    ("kind", "process"),
    [
        ("acats", "validating an ACATS transfer out"),
        (RestrictionKind.DECEASED, "recording the holder's death"),
    ],
)
def test_a_process_owned_restriction_is_not_placed_by_hand(
    funded_desk: Desk, kind: str | RestrictionKind, process: str
) -> None:
    carl = funded_desk.ws["carl"].restrictions
    with pytest.raises(ValidationError) as refused:
        carl.place("ACC-200", kind, "by hand")
    assert refused.value.field == "kind"
    assert f"restriction is placed only by {process}" in refused.value.reason
    assert "not by hand; by hand: transfer-freeze, reg-t-90-day, legal-hold" in refused.value.reason
    assert carl.restrictions("ACC-200") == []


def test_booking_refuses_the_side_the_restriction_stops(funded_desk: Desk) -> None:
    trades = funded_desk.ws["carl"].trades
    rid = _hold(funded_desk, "ACC-200")
    with pytest.raises(AccountRestricted, match=_named("ACC-200", "book a sell")):
        trades.book(_terms("ACC-200", side=Side.SELL))
    trades.book(_terms("ACC-200", side=Side.BUY))  # a legal hold lets cash come in for shares
    freeze = _hold(funded_desk, "ACC-300", RestrictionKind.REG_T_FREEZE)
    with pytest.raises(AccountRestricted, match="may not book a buy: Reg T 90-day freeze"):
        trades.book(_terms("ACC-300"))
    _lift(funded_desk, rid)
    _lift(funded_desk, freeze)
    assert trades.book(_terms("ACC-200", side=Side.SELL)) > 0
    assert trades.book(_terms("ACC-300")) > 0


def test_an_import_names_the_restricted_accounts_line(funded_desk: Desk, tmp_path: Path) -> None:
    _hold(funded_desk, "ACC-200")
    path = tmp_path / "day.csv"
    path.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        f"R-1,2026-11-24,ACC-100,buy,{AAPL},10,210.25,USD,GSCO\n"
        f"R-2,2026-11-24,ACC-200,sell,{AAPL},10,210.25,USD,GSCO\n",
        encoding="utf-8",
    )
    report = funded_desk.ws["carl"].imports.import_file(path)
    assert [str(p) for p in report.problems] == [
        f"day.csv:3: account: {_named('ACC-200', 'book a sell')})".replace("\\", "")
        + " ('ACC-200')"
    ]
    with funded_desk.admin.uow.read() as session:
        assert session.scalars(select(m.Trade).where(m.Trade.external_id == "R-1")).first() is None


def test_settling_refuses_a_delivery_and_the_obligation_gets_an_exception(
    funded_desk: Desk,
) -> None:
    carl = funded_desk.ws["carl"]
    sale = carl.trades.book(_terms("ACC-200", side=Side.SELL, quantity=Decimal(10)))
    purchase = carl.trades.book(_terms("ACC-200", quantity=Decimal(10)))
    oids = [_obligation(funded_desk, t).id for t in (sale, purchase)]
    carl.settling.instruct(oids[:1])
    carl.settling.match(oids[:1])
    rid = _hold(funded_desk, "ACC-200")
    # The pending purchase pays cash out: an exception the lifting clears.
    exception = _obligation(funded_desk, purchase).exception_reason
    assert exception == "Account ACC-200 is restricted (Legal hold): check before settling"
    with pytest.raises(AccountRestricted, match=_named("ACC-200", "deliver securities")):
        carl.settling.settle(oids[0])
    assert dict(carl.settling.detail(oids[0]).lines)["Restriction"].startswith("⚠ Legal hold")
    bulk = carl.settling.settle_all(oids[:1])
    assert bulk.settled == 0
    assert bulk.refused[0][1].startswith(f"{oids[0]}: account ACC-200 may not deliver securities")
    _lift(funded_desk, rid)
    assert _obligation(funded_desk, purchase).exception_reason is None
    assert carl.settling.settle(oids[0]).quantity == Decimal(10)


def test_a_journal_out_is_refused_at_request_and_again_at_approval(funded_desk: Desk) -> None:
    carl, sue = funded_desk.ws["carl"], funded_desk.ws["sue"]
    asked = carl.transfers.request_cash("ACC-100", "ACC-300", Decimal(5), "USD", "move")
    rid = _hold(funded_desk, "ACC-100", RestrictionKind.STOP_TRANSFER)
    refusal = _named("ACC-100", "journal or transfer out", "Stop transfer")
    with pytest.raises(DeskError, match=f"cannot be approved: {refusal}"):
        sue.approvals.approve(asked.request_id)
    with pytest.raises(AccountRestricted, match="may not journal or transfer out: Stop"):
        carl.transfers.request_cash("ACC-100", "ACC-300", Decimal(5), "USD", "again")
    carl.transfers.request_securities("ACC-200", "ACC-100", AAPL, Decimal(1), "in: allowed")
    _lift(funded_desk, rid)
    sue.approvals.approve(asked.request_id)
    assert carl.transfers.available_cash("ACC-300", "USD") == Decimal(5)


def test_a_certificate_stays_in_custody_while_restricted(funded_desk: Desk) -> None:
    carl = funded_desk.ws["carl"]
    register(funded_desk, "C1", "C2", account="ACC-200")
    rid = _hold(funded_desk, "ACC-200", RestrictionKind.TRANSFER_FREEZE)
    out = _named("ACC-200", "send a certificate out", "Transfer freeze")
    register_ = carl.certificates
    shown = dict(register_.detail(register_.find("C1")).fields)
    assert shown["Restriction"].startswith(f"⚠ Transfer freeze since {market_today()} ({HOLD})")
    with pytest.raises(AccountRestricted, match=out):
        carl.certificate_moves.prepare(["C1"])
    with pytest.raises(AccountRestricted, match=out):
        carl.manifests.create(dispatch(), ["C2"])
    _lift(funded_desk, rid)
    carl.certificate_moves.prepare(["C1"])
    carl.manifests.create(dispatch(), ["C2"])
    with funded_desk.admin.uow.read() as session:
        statuses = session.scalars(select(m.Certificate.status).order_by(m.Certificate.id))
        assert list(statuses) == [CertificateStatus.PREPARED, CertificateStatus.ON_MANIFEST]


def _behind_desks_back(desk: Desk, user: str, statement: str) -> str | None:
    """``statement`` through ``user``'s own database login: the refusal, or None."""
    engine = create_engine(desk.url_of(user))
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    except DBAPIError as refused:
        return str(refused)
    finally:
        engine.dispose()
    return None


def test_a_clerks_own_login_cannot_lift_or_delete_a_restriction(funded_desk: Desk) -> None:
    """PostgreSQL refuses; on a local file (one owner) the record seals show the change."""
    rid = _hold(funded_desk, "ACC-200")
    lifting = (
        "UPDATE account_restrictions SET lifted_at = CURRENT_TIMESTAMP, lifted_by = 'carl', "
        f"lift_reason = 'x', version = version + 1 WHERE id = {rid}"
    )
    shortening = f"UPDATE account_restrictions SET ends_on = starts_on WHERE id = {rid}"
    deleting = f"DELETE FROM account_restrictions WHERE id = {rid}"
    if funded_desk.shared:
        for statement, refusal in (
            (lifting, f"account restriction {rid} is lifted only when a principal approves"),
            (shortening, "an account restriction is never changed, only lifted"),
            (deleting, "an account restriction is never deleted"),
        ):
            assert refusal in (_behind_desks_back(funded_desk, "carl", statement) or "")
        assert funded_desk.ws["carl"].restrictions.restrictions("ACC-200")[0].state == "in force"
        # The principal's own approval is what lifts it, through Desk.
        _lift(funded_desk, rid)
        assert funded_desk.ws["carl"].restrictions.restrictions("ACC-200")[0].state == "lifted"
        return
    assert _behind_desks_back(funded_desk, "carl", lifting) is None
    report = funded_desk.ws["cora"].history.verify_records()
    assert any("account_restrictions" in str(p) for p in report.problems)
