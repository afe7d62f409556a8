"""Importing trades files: all or nothing, idempotent, FIX corrections as versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.codes import AccountStatus, InstrumentType, Side, TradeSource
from desk_app.domain.errors import NotPermitted, StaleRecord
from desk_app.domain.progress import Cancelled, CancelToken
from desk_app.domain.states import TradeStatus
from desk_app.services.trading.trade_import import TradeImportService
from desk_app.services.trading.trades import TradeService
from tests.services.conftest import Desk

DATA = Path(__file__).resolve().parents[2] / "data"
GOOD_CSV = DATA / "trades" / "good.csv"
GOOD_FIX = DATA / "fix" / "good_pipe_crlf.fix"
#: A late change's request, not the grants that made the desk's staff.
NOT_GRANT = m.ApprovalRequest.action != "user.grant"
BAD_CSVS = sorted(
    p
    for p in (DATA / "trades").glob("*.csv")
    if not p.name.startswith("good") and p.name != "quoted_newline.csv"
)


def _books(desk: Desk) -> Desk:
    """The accounts, instruments and brokers the golden files name."""
    for number in ("ACC-100", "ACC-200", "ACC-300", "ACC-001"):
        desk.account(number)
    desk.instrument("US0378331005")
    desk.instrument("US5949181045")
    desk.instrument("GB0002405495", market="GB", currency="GBP", cusip=None)
    desk.instrument("US912828EG12", InstrumentType.TREASURY)
    for code in ("GSCO", "MSCO", "BARC", "JPMS", "NOMU"):
        desk.counterparty(code)
    return desk


@pytest.fixture
def floor(desk: Desk) -> Desk:
    return _books(desk)


def _importer(
    desk: Desk, user: str = "carl", today: date = date(2026, 11, 24)
) -> TradeImportService:
    ws = desk.ws[user]
    trades = TradeService(ws.uow, ws.approvals, ws.calendar, today=lambda: today)
    return TradeImportService(ws.uow, trades, ws.calendar)


def _count(desk: Desk, model: type[m.Base]) -> int:
    with desk.admin.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _trades(desk: Desk) -> list[m.Trade]:
    with desk.admin.uow.read() as session:
        return list(session.scalars(select(m.Trade).order_by(m.Trade.id)))


def test_a_good_csv_is_stored_whole_with_its_log_and_one_audit_entry(floor: Desk) -> None:
    start = floor.audit_count()
    report = _importer(floor).import_file(GOOD_CSV)
    assert report.ok, report.problems
    assert (report.source, report.rows, report.added, report.unchanged) == (
        TradeSource.CSV,
        5,
        5,
        0,
    )
    assert report.import_id is not None
    trades = _trades(floor)
    assert [t.external_id for t in trades] == ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005"]
    assert {t.import_id for t in trades} == {report.import_id}
    assert {t.created_by for t in trades} == {"carl"}
    t2 = trades[1]
    assert (t2.side, t2.quantity, t2.price) == (Side.SELL, Decimal("25.5"), Decimal("415.123456"))
    # 14:05:09 in New York on 2024-06-03 (EDT, UTC-4)
    assert t2.trade_time == datetime(2024, 6, 3, 18, 5, 9, tzinfo=UTC)
    assert (t2.settle_date, t2.settle_date_reason) == (date(2024, 6, 4), None)
    t3 = trades[2]  # a London trade whose file settles it off the calendar's T+2
    assert t3.side is Side.SELL_SHORT
    assert (t3.settle_date, t3.settle_date_reason) == (date(2024, 6, 5), "As given in good.csv")
    assert trades[3].gross_amount == Decimal("24875.00")  # 25,000 face at 99.5
    assert [t.price_reason for t in trades] == [None] * 4 + [
        "Worthless position closed out at no consideration"  # the one at a price of 0
    ]
    entries = floor.audit_entries(after_seq=start)
    assert [(e.table_name, e.change) for e in entries] == [
        ("trade_imports", "create"),
        ("trade_imports", "event"),
        ("trades", "seal"),  # the imported rows, sealed at commit
    ]
    with floor.admin.uow.read() as session:
        log = session.get(m.TradeImport, report.import_id)
        assert log is not None
        assert (log.file_name, log.rows, log.added, log.imported_by) == ("good.csv", 5, 5, "carl")


def test_importing_the_same_file_again_adds_nothing(floor: Desk) -> None:
    first = _importer(floor).import_file(GOOD_CSV)
    again = _importer(floor).import_file(GOOD_CSV)
    assert (again.added, again.unchanged) == (0, 5)
    assert again.already_imported is not None
    assert f"import {first.import_id}" in again.already_imported
    assert len(_trades(floor)) == 5


def test_a_dry_run_checks_and_stores_nothing(floor: Desk) -> None:
    report = _importer(floor).import_file(GOOD_CSV, dry_run=True)
    assert report.ok and report.dry_run
    assert report.added == 5 and report.import_id is None
    assert [row.action for row in report.preview] == ["add"] * 5
    assert report.preview[0].net_amount == Decimal("18929.97")
    assert _count(floor, m.Trade) == 0 and _count(floor, m.TradeImport) == 0


def test_rows_the_books_refuse_are_all_listed_and_nothing_is_stored(
    floor: Desk, tmp_path: Path
) -> None:
    floor.account("ACC-900", status=AccountStatus.CLOSED, closed_on=date(2024, 1, 2))
    path = tmp_path / "day.csv"
    path.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        "A-1,2024-06-03,ACC-100,buy,US0378331005,100,189.25,USD,GSCO\n"
        "A-2,2024-06-03,ACC-404,buy,US0378331005,100,189.25,USD,GSCO\n"
        "A-3,2024-06-03,ACC-100,buy,US38259P5089,100,189.25,USD,GSCO\n"
        "A-4,2024-06-03,ACC-100,buy,US0378331005,100,189.25,USD,ZZZZ\n"
        "A-5,2024-06-03,ACC-900,buy,US0378331005,100,189.25,USD,GSCO\n",
        encoding="utf-8",
    )
    report = _importer(floor).import_file(path)
    assert [str(p) for p in report.problems] == [
        "day.csv:3: account: is not an account on this database ('ACC-404')",
        "day.csv:4: isin: is not an instrument on this database (add it in the Reference tab "
        "or with instruments add)"
        " ('US38259P5089')",
        "day.csv:5: counterparty: is not a counterparty on this database ('ZZZZ')",
        "day.csv:6: account: is closed since 2024-01-02 ('ACC-900')",
    ]
    assert _count(floor, m.Trade) == 0 and _count(floor, m.TradeImport) == 0


def test_every_problem_of_every_line_is_named(floor: Desk, tmp_path: Path) -> None:
    """A line's bad ISIN does not hide its unknown account, nor an account its counterparty."""
    path = tmp_path / "day.csv"
    path.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        "A-1,2024-06-03,ACC-404,buy,US0378331006,100,189.25,USD,GSCO\n"
        "A-2,2024-06-03,ACC-405,buy,US0378331005,100,189.25,USD,ZZZZ\n"
        "A-3,2024-06-03,ACC-406,buy,US0378331005,-5,189.25,USD,YYYY\n"
        "A-4,2024-06-03,ACC-100,buy,US0378331005,100,189.25,USD,GSCO\n",
        encoding="utf-8",
    )
    report = _importer(floor).import_file(path)
    assert [str(p) for p in report.problems] == [
        "day.csv:2: isin: check digit is wrong ('US0378331006')",
        "day.csv:2: account: is not an account on this database ('ACC-404')",
        "day.csv:3: account: is not an account on this database ('ACC-405')",
        "day.csv:3: counterparty: is not a counterparty on this database ('ZZZZ')",
        "day.csv:4: quantity: must not be negative ('-5')",
        "day.csv:4: account: is not an account on this database ('ACC-406')",
        "day.csv:4: counterparty: is not a counterparty on this database ('YYYY')",
    ]
    assert _count(floor, m.Trade) == 0 and _count(floor, m.TradeImport) == 0


