"""Maker-checker through the service: who may decide, stale and duplicate requests, atomicity."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import CounterpartyKind, InstrumentType, Role, Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, NotPermitted, StaleRecord, ValidationError
from desk_app.domain.permissions import SUPERVISED, Action
from desk_app.domain.rule_changes import RuleKind
from desk_app.domain.states import ApprovalStatus, CertificateStatus, TradeStatus
from desk_app.domain.supervision import Registration
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.supervision.approvals import ApprovalHandler, Proposal
from desk_app.services.workspace import Workspace
from tests.clients import owner
from tests.services.custody.certificate_helpers import values as certificate_values

if TYPE_CHECKING:
    from tests.services.conftest import Desk

C, S, P, A = Role.CLERK, Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN
ROLE_SETS = [
    frozenset({C}), frozenset({S}), frozenset({P}), frozenset({A}),
    frozenset({C, S}), frozenset({S, P}), frozenset({S, A}), frozenset({P, A}),
]  # fmt: skip
TODAY = market_today()
REGISTRATIONS: dict[str, tuple[Registration, ...]] = {
    "none": (),
    "s24": (Registration("S24", date(2020, 1, 1)),),
    "s7only": (Registration("S7", date(2020, 1, 1)),),
    "lapsed": (Registration("S24", date(2015, 1, 1), TODAY - timedelta(days=1)),),
    "future": (Registration("S9", TODAY + timedelta(days=1)),),
}


AAPL = "US0378331005"


def make_request(desk: Desk, action: Action, maker: str = "carl") -> tuple[int, str]:
    """A pending request for ``action`` by ``maker``; returns (request id, account number)."""
    ws = desk.ws[maker]
    if action is Action.ACCOUNT_OPEN:
        number = desk.next_number()
        fields = {"name": "New Client", "registration_type": "ira", "registered_rep": "RR02"}
        return ws.accounts.request_open(number, fields, "new client", [owner("New Client")]), number
    if action in (Action.TRADE_AMEND_SETTLING, Action.TRADE_CANCEL_SETTLING):
        trade_id = late_trade(desk, maker)
        if action is Action.TRADE_CANCEL_SETTLING:
            outcome = ws.trades.cancel(trade_id, "client disputes the order")
        else:
            terms = ws.trades.record(trade_id).terms.with_changes(price=Decimal("11"))
            outcome = ws.trades.amend(trade_id, terms, "price per the execution report")
        assert outcome.request_id is not None
        return outcome.request_id, str(trade_id)
    if action is Action.SSI_CHANGE:
        code = f"B{desk.next_number()[-4:]}"
        desk.counterparty(code)
        route = {"counterparty": code, "market": "US", "asset_class": "equity",
                 "place_of_settlement": "DTCYUS33", "agent_bic": "CHASUS33",
                 "safekeeping_account": "0005", "effective_from": "2020-01-01"}  # fmt: skip
        return ws.ssis.request_add(route, "new broker"), code
    if action is Action.REFERENCE_CHANGE_IN_USE:  # a used broker's BIC
        code = desk.counterparty(f"B{desk.next_number()[-4:]}", ssi_for=InstrumentType.EQUITY)
        amended = ws.counterparties.amend(code, {"bic": "CHASUS33"}, reason="merged desk")
        assert amended.request_id is not None
        return amended.request_id, code
    if action is Action.RULE_CHANGE:
        day = (date(2031, 1, 1) + timedelta(days=int(desk.next_number()[-4:]))).isoformat()
        values = {"calendar_code": "US", "day": day, "settlement_day": "closed",
                  "reason": "DTC outage"}  # fmt: skip
        return ws.rules.request(RuleKind.OVERRIDE, values, "DTC's notice"), day
    if action is Action.CERTIFICATE_REPLACE:
        number = f"LOST-{desk.next_number()}"
        ws.certificates.add(certificate_values(number))
        ws.certificate_moves.report_lost(number, "lost", "2026-11-02", "not in drawer 3",
                                         stop_agent="Computershare")  # fmt: skip
        asked = ws.certificate_moves.request_replacement(
            number, new_number=f"{number}R", indemnity_bond="B-1", surety="Travelers",
            location="Vault A", reason="holder asks for a replacement",
        )  # fmt: skip
        return asked, number
    if action is Action.ESTATE_REREGISTER:  # an IRA's holder died: all of it to an heir
        number, heir = desk.account(registration_type="ira"), desk.account()
        funded(desk, number)
        case_id = ws.estates.open_case(number, date(2026, 11, 2), "the beneficiary's letter")
        for doc in ws.estates.case(case_id).documents:
            ws.estates.receive(case_id, doc.kind, verified=True)
        return ws.estates.request_reregistration(case_id, [(heir, None)]), number
    number = desk.account()
    if action is Action.ACATS_COMPLETE_OUT:  # 10 AAPL out to another firm, validated
        return acats_out(desk, ws, number), number
    if action is Action.ACATS_REVERSE_IN:  # 10 AAPL came in from another firm: sent back
        return acats_in_reversed(desk, ws, number), number
    if action is Action.ACCOUNT_LIFT_RESTRICTION:
        placed = desk.ws["carl"].restrictions.place(number, "legal-hold", "subpoena")
        return ws.restrictions.request_lift(placed, "order vacated"), number
    if action in (Action.TRANSFER_CASH, Action.TRANSFER_SECURITIES):
        isin = funded(desk, number)
        to = desk.account()
        if action is Action.TRANSFER_CASH:
            return ws.transfers.request_cash(
                number, to, Decimal(100), "USD", "fund"
            ).request_id, number
        asked = ws.transfers.request_securities(number, to, isin, Decimal(10), "gift")
        return asked.request_id, number
    if action is Action.ACCOUNT_AMEND:
        return ws.accounts.request_amend(number, {"name": "Renamed"}, "name change"), number
    assert action is Action.ACCOUNT_SET_STATUS
    return ws.accounts.request_status(number, "closed", "margin call"), number


def _schwab(desk: Desk) -> None:
    with desk.admin.uow.write("test.setup") as session:
        known = select(m.Counterparty).where(m.Counterparty.code == "SCHW")
        if session.scalars(known).first() is None:
            session.add(m.Counterparty(code="SCHW", name="Charles Schwab", dtc_participant="0164",
                                       kind=CounterpartyKind.BROKER))  # fmt: skip


def acats_in_reversed(desk: Desk, ws: Workspace, number: str) -> int:
    """A completed ACATS transfer of 10 AAPL into ``number``: its reversal's request."""
    from desk_app.domain.acats import AcatsDirection, AcatsType
    from desk_app.services.transfers.acats import AssetAsked

    isin = funded(desk, number)
    _schwab(desk)
    tid = ws.acats.new(
        AcatsDirection.IN, number, contra="0164", contra_account="9981",
        transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(isin, Decimal(10))],
    ).transfer_id  # fmt: skip
    ws.acats.validate(tid)
    ws.acats.complete(tid)
    request_id = ws.acats.reverse(tid, "sent to the wrong firm").request_id
    assert request_id is not None
    return request_id


