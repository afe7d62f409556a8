"""Demo data: counts, identifiers valid by python-stdnum, determinism, settlement, refusal."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from stdnum import bic, cusip, isin, lei
from stdnum.us import ein, ssn

from desk_app.db import models as m
from desk_app.demo import DEMO_FIRM, DemoSummary, generate_demo_data
from desk_app.demo.catalogue_people import DEMO_PASSWORD
from desk_app.domain import passwords
from desk_app.domain.codes import Direction, InstrumentType, RegistrationType, Role, Side
from desk_app.domain.errors import DeskError
from desk_app.domain.identifiers import mask_tax_id
from desk_app.domain.states import (
    CERTIFICATE,
    CertificateStatus,
    ManifestStatus,
    ObligationStatus,
    TradeStatus,
)
from desk_app.reports.manifest import manifest_document
from desk_app.reports.paged import Paper
from desk_app.services.custody.manifests import view_of
from desk_app.services.firm import firm_name
from desk_app.services.workspace import Workspace, open_workspace

#: The day after Columbus Day 2025: the window holds Good Friday, Juneteenth and a
#: trading day that is not a settlement day (Columbus Day itself).
TODAY = date(2025, 10, 14)
TRADES = 800


def _generate(ws: Workspace, seed: int = 7) -> DemoSummary:
    return generate_demo_data(ws.sessions, seed=seed, trades=TRADES, today=TODAY)


@pytest.fixture
def book(workspace: Workspace) -> Iterator[tuple[Workspace, DemoSummary]]:
    """A small demo book on each engine."""
    yield workspace, _generate(workspace)


def _count(ws: Workspace, model: type[m.Base]) -> int:
    with ws.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _all(ws: Workspace, model: type[Any]) -> list[Any]:
    with ws.sessions() as s:
        return list(s.scalars(select(model).order_by(model.id)))


def test_counts_and_every_status(book: tuple[Workspace, DemoSummary]) -> None:
    ws, summary = book
    assert summary.trades == TRADES
    expected = {
        m.User: summary.users + 1,  # and "tester", who opened the empty database
        m.Instrument: summary.instruments, m.Account: summary.accounts,
        m.Counterparty: summary.counterparties, m.StandingSettlementInstruction: summary.ssis,
        m.Trade: summary.trades, m.SettlementObligation: summary.obligations,
        m.Certificate: summary.certificates, m.CourierManifest: summary.manifests,
    }  # fmt: skip
    assert {model: _count(ws, model) for model in expected} == expected
    assert 100 <= summary.instruments and 250 <= summary.accounts and 300 <= summary.certificates
    assert str(summary).startswith(f"Created {summary.accounts} accounts, ")

    obligations = _all(ws, m.SettlementObligation)
    assert {o.status for o in obligations} == set(ObligationStatus)
    assert {c.status for c in _all(ws, m.Certificate)} == set(CertificateStatus)
    manifests = _all(ws, m.CourierManifest)
    assert {mf.status for mf in manifests} == set(ManifestStatus)
    accounts = _all(ws, m.Account)
    assert {a.registration_type for a in accounts} == set(RegistrationType)
    assert all((a.closed_on is not None) == (a.status == "closed") for a in accounts)
    exceptions = [o for o in obligations if o.exception_reason]
    assert exceptions and all(o.ssi_id is None for o in exceptions)
    assert all("No standing settlement instruction for " in o.exception_reason for o in exceptions)
    assert {i.instrument_type for i in _all(ws, m.Instrument)} == set(InstrumentType) - {
        InstrumentType.FUTURE
    }


def test_identifiers_pass_python_stdnum(book: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = book
    instruments = _all(ws, m.Instrument)
    assert all(isin.is_valid(i.isin) for i in instruments)
    assert all(cusip.is_valid(i.cusip) and i.isin == f"US{i.cusip}{i.isin[-1]}"
               for i in instruments if i.cusip)  # fmt: skip
    assert {i.isin[:2] for i in instruments if i.cusip is None} >= {"DE", "GB", "CH"}
    assert all(cusip.is_valid(c.cusip) for c in _all(ws, m.Certificate))
    parties = _all(ws, m.Counterparty)
    assert all(bic.is_valid(p.bic) and lei.is_valid(p.lei) for p in parties)
    assert any(p.bic == "DTCYUS33" for p in parties)
    us = [p for p in parties if p.bic[4:6] == "US" and p.kind == "broker"]
    assert us and all(p.dtc_participant and len(p.dtc_participant) == 4 for p in us)
    for ssi in _all(ws, m.StandingSettlementInstruction):
        assert bic.is_valid(ssi.place_of_settlement) and bic.is_valid(ssi.agent_bic)
    entities = (RegistrationType.TRUST, RegistrationType.ESTATE, RegistrationType.CORPORATE)
    vault = {t.id: t.value for t in _all(ws, m.TaxId)}  # the demo's owner may read it
    for account in _all(ws, m.Account):
        valid = ein.is_valid if account.registration_type in entities else ssn.is_valid
        assert account.tax_id_ref is not None
        full = vault[account.tax_id_ref]
        assert valid(full), (account.account_number, account.registration_type)
        assert account.tax_id_masked == mask_tax_id(full)


def test_obligations_follow_their_trades(book: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = book
    with ws.sessions() as s:
        pairs = s.execute(
            select(m.Trade, m.SettlementObligation, m.Instrument)
            .join(m.SettlementObligation, m.SettlementObligation.trade_id == m.Trade.id)
            .join(m.Instrument, m.Instrument.id == m.Trade.instrument_id)
            .order_by(m.Trade.id)
        ).all()
    cancels = sum(t.status is TradeStatus.CANCELLED for t in _all(ws, m.Trade))
    assert cancels > 0
    # One per trade version (trade_id is unique), but a cancel version settles nothing.
    assert len(pairs) == TRADES - cancels
    cycles = ws.calendar.cycles()
    calendars = {code: ws.calendar.calendar(code) for code in {c.calendar_code for c in cycles}}
    from desk_app.domain.settlement import cycle_for, settlement_date

    ssis = {ssi.id: ssi for ssi in _all(ws, m.StandingSettlementInstruction)}
    assert any(ssi.effective_to for ssi in ssis.values())  # a changed SSI stays on file
    for trade, ob, inst in pairs:
        if ob.ssi_id is not None:
            ssi = ssis[ob.ssi_id]
            assert ssi.counterparty_id == trade.counterparty_id
            assert (ssi.market, ssi.asset_class) == (inst.market, inst.instrument_type)
            assert ssi.effective_from <= ob.settle_date <= (ssi.effective_to or ob.settle_date)
        assert ob.direction == (Direction.RECEIVE if trade.side is Side.BUY else Direction.DELIVER)
        assert isinstance(ob.amount, Decimal) and ob.amount == trade.net_amount
        assert ob.quantity == trade.quantity and ob.currency == trade.currency == inst.currency
        assert ob.settle_date == trade.settle_date
        cycle = cycle_for(cycles, inst.instrument_type, inst.market, trade.trade_date)
        calendar = calendars[cycle.calendar_code]
        assert calendar.is_settlement_day(ob.settle_date)
        assert ob.settle_date == settlement_date(trade.trade_date, cycle, calendar)
        _check_amounts(trade, inst)
        _check_status(trade, ob)


def test_trades_of_a_bank_holiday_settle_with_the_previous_days(
    book: tuple[Workspace, DemoSummary],
) -> None:
    ws, _ = book
    with ws.sessions() as s:
        columbus = s.scalars(
            select(m.Trade).join(m.Instrument)
            .where(m.Trade.trade_date == date(2025, 10, 13), m.Instrument.market == "US",
                   m.Instrument.instrument_type == InstrumentType.EQUITY)
        ).all()  # fmt: skip
    assert columbus  # NYSE traded on Columbus Day 2025; the banks (and so DTC) did not
    for trade in columbus:
        assert trade.settle_date == date(2025, 10, 14)  # like Friday 2025-10-10's
        assert trade.settle_date_reason and "Columbus Day" in trade.settle_date_reason
        assert "counted from 2025-10-10" in trade.settle_date_reason


#: Each market's time zone and the widest trading hours of its trades (local time).
_MARKET_HOURS = {
    "US": ("America/New_York", time(8), time(17)), "EU": ("Europe/Berlin", time(9), time(17, 30)),
    "GB": ("Europe/London", time(8), time(16, 30)), "CH": ("Europe/Zurich", time(9), time(17, 20)),
}  # fmt: skip


def _check_amounts(trade: m.Trade, inst: m.Instrument) -> None:
    per_hundred = inst.instrument_type.quoted_in_percent_of_par
    exact = trade.quantity * trade.price * inst.multiplier / (100 if per_hundred else 1)
    gross = exact.quantize(Decimal("0.01"), ROUND_HALF_EVEN)  # paid in whole cents
    assert trade.gross_amount == gross and abs(gross - exact) <= Decimal("0.005")
    charges = trade.commission + trade.fees
    net = gross - charges if trade.side.delivers else gross + charges
    assert trade.net_amount == net > 0
    assert all(v == v.quantize(Decimal("0.01")) for v in (trade.commission, trade.fees, net))
    zone, opens, closes = _MARKET_HOURS[inst.market]
    local = trade.trade_time.astimezone(ZoneInfo(zone))
    assert trade.trade_time.tzinfo is UTC and local.date() == trade.trade_date
    assert opens <= local.time() < closes, (trade.trade_time, inst.market)


def test_options_and_money_market_paper(book: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = book
    with ws.sessions() as s:
        trades = s.execute(select(m.Trade, m.Instrument).join(m.Instrument)).all()
    multipliers = {(i.instrument_type, i.multiplier) for i in _all(ws, m.Instrument)}
    assert (InstrumentType.OPTION, Decimal(100)) in multipliers
    assert all(k is InstrumentType.OPTION or x == 1 for k, x in multipliers)
    options = [t for t, i in trades if i.instrument_type is InstrumentType.OPTION]
    assert options and all(t.gross_amount == t.quantity * t.price * 100 for t in options)
    paper = [t for t, i in trades if i.instrument_type is InstrumentType.COMMERCIAL_PAPER]
    assert paper and all(95 < t.price < 100 for t in paper)  # per 100 of face
    assert all(abs(t.gross_amount - t.quantity * t.price / 100) < 1 for t in paper)


def _check_status(trade: m.Trade, ob: m.SettlementObligation) -> None:
    if trade.status is not TradeStatus.ACTIVE:
        assert ob.status is ObligationStatus.CANCELLED
        return
    assert ob.status is not ObligationStatus.CANCELLED
    assert (ob.ssi_id is None) == (ob.exception_reason is not None)
    if ob.status is ObligationStatus.SETTLED:
        assert ob.settled_quantity == ob.quantity and ob.settle_date < TODAY
    elif ob.status is ObligationStatus.PARTIALLY_SETTLED:
        assert 0 < ob.settled_quantity < ob.quantity and 0 < ob.settled_amount < ob.amount
    elif ob.status is ObligationStatus.FAILING:
        assert ob.fail_reason is not None and ob.settle_date < TODAY
    else:
        assert ob.settled_quantity == 0 and ob.settle_date >= TODAY


def test_trade_versions_link_back(book: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = book
    trades = {t.id: t for t in _all(ws, m.Trade)}
    corrections = [t for t in trades.values() if t.version_no > 1]
    assert corrections and any(t.status is TradeStatus.CANCELLED for t in trades.values())
    for new in corrections:
        old = trades[new.supersedes_id]
        assert old.status is TradeStatus.AMENDED and old.version_no == new.version_no - 1
        assert trades[new.original_id].version_no == 1 and new.id > old.id
        if new.status is TradeStatus.CANCELLED:  # the same terms, with the reason
            assert (new.quantity, new.price) == (old.quantity, old.price) and new.reason
        else:
            assert (new.quantity, new.price) != (old.quantity, old.price)
    assert {t.source for t in trades.values()} == {"manual", "csv", "fix"}
    ids = [t.external_id for t in trades.values() if t.source == "csv"]
    assert len(set(ids)) == len(ids) and ids[0].startswith("CSV-")
    clerks = {u.username for u in _all(ws, m.User) if Role.CLERK in u.role_set}
    assert {t.created_by for t in trades.values()} <= clerks


def test_certificates_and_manifests(book: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = book
    certs = _all(ws, m.Certificate)
    numbers = [c.certificate_number for c in certs]
    assert len(set(numbers)) == len(numbers)
    assert 30 <= len({c.cusip for c in certs}) <= 40
    assert all(c.account_id and c.location and 10 <= c.shares <= 5000 for c in certs)
    assert not any(c.stock_power_attached and c.status != "in_vault" for c in certs)
    with ws.sessions() as s:
        lines = s.execute(select(m.ManifestLine.certificate_id, m.CourierManifest.status)
                          .join(m.CourierManifest)).all()  # fmt: skip
    shipped = {cid for cid, _ in lines}
    moving = ("on_manifest", "in_transit", "delivered")
    assert all(c.id in shipped for c in certs if c.status in moving)
    for mf in _all(ws, m.CourierManifest):
        assert mf.prepared_by != mf.verified_by
        assert (mf.verified_by is None) == (mf.status in ("draft", "cancelled"))
        assert mf.declared_value > 0 and mf.insured_value >= mf.declared_value
    _custody_follows_the_rules(ws, certs)


def _custody_follows_the_rules(ws: Workspace, certs: list[m.Certificate]) -> None:
    """Each chain of custody starts with a receipt, moves as the machine allows, ends where
    the certificate is; lost ones have an open loss; printed manifests their prints."""
    chains: dict[int, list[m.CustodyEntry]] = {}
    for entry in _all(ws, m.CustodyEntry):
        chains.setdefault(entry.certificate_id, []).append(entry)
    for cert in certs:
        chain = sorted(chains[cert.id], key=lambda e: (e.at, e.id))
        assert chain[0].kind == "receipt" and chain[0].from_status is None
        for before, after in itertools.pairwise(chain):
            assert after.from_status == before.to_status
            assert CERTIFICATE.can(after.from_status, after.to_status)
        assert (chain[-1].to_status, chain[-1].location) == (cert.status, cert.location)
    lost = {c.id for c in certs if c.status == "lost"}
    assert {loss.certificate_id for loss in _all(ws, m.CertificateLoss)} == lost
    printed = {mf.id: mf.print_count for mf in _all(ws, m.CourierManifest)}
    prints = Counter(p.manifest_id for p in _all(ws, m.ManifestPrint))
    assert prints == {k: v for k, v in printed.items() if v}
    names = {u.username: u.full_name for u in _all(ws, m.User)}
    with ws.sessions() as session:  # each print's hash is that of a reprint at its time
        for p in _all(ws, m.ManifestPrint):
            view = view_of(session.get_one(m.CourierManifest, p.manifest_id))
            pdf = manifest_document(
                view, Paper.LETTER, receipt=False, copy=p.copy, printed_at=p.printed_at,
                firm=firm_name(session), names=names, printed_by=names[p.printed_by],
            ).render()  # fmt: skip
            assert hashlib.sha256(pdf).hexdigest() == p.sha256
        assert firm_name(session) == DEMO_FIRM


def _digest(ws: Workspace) -> str:
    """A fingerprint of the rows that matter, independent of the engine."""
    a, i, c = aliased(m.Account), aliased(m.Instrument), aliased(m.Counterparty)
    t, o, r = m.Trade, m.SettlementObligation, m.ApprovalRequest
    queries = [
        select(t.id, t.external_id, t.source, t.version_no, t.original_id, t.supersedes_id,
               t.status, a.account_number, i.isin, c.code, t.side, t.quantity, t.price,
               t.currency, t.trade_date, t.trade_time, t.settle_date, t.settle_date_reason,
               t.gross_amount, t.commission, t.fees, t.net_amount, t.created_at, t.created_by)
        .join(a, a.id == t.account_id).join(i, i.id == t.instrument_id)
        .join(c, c.id == t.counterparty_id).order_by(t.id),
        select(o.trade_id, o.status, o.direction, o.payment, o.amount, o.settled_quantity,
               o.fail_reason, o.exception_reason, o.ssi_id, o.status_changed_at).order_by(o.id),
        select(m.Account.account_number, m.Account.name, m.Account.tax_id_masked, m.TaxId.value)
        .join(m.TaxId, m.TaxId.id == m.Account.tax_id_ref).order_by(m.Account.id),
        select(m.Certificate.certificate_number, m.Certificate.status, m.Certificate.location)
        .order_by(m.Certificate.id),
        select(m.User.username, m.User.roles, m.User.created_at, m.UserRegistration.series,
               m.UserRegistration.effective_from).join(m.UserRegistration, isouter=True)
        .where(m.User.username != "tester")  # made by opening the database, just now
        .order_by(m.User.id, m.UserRegistration.id),
        select(r.id, r.action, r.target_id, r.target_version, r.target_key, r.summary,
               r.proposal, r.reason, r.maker, r.made_at, r.status, r.decided_by, r.decided_at,
               r.decision_note, r.version).order_by(r.id),
        select(m.Account.account_number, m.Account.status, m.Account.registered_rep,
               m.Account.residence_state, m.Account.version, m.Account.updated_at)
        .order_by(m.Account.id),
    ]  # fmt: skip
    digest = hashlib.sha256()
    with ws.sessions() as s:
        for query in queries:
            for row in s.execute(query):
                digest.update(repr(tuple(str(v) for v in row)).encode())
    return digest.hexdigest()


def test_same_seed_same_book_on_sqlite(tmp_path: Path) -> None:
    digests = []
    for name in ("one", "two", "three"):
        ws = open_workspace(f"sqlite:///{tmp_path / name}.db", "tester")
        try:
            _generate(ws, seed=3 if name != "three" else 4)
            digests.append(_digest(ws))
        finally:
            ws.close()
    assert digests[0] == digests[1] != digests[2]


def test_same_book_on_sqlite_and_postgresql(sqlite_workspace: Workspace, pg_url: str) -> None:
    pg = open_workspace(pg_url, "tester")
    try:
        _generate(pg)
        _generate(sqlite_workspace)
        assert _digest(pg) == _digest(sqlite_workspace)
    finally:
        pg.close()


def test_second_run_is_refused_and_changes_nothing(book: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = book
    models = (m.User, m.Instrument, m.Account, m.Trade, m.SettlementObligation, m.Certificate)
    before = [_count(ws, model) for model in models]
    digest = _digest(ws)
    with pytest.raises(DeskError, match=r"already has data; .* \(try desk-app --demo\)\.$"):
        _generate(ws, seed=99)
    assert [_count(ws, model) for model in models] == before
    assert _digest(ws) == digest


def test_one_audit_event_records_the_load_itself(book: tuple[Workspace, DemoSummary]) -> None:
    ws, summary = book
    with ws.sessions() as s:
        entries = list(s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.seq)))
        entries = [e for e in entries if e.action != "db.baseline_seal"]  # the migration's
        firm = [e for e in entries if e.record_id == "firm"]  # the name its paperwork prints
        # What its staff did, each entry their own (see the test below), is not the load.
        entries = [
            e for e in entries if e.record_id != "firm" and e.app_user in ("tester", "demo-data")
        ]
        seals = int(s.scalar(select(func.count()).select_from(m.RecordSeal)) or 0)
    assert [(e.action, e.change, e.table_name) for e in entries[:3]] == [
        ("user.bootstrap_admin", "create", "users"),  # "tester", who opened the database
        ("user.first_principal", "create", "first_principal"),  # its staff: the first run's
        ("demo.generate", "event", "database"),
    ]
    # Then, at commit, the rows it loaded are sealed: a digest per table (and 50,000 rows).
    loaded = entries[3:]
    assert {(e.action, e.change, e.app_user) for e in loaded} == {
        ("demo.generate", "seal", "demo-data")
    }
    assert {"trades", "accounts", "settlement_obligations", "ledger_entries"} <= {
        e.table_name for e in loaded
    }
    assert sum(json.loads(e.after or "")["rows"] for e in loaded) < seals
    event = entries[2]
    assert event.app_user == "demo-data" and event.before is None and event.after
    assert json.loads(event.after) == {
        "seed": 7, "trades": TRADES, "accounts": summary.accounts, "users": summary.users,
        "certificates": summary.certificates, "manifests": summary.manifests,
        "approval_requests": summary.approval_requests,
    }  # fmt: skip
    assert [json.loads(e.after or "") for e in firm] == [{"name": DEMO_FIRM}]
    assert ws.history.verify().intact


def test_staff_have_roles_and_registrations(book: tuple[Workspace, DemoSummary]) -> None:
    ws, _ = book
    with ws.sessions() as s:
        users = {u.username: u for u in s.scalars(select(m.User))}
    assert users["tester"].role_set == {Role.ADMIN}
    roles = {name: u.role_set for name, u in users.items() if name != "tester"}
    assert sorted(roles.values(), key=sorted) == sorted(
        [{Role.CLERK}] * 4 + [{Role.SUPERVISOR}] * 2 + [{Role.COMPLIANCE}, {Role.ADMIN}],
        key=sorted,
    )
    for name in ("mobrien", "sgoldberg"):  # principals: they can decide requests
        held = {(g.series, g.effective_to) for g in users[name].registrations}
        assert held & {("S24", None), ("S9", None), ("S10", None)}
    staff = [u for name, u in users.items() if name != "tester"]
    assert all(u.active and u.db_login is None for u in staff)
    # The published demo password, so one person can act as each of them (the README).
    assert all(u.password_hash and passwords.matches(u.password_hash, DEMO_PASSWORD)
               for u in staff)  # fmt: skip


def test_a_failure_midway_leaves_nothing_behind(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desk_app import demo as demo_data

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    models = (m.User, m.Instrument, m.Account, m.Trade, m.SettlementObligation, m.AuditEntry)
    before = [_count(workspace, model) for model in models]
    monkeypatch.setattr(demo_data, "make_certificates", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _generate(workspace)
    assert [_count(workspace, model) for model in models] == before
    assert before[:-1] == [1, 0, 0, 0, 0]  # only "tester", who opened the empty database
    monkeypatch.undo()
    assert _generate(workspace).trades == TRADES  # and the database is still usable


def test_progress_is_reported_a_few_dozen_times(sqlite_workspace: Workspace) -> None:
    calls: list[tuple[int, int, str]] = []
    generate_demo_data(
        sqlite_workspace.sessions, trades=300, today=TODAY,
        progress=lambda done, total, stage: calls.append((done, total, stage)),
    )  # fmt: skip
    assert 5 <= len(calls) <= 40
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)
    assert calls[-1][0] == calls[-1][1]


def test_what_the_demo_settled_is_in_the_ledger(demo_ws: Workspace) -> None:
    """Positions and cash: every settled quantity is posted, and the books balance."""
    from sqlalchemy import func, select

    from desk_app.db import models as m

    settling = demo_ws.settling
    assert settling.balances() == settling.ledger_balances()
    with demo_ws.sessions() as session:
        settled = session.scalar(
            select(func.count()).where(m.SettlementObligation.settled_quantity > 0)
        )
        posted = session.scalar(select(func.count(func.distinct(m.LedgerPosting.obligation_id))))
    assert settled and posted == settled


@pytest.mark.parametrize(
    ("now", "today"),
    [
        # Monday 21:30 in New York is already Tuesday in UTC: the book's today is Monday.
        (datetime(2026, 12, 8, 2, 30, tzinfo=UTC), date(2026, 12, 7)),
        # Monday 10:15 in New York: the day's trades so far, none after it.
        (datetime(2026, 12, 7, 15, 15, tzinfo=UTC), date(2026, 12, 7)),
        # Monday 08:00, before the open: Friday is the last trade day.
        (datetime(2026, 12, 7, 13, 0, tzinfo=UTC), date(2026, 12, 4)),
    ],
)
def test_the_demo_has_no_future_in_new_york(
    sqlite_workspace: Workspace, now: datetime, today: date
) -> None:
    generate_demo_data(sqlite_workspace.sessions, seed=5, trades=400, now=now)
    with sqlite_workspace.sessions() as s:
        last_day = s.scalar(select(func.max(m.Trade.trade_date)))
        last_time = s.scalar(select(func.max(m.Trade.trade_time)))
        last_made = s.scalar(select(func.max(m.Trade.created_at)))
        last_change = s.scalar(select(func.max(m.Trade.updated_at)))
    assert last_day == today
    for moment in (last_time, last_made, last_change):
        assert moment is not None and moment <= now


def test_the_demo_is_in_the_audit_trail_as_its_staff_made_it(
    book: tuple[Workspace, DemoSummary],
) -> None:
    """Hand-booked trades, corrections, cancels, accounts and certificate moves, each by
    one of the demo's staff at a time in the book's past; the chain and every seal hold."""
    from desk_app.demo.catalogue_people import STAFF
    from desk_app.services.supervision.history import HistoryService

    ws, _summary = book
    e = m.AuditEntry
    with ws.sessions() as s:
        told = s.execute(
            select(e.action, e.change, e.table_name, e.app_user, e.recorded_at).where(
                e.action.in_(
                    (
                        "trade.book",
                        "trade.amend",
                        "trade.cancel",
                        "account.open",
                        "account.set_status",
                        "certificate.register",
                        "certificate.move",
                        "settlement.settle",
                    )
                )  # fmt: skip
            )
        ).all()
        manual = s.scalar(
            select(func.count()).where(m.Trade.source == "manual", m.Trade.version_no == 1)
        )
        later = s.scalar(select(func.count()).where(m.Trade.version_no > 1))
        accounts = s.scalar(select(func.count()).select_from(m.Account))
        certificates = s.scalar(select(func.count()).select_from(m.Certificate))
        trade = s.scalars(select(m.Trade.id).where(m.Trade.version_no == 2)).first()
    kinds = Counter((a, c, t) for a, c, t, *_ in told)
    assert kinds["trade.book", "create", "trades"] == manual
    assert kinds["trade.amend", "create", "trades"] + kinds["trade.cancel", "create", "trades"] == (
        later
    )
    assert kinds["trade.amend", "update", "trades"] + kinds["trade.cancel", "update", "trades"] == (
        later
    )
    # Their obligations as they were booked (a cancel makes none), and then settled.
    assert kinds["trade.book", "create", "settlement_obligations"] == manual
    assert kinds["settlement.settle", "update", "settlement_obligations"] > 0
    assert kinds["account.open", "create", "accounts"] == accounts
    assert kinds["certificate.register", "create", "certificates"] == certificates
    assert kinds["certificate.move", "update", "certificates"] > 0
    assert {user for *_, user, _ in told} <= {s.username for s in STAFF}
    end_of_today = datetime.combine(TODAY, time(23, 59, 59), ZoneInfo("America/New_York"))
    assert max(at for *_, at in told) <= end_of_today.astimezone(UTC).isoformat()
    assert ws.history.verify().intact
    assert not ws.history.verify_records().problems
    history = HistoryService(ws.uow, ws.engine).history("trades", trade)
    assert [c.change for c in history.changes] == ["create"]
    assert history.text("account_id", history.versions[-1]["account_id"]).count(" ") >= 1
