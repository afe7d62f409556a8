"""Exceptions clear by themselves when their cause goes, and Re-check checks on demand."""

from __future__ import annotations

import json

import pytest

from desk_app.domain.codes import Side
from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.domain.listing import iter_rows
from desk_app.domain.states import ObligationStatus
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, _obligation
from tests.services.settlement.test_ssis import ROUTE

NO_SSI = "No standing settlement instruction for MSCO / US / equity"


def _approved_ssi(desk: Desk, **changes: str) -> None:
    request = desk.ws["carl"].ssis.request_add({**ROUTE, **changes}, "MSCO's DTC instruction")
    desk.ws["sue"].approvals.approve(request)


def test_approving_the_missing_ssi_clears_the_exception_in_its_own_transaction(
    settling_desk: Desk,
) -> None:
    settling_desk.counterparty("MSCO")
    waiting = _book(settling_desk, counterparty="MSCO")
    other = _book(settling_desk)  # GSCO: its SSI is on file, nothing to clear
    assert _obligation(settling_desk, waiting).exception_reason == NO_SSI
    with pytest.raises(ValidationError, match="exception to clear first"):
        settling_desk.ws["carl"].settling.instruct([waiting])
    seq = settling_desk.audit_count()
    _approved_ssi(settling_desk)
    cleared = _obligation(settling_desk, waiting)
    assert cleared.exception_reason is None and cleared.ssi_id is not None
    assert _obligation(settling_desk, other).exception_reason is None
    # Audited with the approval that caused it: before and after, like any obligation change.
    change = next(
        e for e in settling_desk.audit_entries(seq)
        if e.table_name == "settlement_obligations" and e.record_id == str(waiting)
    )  # fmt: skip
    assert change.approval_id is not None
    assert json.loads(change.before or "{}")["exception_reason"] == NO_SSI
    assert json.loads(change.after or "{}")["exception_reason"] is None
    assert settling_desk.ws["carl"].settling.instruct([waiting]) == 1


def test_ending_the_only_ssi_raises_the_exception_and_recheck_reports_it(
    settling_desk: Desk,
) -> None:
    settling_desk.counterparty("MSCO")
    _approved_ssi(settling_desk)
    oid = _book(settling_desk, counterparty="MSCO")
    assert _obligation(settling_desk, oid).exception_reason is None
    carl, sue = settling_desk.ws["carl"], settling_desk.ws["sue"]
    ssi = next(int(r[0]) for r in iter_rows(carl.ssis.instructions()) if r[1] == "MSCO")
    settle_date = _obligation(settling_desk, oid).settle_date
    day_before = settle_date.fromordinal(settle_date.toordinal() - 1).isoformat()
    sue.approvals.approve(carl.ssis.request_change(ssi, {"effective_to": day_before}, "ended"))
    ended = _obligation(settling_desk, oid)
    assert (ended.exception_reason, ended.ssi_id) == (NO_SSI, None)
    report = carl.settlements.recheck([oid])
    assert (report.checked, report.cleared, report.raised) == (1, 0, 0)
    assert report.remaining == ((oid, NO_SSI),)
    assert report.summary == "1 open obligation checked: 0 exceptions cleared, 1 remains"


def test_a_restriction_placed_then_lifted_raises_and_clears_its_exception(
    settling_desk: Desk,
) -> None:
    carl, sue = settling_desk.ws["carl"], settling_desk.ws["sue"]
    oid = _book(settling_desk)  # a purchase: it pays cash out
    under_way = _book(settling_desk, side=Side.SELL)
    carl.settling.instruct([under_way])
    hold = carl.restrictions.place("ACC-100", "legal-hold", "subpoena")
    assert _obligation(settling_desk, oid).exception_reason == (
        "Account ACC-100 is restricted (Legal hold): check before settling"
    )
    # The street already has this one: a re-check does not stop it (settling it is refused).
    assert _obligation(settling_desk, under_way).exception_reason is None
    sue.approvals.approve(carl.restrictions.request_lift(hold, "order vacated"))
    assert _obligation(settling_desk, oid).exception_reason is None