def acats_out(desk: Desk, ws: Workspace, number: str) -> int:
    """A validated ACATS transfer of 10 AAPL out of ``number``: its completion's request."""
    from desk_app.domain.acats import AcatsDirection, AcatsType
    from desk_app.services.transfers.acats import AssetAsked

    isin = funded(desk, number)
    _schwab(desk)
    tid = ws.acats.new(
        AcatsDirection.OUT, number, contra="0164", contra_account="9981",
        transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(isin, Decimal(10))],
    ).transfer_id  # fmt: skip
    ws.acats.validate(tid)
    request_id = ws.acats.complete(tid).request_id
    assert request_id is not None
    return request_id


def funded(desk: Desk, number: str) -> str:
    """Give account ``number`` 1,000 USD and 100 AAPL, settled (from a house account)."""
    with desk.admin.uow.read() as session:
        known = session.scalars(select(m.Instrument).where(m.Instrument.isin == AAPL)).first()
    if known is None:
        desk.instrument(AAPL)
    fund(desk.admin, desk.account(), number)
    return AAPL


def fund(admin: Workspace, source: str, target: str) -> None:
    """Post 1,000 USD and 100 AAPL from ``source`` to ``target`` directly (test set-up)."""
    from desk_app.db import ledger_book
    from desk_app.domain.ledger import Book, journal_movements

    with admin.uow.write("test.setup") as session:
        ids = {a.account_number: a.id for a in session.scalars(select(m.Account))}
        aapl = session.scalars(select(m.Instrument.id).where(m.Instrument.isin == AAPL)).one()
        for book, asset, size in ((Book.CASH, "USD", 1000), (Book.SECURITIES, str(aapl), 100)):
            moves = journal_movements(book, from_account_id=ids[source], to_account_id=ids[target],
                                      asset=asset, amount=Decimal(size))  # fmt: skip
            posting = m.LedgerPosting(kind="journal", quantity=Decimal(0), amount=Decimal(0),
                                      currency="USD", posted_by="tester")  # fmt: skip
            ledger_book.post(session, posting, moves)


