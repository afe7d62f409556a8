"""The ticket's look-ups: accounts, instruments and counterparties as a clerk types them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import AccountStatus, InstrumentType
from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.services.trading.trade_lookup import ADD_INSTRUMENT, security_id
from tests.services.conftest import Desk


@pytest.fixture
def floor(desk: Desk) -> Desk:
    desk.account("NYC-2001", name="Ada Lovelace")
    desk.account("NYC-2002", name="Charles Babbage")
    desk.account("NYC-2000", name="Old Client", status=AccountStatus.CLOSED,
                 closed_on=date(2025, 1, 2))  # fmt: skip
    desk.account("LDN-2003", name="Grace Hopper")
    desk.instrument("US0378331005", symbol="AAPL", description="Apple Inc. common stock")
    desk.instrument("US5949181045", symbol="MSFT", description="Microsoft Corp common stock")
    desk.instrument("US88160R1014", symbol="TSLA", description="Tesla Inc", active=False)
    desk.counterparty("GSCO")
    desk.counterparty("MSCO")
    return desk


def test_accounts_by_number_prefix_or_name_with_closed_ones_last(floor: Desk) -> None:
    lookup = floor.ws["carl"].trade_lookup
    found = lookup.find_accounts("nyc-20")
    assert [a.number for a in found] == ["NYC-2001", "NYC-2002", "NYC-2000"]
    assert found[-1].status is AccountStatus.CLOSED
    assert [a.number for a in lookup.find_accounts("hopper")] == ["LDN-2003"]
    assert [a.number for a in lookup.find_accounts("NYC-2", limit=1)] == ["NYC-2001"]
    assert lookup.find_accounts("zzz") == []
    assert lookup.find_accounts("%") == []  # a LIKE wildcard is taken literally


def test_instruments_by_isin_cusip_symbol_or_description(floor: Desk) -> None:
    lookup = floor.ws["carl"].trade_lookup
    assert [i.symbol for i in lookup.find_instruments("aap")] == ["AAPL"]
    assert [i.symbol for i in lookup.find_instruments("US59")] == ["MSFT"]
    assert [i.symbol for i in lookup.find_instruments("0378")] == ["AAPL"]
    assert [i.symbol for i in lookup.find_instruments("common stock")] == ["AAPL", "MSFT"]
    assert [i.symbol for i in lookup.find_instruments("inc")] == ["AAPL", "TSLA"]  # inactive last


def test_one_instrument_exactly_by_isin_cusip_or_symbol(floor: Desk) -> None:
    lookup = floor.ws["carl"].trade_lookup
    for text in ("US0378331005", "us 0378 3310 05", "037833100", "aapl"):
        found = lookup.instrument(text)
        assert found is not None and found.isin == "US0378331005", text
    assert lookup.instrument("IBM") is None
    assert lookup.instrument("US4592001014") is None  # valid, not on the database
    assert lookup.instrument("") is None
    with pytest.raises(ValidationError, match="instrument: check digit is wrong"):
        lookup.instrument("037833101")
    with pytest.raises(ValidationError, match="instrument: check digit is wrong"):
        lookup.instrument("US0378331006")


def test_security_id_reads_a_cusip_as_its_us_isin() -> None:
    assert security_id("037833100").isin == "US0378331005"
    assert security_id("US0378331005").cusip == "037833100"
    assert security_id("GB0002405495").cusip is None
    assert not security_id("BRK.B").is_security_id


def test_counterparties_by_code_or_name(floor: Desk) -> None:
    lookup = floor.ws["carl"].trade_lookup
    assert [p.code for p in lookup.find_counterparties("ms")] == ["MSCO"]
    assert [p.code for p in lookup.find_counterparties("broker")] == ["GSCO", "MSCO"]


def test_an_unknown_instrument_is_added_by_cusip_and_audited(floor: Desk) -> None:
    lookup = floor.ws["carl"].trade_lookup
    before = floor.audit_count()
    added = lookup.add_instrument(
        "459200101", "ibm", "International Business Machines", InstrumentType.EQUITY, "usd"
    )
    assert (added.isin, added.cusip, added.symbol, added.currency, added.market) == (
        "US4592001014", "459200101", "IBM", "USD", "US"
    )  # fmt: skip
    assert lookup.instrument("IBM") == added
    assert floor.audit_count() > before
    entries = floor.audit_entries()
    assert entries[-1].action == ADD_INSTRUMENT and entries[-1].app_user == "carl"
    with floor.admin.uow.read() as session:
        row = session.scalars(select(m.Instrument).where(m.Instrument.isin == added.isin)).one()
        assert row.issuer == "International Business Machines"


@pytest.mark.parametrize(
    ("identifier", "changes", "message"),
    [
        ("459200102", {}, "instrument: check digit is wrong"),
        ("XS0000000001", {}, "instrument: check digit is wrong"),
        ("IBM", {}, "instrument: is neither an ISIN"),
        ("US0378331005", {}, "instrument: is already on the database"),
        ("037833100", {}, "instrument: is already on the database"),
        ("459200101", {"description": "  "}, "description: is required"),
        ("459200101", {"currency": "XXY"}, "currency: is not an ISO 4217 currency code"),
        ("459200101", {"market": "ZZ"}, "market: has no settlement cycle for equity"),
    ],
)
def test_adding_an_instrument_checks_what_it_is_given(
    floor: Desk, identifier: str, changes: dict[str, str], message: str
) -> None:
    values = {"description": "IBM", "currency": "USD", "market": "US", **changes}
    with pytest.raises(ValidationError, match=message):
        floor.ws["carl"].trade_lookup.add_instrument(
            identifier, "IBM", values["description"], InstrumentType.EQUITY, values["currency"],
            market=values["market"],
        )  # fmt: skip


def test_only_those_who_book_trades_add_instruments(floor: Desk) -> None:
    with pytest.raises(NotPermitted):
        floor.ws["cora"].trade_lookup.add_instrument(
            "459200101", "IBM", "IBM", InstrumentType.EQUITY, "USD"
        )
