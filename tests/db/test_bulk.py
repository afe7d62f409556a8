"""Bulk insert on both engines: ids in row order, exact values, refusals, transactions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from desk_app.db import bulk, sealing
from desk_app.db import models as m
from desk_app.db.bulk import big_load, bulk_insert, bulk_insert_columns
from desk_app.domain.codes import AccountStatus, InstrumentType, RegistrationType
from desk_app.domain.record_seals import fingerprints_of, layout_prefix, layout_text, row_hash
from desk_app.services import audit
from desk_app.services.workspace import Workspace

WHEN = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)


def _account(n: int) -> dict[str, Any]:
    return {
        "account_number": f"NYC-{n:05d}", "name": f"Client {n}",
        "registration_type": RegistrationType.INDIVIDUAL, "status": AccountStatus.OPEN,
        "registered_rep": "RR01", "tax_id_ref": None, "tax_id_masked": None,
        "residence_state": "NY",
        "residence_country": "US", "base_currency": "USD", "opened_on": date(2024, 1, 2),
        "closed_on": None, "version": 1, "updated_at": WHEN,
        "account_type": None, "investment_objective": None, "risk_tolerance": None,
        "time_horizon": None, "liquid_net_worth": None, "annual_income": None,
        "tax_status": None, "mailing_address": None, "accepted_by": None,
    }  # fmt: skip


@contextmanager
def _loading(ws: Workspace) -> Iterator[Session]:
    """A transaction with an acting user: bulk rows are sealed in the trail at commit."""
    with ws.sessions.begin() as s:
        s.info[audit.CONTEXT_KEY] = audit.AuditContext("tester", ws.user.db_login, "test.load")
        yield s


def _references(ws: Workspace) -> tuple[int, int, int]:
    """One account, instrument and counterparty for trades to point at."""
    with _loading(ws) as s:
        (account,) = bulk_insert(s, m.Account, [_account(1)])
        (instrument,) = bulk_insert(s, m.Instrument, [{
            "isin": "US0378331005", "cusip": "037833100", "symbol": "AAPL",
            "description": "Apple Inc. common stock", "issuer": "Apple Inc.",
            "instrument_type": InstrumentType.EQUITY, "market": "US", "currency": "USD",
            "multiplier": Decimal(1), "active": True, "reg_sho_threshold": False, "version": 1,
            "updated_at": WHEN,
        }])  # fmt: skip
        (party,) = bulk_insert(s, m.Counterparty, [{
            "code": "HDRS", "name": "Hudson River Securities LLC", "kind": "broker",
            "bic": "HDRSUS33", "lei": None, "dtc_participant": "0417", "active": True,
            "version": 1, "updated_at": WHEN,
        }])  # fmt: skip
    return account, instrument, party


def _trade(refs: tuple[int, int, int], n: int, **values: Any) -> dict[str, Any]:
    account, instrument, party = refs
    row = {
        "external_id": f"X{n}", "source": "csv", "version_no": 1, "original_id": None,
        "supersedes_id": None, "status": "active", "account_id": account,
        "instrument_id": instrument, "counterparty_id": party, "side": "buy",
        "quantity": Decimal(100), "price": Decimal("210.25"), "currency": "USD",
        "trade_date": date(2025, 3, 3), "trade_time": WHEN, "settle_date": date(2025, 3, 4),
        "settle_date_reason": None, "gross_amount": Decimal("21025"), "commission": Decimal(1),
        "fees": Decimal(0), "net_amount": Decimal("21026"), "created_at": WHEN,
        "created_by": "tester", "version": 1, "updated_at": WHEN, "reason": None,
        "import_id": None, "price_reason": None,
    }  # fmt: skip
    row.update(values)
    return row


def _count(ws: Workspace, model: type[m.Base]) -> int:
    with ws.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_ids_come_back_in_row_order(workspace: Workspace) -> None:
    with _loading(workspace) as s:
        first = bulk_insert(s, m.Account, [_account(n) for n in (5, 3, 4)])
        rows = [_account(n) for n in range(2000, 1000, -1)]  # numbers descending
        second = bulk_insert(s, m.Account, rows)
    assert first == sorted(first) and second == sorted(second) and first[-1] < second[0]
    with workspace.sessions() as s:
        stored = {i: n for i, n in s.execute(select(m.Account.id, m.Account.account_number))}
    assert [stored[i] for i in first] == ["NYC-00005", "NYC-00003", "NYC-00004"]
    assert [stored[i] for i in second] == [row["account_number"] for row in rows]


def test_decimals_and_times_round_trip_exactly(workspace: Workspace) -> None:
    refs = _references(workspace)
    new_york = datetime(2025, 7, 1, 9, 30, 15, 250000, tzinfo=ZoneInfo("America/New_York"))
    big, tiny = Decimal("12345678901234.5678"), Decimal("0.000001")
    rows = [
        _trade(refs, 1, gross_amount=big, net_amount=-big, quantity=tiny, trade_time=new_york),
        _trade(refs, 2, quantity=Decimal("9223372036854.775807"), price=Decimal("0.00000001")),
    ]
    with _loading(workspace) as s:
        ids = bulk_insert(s, m.Trade, rows)
    with workspace.sessions() as s:
        one, two = (s.get_one(m.Trade, i) for i in ids)
        assert (one.gross_amount, one.net_amount, one.quantity) == (big, -big, tiny)
        assert str(one.gross_amount) == "12345678901234.5678" and str(one.quantity) == "0.000001"
        assert two.quantity == Decimal("9223372036854.775807")
        assert two.price == Decimal("0.00000001")
        assert one.trade_time == new_york and one.trade_time.tzinfo is UTC
        assert one.trade_time.hour == 13  # 09:30 EDT
        assert s.scalar(select(func.sum(m.Trade.net_amount))) == Decimal("21026") - big


def test_too_many_decimals_are_refused_and_nothing_is_written(workspace: Workspace) -> None:
    refs = _references(workspace)
    rows = [_trade(refs, 1), _trade(refs, 2, commission=Decimal("1.00001"))]
    with pytest.raises(StatementError, match=r"trades\.commission in row 1: .*more than 4 decimal"):
        with _loading(workspace) as s:
            bulk_insert(s, m.Account, [_account(2)])  # written first, in the same transaction
            bulk_insert(s, m.Trade, rows)
    assert (_count(workspace, m.Trade), _count(workspace, m.Account)) == (0, 1)


def test_naive_datetimes_are_refused(workspace: Workspace) -> None:
    refs = _references(workspace)
    naive = datetime(2025, 3, 3, 14, 30)
    with pytest.raises(StatementError, match=r"trades\.trade_time in row 0: naive datetime"):
        with _loading(workspace) as s:
            bulk_insert(s, m.Trade, [_trade(refs, 1, trade_time=naive)])
    assert _count(workspace, m.Trade) == 0


def test_every_column_must_be_given(workspace: Workspace) -> None:
    no_clock = _account(2)
    del no_clock["updated_at"]  # no default fills it in from the clock
    with pytest.raises(ValueError, match=r"accounts row 1: no value for \['updated_at'\]"):
        with _loading(workspace) as s:
            bulk_insert(s, m.Account, [_account(1), no_clock])
    with pytest.raises(ValueError, match=r"accounts row 0: no such column\(s\) \['nickname'\]"):
        with _loading(workspace) as s:
            bulk_insert(s, m.Account, [{**_account(1), "nickname": "J"}])
    with pytest.raises(ValueError, match="the database assigns the id"):
        with _loading(workspace) as s:
            bulk_insert(s, m.Account, [{**_account(1), "id": 7}])
    assert _count(workspace, m.Account) == 0


def _by_column(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {key: [row[key] for row in rows] for key in rows[0]}


def test_rows_given_column_by_column_are_stored_as_rows_are(workspace: Workspace) -> None:
    refs = _references(workspace)
    rows = [_trade(refs, n, quantity=Decimal(n), net_amount=Decimal(-n)) for n in range(1, 301)]
    with _loading(workspace) as s:
        by_rows = bulk_insert(s, m.Trade, rows)
        columns = _by_column([{**row, "external_id": f"C{n}"} for n, row in enumerate(rows)])
        columns["status"] = ("active",) * len(rows)  # any sequence
        same = {"trade_time": columns.pop("trade_time")[0], "source": columns.pop("source")[0]}
        by_columns = bulk_insert_columns(s, m.Trade, columns, same)
    assert len(by_columns) == 300 and by_rows[-1] < by_columns[0] == sorted(by_columns)[0]
    picked = (m.Trade.quantity, m.Trade.net_amount, m.Trade.trade_time, m.Trade.status)
    with workspace.sessions() as s:
        first = [tuple(r) for r in s.execute(select(*picked).where(m.Trade.id.in_(by_rows)))]
        again = [tuple(r) for r in s.execute(select(*picked).where(m.Trade.id.in_(by_columns)))]
    assert sorted(first) == sorted(again) and (Decimal(300), Decimal(-300)) in [
        row[:2] for row in again
    ]
    assert workspace.history.verify_records().intact


def test_columns_are_checked_as_rows_are(workspace: Workspace) -> None:
    refs = _references(workspace)
    columns = _by_column([_trade(refs, 1), _trade(refs, 2, commission=Decimal("1.00001"))])
    with pytest.raises(StatementError, match=r"trades\.commission in row 1: .*more than 4 decimal"):
        with _loading(workspace) as s:
            bulk_insert_columns(s, m.Trade, columns)
    with pytest.raises(ValueError, match=r"no values for \['updated_at'\], no such .*\['nick'\]"):
        with _loading(workspace) as s:
            wrong = {k: v for k, v in columns.items() if k != "updated_at"}
            bulk_insert_columns(s, m.Trade, {**wrong, "nick": ["J", "K"]})
    with pytest.raises(ValueError, match="the database assigns the id"):
        with _loading(workspace) as s:
            bulk_insert_columns(s, m.Trade, {**columns, "id": [7, 8]})
    with pytest.raises(ValueError, match=r"columns of different lengths \[1, 2\]"):
        with _loading(workspace) as s:
            bulk_insert_columns(s, m.Trade, {**columns, "fees": [Decimal(0)]})
    naive = {"trade_time": datetime(2025, 3, 3, 14, 30)}  # one value for all: checked once
    with pytest.raises(StatementError, match=r"trades\.trade_time in row 0: naive datetime"):
        with _loading(workspace) as s:
            wrong = {k: v for k, v in columns.items() if k not in ("trade_time", "commission")}
            bulk_insert_columns(s, m.Trade, {**wrong, "commission": [Decimal(1)] * 2}, naive)
    with _loading(workspace) as s:
        assert bulk_insert_columns(s, m.Trade, {k: [] for k in columns}) == []
    assert _count(workspace, m.Trade) == 0


def test_runs_in_the_callers_transaction(workspace: Workspace) -> None:
    with workspace.sessions() as s:
        s.info[audit.CONTEXT_KEY] = audit.AuditContext(
            "tester", workspace.user.db_login, "test.setup"
        )
        orm = m.Account(**{k: v for k, v in _account(1).items() if k != "version"})
        s.add(orm)  # pending: flushed before the bulk rows, so it gets the first id
        (bulk,) = bulk_insert(s, m.Account, [_account(2)])
        assert orm.id < bulk
        assert s.scalar(select(func.count()).select_from(m.Account)) == 2
        s.rollback()
    assert _count(workspace, m.Account) == 0


def test_constraint_violations_are_sqlalchemy_errors(workspace: Workspace) -> None:
    with pytest.raises(IntegrityError):
        with _loading(workspace) as s:
            bulk_insert(s, m.Account, [_account(1), _account(1)])
    assert _count(workspace, m.Account) == 0


def test_empty_input_writes_nothing(workspace: Workspace) -> None:
    with _loading(workspace) as s:
        assert bulk_insert(s, m.Account, []) == []
    assert _count(workspace, m.Account) == 0


def test_bulk_rows_are_sealed_at_commit_by_one_entry(workspace: Workspace) -> None:
    with _loading(workspace) as s:
        ids = bulk_insert(s, m.Account, [_account(n) for n in range(1, 101)])
    with workspace.sessions() as s:
        entry = s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.seq.desc())).first()
        seals = list(s.scalars(select(m.RecordSeal).where(m.RecordSeal.seq == entry.seq)))
    assert entry is not None
    assert (entry.change, entry.table_name, entry.action) == ("seal", "accounts", "test.load")
    assert (entry.record_id, json.loads(entry.after or "")["rows"]) == (f"{ids[0]}..{ids[-1]}", 100)
    assert sorted(seal.record_id for seal in seals) == ids
    assert workspace.history.verify_records().intact


@pytest.mark.parametrize("one_statement", [True, False], ids=["one-statement", "row-by-row"])
def test_a_loads_seals_hold_each_rows_own_hash_and_fingerprints(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, one_statement: bool
) -> None:
    """However the seals go in (SQLite cuts one batch's blobs up itself, or they go in row
    by row), each is its row's hash and fingerprints as the row reads back."""
    if not one_statement:
        monkeypatch.setattr(sealing, "sqlite_has_json", lambda: False)
    with _loading(workspace) as s:
        ids = bulk_insert(s, m.Account, [_account(n) for n in range(1, 1201)])
    table = m.Account.__table__
    columns = sealing.columns_of(table)
    prefix = layout_prefix("accounts", layout_text("accounts", columns))
    with workspace.engine.connect() as conn:
        rows = [row for part in sealing.read_rows(conn, "accounts", columns, ids) for row in part]
    with workspace.sessions() as s:
        seals = list(
            s.scalars(
                select(m.RecordSeal)
                .where(m.RecordSeal.table_name == "accounts")
                .order_by(m.RecordSeal.record_id)
            )
        )
    assert [(seal.record_id, seal.row_hash, seal.fingerprints) for seal in seals] == [
        (row[columns.index("id")], row_hash(prefix, row), fingerprints_of(row)) for row in rows
    ]
    assert workspace.history.verify_records().intact