def late_trade(desk: Desk, maker: str) -> int:
    """A trade booked by ``maker`` whose settlement date has long passed."""
    with desk.admin.uow.read() as session:
        if session.get(m.Counterparty, 1) is None:
            desk.instrument()
            desk.counterparty()
    terms = TradeTerms(
        account=desk.account(), side=Side.BUY, isin="US0378331005", quantity=Decimal(10),
        price=Decimal(10), currency="USD", trade_date=date(2024, 6, 3),
        trade_time=datetime(2024, 6, 3, 14, tzinfo=UTC), counterparty="GSCO",
    )  # fmt: skip
    return desk.ws[maker].trades.book(terms)


def applied(desk: Desk, action: Action, number: str) -> bool:
    """Whether the change of ``make_request`` is on the account (or the trade)."""
    if action in (Action.TRADE_AMEND_SETTLING, Action.TRADE_CANCEL_SETTLING):
        newest = desk.admin.trades.versions(int(number))[-1]
        if action is Action.TRADE_CANCEL_SETTLING:
            return newest.status is TradeStatus.CANCELLED
        return newest.terms.price == Decimal("11")
    if action is Action.SSI_CHANGE:
        with desk.admin.uow.read() as session:
            return (
                session.scalars(
                    select(m.StandingSettlementInstruction)
                    .join(m.Counterparty)
                    .where(m.Counterparty.code == number)
                ).first()
                is not None
            )
    if action is Action.REFERENCE_CHANGE_IN_USE:
        return desk.admin.counterparties.record(number).values["bic"] == "CHASUS33"
    if action is Action.RULE_CHANGE:
        return number in [row[2].isoformat() for row in desk.admin.rules.rows(RuleKind.OVERRIDE)]
    if action is Action.CERTIFICATE_REPLACE:
        found = desk.admin.certificates
        return found.detail(found.find(number)).status is CertificateStatus.CANCELLED
    if action is Action.TRANSFER_CASH:
        return desk.admin.transfers.available_cash(number, "USD") == Decimal(900)
    if action in (Action.TRANSFER_SECURITIES, Action.ACATS_COMPLETE_OUT):
        return desk.admin.transfers.available_position(number, "US0378331005") == Decimal(90)
    if action is Action.ACATS_REVERSE_IN:
        return desk.admin.transfers.available_position(number, "US0378331005") == Decimal(100)
    if action is Action.ESTATE_REREGISTER:
        return desk.admin.transfers.available_position(number, "US0378331005") == 0
    if action is Action.ACCOUNT_LIFT_RESTRICTION:
        return desk.admin.restrictions.restrictions(number)[0].state == "lifted"
    try:
        values = desk.admin.accounts.record(number).values
    except DeskError:
        return False
    if action is Action.ACCOUNT_OPEN:
        return True
    if action is Action.ACCOUNT_AMEND:
        return bool(values["name"] == "Renamed")
    return bool(values["status"] == "closed")


