"""The editable settlement rules: every problem named, four-eyes, audited, and in effect."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import NotPermitted, StaleRecord, ValidationError
from desk_app.domain.rule_changes import RuleKind, RuleProblems
from desk_app.services.reference.rules import RulesService
from desk_app.services.settlement.obligations import obligation_of
from tests.services.conftest import Desk
from tests.services.trading.test_trades import (
    _terms,
    floor,  # noqa: F401 - the fixture
)

TODAY = date(2026, 11, 20)  # the rules' today: the Friday before the trade below


def rules(desk: Desk, user: str) -> RulesService:
    ws = desk.ws[user]
    return RulesService(ws.uow, ws.approvals, lambda: TODAY)


def test_a_bad_cycle_names_every_problem_at_once(desk: Desk) -> None:
    with pytest.raises(RuleProblems) as refused:
        rules(desk, "carl").request(
            RuleKind.CYCLE,
            {
                "instrument_type": "crypto",
                "market": "USA",
                "effective_from": "2026-02-30",
                "offset_days": "11",
                "calendar_code": "XX",
            },
            "why",
        )
    fields = [p.field for p in refused.value.problems]
    assert fields == ["instrument_type", "market", "effective_from", "offset_days", "calendar_code"]
    assert "between 0 and 10" in refused.value.message


def test_a_past_change_needs_a_backdate_reason(desk: Desk) -> None:
    values = {
        "calendar_code": "US",
        "day": "2026-11-19",
        "settlement_day": "closed",
        "reason": "storm",
    }
    with pytest.raises(RuleProblems, match="backdate reason"):
        rules(desk, "carl").request(RuleKind.OVERRIDE, values, "why")
    assert rules(desk, "carl").request(
        RuleKind.OVERRIDE, {**values, "backdate_reason": "DTC closed"}, "why"
    )


def test_an_approved_override_moves_a_new_trades_settlement_date(floor: Desk) -> None:  # noqa: F811
    carl, sue = floor.ws["carl"], floor.ws["sue"]
    request = rules(floor, "carl").request(
        RuleKind.OVERRIDE,
        {
            "calendar_code": "US",
            "day": "2026-11-25",
            "settlement_day": "closed",
            "reason": "DTC outage",
        },
        "DTC announced the outage",
    )
    with pytest.raises(NotPermitted):
        carl.approvals.approve(request)  # a clerk, and the maker
    assert carl.calendar.settle_date(date(2026, 11, 24), InstrumentType.EQUITY)[0] == date(
        2026, 11, 25
    )
    seq = floor.audit_count()
    sue.approvals.approve(request)
    entry = [e for e in floor.audit_entries(seq) if e.table_name == "calendar_overrides"]
    assert [(e.app_user, e.change, e.action) for e in entry] == [("sue", "create", "rules.change")]
    trade = carl.trades.book(_terms(floor.account()))
    with floor.admin.uow.read() as session:
        found = obligation_of(session, trade)
        assert found is not None and found.settle_date == date(2026, 11, 27)  # Thanksgiving
    removal = rules(floor, "carl").request_removal(
        {"calendar_code": "US", "day": "2026-11-25"}, "outage cancelled"
    )
    sue.approvals.approve(removal)
    assert rules(floor, "carl").rows(RuleKind.OVERRIDE) == []


def test_a_new_cycle_ends_the_one_before_it(desk: Desk) -> None:
    maker = rules(desk, "carl")
    request = maker.request(
        RuleKind.CYCLE,
        {
            "instrument_type": "equity",
            "market": "US",
            "effective_from": "2027-03-01",
            "offset_days": "0",
            "calendar_code": "US",
            "note": "T+0 pilot",
        },
        "the SEC's T+0 pilot",
    )
    desk.ws["sue"].approvals.approve(request)
    equity = [r for r in maker.rows(RuleKind.CYCLE, "equity us") if r[2] == "US"]
    assert [(r[3], r[4], r[5]) for r in equity[-2:]] == [
        (date(2024, 5, 28), date(2027, 2, 28), 1),
        (date(2027, 3, 1), None, 0),
    ]
    cal = desk.ws["carl"].calendar
    assert cal.settle_date(date(2027, 3, 1), InstrumentType.EQUITY)[0] == date(2027, 3, 1)
    with pytest.raises(ValidationError, match="already starts that day"):
        maker.request(
            RuleKind.CYCLE,
            {
                "instrument_type": "equity",
                "market": "US",
                "effective_from": "2027-03-01",
                "offset_days": "1",
                "calendar_code": "US",
            },
            "again",
        )


def test_rule_days_are_versioned_and_the_aging_limit_moves_the_manifests(
    desk: Desk, tmp_path: Path
) -> None:
    maker, sue = rules(desk, "carl"), desk.ws["sue"]
    first = maker.request(
        RuleKind.AGING_LIMIT,
        {"code": "manifest_unreceipted", "days": "5"},
        "couriers are slower in December",
    )
    second = rules(desk, "sam").request(
        RuleKind.FAIL_RULE, {"code": "regsho-short", "days": "2"}, "why"
    )
    detail = sue.approvals.detail(first)
    assert [(f.field, f.at_request, f.proposed) for f in detail.fields] == [
        ("code", "manifest_unreceipted", "manifest_unreceipted"),
        ("days", 3, 5),
    ]
    sue.approvals.approve(first)
    assert desk.ws["carl"].manifests.unreceipted_limit() == 5
    stale = maker.request(
        RuleKind.AGING_LIMIT, {"code": "manifest_unreceipted", "days": "6"}, "why"
    )
    limits = tmp_path / "limits.csv"
    limits.write_text("code,days\nmanifest_unreceipted,7\n")
    moved = rules(desk, "sam").import_csv(RuleKind.AGING_LIMIT, limits, "year end")
    assert moved.request_id is not None
    desk.ws["sue"].approvals.approve(moved.request_id)  # the record moved on meanwhile
    with pytest.raises(StaleRecord):
        sue.approvals.approve(stale)
    desk.ws["sue"].approvals.approve(second)
    assert ("REGSHO-SHORT", 2) in [(r[0], r[5]) for r in maker.rows(RuleKind.FAIL_RULE)]
    with pytest.raises(RuleProblems, match="between 1 and 365"):
        maker.request(RuleKind.AGING_LIMIT, {"code": "manifest_unreceipted", "days": "0"}, "x")
    with pytest.raises(ValidationError, match="is not a known fail rule"):
        maker.request(RuleKind.FAIL_RULE, {"code": "NOPE", "days": "2"}, "x")


def test_an_insider_cannot_change_the_rules_by_any_route(desk: Desk) -> None:
    carl = desk.ws["carl"]
    request = rules(desk, "carl").request(
        RuleKind.FAIL_RULE, {"code": "REGSHO-LONG", "days": "1"}, "why"
    )
    with pytest.raises(NotPermitted):
        carl.approvals.approve(request)
    carl.approvals.withdraw(request)
    sue = rules(desk, "sue")
    own = sue.request(RuleKind.FAIL_RULE, {"code": "REGSHO-LONG", "days": "2"}, "why")
    with pytest.raises(NotPermitted):
        desk.ws["sue"].approvals.approve(own)


def test_an_import_is_one_request_all_or_nothing(desk: Desk, tmp_path: Path) -> None:
    bad = tmp_path / "overrides.csv"
    bad.write_text(
        "calendar_code;day;settlement_day;reason\n"
        "US;2026-12-24;closed;Christmas Eve\n"
        "XX;2026-12-31;maybe;\n"
        "US;2026-12-24;open;again\n",
        encoding="utf-8",
    )
    maker = rules(desk, "carl")
    result = maker.import_csv(RuleKind.OVERRIDE, bad, "year end")
    assert [str(p) for p in result.problems] == [
        "overrides.csv:3: calendar_code: is not a calendar; known: US, US-GOVT, EU, GB, CH ('XX')",
        "overrides.csv:3: settlement_day: is not open or closed ('maybe')",
        "overrides.csv:3: reason: is required",
        "overrides.csv:4: row: repeats line 2 (US/2026-12-24)",
    ]
    assert result.request_id is None
    good = tmp_path / "good.csv"
    good.write_text(
        "calendar_code,day,settlement_day,reason\r\n"
        "US,2026-12-24,closed,Christmas Eve\r\nUS,2026-12-24,open,again\r\n",
        encoding="utf-8-sig",
    )
    repeated = maker.import_csv(RuleKind.OVERRIDE, good, "year end")
    assert [str(p) for p in repeated.problems] == [
        "good.csv:3: row: repeats line 2 (US/2026-12-24)"
    ]
    good.write_text(
        "calendar_code,day,settlement_day,reason\n"
        "US,2026-12-24,closed,Christmas Eve\nUS-GOVT,2026-12-24,closed,Eve\n"
    )
    assert maker.import_csv(RuleKind.OVERRIDE, good, "x", dry_run=True).request_id is None
    filed = maker.import_csv(RuleKind.OVERRIDE, good, "year end")
    assert filed.ok and filed.rows == 2 and filed.request_id is not None
    assert maker.rows(RuleKind.OVERRIDE) == []
    proposal = json.loads(desk.request(filed.request_id).proposal)
    assert proposal["after"]["line 3"] == "US-GOVT 2026-12-24 closed: Eve"
    desk.ws["sue"].approvals.approve(filed.request_id)
    assert [(r[1], r[2]) for r in maker.rows(RuleKind.OVERRIDE)] == [
        ("US", date(2026, 12, 24)),
        ("US-GOVT", date(2026, 12, 24)),
    ]


def test_a_clerk_writing_a_rule_behind_desks_back_is_refused_or_found(desk: Desk) -> None:
    """Their own login reaches the table: PostgreSQL refuses; on a file the seals show it."""
    engine = create_engine(desk.url_of("carl"))
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE fail_rules SET days = 30 WHERE code = 'REGSHO-LONG'"))
    except DBAPIError as refused:
        assert desk.shared and "approves a settlement rules request" in str(refused)
    else:
        assert not desk.shared
    finally:
        engine.dispose()
    report = desk.ws["cora"].history.verify_records()
    assert report.intact is desk.shared
    assert desk.shared or any("fail_rules" in str(p) for p in report.problems)
