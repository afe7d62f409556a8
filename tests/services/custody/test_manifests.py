"""Courier manifests from draft to receipt: dual control, refusals, prints, aging (both engines)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import IllegalTransition, NotPermitted, ValidationError
from desk_app.domain.listing import iter_rows
from desk_app.domain.rule_changes import RuleKind, RuleProblems
from desk_app.domain.states import CertificateStatus, ManifestStatus
from desk_app.services.custody.manifest_airbill import check_airbill
from desk_app.services.custody.manifest_counts import COUNT_FAILED
from desk_app.services.custody.manifests import ManifestService
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import TA_ADDRESS, dispatch, register, shipped

CS, MS = CertificateStatus, ManifestStatus


def _statuses(desk: Desk, *numbers: str) -> list[CS]:
    c = desk.admin.certificates
    return [c.detail(c.find(n)).status for n in numbers]


def test_a_manifest_goes_from_draft_to_receipt_under_dual_control(desk: Desk) -> None:
    register(desk, "M1", "M2")
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    number = carl.manifests.create(dispatch(declared_value="5000"), ["M1", "M2"])
    assert number == f"M{market_today():%y%m%d}-01"
    view = carl.manifests.view(number)
    assert (view.status, view.totals.count, view.totals.shares) == (MS.DRAFT, 2, Decimal(200))
    assert (view.declared_value, view.insured_value) == (Decimal(5000), Decimal(5000))
    assert _statuses(desk, "M1", "M2") == [CS.ON_MANIFEST] * 2
    with pytest.raises(ValidationError, match="not verified yet"):
        carl.manifest_printing.print(number)
    with pytest.raises(NotPermitted, match="dual control: carl prepared"):
        carl.manifests.verify(number)
    with pytest.raises(ValidationError, match="certificates you counted do not agree") as told:
        sue.manifests.verify(number, count=3)
    assert "200" not in str(told.value) and " 2 " not in str(told.value)  # blind: no totals
    sue.manifests.verify(number, count=2, shares=Decimal(200))
    original = carl.manifest_printing.print(number)
    assert not original.copy and original.pages == 1
    assert carl.manifests.view(number).status is MS.PRINTED
    carl.manifests.pickup(number, "J. Doe", "SEAL-1")
    assert _statuses(desk, "M1", "M2") == [CS.IN_TRANSIT] * 2
    carl.manifests.receipt(number, "A. Clerk")
    view = carl.manifests.view(number)
    assert (view.status, view.received_by, view.picked_up_by, view.bag_seal) == (
        MS.RECEIVED, "A. Clerk", "J. Doe", "SEAL-1",
    )  # fmt: skip
    assert _statuses(desk, "M1", "M2") == [CS.DELIVERED] * 2
    deliveries = [r for r in iter_rows(desk.admin.certificates.movements()) if r[1] == "delivery"]
    assert {(r[2], r[9]) for r in deliveries} == {("M1", number), ("M2", number)}


def test_the_address_and_sender_come_from_the_last_manifest_to_that_recipient(desk: Desk) -> None:
    register(desk, "A1", "A2", "A3")
    carl = desk.ws["carl"]
    carl.manifests.create(dispatch(), ["A1"])
    second = carl.manifests.create(dispatch(recipient_address="", sender=""), ["A2"])
    view = carl.manifests.view(second)
    assert view.recipient_address == TA_ADDRESS and view.sender.startswith("Physical")
    assert second.endswith("-02")
    with pytest.raises(ValidationError, match="nothing was sent to DTC yet") as refused:
        carl.manifests.create(dispatch(recipient="DTC", recipient_address=""), ["A3"])
    assert refused.value.field == "address"
    assert _statuses(desk, "A3") == [CS.IN_VAULT]  # nothing half-written


def test_refusals_say_why(desk: Desk) -> None:
    register(desk, "R1", "R2", "R3")
    carl = desk.ws["carl"]
    desk.ws["carl"].certificate_moves.set_stock_power("R1", attached=True)
    with pytest.raises(ValidationError, match="stock power attached: never ship"):
        carl.manifests.create(dispatch(), ["R1"])
    first = carl.manifests.create(dispatch(), ["R2"])
    with pytest.raises(ValidationError, match="already on manifest .*one open manifest at most"):
        carl.manifests.create(dispatch(), ["R2", "R3"])
    assert _statuses(desk, "R3") == [CS.IN_VAULT]
    desk.ws["carl"].certificate_moves.report_lost("R3", "lost", "2026-11-20", "drawer empty")
    with pytest.raises(ValidationError, match="R3 is lost"):
        carl.manifests.add(first, ["R3"])
    with pytest.raises(NotPermitted):
        desk.ws["cora"].manifests.create(dispatch(), ["R2"])
    with pytest.raises(IllegalTransition):
        carl.manifests.pickup(first, "J. Doe")  # not printed


def test_a_change_after_verification_needs_verifying_again(desk: Desk) -> None:
    register(desk, "V1", "V2", "V3")
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    number = carl.manifests.create(dispatch(), ["V1", "V2"])
    sue.manifests.verify(number)
    carl.manifests.add(number, ["V3"])
    view = carl.manifests.view(number)
    assert (view.status, view.verified_by, [line.line_no for line in view.lines]) == (
        MS.DRAFT, None, [1, 2, 3],
    )  # fmt: skip
    carl.manifests.remove(number, ["V1"])
    view = carl.manifests.view(number)
    lines = [(line.line_no, line.certificate_number) for line in view.lines]
    assert lines == [(1, "V2"), (2, "V3")]
    assert _statuses(desk, "V1") == [CS.PREPARED]
    with pytest.raises(ValidationError, match="at least one"):
        carl.manifests.remove(number, ["V2", "V3"])
    carl.manifests.cancel(number, "client changed their mind")
    assert _statuses(desk, "V2", "V3") == [CS.PREPARED] * 2
    with pytest.raises(ValidationError, match="is cancelled"):
        carl.manifest_printing.print(number)


def test_reprints_are_copies_with_the_same_bytes_and_every_print_is_audited(desk: Desk) -> None:
    register(desk, "P1")
    number = shipped(desk, "P1")  # printed once: the original
    printing = desk.ws["carl"].manifest_printing
    printing.clock = lambda: datetime(2026, 12, 7, 14, 5, tzinfo=UTC)  # the paper says when
    preview = printing.preview(number)
    first, second = printing.print(number), printing.print(number, paper="a4")
    third = printing.print(number)
    assert preview.copy and first.copy and second.copy
    assert preview.pdf == first.pdf == third.pdf and first.pdf != second.pdf
    assert b"/CreationDate (D:20261207090500-05'00')" in first.pdf
    printing.clock = lambda: datetime(2026, 12, 7, 14, 6, tzinfo=UTC)
    assert printing.preview(number).pdf != first.pdf
    assert first.sha256 == hashlib.sha256(first.pdf).hexdigest()
    prints = printing.prints(number)
    assert [(p[0], p[1], p[2]) for p in prints] == [
        ("manifest", "letter", False), ("manifest", "letter", True), ("manifest", "a4", True),
        ("manifest", "letter", True),
    ]  # fmt: skip
    assert prints[1][4] == first.sha256
    entries = [e for e in desk.audit_entries() if e.table_name == "manifest_prints"]
    assert first.sha256 in (entries[1].after or "")
    assert (entries[1].app_user, entries[1].action) == ("carl", "manifest.prepare")
    with pytest.raises(ValidationError, match="paper"):
        printing.print(number, paper="legal")
    assert not printing.print(number, "receipt").copy
    assert printing.print(number, "receipt").copy


def test_a_difference_on_receipt_reports_the_missing_certificate(desk: Desk) -> None:
    register(desk, "D1", "D2")
    number = shipped(desk, "D1", "D2")
    carl = desk.ws["carl"]
    with pytest.raises(ValidationError, match="picked up"):
        carl.manifests.receipt(number)
    carl.manifests.pickup(number, "J. Doe")
    with pytest.raises(ValidationError, match="difference"):
        carl.manifests.receipt(number, "A. Clerk", missing=["D2"])
    carl.manifests.receipt(number, "A. Clerk", missing=["D2"], note="envelope torn")
    assert carl.manifests.view(number).status is MS.RECEIVED_WITH_DIFFERENCE
    assert _statuses(desk, "D1", "D2") == [CS.DELIVERED, CS.LOST]
    report = carl.certificate_moves.loss_report("D2").text()
    assert "Missing" in report and number in report and "FedEx" in report


def test_a_returned_package_brings_its_certificates_back(desk: Desk) -> None:
    register(desk, "B1")
    number = shipped(desk, "B1")
    carl = desk.ws["carl"]
    carl.manifests.pickup(number, "J. Doe")
    carl.manifests.returned(number, "recipient closed")
    assert carl.manifests.view(number).status is MS.RETURNED
    assert _statuses(desk, "B1") == [CS.RETURNED]


def test_unreceipted_manifests_age_into_exceptions_by_business_day(desk: Desk) -> None:
    register(desk, "U1", "U2")
    early, late = shipped(desk, "U1"), shipped(desk, "U2")
    carl = desk.ws["carl"]
    carl.manifests.pickup(early, "J. Doe", at=datetime(2026, 11, 18, 21, tzinfo=UTC))
    carl.manifests.pickup(late, "J. Doe", at=datetime(2026, 11, 24, 21, tzinfo=UTC))
    on = ManifestService(carl.uow, lambda: carl.calendar.calendar("US"),
                         today=lambda: date(2026, 11, 27))  # fmt: skip
    # Wed 18 -> Fri 27: 19, 20, 23, 24, 25, (Thanksgiving), 27 = 6 business days; limit 3.
    assert [(v.manifest_number, age) for v, age in on.unreceipted()] == [(early, 6)]
    limit = {"code": "manifest_unreceipted", "days": "1"}
    request = carl.rules.request(RuleKind.AGING_LIMIT, limit, "courier audit")
    with pytest.raises(NotPermitted):
        carl.approvals.approve(request)
    desk.ws["sue"].approvals.approve(request)  # the later one: 2 days (25th, 27th)
    with pytest.raises(RuleProblems, match="between 1 and 365"):
        desk.ws["sue"].rules.request(RuleKind.AGING_LIMIT, {**limit, "days": "0"}, "x")
    assert [v.manifest_number for v, _ in on.unreceipted()] == [early, late]


def test_what_a_manifest_guards_against_after_it_is_made(desk: Desk) -> None:
    register(desk, "G1", "G2", "G3", "G4")
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    moves = carl.certificate_moves
    number = carl.manifests.create(dispatch(declared_value="9000"), ["G1", "G2"])
    with pytest.raises(ValidationError, match="on manifest .*take it off"):
        moves.report_lost("G1", "lost", "2026-11-20", "dropped")
    with pytest.raises(ValidationError, match="off any manifest"):
        moves.set_stock_power("G1", attached=True)
    with pytest.raises(ValidationError, match="only a certificate in the vault is prepared"):
        moves.prepare(["G1"])
    with pytest.raises(ValidationError, match="decimal places"):
        carl.manifests.create(dispatch(declared_value="10.005"), ["G3"])
    # Whoever changes the contents prepares it: the verifier cannot approve their own lines.
    sue.manifests.verify(number)
    sue.manifests.add(number, ["G3"])
    view = sue.manifests.view(number)
    assert (view.status, view.prepared_by, view.declared_value) == (MS.DRAFT, "sue", 9000)
    with pytest.raises(NotPermitted, match="dual control: sue prepared"):
        sue.manifests.verify(number)
    carl.manifests.verify(number)
    carl.manifests.set_airbill(number, "7712 3456 7891")  # the airbill prints: verify again
    assert carl.manifests.view(number).status is MS.DRAFT
    sue.manifests.verify(number)
    carl.manifest_printing.print(number)
    carl.manifests.pickup(number, "J. Doe")
    moves.report_lost("G2", "missing", "2026-11-20", "courier says the bag was torn")
    carl.manifests.receipt(number, "A. Clerk", missing=[], note="bag torn, G2 absent")
    assert _statuses(desk, "G1", "G2", "G3") == [CS.DELIVERED, CS.LOST, CS.DELIVERED]
    since = list(iter_rows(desk.admin.certificates.movements(market_today())))
    assert {r[2] for r in since if r[1] == "delivery"} == {"G1", "G3"}


def test_a_count_that_does_not_agree_is_blind_audited_and_locks_after_three(desk: Desk) -> None:
    register(desk, "B1", "B2")
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    cleo = desk.add_user("cleo", [Role.CLERK])
    number = carl.manifests.create(dispatch(), ["B1", "B2"])
    said = []
    for count, shares in ((3, None), (2, Decimal(150)), (1, Decimal(1))):
        with pytest.raises(ValidationError) as told:
            cleo.manifests.verify(number, count, shares)
        said.append(told.value.reason)
    assert said == [
        f"the certificates you counted do not agree with manifest {number}; count the envelope "
        "again (2 attempts left before a supervisor must)",
        f"the shares you counted do not agree with manifest {number}; count the envelope again "
        "(1 attempt left before a supervisor must)",
        f"the certificates and shares you counted do not agree with manifest {number}; count "
        "the envelope again. That was count 3: the manifest is now locked, and a supervisor "
        "counts it and verifies it",
    ]
    with pytest.raises(NotPermitted, match=f"manifest {number} is locked after 3 counts"):
        cleo.manifests.verify(number, 2, Decimal(200))  # even a right count, once locked
    trail = desk.admin.history.history("courier_manifests", carl.manifests.view(number).id)
    events = [e for e in trail.changes if e.action == COUNT_FAILED]
    assert [(e.app_user, e.after["attempt"], e.after["disagrees"]) for e in events] == [
        ("cleo", 1, ["certificates"]), ("cleo", 2, ["shares"]),
        ("cleo", 3, ["certificates", "shares"]),
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="do not agree"):
        sue.manifests.verify(number, 1, Decimal(200))  # a supervisor's wrong count: only that
    sue.manifests.verify(number, 2, Decimal(200))
    assert carl.manifests.view(number).status is MS.VERIFIED
    carl.manifests.set_airbill(number, "7712 3456 7899")  # changed: counted afresh, unlocked
    cleo.manifests.verify(number, 2)
    assert carl.manifests.view(number).verified_by == "cleo"


def test_verification_wants_the_airbill_in_the_couriers_format(desk: Desk) -> None:
    register(desk, "A1")
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    number = carl.manifests.create(dispatch(airbill="", courier="UPS"), ["A1"])
    with pytest.raises(
        ValidationError,
        match="airbill: the courier's airbill or tracking "
        f"number of manifest {number} is required before verification",
    ):
        sue.manifests.verify(number)
    with pytest.raises(ValidationError, match=r"is not a UPS tracking number \(such as 1Z"):
        carl.manifests.set_airbill(number, "7712 3456 7890")
    carl.manifests.set_airbill(number, "1z 999 aa1 0123456784")
    sue.manifests.verify(number)
    with pytest.raises(ValidationError, match="is not a FedEx tracking number"):
        carl.manifests.create(dispatch(airbill="7712"), ["A1"])
    assert check_airbill("Brink's Global Services", "BGS-123") == "BGS-123"  # format unknown
    assert check_airbill("DHL Express", "12345 67890") == "12345 67890"


def test_after_a_count_that_disagreed_the_count_cannot_be_left_out(desk: Desk) -> None:
    register(desk, "S1", "S2")
    carl = desk.ws["carl"]
    cleo = desk.add_user("cleo", [Role.CLERK])
    number = carl.manifests.create(dispatch(), ["S1", "S2"])
    with pytest.raises(ValidationError, match="do not agree"):
        cleo.manifests.verify(number, 2, Decimal(150))
    for count, shares in ((None, None), (2, None), (None, Decimal(200))):
        with pytest.raises(ValidationError, match="count both the certificates and the shares"):
            cleo.manifests.verify(number, count, shares)  # no way round the blind count
    assert carl.manifests.view(number).status is MS.DRAFT
    cleo.manifests.verify(number, 2, Decimal(200))
    assert carl.manifests.view(number).status is MS.VERIFIED