def set_maker(desk: Desk, request_id: int, maker: str) -> None:
    """Make ``maker`` the request's maker (also a role that could not file it).

    Behind Desk's back, as the database's owner: on PostgreSQL the triggers that keep
    a request's maker fixed are switched off for this one statement.
    """
    login = desk.ws[maker].user.db_login
    with desk.admin.engine.begin() as conn:
        if desk.shared:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text(
                "UPDATE approval_requests SET maker = :maker, maker_login = :login WHERE id = :id"
            ),
            {"maker": maker, "login": login, "id": request_id},
        )


def test_the_supervised_actions_all_have_handlers(desk: Desk) -> None:
    assert set(desk.admin.approvals.actions) == set(SUPERVISED)


# Who may decide does not depend on the action: every account action, and one of trades.
# A grant of power has rules of its own (compliance decides too): test_grants.py.
@pytest.mark.parametrize(
    "action", sorted(SUPERVISED - {Action.TRADE_AMEND_SETTLING, Action.USER_GRANT})
)
def test_decision_matrix_no_self_approval(desk: Desk, action: Action) -> None:
    """{action} × {roles} × {registrations} × {maker is approver}: only another principal."""
    outcomes = []
    for n, roles in enumerate(ROLE_SETS):
        for reg_name, registrations in REGISTRATIONS.items():
            approver = f"u{n}{reg_name}"
            ws = desk.add_user(approver, roles, registrations)
            for self_made in (False, True):
                request_id, number = make_request(desk, action)
                if self_made:
                    set_maker(desk, request_id, approver)
                expect = Role.SUPERVISOR in roles and reg_name == "s24" and not self_made
                assert (ws.approvals.refusal(desk.request(request_id).maker) is None) == expect
                if self_made or ws.user.can(Action.APPROVAL_VIEW_ALL):
                    assert (ws.approvals.detail(request_id).decision_refusal is None) == expect
                try:
                    ws.approvals.approve(request_id, "fine")
                    succeeded = True
                except NotPermitted:
                    succeeded = False
                row = desk.request(request_id)
                outcomes.append((approver, sorted(roles), reg_name, self_made, succeeded))
                assert succeeded == expect, outcomes[-1]
                assert applied(desk, action, number) == expect, outcomes[-1]
                if succeeded:
                    assert (row.status, row.decided_by) == (ApprovalStatus.APPROVED, approver)
                    continue
                assert row.status is ApprovalStatus.PENDING
                with pytest.raises(NotPermitted):
                    ws.approvals.reject(request_id, "no")
                assert desk.request(request_id).status is ApprovalStatus.PENDING
    assert not [o for o in outcomes if o[3] and o[4]], "a self-approval succeeded"
    assert len(outcomes) == len(ROLE_SETS) * len(REGISTRATIONS) * 2
    assert sum(o[4] for o in outcomes) == 4  # S, C+S, S+P, S+A holding S24


def test_supervisor_may_not_approve_own_request_even_as_principal(desk: Desk) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_AMEND, maker="sue")
    with pytest.raises(NotPermitted, match="sue made this request"):
        desk.ws["sue"].approvals.approve(request_id)
    with pytest.raises(NotPermitted, match="sue made this request"):
        desk.ws["sue"].approvals.reject(request_id, "changed my mind")
    desk.ws["sam"].approvals.approve(request_id, "ok")
    assert applied(desk, Action.ACCOUNT_AMEND, number)


def test_lapsed_registration_cannot_approve(desk: Desk) -> None:
    lapsed = Registration("S24", date(2020, 1, 1), TODAY - timedelta(days=1))
    ws = desk.add_user("old", {Role.SUPERVISOR}, [lapsed])
    request_id, number = make_request(desk, Action.ACCOUNT_SET_STATUS)
    with pytest.raises(NotPermitted, match="no principal registration in force"):
        ws.approvals.approve(request_id)
    assert not applied(desk, Action.ACCOUNT_SET_STATUS, number)


@pytest.mark.parametrize("who", ["carl", "cora", "adam", "tester"])
def test_clerk_compliance_and_admin_cannot_decide(desk: Desk, who: str) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_AMEND)
    with pytest.raises(NotPermitted):
        desk.ws[who].approvals.approve(request_id)
    with pytest.raises(NotPermitted):
        desk.ws[who].approvals.reject(request_id, "no")
    assert desk.request(request_id).status is ApprovalStatus.PENDING
    assert not applied(desk, Action.ACCOUNT_AMEND, number)