def test_bulk_rows_without_an_acting_user_are_refused(workspace: Workspace) -> None:
    with pytest.raises(audit.UnauditedWrite):
        with workspace.sessions.begin() as s:
            bulk_insert(s, m.Account, [_account(1)])
    assert _count(workspace, m.Account) == 0


def _indexes(ws: Workspace) -> list[tuple[str, tuple[str, ...], bool]]:
    with ws.sessions() as s:
        found = inspect(s.connection()).get_indexes("trades")
    return sorted(
        (i["name"] or "", tuple(map(str, i["column_names"])), bool(i["unique"])) for i in found
    )


def _index_statements(s: Session) -> list[tuple[str, str]]:
    """The trades table's indexes as the database holds them: names and statements."""
    sql = (
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'trades' AND type = 'index' "
        "ORDER BY name"
        if s.connection().dialect.name == "sqlite"
        else "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'trades' "
        "AND schemaname = current_schema() ORDER BY indexname"
    )
    return [(str(name), str(made)) for name, made in s.connection().exec_driver_sql(sql)]


def test_a_big_load_builds_the_indexes_again_after_it(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load as big as its table drops the plain indexes and makes them again (SQLite);
    the table ends with the same indexes, which find the new rows, and unique ones
    refuse a duplicate at its row all along."""
    monkeypatch.setattr(bulk, "REBUILD_INDEX_ROWS", 3)  # a big load, in small
    refs = _references(workspace)
    before = _indexes(workspace)
    with _loading(workspace) as s:
        statements = _index_statements(s)
        with big_load(s, 5, m.Trade):
            if s.connection().dialect.name == "sqlite":  # PostgreSQL keeps them
                assert [n for n, _ in _index_statements(s)] == ["sqlite_autoindex_trades_1"]
            ids = bulk_insert(s, m.Trade, [_trade(refs, n) for n in range(5)])
        assert _index_statements(s) == statements
    assert _indexes(workspace) == before
    with workspace.sessions() as s:
        found = s.scalars(select(m.Trade.id).where(m.Trade.external_id == "X3"))
        assert list(found) == [ids[3]]
    with pytest.raises(IntegrityError), _loading(workspace) as s, big_load(s, 6, m.Trade):
        bulk_insert(s, m.Trade, [_trade(refs, n) for n in range(10, 16)] + [_trade(refs, 1)])
    assert _indexes(workspace) == before and _count(workspace, m.Trade) == 5
    assert workspace.history.verify_records().intact


def test_a_load_smaller_than_its_table_keeps_the_indexes(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "REBUILD_INDEX_ROWS", 3)
    refs = _references(workspace)
    with _loading(workspace) as s:
        bulk_insert(s, m.Trade, [_trade(refs, n) for n in range(10)])
    with _loading(workspace) as s:
        statements = _index_statements(s)
        with big_load(s, 4, m.Trade):
            assert _index_statements(s) == statements
            bulk_insert(s, m.Trade, [_trade(refs, n) for n in range(10, 14)])
    assert _count(workspace, m.Trade) == 14
