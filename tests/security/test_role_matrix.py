"""The role × action matrix, tried through the services every route goes through.

For each of the demo's staff (a clerk, a supervisor, a compliance officer, an admin),
signed in with their own password, every action of `desk_app.domain.permissions` is
attempted once through the service call the GUI and the CLI make. An action the role
may not do is refused with `NotPermitted` and leaves no trace in the audit trail; one
it may do is never refused for want of a role (it may still be refused for a business
reason: the demo's data is what it is). A missing route fails the test, so a new
action cannot be added without being tried here.

The maker-checker half: no pending request of the demo is decided by its maker,
whatever the route (service or command line) and with the maker's right password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desk_app.cli import main as cli_main
from desk_app.db import models as m
from desk_app.demo.catalogue_people import DEMO_PASSWORD
from desk_app.domain.codes import AccountStatus, Role, Side
from desk_app.domain.errors import DeskError, NotPermitted
from desk_app.domain.permissions import Action, allowed
from desk_app.domain.rule_changes import RuleKind
from desk_app.domain.states import (
    ApprovalStatus,
    CertificateStatus,
    ManifestStatus,
    ObligationStatus,
    TradeStatus,
)
from desk_app.domain.supervision import Registration
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.workspace import Workspace, open_workspace
from tests.clients import owner
from tests.conftest import settle_workers
from tests.services.custody.certificate_helpers import dispatch
from tests.services.custody.certificate_helpers import values as certificate_values

GOOD_CSV = Path(__file__).parents[1] / "data" / "trades" / "good.csv"
#: One of the demo's staff for each role.
STAFF = {
    Role.CLERK: "jmorales",
    Role.SUPERVISOR: "mobrien",
    Role.COMPLIANCE: "lwashington",
    Role.ADMIN: "kfischer",
}


@dataclass(frozen=True)
class Book:
    """What the demo holds that the routes act on, found once per database."""

    account: str
    other_account: str
    isin: str
    counterparty: str
    trade_id: int
    settling_trade_id: int
    obligation_id: int
    vault_certificate: str
    lost_certificate: str
    prepared_certificate: str
    draft_manifest: str
    others_request: int
    grant_request: int
    restriction: int


def _book(ws: Workspace, reader: str) -> Book:
    with ws.uow.read() as s:
        accounts = list(
            s.scalars(
                select(m.Account.account_number)
                .where(m.Account.status == AccountStatus.OPEN)
                .order_by(m.Account.id)
                .limit(2)
            )
        )
        trade = s.scalars(
            select(m.Trade).where(m.Trade.status == TradeStatus.ACTIVE).order_by(m.Trade.id)
        ).first()
        assert trade is not None
        settling = s.scalars(
            select(m.SettlementObligation).where(
                m.SettlementObligation.status == ObligationStatus.MATCHED
            )
        ).first()
        assert settling is not None

        def certificate(status: CertificateStatus) -> str:
            number = s.scalars(
                select(m.Certificate.certificate_number).where(m.Certificate.status == status)
            ).first()
            assert number is not None, status
            return number

        manifest = s.scalars(
            select(m.CourierManifest.manifest_number).where(
                m.CourierManifest.status == ManifestStatus.DRAFT
            )
        ).first()
        request = s.scalars(
            select(m.ApprovalRequest.id)
            .where(
                m.ApprovalRequest.status == ApprovalStatus.PENDING,
                m.ApprovalRequest.maker != reader,
                m.ApprovalRequest.action != Action.USER_GRANT.value,
            )
            .order_by(m.ApprovalRequest.id)
        ).first()
        grant = s.scalars(
            select(m.ApprovalRequest.id).where(
                m.ApprovalRequest.status == ApprovalStatus.PENDING,
                m.ApprovalRequest.action == Action.USER_GRANT.value,
            )
        ).first()
        party = s.scalars(select(m.Counterparty.code).order_by(m.Counterparty.id)).first()
        restriction = s.scalars(
            select(m.AccountRestriction.id)
            .where(m.AccountRestriction.lifted_at.is_(None))
            .order_by(m.AccountRestriction.id.desc())
        ).first()
        isin = s.scalars(select(m.Instrument.isin).where(m.Instrument.id == trade.instrument_id))
        assert manifest is not None and request is not None and party is not None
        assert grant is not None and restriction is not None
        return Book(
            accounts[0], accounts[1], isin.one(), party, trade.id, settling.trade_id,
            settling.id, certificate(CertificateStatus.IN_VAULT),
            certificate(CertificateStatus.LOST), certificate(CertificateStatus.PREPARED),
            manifest, request, grant, restriction,
        )  # fmt: skip


def _terms(ws: Workspace, b: Book) -> TradeTerms:
    return TradeTerms(
        account=b.account, side=Side.BUY, isin=b.isin, quantity=Decimal(10),
        price=Decimal("12.5"), currency="USD", trade_date=ws.trades.today(),
        trade_time=datetime.now(UTC), counterparty=b.counterparty,
    )  # fmt: skip


def _amended(ws: Workspace, trade_id: int) -> TradeTerms:
    return ws.trades.record(trade_id).terms.with_changes(quantity=Decimal(7))


Route = Callable[[Workspace, Book], object]
PRINCIPAL = Registration("S24", date(2020, 1, 1))

#: One service call per action: what the tab's button and the CLI's command call.
ROUTES: dict[Action, Route] = {
    Action.VIEW_BOOKS: lambda ws, b: ws.presets.save("blotter", "matrix", "{}"),
    Action.VIEW_HISTORY: lambda ws, b: ws.history.account_history(b.account),
    Action.REVEAL_TAX_ID: lambda ws, b: ws.accounts.reveal_tax_id(b.account),
    Action.ACCOUNT_OPEN: lambda ws, b: ws.accounts.request_open(
        "ZZZ-00001",
        {"name": "New Client", "registration_type": "ira", "registered_rep": "RR02"},
        "new client",
        [owner("New Client")],
    ),  # fmt: skip
    Action.ACCOUNT_AMEND: lambda ws, b: ws.accounts.request_amend(
        b.other_account, {"name": "Renamed Client"}, "client's letter"
    ),  # fmt: skip
    Action.ACCOUNT_SET_STATUS: lambda ws, b: ws.accounts.request_status(
        b.other_account, "closed", "client left"
    ),  # fmt: skip
    Action.ACCOUNT_RESTRICT: lambda ws, b: ws.restrictions.place(
        b.other_account, "legal-hold", "subpoena 26-114"
    ),  # fmt: skip
    Action.ACCOUNT_LIFT_RESTRICTION: lambda ws, b: ws.restrictions.request_lift(
        b.restriction, "order vacated"
    ),  # fmt: skip
    Action.APPROVAL_VIEW_ALL: lambda ws, b: ws.approvals.detail(b.others_request),
    Action.APPROVAL_DECIDE: lambda ws, b: ws.approvals.approve(
        b.others_request, credential=DEMO_PASSWORD
    ),  # fmt: skip
    Action.USER_VIEW: lambda ws, b: ws.users.users(),
    Action.USER_MANAGE: lambda ws, b: ws.users.add("matrixclerk", {Role.CLERK}),
    Action.USER_GRANT: lambda ws, b: ws.users.add(
        "matrixsup", {Role.SUPERVISOR}, registrations=[PRINCIPAL]
    ),  # fmt: skip
    Action.GRANT_DECIDE: lambda ws, b: ws.approvals.approve(
        b.grant_request, credential=DEMO_PASSWORD
    ),  # fmt: skip
    Action.AUDIT_VERIFY: lambda ws, b: ws.history.verify(),
    Action.TRADE_BOOK: lambda ws, b: ws.trades.book(_terms(ws, b)),
    Action.TRADE_IMPORT: lambda ws, b: ws.imports.import_bytes(GOOD_CSV.read_bytes(), "good.csv"),
    Action.TRADE_AMEND: lambda ws, b: ws.trades.amend(
        b.trade_id, _amended(ws, b.trade_id), "allocation error"
    ),  # fmt: skip
    Action.TRADE_CANCEL: lambda ws, b: ws.trades.cancel(b.trade_id, "booked twice"),
    Action.TRADE_AMEND_SETTLING: lambda ws, b: ws.trades.amend(
        b.settling_trade_id, _amended(ws, b.settling_trade_id), "allocation error"
    ),  # fmt: skip
    Action.TRADE_CANCEL_SETTLING: lambda ws, b: ws.trades.cancel(
        b.settling_trade_id, "client disputes it"
    ),  # fmt: skip
    Action.SETTLEMENT_RUN: lambda ws, b: ws.settlements.run(),
    Action.SETTLEMENT_SETTLE: lambda ws, b: ws.settling.settle(b.obligation_id),
    Action.SETTLEMENT_DATES_CORRECT: lambda ws, b: ws.settle_dates.correct(
        date(2000, 1, 1), date(2099, 12, 31)
    ),  # fmt: skip
    Action.FAIL_RULES: lambda ws, b: ws.fails.set_threshold(b.isin, True),
    Action.RULE_CHANGE: lambda ws, b: ws.rules.request(
        RuleKind.FAIL_RULE, {"code": "REGSHO-LONG", "days": "12"}, "the new close-out rule"
    ),
    Action.SSI_CHANGE: lambda ws, b: ws.ssis.request_add(
        {
            "counterparty": b.counterparty,
            "market": "US",
            "asset_class": "treasury",
            "place_of_settlement": "FRNYUS33",
            "agent_bic": "CHASUS33",
            "safekeeping_account": "0005",
            "effective_from": "2031-01-01",
        },
        "new Fedwire route",
    ),  # fmt: skip
    Action.TRANSFER_CASH: lambda ws, b: ws.transfers.request_cash(
        b.account, b.other_account, Decimal("1.00"), "USD", "client's letter"
    ),  # fmt: skip
    Action.TRANSFER_SECURITIES: lambda ws, b: ws.transfers.request_securities(
        b.account, b.other_account, b.isin, Decimal(1), "client's letter"
    ),  # fmt: skip
    Action.ACATS_WORK: lambda ws, b: ws.acats.validate(1),
    Action.ACATS_COMPLETE_OUT: lambda ws, b: ws.acats.complete(1),
    Action.ACATS_REVERSE_IN: lambda ws, b: ws.acats.reverse(1, "sent to the wrong firm"),
    Action.CERTIFICATE_REGISTER: lambda ws, b: ws.certificates.add(certificate_values("M-1")),
    Action.CERTIFICATE_MOVE: lambda ws, b: ws.certificate_moves.prepare([b.vault_certificate]),
    Action.CERTIFICATE_REPLACE: lambda ws, b: ws.certificate_moves.request_replacement(
        b.lost_certificate,
        new_number=f"{b.lost_certificate}R",
        indemnity_bond="B-1",
        surety="Travelers",
        location="Vault A",
        reason="holder asks for a replacement",
    ),  # fmt: skip
    Action.MANIFEST_PREPARE: lambda ws, b: ws.manifests.create(
        dispatch(), [b.prepared_certificate]
    ),  # fmt: skip
    Action.MANIFEST_VERIFY: lambda ws, b: ws.manifests.verify(b.draft_manifest),
    Action.BOX_COUNT: lambda ws, b: ws.box_counts.start(),
    Action.BOX_COUNT_RESOLVE: lambda ws, b: ws.box_counts.close(1, "counted twice"),
    Action.REFERENCE_EDIT: lambda ws, b: ws.counterparties.add(
        {"code": "MATRIX", "name": "Matrix Securities", "kind": "broker"}
    ),
    Action.REFERENCE_CHANGE_IN_USE: lambda ws, b: ws.counterparties.amend(
        b.counterparty, {"dtc_participant": "0999"}, reason="matrix"
    ),
    Action.PRICE_IMPORT: lambda ws, b: ws.prices.import_bytes(
        f"isin,date,price,currency\n{b.isin},2026-01-02,10,USD\n".encode(), "close.csv"
    ),
    Action.ESTATE_CASE: lambda ws, b: ws.estates.open_case(b.other_account, date(2026, 11, 2)),
    Action.ESTATE_REREGISTER: lambda ws, b: ws.estates.request_reregistration(
        1, [(b.account, None)]
    ),  # fmt: skip
}


def test_every_action_has_a_route() -> None:
    assert set(ROUTES) == set(Action)


@pytest.fixture
def signed_in(demo_url: str) -> Iterator[Callable[[str], Workspace]]:
    opened: list[Workspace] = []

    def sign_in(name: str) -> Workspace:
        ws = open_workspace(demo_url, name, password=DEMO_PASSWORD)
        opened.append(ws)
        return ws

    yield sign_in
    settle_workers()
    for ws in opened:
        ws.close()


def _trail(ws: Workspace) -> int:
    with ws.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(m.AuditEntry)) or 0)


@pytest.mark.parametrize("role", list(STAFF), ids=[r.value for r in STAFF])
def test_each_role_does_only_what_the_matrix_allows(
    role: Role, signed_in: Callable[[str], Workspace]
) -> None:
    # A grant the demo's admin filed: principals and compliance decide it, nobody else.
    signed_in(STAFF[Role.ADMIN]).users.add("granted", {Role.SUPERVISOR}, registrations=[PRINCIPAL])
    ws = signed_in(STAFF[role])
    book = _book(ws, STAFF[role])
    wrong: list[str] = []
    # What the role may not do first: each refused, nothing written.
    for action in (a for a in Action if not allowed({role}, a)):
        seq = _trail(ws)
        try:
            ROUTES[action](ws, book)
        except NotPermitted:
            pass
        except DeskError as exc:
            wrong.append(f"{action}: refused, but not as not permitted: {exc}")
        else:
            wrong.append(f"{action}: done by a {role.value}")
        if _trail(ws) != seq:
            wrong.append(f"{action}: left {_trail(ws) - seq} audit entries behind")
    # Then what it may: never refused for want of the role.
    for action in (a for a in Action if allowed({role}, a)):
        try:
            ROUTES[action](ws, book)
        except NotPermitted as exc:
            if f"{action.label} needs the" in str(exc):
                wrong.append(f"{action}: a {role.value} was refused it: {exc}")
        except DeskError:
            pass  # a business refusal: the demo's record may not allow it
    assert wrong == []


def test_nobody_decides_their_own_request_on_any_route(
    signed_in: Callable[[str], Workspace], demo_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    look = signed_in("mobrien")
    with look.uow.read() as session:
        pending = list(
            session.execute(
                select(m.ApprovalRequest.id, m.ApprovalRequest.maker).where(
                    m.ApprovalRequest.status == ApprovalStatus.PENDING
                )
            )
        )
    assert pending
    monkeypatch.setenv("DESK_PASSWORD", DEMO_PASSWORD)
    for request_id, maker in pending:
        ws = signed_in(maker)
        with pytest.raises(NotPermitted):
            ws.approvals.approve(request_id, credential=DEMO_PASSWORD)
        with pytest.raises(NotPermitted):
            ws.approvals.reject(request_id, "mine", credential=DEMO_PASSWORD)
        code = cli_main(["--db", demo_url, "--user", maker, "approvals", "approve",
                         str(request_id)])  # fmt: skip
        assert code != 0, (request_id, maker)
    capsys.readouterr()
    with look.uow.read() as session:
        still = session.scalar(
            select(func.count()).where(m.ApprovalRequest.status == ApprovalStatus.PENDING)
        )
    assert still == len(pending)