def test_approved_change_is_applied_and_audited_with_the_request(desk: Desk) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_AMEND)
    seq = desk.audit_count()
    desk.ws["sue"].approvals.approve(request_id, "  checked the deed  ")
    row = desk.request(request_id)
    assert (row.status, row.decided_by, row.decision_note) == (
        ApprovalStatus.APPROVED, "sue", "checked the deed",
    )  # fmt: skip
    entries = desk.audit_entries(seq)
    by_table = {(e.table_name, e.action): e for e in entries}
    change = by_table[("accounts", "account.amend")]
    assert change.approval_id == request_id
    assert change.app_user == "sue"
    assert '"name":"Renamed"' in (change.after or "")
    decision = by_table[("approval_requests", "approval.approve")]
    assert decision.approval_id == request_id  # the decision names its request too
    assert applied(desk, Action.ACCOUNT_AMEND, number)


def test_open_request_creates_the_account_on_approval(desk: Desk) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_OPEN)
    detail = desk.ws["sue"].approvals.detail(request_id)
    assert {f.field: f.proposed for f in detail.fields}["name"] == "New Client"
    assert not detail.stale
    desk.ws["sue"].approvals.approve(request_id)
    values = desk.admin.accounts.record(number).values
    assert (values["name"], values["registration_type"], values["status"]) == (
        "New Client", "ira", "open",
    )  # fmt: skip


def test_stale_request_is_refused_and_stays_pending(desk: Desk) -> None:
    amend_id, number = make_request(desk, Action.ACCOUNT_AMEND)
    status_id = desk.ws["carl"].accounts.request_status(number, "closed", "client left")
    desk.ws["sue"].approvals.approve(status_id)  # the account moves on to version 2
    before = desk.account_row(number)
    seq = desk.audit_count()
    detail = desk.ws["sam"].approvals.detail(amend_id)
    assert detail.stale
    with pytest.raises(StaleRecord, match="changed after the request"):
        desk.ws["sam"].approvals.approve(amend_id)
    assert desk.request(amend_id).status is ApprovalStatus.PENDING
    assert desk.account_row(number) == before
    assert desk.audit_count() == seq
    desk.ws["sam"].approvals.reject(amend_id, "stale; file again")  # still decidable


def test_stale_after_a_direct_change(desk: Desk) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_SET_STATUS)
    with desk.admin.uow.write("test.setup") as session:
        account = session.query(m.Account).filter_by(account_number=number).one()
        account.registered_rep = "RR99"
    with pytest.raises(StaleRecord):
        desk.ws["sue"].approvals.approve(request_id)
    assert desk.account_row(number)["status"] == "open"
    assert desk.request(request_id).status is ApprovalStatus.PENDING


def test_duplicate_pending_request_is_refused(desk: Desk) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_AMEND)
    with pytest.raises(DeskError, match=f"request {request_id} by carl already asks"):
        desk.ws["sue"].accounts.request_amend(number, {"registered_rep": "RR07"}, "other")
    # another action on the same record is not a duplicate
    desk.ws["carl"].accounts.request_status(number, "closed", "margin")
    desk.ws["carl"].approvals.withdraw(request_id)
    again = desk.ws["carl"].accounts.request_amend(number, {"name": "Renamed"}, "again")
    assert again != request_id


def test_database_refuses_a_raw_duplicate_pending_request(desk: Desk) -> None:
    request_id, _ = make_request(desk, Action.ACCOUNT_AMEND)
    row = desk.request(request_id)
    with pytest.raises(IntegrityError), desk.admin.uow.write("test.setup") as session:
        session.add(
            m.ApprovalRequest(
                action=row.action, target_table=row.target_table, target_id=row.target_id,
                target_version=row.target_version, target_key=row.target_key,
                summary="dup", proposal=row.proposal, reason="dup", maker="tester",
            )
        )  # fmt: skip
    # a decided request with the same target is allowed beside a pending one
    with desk.admin.uow.write("test.setup") as session:
        session.add(
            m.ApprovalRequest(
                action=row.action, target_table=row.target_table, target_key=row.target_key,
                summary="old", proposal=row.proposal, reason="old", maker="tester",
                status=ApprovalStatus.REJECTED,
            )
        )  # fmt: skip


