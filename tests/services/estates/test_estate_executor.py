"""A sole holder's estate waits for its executor, on both engines: one supervised amendment
retitles the account "Estate of ...", names the executor and keeps the estate's EIN."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import RegistrationType
from desk_app.domain.errors import DeskError, NotPermitted, ValidationError
from desk_app.services.accounts.maintenance import amend_proposal
from tests.pdf_tools import pdf_text
from tests.services.conftest import Desk
from tests.services.estates.test_estate_parties import DIED, HELD, R, with_parties
from tests.services.estates.test_estates import estates

__all__ = ["estates"]
EIN = "12-3456789"
CARL = {"name": "Carl Doe", "address": "4 Elm St\nAlbany NY 12207", "tax_id": "123-45-6780"}


def _account(desk: Desk, number: str) -> m.Account:
    with desk.admin.uow.read() as session:
        row = session.scalars(select(m.Account).where(m.Account.account_number == number)).one()
        session.expunge(row)
        return row


def test_the_case_waits_for_the_executor_whose_retitle_a_principal_approves(
    estates: Desk, tmp_path: Path
) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    number = estates.account(name="Jane Doe")
    with_parties(estates, number, (R.OWNER, "Jane Doe", HELD))
    case_id = carl.estates.open_case(number, DIED, "call from the son")
    view = carl.estates.case(case_id)
    assert view.retitle_request_id is None  # nothing filed at the death
    assert view.executor_state == "waiting for the executor" and view.waiting_for_executor
    assert carl.estates.executor_refusal(case_id) is None
    carl.estates.letter(case_id, tmp_path / "before.pdf", datetime(2026, 12, 7, 15, tzinfo=UTC))
    assert "Carl Doe" not in pdf_text(tmp_path / "before.pdf")

    request_id = carl.estates.add_executor(case_id, CARL, ein="123456789")
    view = carl.estates.case(case_id)
    assert view.retitle_request_id == request_id
    assert view.executor_pending == request_id
    assert view.executor_state == f"executor retitle pending in request {request_id} (Carl Doe)"
    detail = sue.approvals.detail(request_id)
    proposed = {f.field: f.proposed for f in detail.fields}
    assert proposed["name"] == "Estate of Jane Doe"
    assert proposed["registration_type"] == "estate"
    assert proposed["tax_id"] == "**-***6789"  # the EIN, masked; the vault holds it
    assert proposed["party 2"].startswith("Executor · person · Carl Doe")
    # The deficiency letter goes to the executor named, fresh.
    carl.estates.letter(case_id, tmp_path / "letter.pdf", datetime(2026, 12, 7, 15, tzinfo=UTC))
    text = pdf_text(tmp_path / "letter.pdf")
    assert "Carl Doe" in text and "4 Elm St" in text

    # A second one while it waits is refused, saying which request waits.
    refused = carl.estates.executor_refusal(case_id)
    assert refused is not None and f"request {request_id}" in refused
    with pytest.raises(
        ValidationError, match=f"already waits for approval in request {request_id}"
    ):
        carl.estates.add_executor(case_id, {"name": "Rita Doe"})
    # Four eyes: the maker cannot approve their own request.
    with pytest.raises(NotPermitted):
        carl.approvals.approve(request_id)
    sue.approvals.approve(request_id)
    account = _account(estates, number)
    assert account.name == "Estate of Jane Doe"
    assert account.registration_type is RegistrationType.ESTATE
    assert account.tax_id_masked == "**-***6789"
    assert sue.accounts.reveal_tax_id(number) == EIN
    view = carl.estates.case(case_id)
    assert view.executor_state == "retitled to the estate; executor Carl Doe"
    assert view.executors == ("Carl Doe",)
    labels = {d.kind: d.label for d in view.documents}
    assert (
        labels["estate-ein-w9"] == "The estate's own EIN and W-9, signed by its executor Carl Doe"
    )
    assert "w9-new-owners" not in labels  # read fresh: the executor signs the estate's W-9
    assert any(p.role == "executor" and p.name == "Carl Doe" for p in carl.accounts.parties(number))


def test_every_problem_of_the_executor_and_the_ein_is_named(estates: Desk) -> None:
    carl = estates.ws["carl"]
    number = estates.account(name="Ann Poe")
    case_id = carl.estates.open_case(number, DIED)
    with pytest.raises(ValidationError) as bad:
        carl.estates.add_executor(
            case_id, {"name": "", "date_of_birth": "1990-13-01"}, ein="00-0000000"
        )
    message = str(bad.value)
    assert "executor.name: is required" in message
    assert "executor.date_of_birth: must be a date" in message
    assert "ein: is not a valid EIN" in message
    with pytest.raises(ValidationError, match="ein: must be 9 digits"):
        carl.estates.add_executor(case_id, {"name": "Bo Poe"}, ein="123")
    assert carl.estates.case(case_id).retitle_request_id is None


def test_a_retitle_without_an_executor_is_not_approved(estates: Desk) -> None:
    """A retitle filed before the executor was known (as Desk once did) fails the rules."""
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    number = estates.account(name="Lee Moe")
    carl.estates.open_case(number, DIED)
    with carl.uow.write("approval.request") as session:
        holder = session.scalars(select(m.Account).where(m.Account.account_number == number)).one()
        proposal = amend_proposal(
            session, holder, {"name": "Estate of Lee Moe", "registration_type": "estate"}
        )
        request_id = carl.approvals.file(session, proposal, "holder died")
    with pytest.raises(DeskError, match="an estate account needs an executor"):
        sue.approvals.approve(request_id)
    assert _account(estates, number).registration_type is RegistrationType.INDIVIDUAL


def test_only_a_sole_account_s_case_takes_its_executor_here(estates: Desk) -> None:
    carl = estates.ws["carl"]
    number = estates.account(name="Jo Roe", registration_type="joint-jtwros")
    with_parties(estates, number, (R.OWNER, "Jo Roe", HELD), (R.JOINT_OWNER, "Al Roe", HELD))
    case_id = carl.estates.open_case(number, DIED)
    assert carl.estates.case(case_id).executor_state == ""
    why = carl.estates.executor_refusal(case_id)
    assert why is not None and "goes by survivor" in why
    with pytest.raises(ValidationError, match="only a sole account's case"):
        carl.estates.add_executor(case_id, {"name": "Carl Doe"})


def test_an_executor_already_on_the_parties_keeps_their_row(estates: Desk) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    number = estates.account(name="Paul Owens")
    with_parties(estates, number, (R.OWNER, "Paul Owens", HELD), (R.EXECUTOR, "Rita Owens", {}))
    case_id = carl.estates.open_case(number, DIED)
    assert carl.estates.case(case_id).executor_state == (
        "executor on record: Rita Owens; Add executor… files the retitle"
    )
    request_id = carl.estates.add_executor(case_id, {"name": "rita owens", "address": "1 Oak"})
    sue.approvals.approve(request_id)
    executors = [p for p in carl.accounts.parties(number) if p.role == "executor"]
    assert [(p.name, p.values["address"]) for p in executors] == [("Rita Owens", "1 Oak")]