def test_every_problem_of_a_fix_message_is_named(floor: Desk) -> None:
    bad = (
        "35=8|17=F1|150=F|1=ACC-404|54=1|48=US0378331005|22=4|32=100|31=187.25|15=USD|"
        "75=20261124|60=20261124-14:30:05|76=ZZZZ|",
        "35=8|17=F2|150=F|1=ACC-405|54=1|48=US0378331005|22=4|32=100|31=abc|15=USD|"
        "75=20261124|60=20261124-14:30:05|76=GSCO|",
    )
    report = _importer(floor).import_bytes(_fix(*bad), "fills.fix")
    assert [str(p) for p in report.problems] == [
        "fills.fix:1: Account(1): is not an account on this database ('ACC-404')",
        "fills.fix:1: ExecBroker(76): is not a counterparty on this database ('ZZZZ')",
        "fills.fix:2: LastPx(31): is not a number (write digits, with '.' as the decimal point)"
        " ('abc')",
        "fills.fix:2: Account(1): is not an account on this database ('ACC-405')",
    ]


@pytest.mark.parametrize("path", BAD_CSVS, ids=lambda p: p.name)
def test_every_bad_golden_file_is_refused_whole(floor: Desk, path: Path) -> None:
    report = _importer(floor).import_file(path)
    assert not report.ok
    assert all(str(p).startswith(f"{path.name}:") for p in report.problems)
    assert _count(floor, m.Trade) == 0 and _count(floor, m.TradeImport) == 0