def test_reject_needs_a_reason(desk: Desk) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_AMEND)
    with pytest.raises(ValidationError, match="reason"):
        desk.ws["sue"].approvals.reject(request_id, "   ")
    assert desk.request(request_id).status is ApprovalStatus.PENDING
    desk.ws["sue"].approvals.reject(request_id, " wrong spelling ")
    row = desk.request(request_id)
    assert (row.status, row.decided_by, row.decision_note) == (
        ApprovalStatus.REJECTED, "sue", "wrong spelling",
    )  # fmt: skip
    assert not applied(desk, Action.ACCOUNT_AMEND, number)
    with pytest.raises(DeskError, match=f"request {request_id} is already rejected by sue"):
        desk.ws["sam"].approvals.approve(request_id)


def test_request_needs_a_reason_and_a_real_change(desk: Desk) -> None:
    number = desk.account()
    with pytest.raises(ValidationError, match="reason"):
        desk.ws["carl"].accounts.request_amend(number, {"name": "X"}, " ")
    with pytest.raises(ValidationError, match="nothing would change"):
        desk.ws["carl"].accounts.request_amend(number, {"name": f"Client {number}"}, "r")


def test_withdraw_by_the_maker_only(desk: Desk) -> None:
    request_id, _ = make_request(desk, Action.ACCOUNT_AMEND)
    for other in ("sue", "tester", "cora"):
        with pytest.raises(NotPermitted, match="only they can withdraw"):
            desk.ws[other].approvals.withdraw(request_id)
    assert desk.request(request_id).status is ApprovalStatus.PENDING
    desk.ws["carl"].approvals.withdraw(request_id)
    assert desk.request(request_id).status is ApprovalStatus.WITHDRAWN
    with pytest.raises(DeskError, match="already withdrawn by carl"):
        desk.ws["carl"].approvals.withdraw(request_id)
    with pytest.raises(DeskError, match="already withdrawn"):
        desk.ws["sue"].approvals.approve(request_id)


class FailingAfterWrite:
    """The amend handler, but it fails after writing its change (a bug or a broken rule)."""

    action = Action.ACCOUNT_AMEND

    def __init__(self, inner: ApprovalHandler) -> None:
        self.inner = inner

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        return self.inner.current(session, request)

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        self.inner.apply(session, request, after)
        session.flush()  # the change and its audit entries reach the database...
        raise DeskError("the change cannot be made after all")  # ...and must vanish


def test_failed_apply_leaves_nothing(desk: Desk) -> None:
    request_id, number = make_request(desk, Action.ACCOUNT_AMEND)
    sue = desk.ws["sue"].approvals
    sue.register(FailingAfterWrite(sue._handlers[Action.ACCOUNT_AMEND]))
    before, seq = desk.account_row(number), desk.audit_count()
    with pytest.raises(DeskError, match="cannot be made after all"):
        sue.approve(request_id, "ok")
    row = desk.request(request_id)
    assert (row.status, row.decided_by, row.version) == (ApprovalStatus.PENDING, None, 1)
    assert desk.account_row(number) == before
    assert desk.audit_count() == seq
    assert desk.admin.history.verify().intact
    desk.ws["sam"].approvals.approve(request_id)  # another workspace, the real handler
    assert applied(desk, Action.ACCOUNT_AMEND, number)


def _approve_when_loaded(ws: Workspace, other: Workspace, request_id: int) -> None:
    """Let ``other`` approve the moment ``ws``'s approval has read the request."""
    fired: list[bool] = []

    def meanwhile(_session: Session, obj: object) -> None:
        if isinstance(obj, m.ApprovalRequest) and not fired:
            fired.append(True)
            other.approvals.approve(request_id, "me first")

    event.listen(ws.sessions, "loaded_as_persistent", meanwhile)
    try:
        ws.approvals.approve(request_id, "me too")
    finally:
        event.remove(ws.sessions, "loaded_as_persistent", meanwhile)
        assert fired


