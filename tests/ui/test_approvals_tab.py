"""The Approvals tab, driven like a clerk and a supervisor would, on real databases.

Two windows on one database stand for two desks: the clerk's request, made by typing
in the Amend dialog, appears in the supervisor's queue, and approving it there
changes what the Accounts tab shows. Nobody can approve their own request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import AccountStatus, Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.listing import Column, ColumnKind
from desk_app.domain.permissions import Action
from desk_app.domain.rule_changes import RuleKind
from desk_app.domain.states import ApprovalStatus, TradeStatus
from desk_app.services.supervision.users import parse_registration
from desk_app.services.workspace import Workspace
from desk_app.ui import theme
from desk_app.ui.main_window import MainWindow
from desk_app.ui.models.paged_table_model import PagedTableModel, format_age, format_value
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.accounts_tab import AccountsTab
from desk_app.ui.tabs.approvals_tab import ApprovalsTab
from desk_app.ui.tabs.request_pane import REASON_NEEDED
from desk_app.ui.theme import Tone
from tests.clients import owner
from tests.conftest import add_staff, approve_grant, sign_in
from tests.services.supervision.test_approvals import AAPL, fund
from tests.ui.conftest import wait_ops

if TYPE_CHECKING:
    from tests.ui.conftest import FreeAccounts

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton
S24 = parse_registration("S24:2015-01-01")


@pytest.fixture
def open_ws() -> Iterator[Callable[[str, str], Workspace]]:
    """Open a workspace on ``url`` as ``user``; all are closed after the test."""
    opened: list[Workspace] = []

    def open_as(url: str, user: str) -> Workspace:
        opened.append(sign_in(url, user))
        return opened[-1]

    yield open_as
    for ws in opened:
        ws.close()


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Callable[[Workspace], MainWindow]:
    def make(ws: Workspace) -> MainWindow:
        store = QSettings(str(tmp_path / f"{ws.actor}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(DeskSettings(store), ws.actor)
        qtbot.addWidget(window)
        window.show()
        window.set_workspace(ws)
        return window

    return make


def approvals_text(window: MainWindow) -> str:
    """What the tab bar says on the Approvals tab (its pending count)."""
    return window.tab_widget.tabText(window.tab_widget.indexOf(window.tab("approvals")))


def approvals_of(window: MainWindow) -> ApprovalsTab:
    tab = window.tab("approvals")
    assert isinstance(tab, ApprovalsTab)
    window.tab_widget.setCurrentWidget(tab)
    return tab


def accounts_of(window: MainWindow) -> AccountsTab:
    tab = window.tab("accounts")
    assert isinstance(tab, AccountsTab)
    window.tab_widget.setCurrentWidget(tab)
    return tab


def select_request(tab: ApprovalsTab, request_id: int) -> None:
    rows = [tab.model.row_at(r)[-1] for r in range(tab.model.rowCount())]
    assert request_id in rows, f"request {request_id} not listed: {rows}"
    tab.view.selectRow(rows.index(request_id))
    assert tab.pane.request_id == request_id


def select_account(tab: AccountsTab, number: str) -> None:
    column = tab.model.column_of("account_number")
    numbers = [tab.model.index(r, column).data() for r in range(tab.model.rowCount())]
    tab.view.selectRow(numbers.index(number))
    assert tab.selected_account() == number


def shown_name(tab: AccountsTab, number: str) -> str:
    column = tab.model.column_of("account_number")
    for r in range(tab.model.rowCount()):
        if tab.model.index(r, column).data() == number:
            return str(tab.model.index(r, tab.model.column_of("name")).data())
    raise AssertionError(f"{number} not shown")


def staff_database(admin: Workspace) -> str:
    """An empty database with a clerk, a supervisor (S24) and one approved account."""
    add_staff(admin, "clerk1", [Role.CLERK], full_name="Clara Clerk")
    add_staff(admin, "super1", [Role.SUPERVISOR], full_name="Sam Super", registrations=[S24])
    clerk, boss = sign_in(admin.url, "clerk1"), sign_in(admin.url, "super1")
    try:
        fields = {"name": "Ada Lovelace", "registration_type": "individual",
                  "registered_rep": "Alan Brooks", "tax_id": "123-45-6789"}  # fmt: skip
        opening = clerk.accounts.request_open(
            "NYC-20417", fields, "new client", [owner("Ada Lovelace", tax_id="123-45-6789")]
        )
        boss.approvals.approve(opening)
    finally:
        clerk.close()
        boss.close()
    return "NYC-20417"


def test_clerk_request_is_approved_in_the_supervisors_tab(
    qtbot: QtBot,
    db_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
) -> None:
    number = staff_database(open_ws(db_url, "tester"))
    clerk_window = make_window(open_ws(db_url, "clerk1"))
    accounts = accounts_of(clerk_window)
    select_account(accounts, number)
    accounts.account_actions["amend"].trigger()
    wait_ops(qtbot)  # the record is read on a worker, then the form opens
    dialog = accounts.request_dialog
    assert dialog is not None and dialog.isVisible()
    name = dialog.editors["name"]
    assert isinstance(name, QLineEdit)
    name.selectAll()
    qtbot.keyClicks(name, "Ada King, Countess of Lovelace")
    qtbot.keyClicks(dialog.reason, "Married; certificate on file")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not dialog.isVisible() and dialog.request_id is not None
    request_id = dialog.request_id
    assert accounts.notice.text() == f"Request {request_id} sent for approval"
    assert approvals_text(clerk_window) == "Approvals (1)"

    boss_window = make_window(open_ws(db_url, "super1"))
    assert approvals_text(boss_window) == "Approvals (1)"
    queue = approvals_of(boss_window)
    select_request(queue, request_id)
    assert queue.pane.fields.column_texts(0) == ["Name"]
    assert queue.pane.fields.column_texts(3) == ["Ada King, Countess of Lovelace"]
    assert queue.pane.approve_button.isEnabled()
    qtbot.mouseClick(queue.pane.approve_button, LEFT)
    wait_ops(qtbot)

    assert queue.pane.message.text().startswith(f"Request {request_id} approved")
    assert approvals_text(boss_window) == "Approvals"
    assert queue.model.rowCount() == 0  # the pending list is empty now
    assert shown_name(accounts_of(boss_window), number) == "Ada King, Countess of Lovelace"
    accounts.refresh()  # the clerk's desk reads it on its next refresh
    assert shown_name(accounts, number) == "Ada King, Countess of Lovelace"


def _late_trades(ws: Workspace) -> list[int]:
    """Two demo trades whose settlement date has passed, with no request pending on them."""
    with ws.uow.read() as session:
        pending = set(
            session.scalars(
                select(m.ApprovalRequest.target_id).where(
                    m.ApprovalRequest.target_table == "trades",
                    m.ApprovalRequest.status == ApprovalStatus.PENDING,
                )
            )
        )
        rows = session.scalars(
            select(m.Trade.id)
            .join(m.Account, m.Account.id == m.Trade.account_id)
            .where(
                m.Trade.status == TradeStatus.ACTIVE,
                m.Trade.settle_date < market_today(),
                m.Account.status == AccountStatus.OPEN,
            )
            .order_by(m.Trade.id.desc())
            .limit(20)
        ).all()
    return [r for r in rows if r not in pending][:2]


def _file_three_requests(ws: Workspace, numbers: list[str], new_number: str) -> dict[Action, int]:
    """One request of every supervised action, made by ``ws``'s user."""
    amend, restrict, ira = numbers
    cancel_id, correct_id = _late_trades(ws)
    terms = ws.trades.record(correct_id).terms
    corrected = terms.with_changes(price=terms.price + Decimal("0.01"))
    late_cancel = ws.trades.cancel(cancel_id, "client disputes the order").request_id
    late_amend = ws.trades.amend(correct_id, corrected, "price per the ER").request_id
    assert late_cancel is not None and late_amend is not None
    return {
        Action.TRADE_CANCEL_SETTLING: late_cancel,
        Action.TRADE_AMEND_SETTLING: late_amend,
        Action.ACCOUNT_OPEN: ws.accounts.request_open(
            new_number,
            {"name": "Test Client", "registration_type": "individual", "registered_rep": "Al"},
            "new client",
            [owner("Test Client")],
        ),
        Action.ACCOUNT_AMEND: ws.accounts.request_amend(amend, {"residence_state": "VT"}, "moved"),
        Action.ACCOUNT_SET_STATUS: ws.accounts.request_status(restrict, "closed", "client left"),
        Action.TRANSFER_CASH: ws.transfers.request_cash(
            amend, restrict, Decimal(10), "USD", "fund"
        ).request_id,
        Action.TRANSFER_SECURITIES: ws.transfers.request_securities(
            amend, restrict, AAPL, Decimal(1), "gift"
        ).request_id,
        Action.SSI_CHANGE: ws.ssis.request_add(
            {
                "counterparty": "GPCM",
                "market": "US",
                "asset_class": "equity",
                "place_of_settlement": "DTCYUS33",
                "agent_bic": "CHASUS33",
                "safekeeping_account": "0005",
                "effective_from": "2026-12-01",
            },
            "new agent",
        ),
        Action.CERTIFICATE_REPLACE: _replacement(ws),
        Action.ACATS_COMPLETE_OUT: _acats_out(ws, amend),
        Action.ACATS_REVERSE_IN: _acats_in_reversed(ws, restrict),
        Action.REFERENCE_CHANGE_IN_USE: _bic_change(ws),
        Action.ESTATE_REREGISTER: _estate_reregistration(ws, ira, amend),
        Action.RULE_CHANGE: ws.rules.request(
            RuleKind.OVERRIDE,
            {
                "calendar_code": "US",
                "day": "2031-01-02",
                "settlement_day": "closed",
                "reason": "DTC outage",
            },
            "DTC's notice",
        ),  # fmt: skip
        Action.ACCOUNT_LIFT_RESTRICTION: ws.restrictions.request_lift(
            ws.restrictions.place(restrict, "legal-hold", "subpoena 26-114"), "order vacated"
        ),  # fmt: skip
    }