def test_fix_corrections_and_cancels_become_versions(floor: Desk) -> None:
    report = _importer(floor).import_file(GOOD_FIX)
    assert report.ok, report.problems
    assert (report.source, report.added, report.corrected, report.cancelled) == (
        TradeSource.FIX,
        1,
        1,
        1,
    )
    trades = _trades(floor)
    assert [(t.external_id, t.version_no, t.status) for t in trades] == [
        ("E1", 1, TradeStatus.AMENDED),
        ("E2", 2, TradeStatus.AMENDED),
        ("E3", 3, TradeStatus.CANCELLED),
    ]
    assert trades[1].price == Decimal("187.30")
    assert {t.original_id for t in trades[1:]} == {trades[0].id}
    assert [t.supersedes_id for t in trades] == [None, trades[0].id, trades[1].id]
    assert trades[2].reason == "FIX cancel E3"
    again = _importer(floor).import_file(GOOD_FIX)
    assert (again.added, again.corrected, again.cancelled, again.unchanged) == (0, 0, 0, 3)
    assert len(_trades(floor)) == 3


def _fix(*bodies: str) -> bytes:
    """FIX messages with BodyLength and CheckSum computed, one per line, | separated."""
    out = []
    for body in bodies:
        text = body.replace("|", "\x01")
        head = f"8=FIX.4.4\x019={len(text.encode())}\x01"
        checksum = sum((head + text).encode()) % 256
        out.append((head + text + f"10={checksum:03d}\x01").replace("\x01", "|"))
    return ("\n".join(out) + "\n").encode()


TRADE_E1 = (
    "35=8|17=E1|150=F|1=ACC-001|54=1|48=US0378331005|22=4|32=100|31=187.25|15=USD|"
    "75=20261124|60=20261124-14:30:05|76=GSCO|"
)
CORRECT_E1 = (
    "35=8|17=E9|150=G|19=E1|1=ACC-001|54=1|48=US0378331005|22=4|32=200|31=187.25|15=USD|"
    "75=20261124|60=20261124-14:30:05|76=GSCO|"
)


