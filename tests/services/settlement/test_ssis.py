"""Standing settlement instructions: BICs checked, added and changed only by approval."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.errors import DeskError, NotPermitted, StaleRecord, ValidationError
from desk_app.domain.listing import iter_rows
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, _obligation

ROUTE = {
    "counterparty": "msco", "market": "US", "asset_class": "equity",
    "place_of_settlement": "DTCYUS33", "agent_bic": "CHASUS33", "safekeeping_account": "0005",
    "effective_from": "2020-01-01",
}  # fmt: skip


def test_a_new_ssi_is_a_request_and_the_route_settles_once_approved(
    settling_desk: Desk,
) -> None:
    settling_desk.counterparty("MSCO")
    carl, sue = settling_desk.ws["carl"], settling_desk.ws["sue"]
    before = _book(settling_desk, counterparty="MSCO")
    assert "No standing settlement instruction for MSCO" in str(
        _obligation(settling_desk, before).exception_reason
    )
    request = carl.ssis.request_add(ROUTE, "MSCO's new DTC instruction")
    detail = sue.approvals.detail(request)
    assert detail.summary == "New SSI MSCO / US / equity: DTCYUS33 via CHASUS33"
    with pytest.raises(NotPermitted):
        carl.approvals.approve(request)
    sue.approvals.approve(request)
    after = _book(settling_desk, counterparty="MSCO")
    assert _obligation(settling_desk, after).exception_reason is None
    rows = list(iter_rows(carl.ssis.instructions()))
    assert [(r[1], r[5], r[6]) for r in rows] == [
        ("GSCO", "DTCYUS33", "IRVTUS3N"), ("MSCO", "DTCYUS33", "CHASUS33"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("agent_bic", "CHASUS3", "must be 8 or 11 characters"),
        ("place_of_settlement", "DTCY1S33", "must be 4 letters (bank)"),
        ("safekeeping_account", "", "is required"),
        ("effective_from", "2020-13-01", "not a real date"),
        ("counterparty", "NOPE", "is not a counterparty"),
        ("asset_class", "crypto", "is not one of equity"),
    ],
)
def test_a_bad_instruction_is_refused_naming_the_field(
    settling_desk: Desk, field: str, value: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        settling_desk.ws["carl"].ssis.request_add({**ROUTE, field: value}, "why")
    assert refused.value.field == field and reason in refused.value.reason


def test_changing_an_ssi_is_supervised_and_refused_when_stale(settling_desk: Desk) -> None:
    from desk_app.db import models as m

    carl, sue = settling_desk.ws["carl"], settling_desk.ws["sue"]
    ssi = next(iter_rows(carl.ssis.instructions()))[0]
    end = carl.ssis.request_change(ssi, {"effective_to": "2026-12-31"}, "GSCO moves agent")
    with pytest.raises(DeskError, match="already asks to change standing instruction"):
        carl.ssis.request_change(ssi, {"effective_to": "2026-06-30"}, "one change at a time")
    sue.approvals.approve(end)
    assert carl.ssis.record(ssi).values["effective_to"] == date(2026, 12, 31).isoformat()
    with pytest.raises(ValidationError, match="nothing would change"):
        carl.ssis.request_change(ssi, {"effective_to": "2026-12-31"}, "same")
    with pytest.raises(ValidationError, match="end this instruction and add a new one"):
        carl.ssis.request_change(ssi, {"agent_bic": "CHASUS33"}, "no: a new route")
    later = carl.ssis.request_change(ssi, {"effective_to": "2027-01-31"}, "a month more")
    with settling_desk.admin.uow.write("test.setup") as session:  # changed meanwhile
        row = session.get(m.StandingSettlementInstruction, ssi)
        assert row is not None
        row.safekeeping_account = "0999"
    with pytest.raises(StaleRecord, match="changed after the request was made"):
        sue.approvals.approve(later)


def test_a_second_instruction_on_the_same_route_and_day_is_refused(settling_desk: Desk) -> None:
    gsco = {**ROUTE, "counterparty": "GSCO"}
    with pytest.raises(ValidationError, match="SSI 1 already starts on this route that day"):
        settling_desk.ws["carl"].ssis.request_add(gsco, "a twin")
    with pytest.raises(ValidationError, match="two-letter market code"):
        settling_desk.ws["carl"].ssis.request_add({**gsco, "market": "U$"}, "bad")