def _deceased_ira(admin: Workspace, source: str) -> str:
    """A new IRA holding 1,000 USD and 100 AAPL (no step-up: no prices needed)."""
    with admin.uow.write("test.setup") as session:
        session.add(m.Account(
            account_number="TST-IRA1", name="Ira Holder IRA", registration_type="ira",
            status=AccountStatus.OPEN, registered_rep="RR01", opened_on=date(2020, 1, 2),
        ))  # fmt: skip
    fund(admin, source, "TST-IRA1")
    return "TST-IRA1"


def _estate_reregistration(ws: Workspace, account: str, to: str) -> int:
    """The IRA's holder died: the case, its documents verified, the request to ``to``."""
    case_id = ws.estates.open_case(account, date(2026, 11, 2), "the beneficiary's letter")
    for doc in ws.estates.case(case_id).documents:
        ws.estates.receive(case_id, doc.kind, verified=True)
    return ws.estates.request_reregistration(case_id, [(to, None)])


def _acats_out(ws: Workspace, number: str) -> int:
    """A transfer out of 10 AAPL to a demo firm, validated: its completion is a request."""
    from desk_app.domain.acats import AcatsDirection, AcatsType
    from desk_app.services.transfers.acats import AssetAsked

    tid = ws.acats.new(
        AcatsDirection.OUT, number, contra="0562", contra_account="7700-1",
        transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(AAPL, Decimal(10))],
    ).transfer_id  # fmt: skip
    ws.acats.validate(tid)
    request_id = ws.acats.complete(tid).request_id
    assert request_id is not None
    return request_id