def test_a_correction_in_a_later_file_applies_to_the_stored_trade(floor: Desk) -> None:
    assert _importer(floor).import_bytes(_fix(TRADE_E1), "morning.fix").ok
    report = _importer(floor).import_bytes(_fix(CORRECT_E1), "noon.fix")
    assert report.ok and report.corrected == 1
    assert [(t.version_no, t.quantity, t.status) for t in _trades(floor)] == [
        (1, Decimal(100), TradeStatus.AMENDED),
        (2, Decimal(200), TradeStatus.ACTIVE),
    ]


CANCEL_E1 = (
    "35=8|17=E8|150=H|19=E1|1=ACC-001|54=1|48=US0378331005|22=4|32=100|31=187.25|15=USD|"
    "75=20261124|76=GSCO|"
)


def test_a_late_correction_goes_to_a_principal_and_is_found_again_after(floor: Desk) -> None:
    assert _importer(floor).import_bytes(_fix(TRADE_E1), "morning.fix").ok
    late_day = date(2026, 11, 27)  # after the settlement date, 2026-11-25
    dry = _importer(floor, today=late_day).import_bytes(_fix(CORRECT_E1), "late.fix", dry_run=True)
    assert (dry.ok, dry.requested, dry.corrected) == (True, 1, 0)
    assert [r.action for r in dry.preview] == ["request"]
    late = _importer(floor, today=late_day).import_bytes(_fix(CORRECT_E1), "late.fix")
    assert (late.ok, late.requested, late.corrected) == (True, 1, 0)
    assert late.summary.endswith(", 1 sent for approval")
    assert len(_trades(floor)) == 1  # nothing changes before a principal approves
    with floor.admin.uow.read() as session:
        request = session.scalars(select(m.ApprovalRequest).where(NOT_GRANT)).one()
    assert request.maker == "carl"
    assert request.summary.endswith("(from FIX E9)")
    assert request.reason == (
        "FIX correction E9 in late.fix (its settlement date 2026-11-25 has passed)"
    )
    again = _importer(floor, today=late_day).import_bytes(_fix(CORRECT_E1), "late.fix")
    assert (again.requested, again.requested_before) == (0, 1)  # the same message, waiting
    floor.ws["sue"].approvals.approve(request.id, "Confirmed with GSCO")
    versions = _trades(floor)
    assert [(t.version_no, t.quantity, t.status, t.external_id, t.source) for t in versions] == [
        (1, Decimal(100), TradeStatus.AMENDED, "E1", TradeSource.FIX),
        (2, Decimal(200), TradeStatus.ACTIVE, "E9", TradeSource.FIX),
    ]
    after = _importer(floor, today=late_day).import_bytes(_fix(CORRECT_E1), "late.fix")
    assert (after.ok, after.requested, after.unchanged) == (True, 0, 1)


def test_one_late_change_at_a_time_for_a_trade(floor: Desk) -> None:
    assert _importer(floor).import_bytes(_fix(TRADE_E1), "morning.fix").ok
    late = _importer(floor, today=date(2026, 11, 27))
    both = late.import_bytes(_fix(CORRECT_E1, CANCEL_E1), "both.fix")
    trade_id = _trades(floor)[0].id
    assert [str(p) for p in both.problems] == [
        f"both.fix:2: ExecRefID(19): names trade {trade_id}, whose change on line 1 goes for "
        "approval; send this one after it is decided ('E1')"
    ]
    assert late.import_bytes(_fix(CORRECT_E1), "first.fix").requested == 1
    second = late.import_bytes(_fix(CANCEL_E1), "second.fix")
    assert len(second.problems) == 1
    assert "which has request" in second.problems[0].reason
    assert "waiting for a principal" in second.problems[0].reason


