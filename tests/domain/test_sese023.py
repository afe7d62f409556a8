"""sese.023.001.11 instructions: valid against the published schema, codes from the side."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.codes import Direction, Payment
from desk_app.domain.errors import ValidationError
from desk_app.domain.sese023 import NAMESPACE, Instruction, message, obligation_of_tx_id
from tests.iso20022 import assert_valid, text_at

BASE = Instruction(
    obligation_id=20417, trade_ref="FIX-8812", direction=Direction.RECEIVE,
    payment=Payment.AGAINST, trade_date=date(2026, 11, 24), settle_date=date(2026, 11, 25),
    isin="US0378331005", description="Apple Inc. common stock", quantity=Decimal(100),
    face_amount=False, amount=Decimal("21030.5"), currency="USD",
    safekeeping_account="NYC-20417", place_of_settlement="DTCYUS33", agent_bic="IRVTUS3N",
    counterparty_account="0352",
)  # fmt: skip


def test_a_receipt_against_payment_reads_back_as_written() -> None:
    root = assert_valid("sese.023.001.11", message(BASE))
    assert root.tag == f"{{{NAMESPACE}}}Document"
    body = "SctiesSttlmTxInstr"
    expected = {
        "TxId": "DESK-20417",
        "SttlmTpAndAddtlParams/SctiesMvmntTp": "RECE",
        "SttlmTpAndAddtlParams/Pmt": "APMT",
        "TradDtls/TradId": "FIX-8812",
        "TradDtls/TradDt/Dt/Dt": "2026-11-24",
        "TradDtls/SttlmDt/Dt/Dt": "2026-11-25",
        "FinInstrmId/ISIN": "US0378331005",
        "QtyAndAcctDtls/SttlmQty/Qty/Unit": "100",
        "QtyAndAcctDtls/SfkpgAcct/Id": "NYC-20417",
        "SttlmParams/SctiesTxTp/Cd": "TRAD",
        "DlvrgSttlmPties/Dpstry/Id/AnyBIC": "DTCYUS33",
        "DlvrgSttlmPties/Pty1/Id/AnyBIC": "IRVTUS3N",
        "DlvrgSttlmPties/Pty1/SfkpgAcct/Id": "0352",
        "SttlmAmt/Amt": "21030.50",
        "SttlmAmt/CdtDbtInd": "DBIT",
    }
    assert {path: text_at(root, f"{body}/{path}") for path in expected} == expected
    assert text_at(root, f"{body}/RcvgSttlmPties/Dpstry/Id/AnyBIC") is None


@settings(max_examples=60, deadline=None)
@given(
    direction=st.sampled_from(Direction),
    payment=st.sampled_from(Payment),
    amount=st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e9"), places=2),
    quantity=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1e10"), places=6),
    face=st.booleans(),
    currency=st.sampled_from(["USD", "EUR", "JPY", "GBP"]),
)
def test_every_instruction_is_valid_and_its_codes_follow_the_side(
    direction: Direction, payment: Payment, amount: Decimal, quantity: Decimal, face: bool,
    currency: str,
) -> None:  # fmt: skip
    if currency == "JPY":
        amount = amount.quantize(Decimal(1))
    if face:
        quantity = max(quantity.quantize(Decimal("0.00001")), Decimal("0.00001"))
    i = Instruction(**{**BASE.__dict__, "direction": direction, "payment": payment,
                       "amount": amount, "quantity": quantity, "face_amount": face,
                       "currency": currency})  # fmt: skip
    root = assert_valid("sese.023.001.11", message(i))
    body = "SctiesSttlmTxInstr"
    assert text_at(root, f"{body}/SttlmTpAndAddtlParams/SctiesMvmntTp") == (
        "RECE" if direction is Direction.RECEIVE else "DELI"
    )
    assert text_at(root, f"{body}/SttlmTpAndAddtlParams/Pmt") == (
        "APMT" if payment is Payment.AGAINST else "FREE"
    )
    shown = text_at(root, f"{body}/QtyAndAcctDtls/SttlmQty/Qty/{'FaceAmt' if face else 'Unit'}")
    assert shown is not None and Decimal(shown) == quantity
    street = "DlvrgSttlmPties" if direction is Direction.RECEIVE else "RcvgSttlmPties"
    assert text_at(root, f"{body}/{street}/Dpstry/Id/AnyBIC") == "DTCYUS33"
    cash = text_at(root, f"{body}/SttlmAmt/Amt")
    if payment is Payment.FREE:
        assert cash is None
        return
    assert cash is not None and Decimal(cash) == abs(amount)
    # The client pays when it receives the securities, unless the cash runs backwards.
    pays = (direction is Direction.RECEIVE) == (amount > 0)
    assert text_at(root, f"{body}/SttlmAmt/CdtDbtInd") == ("DBIT" if pays else "CRDT")


def test_a_face_amount_finer_than_the_message_carries_is_refused() -> None:
    bond = Instruction(**{**BASE.__dict__, "face_amount": True, "quantity": Decimal("1.000001")})
    with pytest.raises(ValidationError, match="at most 5 decimal places"):
        message(bond)
    fine = Instruction(**{**BASE.__dict__, "face_amount": True, "quantity": Decimal("25000")})
    root = assert_valid("sese.023.001.11", message(fine))
    assert text_at(root, "SctiesSttlmTxInstr/QtyAndAcctDtls/SttlmQty/Qty/FaceAmt") == "25000"


def test_a_transaction_id_names_its_obligation() -> None:
    assert obligation_of_tx_id("DESK-20417") == 20417
    assert obligation_of_tx_id(" desk-7 ") == 7
    assert obligation_of_tx_id("20417") == 20417
    assert obligation_of_tx_id("ABC-1") is None