def _acats_in_reversed(ws: Workspace, number: str) -> int:
    """A transfer in of 10 AAPL from a demo firm, completed: its reversal is a request."""
    from desk_app.domain.acats import AcatsDirection, AcatsType
    from desk_app.services.transfers.acats import AssetAsked

    tid = ws.acats.new(
        AcatsDirection.IN, number, contra="0562", contra_account="7700-2",
        transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(AAPL, Decimal(10))],
    ).transfer_id  # fmt: skip
    ws.acats.validate(tid)
    ws.acats.complete(tid)
    request_id = ws.acats.reverse(tid, "sent to the wrong firm").request_id
    assert request_id is not None
    return request_id


def _bic_change(ws: Workspace) -> int:
    """A new BIC for a counterparty the demo's trades use (so it needs a principal)."""
    amended = ws.counterparties.amend("GPCM", {"bic": "CHASUS33"}, reason="merged desk")
    assert amended.request_id is not None
    return amended.request_id


def _replacement(ws: Workspace) -> int:
    """A replacement of one of the demo's lost certificates (their stops are placed)."""
    from desk_app.domain.listing import iter_rows

    source = ws.certificates.certificates(status="lost")
    row = next(iter_rows(source))
    reference = f"{row[1]}:{row[0]}"  # CUSIP:NUMBER
    return ws.certificate_moves.request_replacement(
        reference, new_number="TST-R1", indemnity_bond="B-1", surety="Travelers",
        location="Vault A", reason="the holder asks for a replacement",
    )  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_nobody_can_approve_their_own_request_through_the_ui(
    qtbot: QtBot,
    role: Role,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
    free_accounts: FreeAccounts,
) -> None:
    """Every supervised action × this role, maker = viewer: Approve and Reject stay disabled.

    The maker files the requests as a clerk, then an admin gives them ``role`` (with a
    principal registration in force), as when a clerk is promoted.
    """
    admin = open_ws(demo_url, "tester")
    user = f"maker_{role.value}"
    add_staff(admin, user, [Role.CLERK], registrations=[S24])
    as_clerk = open_ws(demo_url, user)
    numbers = free_accounts(admin)[:3]
    fund(admin, numbers[2], numbers[0])  # something to journal from the first
    ira = _deceased_ira(admin, numbers[2])
    ids = _file_three_requests(as_clerk, [*numbers[:2], ira], "TST-7001")
    assert set(ids) == set(as_clerk.approvals.actions) - {Action.USER_GRANT}
    promoted = admin.users.update(user, admin.users.get(user).version, roles=[role])
    if promoted.request_id is not None:  # a power role: a grant another principal approves
        approve_grant(demo_url, promoted.request_id)

    me = open_ws(demo_url, user)
    assert me.user.roles == {role}
    queue = approvals_of(make_window(me))
    for action, request_id in ids.items():
        select_request(queue, request_id)
        pane = queue.pane
        assert pane.detail is not None and pane.detail.action is action
        qtbot.keyClicks(pane.comment, "looks fine to me")
        for button in (pane.approve_button, pane.reject_button):
            assert not button.isEnabled()
            assert (
                button.toolTip() == f"{user} made this request; another supervisor must decide it"
            )
            qtbot.mouseClick(button, LEFT)
        pane.approve()  # what the button would call: a disabled button does nothing
        pane.reject()
        assert pane.withdraw_button.isVisible() and pane.withdraw_button.isEnabled()
        assert "made this request" in pane.why_not.text()
        pane.comment.clear()
    statuses = {me.approvals.detail(i).status for i in ids.values()}
    assert statuses == {ApprovalStatus.PENDING}  # zero self-approvals

    # Viewing someone else's request: only a supervisor with a registration may decide.
    other = next(iter(ids.values()))
    for viewer, may_decide in (("mobrien", True), ("lwashington", False)):
        tab = approvals_of(make_window(open_ws(demo_url, viewer)))
        select_request(tab, other)
        assert tab.pane.approve_button.isEnabled() is may_decide
        assert not tab.pane.withdraw_button.isVisible()
        if not may_decide:
            assert "needs the supervisor role" in tab.pane.approve_button.toolTip()