def test_one_late_change_at_a_time_whichever_version_it_names(floor: Desk) -> None:
    assert _importer(floor).import_bytes(_fix(TRADE_E1, CORRECT_E1), "day.fix").ok  # E9: v2
    cancel_e9 = CANCEL_E1.replace("17=E8|", "17=E7|").replace("19=E1|", "19=E9|")
    late = _importer(floor, today=date(2026, 11, 27))
    report = late.import_bytes(_fix(CANCEL_E1, cancel_e9), "late.fix")
    assert [p.line for p in report.problems] == [2]
    assert "goes for approval" in report.problems[0].reason


def test_a_rejected_late_change_is_not_sent_again_by_the_same_file(floor: Desk) -> None:
    assert _importer(floor).import_bytes(_fix(TRADE_E1), "morning.fix").ok
    late = _importer(floor, today=date(2026, 11, 27))
    assert late.import_bytes(_fix(CORRECT_E1), "late.fix").requested == 1
    with floor.admin.uow.read() as session:
        request_id = session.scalars(select(m.ApprovalRequest.id).where(NOT_GRANT)).one()
    floor.ws["sue"].approvals.reject(request_id, "GSCO confirmed 100, not 200")
    again = late.import_bytes(_fix(CORRECT_E1), "late.fix")
    assert (again.ok, again.requested, again.requested_before, again.unchanged) == (True, 0, 1, 0)
    assert again.summary.endswith(", 1 sent for approval before")
    assert [r.action for r in again.preview] == ["requested"]
    assert len(_trades(floor)) == 1


def test_an_exec_id_a_waiting_request_holds_is_not_used_again(floor: Desk) -> None:
    trade_e2 = TRADE_E1.replace("17=E1|", "17=E2|")
    assert _importer(floor).import_bytes(_fix(TRADE_E1, trade_e2), "morning.fix").ok
    late = _importer(floor, today=date(2026, 11, 27))
    assert late.import_bytes(_fix(CORRECT_E1), "late.fix").requested == 1  # holds E9
    correct_e2 = CORRECT_E1.replace("19=E1|", "19=E2|")  # E9 again, for another trade
    reused = late.import_bytes(_fix(correct_e2), "reused.fix")
    assert [p.field for p in reused.problems] == ["ExecID(17)"]
    assert "request" in reused.problems[0].reason
    new_e9 = TRADE_E1.replace("17=E1|", "17=E9|")  # a new trade under E9
    booked = _importer(floor).import_bytes(_fix(new_e9), "new.fix")
    assert [p.field for p in booked.problems] == ["ExecID(17)"]


def test_approving_a_late_change_whose_exec_id_was_taken_since_is_refused(floor: Desk) -> None:
    assert _importer(floor).import_bytes(_fix(TRADE_E1), "morning.fix").ok
    late = _importer(floor, today=date(2026, 11, 27))
    assert late.import_bytes(_fix(CORRECT_E1), "late.fix").requested == 1
    with floor.admin.uow.write("test.setup") as session:  # E9 given out behind Desk's back
        first = session.scalars(select(m.Trade)).one()
        values = {c.key: getattr(first, c.key) for c in m.Trade.__table__.c if c.key != "id"}
        session.add(m.Trade(**{**values, "external_id": "E9"}))
        request_id = session.scalars(select(m.ApprovalRequest.id).where(NOT_GRANT)).one()
    with pytest.raises(StaleRecord, match="FIX id E9 has been given to trade version"):
        floor.ws["sue"].approvals.approve(request_id)


def test_a_reference_to_no_trade_is_a_problem(floor: Desk) -> None:
    report = _importer(floor).import_bytes(_fix(CORRECT_E1), "orphan.fix")
    assert [str(p) for p in report.problems] == [
        "orphan.fix:1: ExecRefID(19): names no trade on the blotter or earlier in the file ('E1')"
    ]


