"""Counterparties and instruments: every identifier checked, used records only deactivated,
changes to what booked trades settle on supervised; on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.errors import DeskError, NotPermitted, StaleRecord, ValidationError
from desk_app.domain.reference_data import clean_counterparty, clean_instrument
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.trading.trades import TradeService
from tests.services.conftest import Desk

BROKER = {"code": "hdrs", "name": "Hudson River Securities LLC", "kind": "broker",
          "bic": "HDRSUS33", "lei": "5493001KJTIIGC8Y1R12", "dtc_participant": "417"}  # fmt: skip
IBM = {"cusip": "459200101", "symbol": "ibm", "description": "IBM common",
       "instrument_type": "equity", "currency": "usd"}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("bic", "HDRSU33", "must be 8 or 11 characters"),
        ("bic", "HDRSZZ33", "country code 'ZZ' is not valid"),
        ("lei", "5493001KJTIIGC8Y1R13", "check digits are wrong"),
        ("lei", "5493001KJTIIGC8Y1R1", "must be 20 characters"),
        ("dtc_participant", "04170", "must be at most 4 digits"),
        ("dtc_participant", "A417", "digits only"),
        ("kind", "bank", "is not one of broker"),
        ("code", "HD RS!", "must be 1-16 letters"),
        ("name", "", "is required"),
    ],
)
def test_every_bad_counterparty_field_is_named(field: str, value: str, reason: str) -> None:
    _, problems = clean_counterparty({**BROKER, field: value})
    assert [(p.field, reason in p.reason) for p in problems] == [(field, True)]


def test_all_bad_fields_are_named_at_once() -> None:
    _, problems = clean_counterparty({**BROKER, "bic": "X", "lei": "Y", "dtc_participant": "Z"})
    assert [p.field for p in problems] == ["bic", "lei", "dtc_participant"]
    _, problems = clean_instrument({**IBM, "cusip": "459200102", "currency": "XXY",
                                    "multiplier": "0"})  # fmt: skip
    assert {p.field for p in problems} == {"cusip", "currency", "multiplier"}


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"cusip": "459200102"}, "cusip", "check digit is wrong"),
        ({"cusip": "", "isin": "US4592001015"}, "isin", "check digit is wrong"),
        ({"cusip": "", "isin": "ZZ4592001014"}, "isin", "valid country code"),
        ({"isin": "US0378331005"}, "cusip", "is not the CUSIP inside ISIN"),
        ({"currency": "XXY"}, "currency", "is not an ISO 4217 currency code"),
        ({"multiplier": "-100"}, "multiplier", "must not be negative"),
        ({"multiplier": "0"}, "multiplier", "must be greater than 0"),
        ({"instrument_type": "stock"}, "instrument_type", "is not one of"),
        ({"market": "USA"}, "market", "two-letter market code"),
    ],
)
def test_every_bad_instrument_field_is_named(
    changes: dict[str, str], field: str, reason: str
) -> None:
    _, problems = clean_instrument({**IBM, **changes})
    assert [(p.field, reason in p.reason) for p in problems] == [(field, True)]


def test_a_cusip_becomes_its_us_or_canadian_isin() -> None:
    assert clean_instrument(IBM)[0]["isin"] == "US4592001014"
    canadian, problems = clean_instrument({**IBM, "cusip": "136069101", "market": "CA"})
    assert not problems and canadian["isin"] == "CA1360691010"


def test_add_amend_deactivate_reactivate_audited(desk: Desk) -> None:
    carl = desk.ws["carl"]
    before = desk.audit_count()
    assert carl.counterparties.add(BROKER) == "HDRS"
    record = carl.counterparties.record("hdrs")
    assert record.values["dtc_participant"] == "0417" and not record.in_use
    done = carl.counterparties.amend("HDRS", {"bic": "HDRSUS33XXX"}, record.version)
    assert done.applied and done.changed == ("bic",)  # not used yet: no approval needed
    with pytest.raises(StaleRecord, match=r"was changed by carl at 20\d\d-.* \(bic\) since"):
        carl.counterparties.amend("HDRS", {"name": "Hudson"}, record.version)
    carl.counterparties.set_active("HDRS", False)
    with pytest.raises(ValidationError, match="already inactive"):
        carl.counterparties.set_active("HDRS", False)
    carl.counterparties.set_active("HDRS", True)
    actions = [e.action for e in desk.audit_entries() if e.app_user == "carl"]
    assert actions == ["counterparty.add", "counterparty.amend", "counterparty.deactivate",
                       "counterparty.activate"]  # fmt: skip
    assert desk.audit_count() == before + 4
    with pytest.raises(ValidationError, match="code: is already a counterparty"):
        carl.counterparties.add(BROKER)
    assert desk.admin.history.verify().intact


def _book(desk: Desk, user: str = "carl", **changes: Any) -> int:
    ws = desk.ws[user]
    terms = TradeTerms(
        account=changes.pop("account"), side=Side.BUY, isin=changes.pop("isin", "US4592001014"),
        quantity=Decimal(100), price=Decimal("150.25"), currency="USD",
        trade_date=date(2026, 11, 24), trade_time=datetime(2026, 11, 24, 15, tzinfo=UTC),
        counterparty=changes.pop("counterparty", "HDRS"),
    )  # fmt: skip
    service = TradeService(ws.uow, ws.approvals, ws.calendar, today=lambda: date(2026, 11, 24))
    return service.book(terms)


def test_a_counterparty_used_by_trades_cannot_be_deleted_only_deactivated(desk: Desk) -> None:
    carl = desk.ws["carl"]
    carl.counterparties.add(BROKER)
    carl.instruments.add(IBM)
    account = desk.account()
    _book(desk, account=account)
    assert carl.counterparties.record("HDRS").used_by[0] == "trades"
    with pytest.raises(DeskError, match="cannot be deleted: trades, .* refer to it. Deactivate"):
        carl.counterparties.delete("HDRS")
    with pytest.raises(DeskError, match="cannot be deleted: trades"):
        carl.instruments.delete("459200101")
    carl.counterparties.set_active("HDRS", False)
    with pytest.raises(ValidationError, match="counterparty: is an inactive counterparty"):
        _book(desk, account=account)
    carl.counterparties.set_active("HDRS", True)
    carl.instruments.set_active("US4592001014", False)
    with pytest.raises(ValidationError, match="is an inactive instrument"):
        _book(desk, account=account)
    # One nobody uses is a mistaken entry: it may go.
    carl.counterparties.add({**BROKER, "code": "TYPO"})
    carl.counterparties.delete("TYPO")
    with pytest.raises(ValidationError, match="code: is not a counterparty"):
        carl.counterparties.record("TYPO")
    assert desk.admin.history.verify().intact


def test_changing_where_a_used_counterparty_settles_is_supervised(desk: Desk) -> None:
    carl, sue = desk.ws["carl"], desk.ws["sue"]
    carl.counterparties.add(BROKER)
    carl.instruments.add(IBM)
    _book(desk, account=desk.account())
    with pytest.raises(ValidationError, match="reason: say why"):
        carl.counterparties.amend("HDRS", {"dtc_participant": "0562"})
    asked = carl.counterparties.amend("HDRS", {"dtc_participant": "562"}, reason="new number")
    assert asked.request_id is not None and not asked.applied
    assert carl.counterparties.record("HDRS").values["dtc_participant"] == "0417"
    # The insider: the clerk cannot decide their own request by any route.
    with pytest.raises(NotPermitted):
        carl.approvals.approve(asked.request_id)
    sue.approvals.approve(asked.request_id, "checked with DTC")
    assert carl.counterparties.record("HDRS").values["dtc_participant"] == "0562"
    # A name is no settlement identifier: applied at once; the code never changes.
    assert carl.counterparties.amend("HDRS", {"name": "Hudson River Sec."}).applied
    with pytest.raises(ValidationError, match="code: cannot change: trades"):
        carl.counterparties.amend("HDRS", {"code": "HRS"})
    assert desk.admin.history.verify().intact


def test_changing_how_a_used_instrument_settles_is_supervised(desk: Desk) -> None:
    carl, sam = desk.ws["carl"], desk.ws["sam"]
    carl.counterparties.add(BROKER)
    isin = carl.instruments.add(IBM)
    assert carl.instruments.amend(isin, {"multiplier": "10"}).applied  # unused: direct
    carl.instruments.amend(isin, {"multiplier": "1"})
    _book(desk, account=desk.account())
    assert carl.instruments.amend(isin, {"description": "IBM Corp"}).applied
    asked = carl.instruments.amend(isin, {"currency": "EUR"}, reason="relisted")
    assert asked.request_id is not None
    assert carl.instruments.record(isin).values["currency"] == "USD"
    sam.approvals.reject(asked.request_id, "IBM trades in USD here")
    with pytest.raises(ValidationError, match="isin: cannot change: trades"):
        carl.instruments.amend(isin, {"isin": "US0378331005"})


def test_compliance_and_admins_keep_no_reference_data(desk: Desk) -> None:
    for user in ("cora", "adam"):
        with pytest.raises(NotPermitted):
            desk.ws[user].counterparties.add(BROKER)
        with pytest.raises(NotPermitted):
            desk.ws[user].instruments.add(IBM)


def test_an_instrument_needs_a_settlement_cycle_and_a_free_identifier(desk: Desk) -> None:
    carl = desk.ws["carl"]
    with pytest.raises(ValidationError, match="market: has no settlement cycle"):
        carl.instruments.add({**IBM, "market": "JP"})
    carl.instruments.add({**IBM, "instrument_type": InstrumentType.EQUITY.value})
    with pytest.raises(ValidationError, match="isin: is already on the database"):
        carl.instruments.add({**IBM, "cusip": "", "isin": "US4592001014"})


def test_a_trades_file_naming_deactivated_records_is_refused_whole(desk: Desk) -> None:
    from tests.services.trading.test_trade_import import _importer

    carl = desk.ws["carl"]
    carl.counterparties.add(BROKER)
    carl.instruments.add(IBM)
    account = desk.account()
    carl.counterparties.set_active("HDRS", False)
    carl.instruments.set_active("US4592001014", False)
    content = (
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        f"A-1,2026-11-24,{account},buy,US4592001014,100,150.25,USD,HDRS\n"
    ).encode()
    report = _importer(desk).import_bytes(content, "day.csv")
    assert [str(p) for p in report.problems] == [
        "day.csv:2: isin: is an inactive instrument ('US4592001014')",
        "day.csv:2: counterparty: is an inactive counterparty ('HDRS')",
    ]
