"""The certificate register: adding by hand and from CSV, moves, losses, reissues (both engines)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.certificates import CustodyKind, NewCertificate
from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.domain.listing import iter_rows
from desk_app.domain.states import CertificateStatus
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import APPLE, IBM, register, shipped, values

CS = CertificateStatus


def _status(desk: Desk, number: str) -> CS:
    ws = desk.admin
    return ws.certificates.detail(ws.certificates.find(number)).status


def _custody(desk: Desk, cert_id: int) -> list[tuple[object, ...]]:
    """(kind, from status, to status, from, to) oldest first."""
    rows = list(iter_rows(desk.admin.certificates.custody(cert_id)))
    return [(r[1], r[2], r[3], r[4], r[5]) for r in reversed(rows)]


def test_a_certificate_added_by_hand_is_a_receipt_into_the_vault(desk: Desk) -> None:
    (cert_id,) = register(desk, "NY 1001", registration_text="JOHN A SMITH TR UA 1999")
    detail = desk.admin.certificates.detail(cert_id)
    fields = dict(detail.fields)
    assert detail.status is CS.IN_VAULT and detail.reference == "NY 1001 (459200101)"
    assert fields["Registration"] == "JOHN A SMITH TR UA 1999"
    assert fields["Location"] == "Vault A, drawer 3"
    assert _custody(desk, cert_id) == [
        (CustodyKind.RECEIPT, None, CS.IN_VAULT, "Client John A Smith", "Vault")
    ]
    movements = list(iter_rows(desk.admin.certificates.movements()))
    assert [(r[1], r[2], r[3], r[5]) for r in movements] == [
        (CustodyKind.RECEIPT, "NY 1001", IBM, Decimal(100))
    ]


def test_a_number_is_unique_per_cusip_only(desk: Desk) -> None:
    register(desk, "1001")
    register(desk, "1001", cusip=APPLE)  # another issuer's number 1001
    with pytest.raises(ValidationError, match="already in the register") as refused:
        register(desk, "1001")
    assert refused.value.field == "certificate_number"
    with pytest.raises(ValidationError, match="CUSIP:NUMBER"):
        desk.admin.certificates.find("1001")
    assert desk.admin.certificates.find(f"{APPLE}:1001") != desk.admin.certificates.find(
        f"{IBM}:1001"
    )


def test_an_unknown_account_or_a_bad_value_is_refused_by_field(desk: Desk) -> None:
    with pytest.raises(ValidationError) as refused:
        desk.ws["carl"].certificates.add(values("X1", account="NOPE"))
    assert refused.value.field == "account"
    with pytest.raises(ValidationError) as refused:
        desk.ws["carl"].certificates.add(values("X1", cusip="459200109"))
    assert refused.value.field == "cusip"


def test_compliance_and_admins_do_not_register_certificates(desk: Desk) -> None:
    for user in ("cora", "adam"):
        with pytest.raises(NotPermitted, match="clerk or supervisor"):
            desk.ws[user].certificates.add(values("X1"))


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "certs.csv"
    header = ("certificate_number,cusip,issuer,security_class,registered_holder,shares,"
              "issue_date,location,account,received_from")  # fmt: skip
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_csv_registers_all_or_nothing(desk: Desk, tmp_path: Path) -> None:
    account = desk.account()
    register(desk, "B3")
    clerk = desk.ws["carl"].certificates
    bad = _csv(
        tmp_path,
        f"B1,{IBM},IBM,Common,J Smith,100,1998-01-02,Vault A,{account},DTC",
        f"B2,{IBM},IBM,Common,J Smith,100,1998-01-02,Vault A,NOPE,DTC",
        f"B3,{IBM},IBM,Common,J Smith,100,1998-01-02,Vault A,,DTC",
    )
    result = clerk.import_csv(bad)
    assert [str(p) for p in result.problems] == [
        "certs.csv:3: account: is not an account ('NOPE')",
        "certs.csv:4: certificate_number: B3 of CUSIP 459200101 is already in the register",
    ]
    assert result.added == 0
    assert desk.admin.certificates.certificates().count() == 1  # nothing half-written
    good = _csv(tmp_path, f"B1,{IBM},IBM,Common,J Smith,100,1998-01-02,Vault A,{account},DTC",
                f"B2,{APPLE},Apple,Common,J Smith,7,1998-01-02,Vault B,,DTC")  # fmt: skip
    assert clerk.import_csv(good).added == 2
    rows = {r[0]: r for r in iter_rows(desk.admin.certificates.certificates())}
    assert rows["B1"][8] == account and rows["B2"][5] == Decimal(7)


def test_prepare_and_back_to_the_vault_each_leave_a_custody_entry(desk: Desk) -> None:
    (cert_id,) = register(desk, "C1")
    moves = desk.ws["carl"].certificate_moves
    assert moves.prepare(["C1"]) == 1
    with pytest.raises(ValidationError, match="only a certificate in the vault is prepared"):
        moves.prepare(["C1"])
    moves.to_vault(["C1"], "Vault B, drawer 9")
    assert [e[1:3] for e in _custody(desk, cert_id)] == [
        (None, CS.IN_VAULT), (CS.IN_VAULT, CS.PREPARED), (CS.PREPARED, CS.IN_VAULT)
    ]  # fmt: skip
    assert dict(desk.admin.certificates.detail(cert_id).fields)["Location"] == "Vault B, drawer 9"


def test_a_lost_certificate_needs_a_stop_then_a_principal_for_its_replacement(desk: Desk) -> None:
    (cert_id,) = register(desk, "L1")
    clerk = desk.ws["carl"].certificate_moves
    clerk.report_lost("L1", "stolen", "2026-11-20", "Vault drawer found forced")
    assert _status(desk, "L1") is CS.LOST
    report = clerk.loss_report("L1")
    assert not report.stop_placed and "NOT YET PLACED" in report.text()
    assert "Stolen" in report.text() and "459200101" in report.text()
    ask = {"new_number": "L1R", "indemnity_bond": "BOND-77", "surety": "Travelers",
           "location": "Vault A", "reason": "holder wants a replacement"}  # fmt: skip
    with pytest.raises(ValidationError, match="stop transfer"):
        clerk.request_replacement("L1", **ask)
    clerk.place_stop("L1", "Computershare", "2026-11-20", "ST-1")
    assert clerk.loss_report("L1").stop_placed
    request_id = clerk.request_replacement("L1", **ask)
    assert _status(desk, "L1") is CS.LOST  # nothing happens before the approval
    with pytest.raises(NotPermitted):
        desk.ws["carl"].approvals.approve(request_id)
    desk.ws["sue"].approvals.approve(request_id, "bond on file")
    assert _status(desk, "L1") is CS.CANCELLED
    new = desk.admin.certificates.detail(desk.admin.certificates.find("L1R"))
    assert new.status is CS.IN_VAULT and dict(new.fields)["Replaces"] == "L1 (459200101)"
    assert "Replaced" in clerk.loss_report("L1").text()
    with desk.admin.uow.read() as session:
        loss = session.scalars(select(m.CertificateLoss)).one()
        assert (loss.closed_how, loss.indemnity_bond, loss.replacement_id) == (
            "replaced", "BOND-77", new.id,
        )  # fmt: skip
    assert _custody(desk, cert_id)[-1][2:] == (CS.CANCELLED, "Unknown", "Computershare")


def test_a_found_certificate_closes_its_loss(desk: Desk) -> None:
    register(desk, "F1")
    moves = desk.ws["carl"].certificate_moves
    moves.report_lost("F1", "lost", "2026-11-20", "not in drawer 3")
    moves.to_vault(["F1"], "Vault A, drawer 4")
    assert _status(desk, "F1") is CS.IN_VAULT
    assert "Found" in moves.loss_report("F1").text()
    with pytest.raises(ValidationError, match="not lost"):
        moves.place_stop("F1", "Computershare", "2026-11-21")


def test_a_transfer_cancels_the_old_certificate_and_issues_new_ones_and_a_balance(
    desk: Desk,
) -> None:
    (old_id,) = register(desk, "T1", shares="1000")
    moves = desk.ws["carl"].certificate_moves
    to_jane = [NewCertificate("T2", "Jane Doe", "JANE DOE", Decimal(300))]
    with pytest.raises(ValidationError, match="balance certificate"):
        moves.reissue("T1", to_jane, agent="Computershare", location="Vault A")
    made = moves.reissue("T1", to_jane, balance_number="T3", agent="Computershare",
                         location="Vault A")  # fmt: skip
    assert _status(desk, "T1") is CS.CANCELLED
    rows = {r[0]: r for r in iter_rows(desk.admin.certificates.certificates())}
    assert (rows["T2"][4], rows["T2"][5]) == ("Jane Doe", Decimal(300))
    assert (rows["T3"][4], rows["T3"][5]) == ("John A Smith", Decimal(700))
    for new_id in made:
        assert dict(desk.admin.certificates.detail(new_id).fields)["Replaces"] == "T1 (459200101)"
    assert _custody(desk, old_id)[-1][2] is CS.CANCELLED
    with pytest.raises(ValidationError, match="only a certificate in the vault"):
        moves.reissue("T1", to_jane, agent="X", location="Vault A")


def test_a_stock_power_is_attached_or_not_and_a_returned_delivery_comes_back(desk: Desk) -> None:
    register(desk, "S1", "S2")
    moves = desk.ws["carl"].certificate_moves
    moves.set_stock_power("S1", attached=True)
    with pytest.raises(ValidationError, match="already attached"):
        moves.set_stock_power("S1", attached=True)
    number = shipped(desk, "S2")
    desk.ws["carl"].manifests.pickup(number, "J. Doe")
    desk.ws["carl"].manifests.receipt(number, "Front desk")
    moves.mark_returned("S2", "Computershare", "no medallion guarantee")
    assert _status(desk, "S2") is CS.RETURNED
    moves.to_vault(["S2"], "Vault A")
    assert _status(desk, "S2") is CS.IN_VAULT
