"""The demo book's approval queue: filed as the service files, decided honestly, decidable."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.demo import generate_demo_data
from desk_app.domain.codes import Role
from desk_app.domain.listing import SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.states import ApprovalStatus
from desk_app.domain.supervision import Registration, decision_refusal
from desk_app.services import audit
from desk_app.services.workspace import Workspace
from tests.conftest import sign_in

TODAY = date(2025, 10, 14)
P = ApprovalStatus


@pytest.fixture
def demo(workspace: Workspace) -> Workspace:
    """A small demo book on each engine, opened as ``tester`` (its admin)."""
    summary = generate_demo_data(workspace.sessions, seed=11, trades=200, today=TODAY)
    assert summary.approval_requests == len(_requests(workspace)) == 12
    assert " 12 approval requests and 8 users." in str(summary)
    return workspace


@contextmanager
def _as(ws: Workspace, username: str) -> Iterator[Workspace]:
    other = sign_in(ws.url, username)
    try:
        yield other
    finally:
        other.close()


def _requests(ws: Workspace) -> list[m.ApprovalRequest]:
    with ws.uow.read() as session:
        return list(session.scalars(select(m.ApprovalRequest).order_by(m.ApprovalRequest.id)))


def _account(ws: Workspace, account_id: int) -> dict[str, Any]:
    with ws.uow.read() as session:
        return audit.snapshot(session.get_one(m.Account, account_id))


def _users(ws: Workspace) -> dict[str, m.User]:
    with ws.uow.read() as session:
        return {u.username: u for u in session.scalars(select(m.User))}


def test_clerks_ask_and_principals_other_than_them_decide(demo: Workspace) -> None:
    requests, users = _requests(demo), _users(demo)
    assert Counter(r.status for r in requests) == {P.PENDING: 8, P.APPROVED: 2, P.REJECTED: 1,
                                                   P.WITHDRAWN: 1}  # fmt: skip
    # The demo book files no journal, SSI, replacement, reference data, rules or ACATS requests
    # (its accounts do hold settled cash, and it has lost certificates with their stops
    # placed).
    later = {Action.TRANSFER_CASH, Action.TRANSFER_SECURITIES, Action.SSI_CHANGE,
             Action.CERTIFICATE_REPLACE, Action.USER_GRANT, Action.RULE_CHANGE,
             Action.REFERENCE_CHANGE_IN_USE, Action.ESTATE_REREGISTER,
             Action.ACATS_COMPLETE_OUT, Action.ACATS_REVERSE_IN}  # fmt: skip
    assert {r.action for r in requests} == {a.value for a in Action if a.supervised} - later
    assert [r.made_at for r in requests] == sorted(r.made_at for r in requests)
    assert len({r.target_key for r in requests if r.status is P.PENDING}) == 8
    for r in requests:
        assert users[r.maker].role_set == {Role.CLERK}
        assert r.reason and r.summary and r.made_at.date() < TODAY
        if r.status is P.PENDING:
            assert (r.decided_by, r.decided_at, r.decision_note, r.version) == (None,) * 3 + (1,)
            continue
        assert r.decided_at is not None and r.made_at < r.decided_at and r.version == 2
        if r.status is P.WITHDRAWN:
            assert r.decided_by == r.maker
            continue
        assert r.decided_by in ("mobrien", "sgoldberg") and r.decision_note
        decider = users[r.decided_by]
        registrations = [
            Registration(g.series, g.effective_from, g.effective_to) for g in decider.registrations
        ]
        assert decision_refusal(
            maker=r.maker, approver=decider.username, roles=decider.role_set,
            registrations=registrations, today=r.decided_at.date(),
        ) is None  # fmt: skip


def test_a_decided_change_is_in_its_account_and_the_rest_are_not(demo: Workspace) -> None:
    with demo.uow.read() as session:
        numbers = set(session.scalars(select(m.Account.account_number)))
    for r in _requests(demo):
        proposal = json.loads(r.proposal)
        assert r.proposal == audit.canonical_json(proposal)
        if r.target_table == "trades":
            continue  # see test_a_late_trade_correction_can_be_approved
        if r.target_table == "account_restrictions":
            _check_lift(demo, r, proposal)
            continue
        number = r.target_key.removeprefix("accounts:")
        if r.action == Action.ACCOUNT_OPEN:
            assert (r.target_id, r.target_version) == (None, None)
            assert number not in numbers and proposal["before"] == {}
            assert proposal["after"]["account_number"] == number
            continue
        account = _account(demo, r.target_id or 0)
        assert account["account_number"] == number and r.target_version == 1
        if r.status is P.APPROVED:
            assert {k: account[k] for k in proposal["after"]} == proposal["after"]
            assert account["version"] == 2 and account["updated_at"] == audit.canonical_json(
                r.decided_at
            ).strip('"')
        else:
            assert {k: account[k] for k in proposal["before"]} == proposal["before"]
            assert account["version"] == 1


def _check_lift(demo: Workspace, r: m.ApprovalRequest, proposal: dict[str, Any]) -> None:
    """An approved lift lifted its restriction (by its decider); a pending one did not."""
    with demo.uow.read() as session:
        row = session.get_one(m.AccountRestriction, r.target_id)
        assert proposal["before"]["account"] == row.account.account_number
        if r.status is P.APPROVED:
            assert (row.lifted_by, row.lifted_at, row.version) == (r.decided_by, r.decided_at, 2)
        else:
            assert (row.lifted_at, row.version) == (None, 1)


def test_a_supervisor_sees_the_pending_queue_and_every_detail(demo: Workspace) -> None:
    requests = _requests(demo)
    pending = [r.id for r in requests if r.status is P.PENDING]
    with _as(demo, "mobrien") as supervisor:
        queue = supervisor.approvals.requests(status=P.PENDING)
        assert queue.count() == supervisor.approvals.pending_count() == 8
        rows = queue.fetch(SortSpec("made_at"), None, 50)
        assert [row[0] for row in rows] == pending
        assert {row[1] for row in rows} == {P.PENDING}
        for r in requests:
            detail = supervisor.approvals.detail(r.id)
            assert (detail.id, detail.status, detail.maker) == (r.id, r.status, r.maker)
            assert detail.fields and not detail.stale
            assert detail.decision_refusal is None  # a principal, and not the maker
            if r.status is P.PENDING:
                assert any(f.proposed != f.current for f in detail.fields)
                assert not any(f.changed_since_request for f in detail.fields)
            tax = [f.proposed for f in detail.fields if f.field == "tax_id"]
            assert all(t.startswith("***-**-") for t in tax)  # masked in the queue
    with _as(demo, "jmorales") as clerk:
        own = clerk.approvals.requests().fetch(SortSpec("made_at"), None, 50)
        assert {row[6] for row in own} == {"jmorales"}
        assert len(own) == sum(r.maker == "jmorales" for r in requests)


def test_each_pending_request_is_what_the_service_would_file(demo: Workspace) -> None:
    """Withdraw each one, file it again through its service: the same request."""
    keys = ("action", "target_table", "target_id", "target_version", "target_key", "summary",
            "proposal", "reason", "maker", "status")  # fmt: skip
    for r in [r for r in _requests(demo) if r.status is P.PENDING]:
        after = json.loads(r.proposal)["after"]
        with _as(demo, r.maker) as clerk:
            clerk.approvals.withdraw(r.id)
            number = r.target_key.removeprefix("accounts:")
            if r.action == Action.TRADE_CANCEL_SETTLING:
                again = clerk.trades.cancel(r.target_id or 0, r.reason).request_id
            elif r.action == Action.TRADE_AMEND_SETTLING:
                terms = clerk.trades.record(r.target_id or 0).terms
                changed = terms.with_changes(price=Decimal(after["price"]))
                again = clerk.trades.amend(r.target_id or 0, changed, r.reason).request_id
            elif r.action == Action.ACCOUNT_OPEN:
                number = after.pop("account_number")
                after["tax_id"] = _kept(demo, after.pop("tax_id_ref"))  # as the maker typed it
                parties = [
                    {**p, "tax_id": _kept(demo, p.pop("tax_id_ref")) if p.get("tax_id_ref")
                     else p.get("tax_id")}
                    for p in json.loads(r.proposal)["terms"]["parties"]
                ]  # fmt: skip
                fields = {k: v for k, v in after.items() if not k.startswith("party ")}
                again = clerk.accounts.request_open(number, fields, r.reason, parties)
            elif r.action == Action.ACCOUNT_AMEND:
                again = clerk.accounts.request_amend(number, after, r.reason)
            elif r.action == Action.ACCOUNT_LIFT_RESTRICTION:
                again = clerk.restrictions.request_lift(r.target_id or 0, r.reason)
            else:
                again = clerk.accounts.request_status(number, after["status"], r.reason)
        assert again is not None
        with demo.uow.read() as session:
            filed = session.get_one(m.ApprovalRequest, again)
            assert {k: _unkept(filed, k) for k in keys} == {k: _unkept(r, k) for k in keys}


def _kept(demo: Workspace, ref: int) -> str:
    """A full tax id out of the vault (the demo's owner may read it)."""
    with demo.uow.read() as session:
        return session.get_one(m.TaxId, ref).value


def _unkept(request: m.ApprovalRequest, key: str) -> object:
    """A request's ``key``; its proposal without the vault's reference, which filing again
    makes anew (the masked text stays)."""
    if key != "proposal":
        return getattr(request, key)
    proposal = json.loads(request.proposal)
    proposal["after"].pop("tax_id_ref", None)
    for party in proposal.get("terms", {}).get("parties", []):
        party.pop("tax_id_ref", None)
    return proposal


def test_a_demo_request_can_be_approved(demo: Workspace) -> None:
    youngest = _requests(demo)[-1]
    assert youngest.status is P.PENDING and youngest.action == Action.ACCOUNT_AMEND
    after = json.loads(youngest.proposal)["after"]
    with _as(demo, "sgoldberg") as supervisor:
        supervisor.approvals.approve(youngest.id, "Memo seen")
    account = _account(demo, youngest.target_id or 0)
    assert {k: account[k] for k in after} == after and account["version"] == 2
    with demo.uow.read() as session:
        entries = session.scalars(
            select(m.AuditEntry)
            .where(m.AuditEntry.approval_id == youngest.id)
            .order_by(m.AuditEntry.seq)
        ).all()
    assert [(e.app_user, e.action, e.table_name) for e in entries] == [
        ("sgoldberg", "approval.approve", "approval_requests"),  # the decision
        ("sgoldberg", "account.amend", "accounts"),  # and the change it applied
    ]
    assert demo.history.verify().intact


def test_a_late_trade_cancel_can_be_approved(demo: Workspace) -> None:
    cancel = next(r for r in _requests(demo) if r.action == Action.TRADE_CANCEL_SETTLING)
    assert cancel.status is P.PENDING and cancel.target_key == f"trades:{cancel.target_id}"
    with _as(demo, "mobrien") as supervisor:
        detail = supervisor.approvals.detail(cancel.id)
        assert [(f.field, f.at_request, f.current, f.proposed) for f in detail.fields] == [
            ("status", "active", "active", "cancelled")
        ]
        supervisor.approvals.approve(cancel.id, "Dispute logged")
    versions = demo.trades.versions(cancel.target_id or 0)
    assert [(v.version_no, v.status.value, v.created_by) for v in versions] == [
        (1, "amended", versions[0].created_by),
        (2, "cancelled", cancel.maker),
    ]