def test_an_external_id_sent_again_with_other_terms_is_a_problem(
    floor: Desk, tmp_path: Path
) -> None:
    assert _importer(floor).import_file(GOOD_CSV).ok
    changed = tmp_path / "resent.csv"
    changed.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        "T-1001,2024-06-03,ACC-100,buy,US0378331005,150,189.25,USD,GSCO\n",
        encoding="utf-8",
    )
    report = _importer(floor).import_file(changed)
    assert [p.field for p in report.problems] == ["external_id"]
    first = _trades(floor)[0].id
    assert f"is already trade {first} with another quantity" in str(report.problems[0])


def _big_csv(rows: int) -> bytes:
    lines = ["external_id,trade_date,account,side,isin,quantity,price,currency,counterparty"]
    lines += [
        f"B-{n},2024-06-03,ACC-100,buy,US0378331005,{n + 1},10.5,USD,GSCO" for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_cancelling_part_way_stores_nothing(floor: Desk) -> None:
    token = CancelToken()
    seen: list[str] = []

    def progress(_done: int, _total: int, text: str) -> None:
        seen.append(text)
        if text.startswith("Storing"):
            token.cancel()

    with pytest.raises(Cancelled):
        _importer(floor).import_bytes(_big_csv(12_000), "big.csv", progress=progress, cancel=token)
    assert any(text.startswith("Storing") for text in seen)
    assert _count(floor, m.Trade) == 0 and _count(floor, m.TradeImport) == 0


def test_only_the_floor_imports(floor: Desk) -> None:
    with pytest.raises(NotPermitted):
        _importer(floor, "cora").import_file(GOOD_CSV)


_GOOD_LINES = GOOD_CSV.read_bytes().splitlines(keepends=True)


def _mutated(good: bytes) -> st.SearchStrategy[bytes]:
    """``good`` with a few bytes replaced somewhere."""
    return st.tuples(st.integers(0, len(good) - 1), st.binary(min_size=1, max_size=3)).map(
        lambda cut: good[: cut[0]] + cut[1] + good[cut[0] + 1 :]
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(st.sampled_from(_GOOD_LINES[1:]), max_size=8).map(
            lambda rows: b"".join([_GOOD_LINES[0], *rows])
        ),
        _mutated(GOOD_CSV.read_bytes()),
        _mutated(GOOD_FIX.read_bytes()),
        st.lists(st.sampled_from(GOOD_FIX.read_bytes().splitlines(keepends=True))).map(b"".join),
    )
)
def test_random_and_mutated_files_never_crash_and_never_half_store(
    sqlite_desk: Desk, content: bytes
) -> None:
    before = _count(sqlite_desk, m.Trade)
    report = _importer(sqlite_desk).import_bytes(content, "fuzz.csv")
    after = _count(sqlite_desk, m.Trade)
    if report.ok:
        assert after - before == report.added + report.corrected + report.cancelled
    else:
        assert after == before


@pytest.fixture(scope="module")
def sqlite_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    made = _books(Desk(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"))
    yield made
    made.close()


def test_an_exec_id_reused_for_another_trade_is_a_problem(floor: Desk) -> None:
    assert _importer(floor).import_bytes(_fix(TRADE_E1), "morning.fix").ok
    e8 = TRADE_E1.replace("17=E1", "17=E8")
    reused = CORRECT_E1.replace("17=E9", "17=E1").replace("19=E1", "19=E8")
    report = _importer(floor).import_bytes(_fix(e8, reused), "next.fix")
    assert [p.field for p in report.problems] == ["ExecID(17)"]
    assert "is already on the blotter, as a version of trade" in str(report.problems[0])
    assert len(_trades(floor)) == 1


def test_an_external_id_longer_than_the_blotter_keeps_is_a_row_problem(
    floor: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        f"{'X' * 65},2024-06-03,ACC-100,buy,US0378331005,100,189.25,USD,GSCO\n",
        encoding="utf-8",
    )
    report = _importer(floor).import_file(path)
    assert [(p.line, p.field) for p in report.problems] == [(2, "external_id")]
    assert "longer than 64 characters" in str(report.problems[0])