def test_a_decision_through_the_computer_login_asks_for_a_password(
    qtbot: QtBot,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
) -> None:
    """A local file opened with nothing typed: the pane asks for a password, and without
    one nothing is decided; someone who signed in with their password is not asked."""
    kfischer = open_ws(demo_url, "kfischer")
    tester = kfischer.users.get("tester")  # the computer's own login, signed in as it
    grant = kfischer.users.update("tester", tester.version, roles=[Role.ADMIN, Role.SUPERVISOR],
                                  registrations=[S24])  # fmt: skip
    assert grant.request_id is not None
    approve_grant(demo_url, grant.request_id)
    me = open_ws(demo_url, "tester")
    assert not me.user.credentialed
    queue = approvals_of(make_window(me))
    queue.view.selectRow(0)
    pane = queue.pane
    assert pane.approve_button.isEnabled() and pane.credential.isVisible()
    assert "computer's login" in pane.credential.toolTip()
    rid = pane.request_id
    assert rid is not None
    qtbot.mouseClick(pane.approve_button, LEFT)
    wait_ops(qtbot)
    assert "Approving needs a credential" in pane.message.text()
    assert me.approvals.detail(rid).status is ApprovalStatus.PENDING

    boss = approvals_of(make_window(open_ws(demo_url, "mobrien")))
    select_request(boss, rid)
    assert boss.pane.approve_button.isEnabled() and not boss.pane.credential.isVisible()