def test_a_restriction_stops_only_what_it_stops(settling_desk: Desk) -> None:
    """A Reg T freeze stops buying, not paying for what was bought: no exception."""
    carl = settling_desk.ws["carl"]
    oid = _book(settling_desk)
    carl.restrictions.place("ACC-100", "reg-t-90-day", "freeriding")
    assert _obligation(settling_desk, oid).exception_reason is None


def test_an_account_closed_then_reopened_raises_and_clears_its_exception(
    settling_desk: Desk,
) -> None:
    carl, sue = settling_desk.ws["carl"], settling_desk.ws["sue"]
    oid = _book(settling_desk)
    sue.approvals.approve(carl.accounts.request_status("ACC-100", "closed", "client left"))
    assert _obligation(settling_desk, oid).exception_reason == "Account ACC-100 is closed"
    sue.approvals.approve(carl.accounts.request_status("ACC-100", "open", "client back"))
    assert _obligation(settling_desk, oid).exception_reason is None


def test_recheck_clears_what_changed_behind_its_back_and_keeps_the_desks_own_notes(
    settling_desk: Desk,
) -> None:
    settling_desk.counterparty("MSCO")
    carl = settling_desk.ws["carl"]
    waiting = _book(settling_desk, counterparty="MSCO")
    noted = _book(settling_desk, side=Side.SELL)
    note = "Trade amended (version 2) after 10 of 100 settled: settle the difference"
    with settling_desk.admin.uow.write("test") as session:  # an SSI loaded behind Desk's back
        from desk_app.db import models as m

        msco = session.get(m.SettlementObligation, waiting)
        gsco = session.get(m.SettlementObligation, noted)
        assert msco is not None and gsco is not None
        session.add(m.StandingSettlementInstruction(
            counterparty_id=msco.counterparty_id, account_id=None, market="US",
            asset_class=msco.instrument.instrument_type, place_of_settlement="DTCYUS33",
            agent_bic="CHASUS33", safekeeping_account="0005",
            effective_from=msco.settle_date,
        ))  # fmt: skip
        gsco.exception_reason = note
    seq = settling_desk.audit_count()
    report = carl.settlements.recheck()
    assert (report.checked, report.cleared, report.raised) == (2, 1, 0)
    changed = [e for e in settling_desk.audit_entries(seq)
               if e.table_name == "settlement_obligations"]  # fmt: skip
    assert [(e.record_id, e.action, e.app_user) for e in changed] == [
        (str(waiting), "settlement.recheck", "carl")
    ]
    assert report.remaining == ((noted, note),)
    assert _obligation(settling_desk, waiting).exception_reason is None
    assert _obligation(settling_desk, noted).exception_reason == note
    again = carl.settlements.recheck()
    assert (again.cleared, again.raised, again.remaining) == (0, 0, ((noted, note),))


def test_recheck_skips_closed_obligations_and_needs_the_settlement_run_permission(
    settling_desk: Desk,
) -> None:
    oid = _book(settling_desk)
    carl = settling_desk.ws["carl"]
    carl.settling.instruct([oid])
    carl.settling.match([oid])
    carl.settling.settle(oid)
    assert _obligation(settling_desk, oid).status is ObligationStatus.SETTLED
    assert carl.settlements.recheck([oid]).checked == 0
    with pytest.raises(NotPermitted):
        settling_desk.ws["cora"].settlements.recheck()


def test_show_with_an_exception_lists_only_those(settling_desk: Desk) -> None:
    settling_desk.counterparty("MSCO")
    waiting = _book(settling_desk, counterparty="MSCO")
    _book(settling_desk)
    rows = list(iter_rows(settling_desk.ws["carl"].settlements.obligations(exceptions_only=True)))
    assert [r[-1] for r in rows] == [waiting]
    assert rows[0][0] == NO_SSI  # the first column: what needs a person
