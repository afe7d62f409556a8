"""The insider against account maintenance: a clerk's own login and a SQL client.

Accounts, their parties, journals, ACATS transfers and estate cases change on
PostgreSQL only as Desk changes them: in the transaction that approved the request,
or in the signed-in user's own name where a clerk does the work. Each test tries
what an insider would, through their own login, then walks Desk's own path to show
it still passes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text

from desk_app.db import models as m
from desk_app.domain.acats import AcatsDirection, AcatsStatus, AcatsType
from desk_app.domain.codes import CounterpartyKind
from desk_app.domain.estate_rules import CaseStatus, DocumentStatus
from desk_app.services.transfers.acats import AssetAsked
from tests.clients import owner
from tests.security.conftest import refused, sql_as
from tests.services.estates.test_estates import BOUGHT, give
from tests.services.estates.test_estates import estates as estates  # noqa: PLC0414 (fixture)

if TYPE_CHECKING:
    from tests.services.conftest import Desk

AAPL = "US0378331005"


def _shared(desk: Desk) -> Desk:
    if not desk.shared:
        pytest.skip("the server's own checks: PostgreSQL")
    return desk


def _account_id(conn: object, number: str) -> int:
    return int(
        conn.execute(  # type: ignore[attr-defined]
            text("SELECT id FROM accounts WHERE account_number = :n"), {"n": number}
        ).scalar_one()
    )


def test_a_clerk_cannot_change_an_account_or_its_parties(desk: Desk) -> None:
    desk = _shared(desk)
    carl, sue = desk.ws["carl"].accounts, desk.ws["sue"]
    number = desk.next_number()
    opening = {"name": "Ada Lovelace", "registration_type": "individual",
               "registered_rep": "RR01", "tax_id": "123-45-6789"}  # fmt: skip
    sue.approvals.approve(
        carl.request_open(
            number, opening, "new client", [owner("Ada Lovelace", tax_id="123-45-6789")]
        )
    )
    with sql_as(desk, "carl") as conn:
        account = _account_id(conn, number)
        reason = refused(
            conn, "UPDATE accounts SET registration_type = 'joint-jtwros' WHERE id = :i", i=account
        )
        assert "changed only when a principal approves" in reason
        refused(conn, "UPDATE accounts SET status = 'closed' WHERE id = :i", i=account)
        refused(conn, "DELETE FROM accounts WHERE id = :i", i=account)
        refused(
            conn,
            "INSERT INTO accounts (account_number, name, registration_type, status, "
            "registered_rep, residence_country, base_currency, opened_on, version, updated_at) "
            "VALUES ('NYC-9999', 'Mine', 'individual', 'open', 'RR01', 'US', 'USD', "
            "current_date, 1, now())",
        )
        # Add themselves as an owner; rename the owner; delete them.
        reason = refused(
            conn,
            "INSERT INTO account_parties (account_id, position, role, kind, name, "
            "associated_person, contingent, per_stirpes, added_on, version, updated_at) "
            "VALUES (:a, 2, 'joint-owner', 'person', 'Carl', false, false, false, "
            "current_date, 1, now())",
            a=account,
        )
        assert "change only when a principal approves" in reason
        refused(conn, "UPDATE account_parties SET name = 'Carl' WHERE account_id = :a", a=account)
        refused(
            conn, "UPDATE account_parties SET ended_on = current_date WHERE account_id = :a",
            a=account,
        )  # fmt: skip
        refused(conn, "DELETE FROM account_parties WHERE account_id = :a", a=account)
    # A supervisor's own login is no way round it either: only an approval opens the door.
    with sql_as(desk, "sue") as conn:
        refused(conn, "UPDATE accounts SET name = 'Sue' WHERE account_number = :n", n=number)
    # Desk's own path: an approved change to the name and the parties.
    [held] = carl.parties(number)
    joint = owner("Bo Lee", "joint-owner", tax_id="987-65-4321")
    request_id = carl.request_amend(
        number, {"registration_type": "joint-jtwros", "name": "Ada and Bo"}, "married",
        [dict(held.values), joint],
    )  # fmt: skip
    sue.approvals.approve(request_id)
    assert desk.account_row(number)["name"] == "Ada and Bo"
    assert [p.name for p in carl.parties(number)] == ["Ada Lovelace", "Bo Lee"]


@pytest.fixture
def acats_desk(funded_desk: Desk) -> Desk:
    _shared(funded_desk)
    with funded_desk.admin.uow.write("test.setup") as session:
        session.add(m.Counterparty(code="SCHW", name="Charles Schwab", dtc_participant="0164",
                                   kind=CounterpartyKind.BROKER))  # fmt: skip
    return funded_desk


def test_a_clerk_cannot_post_a_journal_or_ask_in_anothers_name(acats_desk: Desk) -> None:
    desk = acats_desk
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    asked = carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(10), "gift")
    with sql_as(desk, "carl") as conn:
        source, target = _account_id(conn, "ACC-200"), _account_id(conn, "ACC-300")
        columns = ("INSERT INTO journals (book, from_account_id, to_account_id, currency, amount, "
                   "memo, requested_by, requested_at, version, updated_at) VALUES ('cash', :s, "
                   ":t, 'USD', 100, 'x', :by, now(), 1, now())")  # fmt: skip
        reason = refused(conn, columns, s=source, t=target, by="sam")
        assert "in one's own name, not sam's" in reason
        posting = conn.execute(text("SELECT max(id) FROM ledger_postings")).scalar_one()
        reason = refused(
            conn, "UPDATE journals SET posting_id = :p WHERE id = :i", p=posting, i=asked.journal_id
        )
        assert "posted only when a principal approves" in reason
        refused(conn, "UPDATE journals SET quantity = 90 WHERE id = :i", i=asked.journal_id)
        refused(conn, "UPDATE journals SET to_account_id = :s WHERE id = :i", s=source,
                i=asked.journal_id)  # fmt: skip
        refused(conn, "DELETE FROM journals WHERE id = :i", i=asked.journal_id)
        # In their own name, unposted and without a request, it is only a stray row: the
        # posting still needs a principal's approval of a request for it.
        conn.execute(text(columns), {"s": source, "t": target, "by": "carl"})
    sue.approvals.approve(asked.request_id)
    assert carl.transfers.available_position("ACC-300", AAPL) == 10


def _out(desk: Desk) -> int:
    return desk.ws["carl"].acats.new(
        AcatsDirection.OUT, "ACC-200", contra="164", contra_account="9981-2201",
        transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(AAPL, Decimal(60))],
    ).transfer_id  # fmt: skip


def test_a_clerk_cannot_complete_an_acats_transfer_in_sql(acats_desk: Desk) -> None:
    desk = acats_desk
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    tid = _out(desk)
    carl.acats.validate(tid)
    asked = carl.acats.complete(tid)
    assert asked.request_id is not None
    with sql_as(desk, "carl") as conn:
        reason = refused(
            conn, "UPDATE acats_transfers SET status = 'completed', completed_on = current_date "
            "WHERE id = :i", i=tid,
        )  # fmt: skip
        assert "completed only by posting it" in reason
        reason = refused(conn, "UPDATE acats_transfers SET status = 'review' WHERE id = :i", i=tid)
        assert "settle_prep cannot become review" in reason
        refused(conn, "UPDATE acats_transfers SET account_id = account_id + 1 WHERE id = :i", i=tid)
        refused(conn, "UPDATE acats_assets SET quantity = 1 WHERE transfer_id = :i", i=tid)
        refused(conn, "DELETE FROM acats_assets WHERE transfer_id = :i", i=tid)
        refused(
            conn, "INSERT INTO acats_assets (transfer_id, currency, amount, version, updated_at) "
            "VALUES (:i, 'USD', 5000, 1, now())", i=tid,
        )  # fmt: skip
        refused(conn, "DELETE FROM acats_transfers WHERE id = :i", i=tid)
        reason = refused(
            conn,
            "INSERT INTO acats_transfers (direction, account_id, contra_id, contra_account, "
            "transfer_type, status, status_since, requested_on, resubmissions, requested_by, "
            "requested_at, version, updated_at) SELECT 'in', account_id, contra_id, 'x', "
            "'full', 'request', current_date, current_date, 0, 'sam', now(), 1, now() "
            "FROM acats_transfers WHERE id = :i",
            i=tid,
        )
        assert "in one's own name, not sam's" in reason
    # A transfer in, ready to settle, is not marked complete without its posting either.
    tin = carl.acats.new(
        AcatsDirection.IN, "ACC-300", contra="SCHW", contra_account="5550-1",
        transfer_type=AcatsType.FULL, cash=[("USD", Decimal("125.40"))],
    ).transfer_id  # fmt: skip
    carl.acats.validate(tin)
    with sql_as(desk, "carl") as conn:
        conn.execute(text("UPDATE acats_transfers SET status = 'settle_prep' WHERE id = :i"),
                     {"i": tin})  # fmt: skip
        refused(conn, "UPDATE acats_transfers SET status = 'completed' WHERE id = :i", i=tin)
    # Desk's own path: the principal approves the transfer out; the clerk completes the one in.
    sue.approvals.approve(asked.request_id)
    assert carl.acats.view(tid).status is AcatsStatus.COMPLETED
    carl.acats.complete(tin)
    assert carl.acats.view(tin).status is AcatsStatus.COMPLETED
    with sql_as(desk, "carl") as conn:
        refused(conn, "UPDATE acats_transfers SET status = 'reversed' WHERE id = :i", i=tin)
        refused(conn, "UPDATE acats_transfers SET posting_id = NULL WHERE id = :i", i=tid)


def test_a_clerk_cannot_verify_or_close_an_estate_in_anothers_name(estates: Desk) -> None:
    desk = _shared(estates)
    carl = desk.ws["carl"]
    number = desk.account("NYC-JANE", name="Jane Doe")
    give(desk, number, lots=(BOUGHT,))
    case_id = carl.estates.open_case(number, date(2026, 3, 6), "call from the son")
    with sql_as(desk, "carl") as conn:
        reason = refused(
            conn, "UPDATE estate_documents SET status = 'verified', received_on = current_date, "
            "received_by = 'sam', verified_on = current_date, verified_by = 'sam' "
            "WHERE case_id = :c AND kind = 'death-certificate'", c=case_id,
        )  # fmt: skip
        assert "received in one's own name" in reason
        reason = refused(
            conn, "UPDATE estate_documents SET status = 'verified', verified_on = current_date, "
            "verified_by = 'carl' WHERE case_id = :c AND kind = 'death-certificate'", c=case_id,
        )  # fmt: skip
        assert "verified in one's own name, once received" in reason
        refused(conn, "UPDATE estate_documents SET kind = 'w9-x' WHERE case_id = :c", c=case_id)
        refused(conn, "DELETE FROM estate_documents WHERE case_id = :c AND kind = 'letters'",
                c=case_id)  # fmt: skip
        refused(
            conn, "INSERT INTO estate_documents (case_id, kind, label, position, status, "
            "received_on, received_by, version, updated_at) VALUES (:c, 'extra', 'x', 9, "
            "'received', current_date, 'carl', 1, now())", c=case_id,
        )  # fmt: skip
        reason = refused(
            conn, "UPDATE estate_cases SET status = 'closed', closed_at = now() WHERE id = :c",
            c=case_id,
        )  # fmt: skip
        assert "only when a principal approves its re-registration" in reason
        reason = refused(
            conn, "UPDATE estate_cases SET date_of_death = '2026-01-02' WHERE id = :c", c=case_id
        )
        assert "what was recorded never changes" in reason
        refused(conn, "UPDATE estate_cases SET reregister_request_id = "
                "(SELECT min(id) FROM approval_requests) WHERE id = :c", c=case_id)  # fmt: skip
        refused(conn, "DELETE FROM estate_cases WHERE id = :c", c=case_id)
        refused(
            conn, "INSERT INTO estate_cases (account_id, date_of_death, notice_source, "
            "registration, path, status, alternate_valuation, opened_by, opened_at, spouses, "
            "version, updated_at) SELECT account_id, date_of_death, 'x', registration, path, "
            "'open', false, 'sam', now(), true, 1, now() FROM estate_cases WHERE id = :c",
            c=case_id,
        )  # fmt: skip
    # Desk's own path: the clerk receives and verifies in their own name.
    carl.estates.receive(case_id, "death-certificate", verified=True)
    with desk.admin.uow.read() as session:
        case = session.get_one(m.EstateCase, case_id)
        assert case.status is CaseStatus.OPEN
        doc = session.scalars(
            select(m.EstateDocument).where(
                m.EstateDocument.case_id == case_id, m.EstateDocument.kind == "death-certificate"
            )
        ).one()
        assert (doc.status, doc.verified_by) == (DocumentStatus.VERIFIED, "carl")