def test_reject_needs_a_reason_and_withdraw_is_the_makers(
    qtbot: QtBot,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
    free_accounts: FreeAccounts,
) -> None:
    clerk = open_ws(demo_url, "jmorales")
    first, second = free_accounts(clerk)[:2]
    to_reject = clerk.accounts.request_amend(first, {"residence_state": "VT"}, "moved")
    to_withdraw = clerk.accounts.request_amend(second, {"base_currency": "EUR"}, "relocated")

    boss = approvals_of(make_window(open_ws(demo_url, "mobrien")))
    before = boss.pending_count()
    select_request(boss, to_reject)
    assert not boss.pane.reject_button.isEnabled()
    assert boss.pane.reject_button.toolTip() == REASON_NEEDED
    assert boss.pane.approve_button.isEnabled()
    qtbot.keyClicks(boss.pane.comment, "No change-of-address form on file")
    assert boss.pane.reject_button.isEnabled()
    qtbot.mouseClick(boss.pane.reject_button, LEFT)
    wait_ops(qtbot)
    detail = clerk.approvals.detail(to_reject)
    assert (detail.status, detail.decided_by) == (ApprovalStatus.REJECTED, "mobrien")
    assert detail.decision_note == "No change-of-address form on file"
    assert boss.pending_count() == before - 1
    assert boss.tab_text() == f"Approvals ({before - 1})"

    mine = approvals_of(make_window(clerk))
    assert mine.only_mine.isChecked() and not mine.only_mine.isEnabled()
    assert "needs the supervisor or compliance role" in mine.only_mine.toolTip()
    select_request(mine, to_withdraw)
    qtbot.mouseClick(mine.pane.withdraw_button, LEFT)
    wait_ops(qtbot)
    assert clerk.approvals.detail(to_withdraw).status is ApprovalStatus.WITHDRAWN
    assert mine.notice.text() == f"Request {to_withdraw} withdrawn."
    mine.status_filter.setCurrentIndex(mine.status_filter.findText("Rejected"))
    select_request(mine, to_reject)
    assert mine.pane.facts["decision"].text().startswith("Rejected by mobrien")
    assert not mine.pane.comment.isVisible()


def test_a_stale_request_says_so_and_cannot_be_approved(
    qtbot: QtBot,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
    free_accounts: FreeAccounts,
) -> None:
    clerk, other = open_ws(demo_url, "jmorales"), open_ws(demo_url, "dkowalski")
    boss = open_ws(demo_url, "mobrien")
    (number,) = free_accounts(clerk)[:1]
    stale = clerk.accounts.request_amend(number, {"name": "New Name"}, "typo")
    boss.approvals.approve(other.accounts.request_status(number, "closed", "client left"))

    tab = approvals_of(make_window(boss))
    select_request(tab, stale)
    assert tab.pane.stale_banner.isVisible()
    assert "can no longer be approved" in tab.pane.stale_banner.text()
    assert not tab.pane.approve_button.isEnabled()
    assert "only be rejected" in tab.pane.approve_button.toolTip()
    qtbot.keyClicks(tab.pane.comment, "stale: please file it again")
    qtbot.mouseClick(tab.pane.reject_button, LEFT)
    wait_ops(qtbot)
    assert boss.approvals.detail(stale).status is ApprovalStatus.REJECTED