@pytest.mark.parametrize("action", sorted(SUPERVISED - {Action.USER_GRANT}))
def test_two_supervisors_approving_at_once_one_wins(desk: Desk, action: Action) -> None:
    request_id, number = make_request(desk, action)
    with pytest.raises(StaleRecord, match="decided or withdrawn by someone else") as lost:
        _approve_when_loaded(desk.ws["sue"], desk.ws["sam"], request_id)
    assert f"request {request_id}" in str(lost.value)
    row = desk.request(request_id)
    assert (row.status, row.decided_by, row.decision_note) == (
        ApprovalStatus.APPROVED, "sam", "me first",
    )  # fmt: skip
    assert applied(desk, action, number)
    assert [e.approval_id for e in desk.audit_entries() if e.approval_id] != []
    applied_entries = [e for e in desk.audit_entries() if e.approval_id == request_id]
    assert {e.app_user for e in applied_entries} == {"sam"}
    assert desk.admin.history.verify().intact


def test_request_list_clerk_sees_only_own(desk: Desk) -> None:
    mine, _ = make_request(desk, Action.ACCOUNT_AMEND)
    theirs, _ = make_request(desk, Action.ACCOUNT_AMEND, maker="sue")

    def ids(ws: Workspace, **kw: Any) -> set[int]:
        """The queue, less the grants that made the desk's staff (its set-up)."""
        source = ws.approvals.requests(**kw)
        rows = source.fetch(source.default_sort, None, 100)
        return {row[0] for row in rows if row[3] != Action.USER_GRANT.value}

    assert ids(desk.ws["carl"]) == {mine}
    assert ids(desk.ws["sue"]) == {mine, theirs}
    assert ids(desk.ws["sue"], mine=True) == {theirs}
    assert ids(desk.ws["cora"]) == {mine, theirs}
    assert desk.ws["carl"].approvals.pending_count() == 1
    assert desk.ws["sam"].approvals.pending_count() == 2
    with pytest.raises(NotPermitted, match="you see only your own"):
        desk.ws["carl"].approvals.detail(theirs)
    desk.ws["sam"].approvals.reject(theirs, "no")
    assert ids(desk.ws["sue"], status=ApprovalStatus.PENDING) == {mine}


def test_request_permission_is_checked(desk: Desk) -> None:
    number = desk.account()
    for who in ("cora", "adam"):
        with pytest.raises(NotPermitted):
            desk.ws[who].accounts.request_amend(number, {"name": "X"}, "r")
        with pytest.raises(NotPermitted):
            desk.ws[who].accounts.request_status(number, "closed", "r")
        with pytest.raises(NotPermitted):
            desk.ws[who].accounts.request_open(desk.next_number(), {
                "name": "X", "registration_type": "ira", "registered_rep": "R"}, "r",
                [owner("X")])  # fmt: skip
    assert desk.admin.approvals.requests(status=ApprovalStatus.PENDING).count() == 0


def test_unsupervised_action_cannot_be_requested(desk: Desk) -> None:
    proposal = Proposal(Action.FAIL_RULES, "instruments", "x", "x", {}, {})
    with pytest.raises(DeskError, match="not a supervised action"):
        desk.ws["sue"].approvals.request(proposal, "r")


def test_duplicate_filed_at_the_same_moment_is_refused_clearly(desk: Desk) -> None:
    """The check before the insert misses a request filed meanwhile; the index catches it."""
    number = desk.account()
    fired: list[int] = []

    def meanwhile(_session: Session, _flush: object, _instances: object) -> None:
        if not fired:
            fired.append(desk.ws["sue"].accounts.request_amend(number, {"name": "B"}, "r"))

    event.listen(desk.ws["carl"].sessions, "before_flush", meanwhile)
    try:
        with pytest.raises(DeskError, match="filed a moment ago"):
            desk.ws["carl"].accounts.request_amend(number, {"name": "C"}, "r")
    finally:
        event.remove(desk.ws["carl"].sessions, "before_flush", meanwhile)
    source = desk.ws["sue"].approvals.requests(status=ApprovalStatus.PENDING)
    assert [row[0] for row in source.fetch(source.default_sort, None, 10)] == fired
