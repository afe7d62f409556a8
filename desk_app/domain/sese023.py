"""ISO 20022 sese.023.001.11: the settlement instruction Desk sends for an obligation.

One message per obligation: receive or deliver (RECE/DELI), free or against payment
(FREE/APMT), a trade (TRAD), its trade and settlement dates, the ISIN, the quantity
(units, or face amount for what is quoted in percent of par), the client's
safekeeping account, the counterparty's side from its standing settlement
instruction (place of settlement, agent, account at the depository) and, against
payment, the cash with its direction as the account owner sees it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from desk_app.domain.codes import Direction, Payment
from desk_app.domain.errors import ValidationError
from desk_app.domain.money import canonical, round_money

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:sese.023.001.11"
#: The transaction id Desk gives an obligation's instruction ("DESK-20417").
TX_PREFIX = "DESK-"
_TX_ID = re.compile(rf"(?:{TX_PREFIX})?([0-9]{{1,18}})")
_NET_ID = re.compile(rf"{TX_PREFIX}N([0-9]{{1,18}})")
FACE_PLACES = 5


def tx_id(obligation_id: int) -> str:
    return f"{TX_PREFIX}{obligation_id}"


def net_of_tx_id(text: str) -> int | None:
    """The net a transaction id names (``DESK-N12``), or None."""
    match = _NET_ID.fullmatch(text.strip().upper())
    return int(match.group(1)) if match else None


def obligation_of_tx_id(text: str) -> int | None:
    """The obligation a transaction id names (``DESK-20417`` or plain ``20417``), or None."""
    match = _TX_ID.fullmatch(text.strip().upper())
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Instruction:
    """What one sese.023 says, as Desk knows it."""

    obligation_id: int
    trade_ref: str  # the trade's reference on the blotter
    direction: Direction
    payment: Payment
    trade_date: date
    settle_date: date
    isin: str
    description: str
    quantity: Decimal
    face_amount: bool  # the quantity is a face amount (bonds, bills, paper)
    amount: Decimal  # the obligation's cash: paid by whoever receives the securities
    currency: str
    safekeeping_account: str  # the client's account
    place_of_settlement: str  # the depository's BIC (DTCYUS33)
    agent_bic: str  # the counterparty's settlement agent
    counterparty_account: str  # the counterparty's account at the depository
    net: bool = False  # ``obligation_id`` is a net's id: several obligations as one

    @property
    def tx_id(self) -> str:
        return f"{TX_PREFIX}N{self.obligation_id}" if self.net else tx_id(self.obligation_id)

    @property
    def credit_debit(self) -> str:
        """CRDT when the client's account receives the cash, DBIT when it pays."""
        pays = (self.direction is Direction.RECEIVE) == (self.amount > 0)
        return "DBIT" if pays else "CRDT"


def message(instruction: Instruction) -> bytes:
    """The instruction as a sese.023.001.11 document (UTF-8, with the XML declaration).

    Raises `ValidationError` for what the message cannot carry: a face amount
    (ImpliedCurrencyAndAmount) has at most 5 decimal places.
    """
    i = instruction
    exponent = canonical(i.quantity).as_tuple().exponent
    assert isinstance(exponent, int)
    if i.face_amount and -exponent > FACE_PLACES:
        raise ValidationError(
            "quantity", f"a face amount goes out with at most {FACE_PLACES} decimal places",
            str(i.quantity),
        )  # fmt: skip
    root = ET.Element(_q("Document"))
    body = _sub(root, "SctiesSttlmTxInstr")
    _sub(body, "TxId", i.tx_id)
    kind = _sub(body, "SttlmTpAndAddtlParams")
    _sub(kind, "SctiesMvmntTp", i.direction.iso_code)
    _sub(kind, "Pmt", i.payment.iso_code)
    trade = _sub(body, "TradDtls")
    _sub(trade, "TradId", i.trade_ref[:52])
    _dated(_sub(trade, "TradDt"), i.trade_date)
    _dated(_sub(trade, "SttlmDt"), i.settle_date)
    security = _sub(body, "FinInstrmId")
    _sub(security, "ISIN", i.isin)
    _sub(security, "Desc", i.description[:140])
    quantity = _sub(body, "QtyAndAcctDtls")
    units = _sub(_sub(quantity, "SttlmQty"), "Qty")
    _sub(units, "FaceAmt" if i.face_amount else "Unit", _number(canonical(i.quantity)))
    _sub(_sub(quantity, "SfkpgAcct"), "Id", i.safekeeping_account)
    _sub(_sub(_sub(body, "SttlmParams"), "SctiesTxTp"), "Cd", "TRAD")
    # The counterparty's side: it delivers what the client receives, and the other way.
    side = "DlvrgSttlmPties" if i.direction is Direction.RECEIVE else "RcvgSttlmPties"
    parties = _sub(body, side)
    _sub(_sub(_sub(parties, "Dpstry"), "Id"), "AnyBIC", i.place_of_settlement)
    agent = _sub(parties, "Pty1")
    _sub(_sub(agent, "Id"), "AnyBIC", i.agent_bic)
    _sub(_sub(agent, "SfkpgAcct"), "Id", i.counterparty_account)
    if i.payment is Payment.AGAINST:
        cash = _sub(body, "SttlmAmt")
        amount = _sub(cash, "Amt", _number(round_money(abs(i.amount), i.currency)))
        amount.set("Ccy", i.currency)
        _sub(cash, "CdtDbtInd", i.credit_debit)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return data + b"\n"


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _dated(parent: ET.Element, day: date) -> None:
    _sub(_sub(parent, "Dt"), "Dt", day.isoformat())


def _number(value: Decimal) -> str:
    """Plain digits and a point: never an exponent."""
    return format(value, "f")


ET.register_namespace("", NAMESPACE)