def test_overdue_requests_are_amber_and_ages_read_as_durations(
    qtmodeltester: ModelTester,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
) -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    ages = [now - timedelta(seconds=s) for s in (20, 35 * 60, 5 * 3600 + 59, 3 * 86400 + 7)]
    assert [format_age(t, now) for t in ages] == ["just now", "35 min", "5 h", "3 d"]
    column = Column("made_at", "Age", ColumnKind.AGE)
    assert format_value(column, ages[1], now) == "35 min"

    boss = open_ws(demo_url, "mobrien")
    model = PagedTableModel(boss.approvals.requests())
    assert model.rowCount() > 0
    qtmodeltester.check(model)
    age = model.index(0, model.column_of("made_at"))
    assert isinstance(age.data(Qt.ItemDataRole.UserRole), datetime)
    assert "UTC" in age.data(Qt.ItemDataRole.ToolTipRole)
    assert age.data().endswith(("min", " h", " d", "now"))

    tab = approvals_of(make_window(boss))
    amber = theme.foreground(Tone.WARNING)
    for r in range(tab.model.rowCount()):
        made = tab.model.row_at(r)[tab.model.column_of("made_at")]
        overdue = datetime.now(UTC) - made > timedelta(days=1)
        colour = tab.model.index(r, tab.model.column_of("status")).data(
            Qt.ItemDataRole.ForegroundRole
        )
        assert (colour == amber) is overdue
    assert any(
        datetime.now(UTC) - tab.model.row_at(r)[2] > timedelta(days=1)
        for r in range(tab.model.rowCount())
    )


def test_the_pending_count_follows_other_desks(
    qtbot: QtBot,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
    free_accounts: FreeAccounts,
) -> None:
    """The connection check also counts the queue: a request filed elsewhere shows up."""
    window = make_window(open_ws(demo_url, "mobrien"))
    count = window.approvals_tab.pending_count()
    assert approvals_text(window) == f"Approvals ({count})"
    clerk = open_ws(demo_url, "jmorales")
    clerk.accounts.request_amend(free_accounts(clerk)[:1][0], {"residence_state": "VT"}, "moved")
    window.check_connection()
    qtbot.waitUntil(lambda: approvals_text(window) == f"Approvals ({count + 1})")


def test_a_request_decided_at_another_desk_is_said_in_the_pane(
    qtbot: QtBot,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
    free_accounts: FreeAccounts,
) -> None:
    clerk = open_ws(demo_url, "jmorales")
    rid = clerk.accounts.request_amend(free_accounts(clerk)[:1][0], {"base_currency": "EUR"}, "r")
    first = approvals_of(make_window(open_ws(demo_url, "mobrien")))
    second = approvals_of(make_window(open_ws(demo_url, "sgoldberg")))
    select_request(first, rid)
    select_request(second, rid)
    qtbot.mouseClick(first.pane.approve_button, LEFT)
    wait_ops(qtbot)
    assert second.pane.approve_button.isEnabled()  # it has not looked again yet
    qtbot.mouseClick(second.pane.approve_button, LEFT)
    wait_ops(qtbot)  # refused: the pane says why
    assert second.pane.message.text() == f"Request {rid} is already approved by mobrien"
    assert second.pane.facts["decision"].text().startswith("Approved by mobrien")
    assert not second.pane.approve_button.isEnabled()
    assert second.pane.approve_button.toolTip() == "Already approved"


def test_a_double_click_on_approve_decides_once(
    qtbot: QtBot,
    demo_url: str,
    open_ws: Callable[[str, str], Workspace],
    make_window: Callable[[Workspace], MainWindow],
    free_accounts: FreeAccounts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clerk, boss = open_ws(demo_url, "jmorales"), open_ws(demo_url, "mobrien")
    rid = clerk.accounts.request_amend(free_accounts(clerk)[0], {"base_currency": "EUR"}, "r")
    tab = approvals_of(make_window(boss))
    select_request(tab, rid)
    calls: list[int] = []
    approve = boss.approvals.approve

    def counted(request_id: int, comment: str = "", *, credential: str | None = None) -> None:
        calls.append(request_id)
        approve(request_id, comment, credential=credential)

    monkeypatch.setattr(boss.approvals, "approve", counted)
    tab.pane.approve()
    tab.pane.approve()  # the second press, before the first came back
    wait_ops(qtbot)
    assert calls == [rid]
    assert tab.notice.text().startswith(f"Request {rid} approved")
