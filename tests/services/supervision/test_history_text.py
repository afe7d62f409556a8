"""A record's history reads as business keys and formatted values, not ids and raw numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import InstrumentType
from desk_app.domain.history import FieldFormat, FieldKind, moment_text, value_text
from tests.services.conftest import Desk
from tests.services.trading.test_trades import _service, _terms

NEW_YORK = ZoneInfo("America/New_York")


def test_an_obligation_names_its_account_instrument_party_and_ssi(desk: Desk) -> None:
    desk.instrument()
    desk.counterparty(ssi_for=InstrumentType.EQUITY)
    account = desk.account()
    trade = _service(desk, "carl").book(_terms(account))
    with desk.admin.uow.read() as session:
        oid = session.scalars(
            select(m.SettlementObligation.id).where(m.SettlementObligation.trade_id == trade)
        ).one()
        name = session.scalars(select(m.Account.name).where(m.Account.account_number == account))
        holder = name.one()
    history = desk.admin.history.history("settlement_obligations", oid)
    created = history.versions[-1]
    assert created is not None
    shown = {k: history.text(k, v, created) for k, v in created.items()}
    assert shown["account_id"] == f"{account} {holder}"
    assert shown["instrument_id"].startswith("US0378331005")
    assert shown["counterparty_id"].startswith("GSCO ")
    assert " via " in shown["ssi_id"]  # its place of settlement and agent
    assert shown["trade_id"] == f"trade {trade} (version 1)"
    assert shown["amount"] == "21,030.50 USD"  # 100 at 210.25, plus 5.00 and 0.50
    assert shown["quantity"] == "100"
    assert shown["settle_date"] == "2026-11-25"
    assert shown["status"][0].isupper() and "_" not in shown["status"]


def test_values_read_as_people_read_them() -> None:
    money = FieldFormat(FieldKind.MONEY)
    assert value_text(money, "100533.4000", {"currency": "EUR"}) == "100,533.40 EUR"
    assert value_text(FieldFormat(FieldKind.PRICE), "210.25000000") == "210.25"
    assert value_text(FieldFormat(FieldKind.QUANTITY), "1500.000000") == "1,500"
    assert value_text(FieldFormat(FieldKind.DATE), "2026-12-07") == "2026-12-07"
    party = FieldFormat(FieldKind.REFERENCE, {"9": "GSCO Goldman Sachs"})
    assert value_text(party, 9) == "GSCO Goldman Sachs"
    assert value_text(party, 10) == "#10 (no longer on file)"
    assert value_text(FieldFormat(FieldKind.CODE, {"failing": "Failing"}), "failing") == "Failing"
    assert value_text(money, None) == ""
    when = "2026-12-07T14:41:00Z"
    assert value_text(FieldFormat(FieldKind.MOMENT), when, zone=NEW_YORK) == (
        "2026-12-07 09:41 EST"
    )
    assert moment_text(datetime(2026, 7, 1, 13, 5, 9, tzinfo=UTC), NEW_YORK, seconds=True) == (
        "2026-07-01 09:05:09 EDT"
    )
