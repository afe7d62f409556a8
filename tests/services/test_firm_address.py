"""The firm's address on its paperwork: set by an admin, audited, checked, printed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.reports.fails import fails_report_pdf
from desk_app.services import firm
from tests.pdf_tools import pdf_text
from tests.services.conftest import Desk

ADDRESS = "55 Water Street, 12th Floor\nNew York, NY 10041"


def test_only_an_admin_sets_the_address_every_bad_line_is_named_and_it_is_audited(
    desk: Desk,
) -> None:
    for user in ("carl", "sue", "cora"):
        with pytest.raises(NotPermitted, match="Setting the firm's address on its paperwork"):
            firm.set_firm_address(desk.ws[user].uow, ADDRESS)
    with pytest.raises(ValidationError) as bad:
        firm.set_firm_address(desk.admin.uow, "a\nb\nc\nd\n" + "x" * 81)
    assert str(bad.value) == (
        "firm address: at most 4 lines (it has 5); line 5: at most 80 characters (it has 81)"
    )
    assert firm.set_firm_address(desk.admin.uow, f"  {ADDRESS}  \n\n") == ADDRESS
    with desk.ws["carl"].uow.read() as session:
        assert firm.letterhead(session) == ("", tuple(ADDRESS.splitlines()))
    firm.set_firm_address(desk.admin.uow, "")
    a = m.AuditEntry
    with desk.admin.uow.read() as session:
        assert firm.firm_address(session) == ""
        trail = session.execute(
            select(a.app_user, a.action, a.after).where(a.record_id == firm.ADDRESS_RECORD)
        ).all()
    assert [(who, action, json.loads(after)) for who, action, after in trail] == [
        ("tester", firm.SET_ADDRESS, {"address": ADDRESS}),
        ("tester", firm.SET_ADDRESS, {"address": ""}),
    ]


def test_the_address_heads_every_page_under_the_name(tmp_path: Path) -> None:
    path = tmp_path / "fails.pdf"
    path.write_bytes(
        fails_report_pdf(
            date(2026, 12, 7), [], [], firm="Water Street Securities LLC",
            firm_address=tuple(ADDRESS.splitlines()),
        )
    )  # fmt: skip
    text = " ".join(pdf_text(path).split())
    assert "Water Street Securities LLC" in text
    assert "55 Water Street, 12th Floor · New York, NY 10041" in text


def test_a_printed_manifest_carries_the_firm_name_and_address(desk: Desk, tmp_path: Path) -> None:
    from tests.services.custody.certificate_helpers import register, shipped

    firm.set_firm_name(desk.admin.uow, "Water Street Securities LLC")
    firm.set_firm_address(desk.admin.uow, ADDRESS)
    register(desk, "A1")
    number = shipped(desk, "A1")
    path = tmp_path / "manifest.pdf"
    path.write_bytes(desk.ws["carl"].manifest_printing.print(number).pdf)
    text = " ".join(pdf_text(path).split())
    assert "Water Street Securities LLC" in text
    assert "55 Water Street, 12th Floor · New York, NY 10041" in text
