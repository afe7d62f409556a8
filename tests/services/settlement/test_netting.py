"""Netting: one counterparty, instrument and day instructed as one; members still settle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desk_app.domain.codes import Side
from desk_app.domain.errors import DeskError
from desk_app.domain.states import ObligationStatus
from tests.iso20022 import assert_valid, text_at
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, _obligation

DAY = date(2026, 11, 25)
S = ObligationStatus
BODY = "SctiesSttlmTxInstr"


def test_a_buy_and_a_sale_net_to_one_instruction_and_settle_apart(
    settling_desk: Desk, tmp_path: Path
) -> None:
    settling_desk.account("ACC-200")
    carl = settling_desk.ws["carl"]
    buy = _book(settling_desk)  # receive 100 vs 21,030.50
    sale = _book(settling_desk, "ACC-200", side=Side.SELL, quantity=Decimal(40))
    report = carl.netting.net(DAY)
    assert (report.nets, report.netted) == (1, 2)
    net = _obligation(settling_desk, buy).net_id
    assert net is not None and _obligation(settling_desk, sale).net_id == net
    assert carl.netting.net(DAY).nets == 0  # nothing twice
    done = carl.settlement_messages.export(tmp_path, day=DAY)
    assert [p.name for p in done.files] == [f"DESK-N{net}.xml"]
    root = assert_valid("sese.023.001.11", done.files[0].read_bytes())
    expected_cash = _obligation(settling_desk, buy).amount - _obligation(settling_desk, sale).amount
    assert text_at(root, f"{BODY}/SttlmTpAndAddtlParams/SctiesMvmntTp") == "RECE"
    assert text_at(root, f"{BODY}/QtyAndAcctDtls/SttlmQty/Qty/Unit") == "60"
    assert Decimal(text_at(root, f"{BODY}/SttlmAmt/Amt") or "0") == expected_cash
    assert text_at(root, f"{BODY}/QtyAndAcctDtls/SfkpgAcct/Id") == "OMNIBUS"
    assert {_obligation(settling_desk, i).status for i in (buy, sale)} == {S.INSTRUCTED}
    matched = tmp_path / "matched.csv"
    matched.write_text(f"instruction,status\nDESK-N{net},matched\n")
    assert carl.settlement_messages.import_statuses([matched]).matched == 2
    assert carl.settling.settle_all([buy, sale]).settled == 2  # each to its own account
    assert carl.settling.balances() == carl.settling.ledger_balances()
    with pytest.raises(DeskError, match="a net is undone only before it is instructed"):
        carl.netting.unnet(net)


def test_a_net_is_undone_while_pending_and_exported_whole_only(
    settling_desk: Desk, tmp_path: Path
) -> None:
    carl = settling_desk.ws["carl"]
    one, two = _book(settling_desk), _book(settling_desk)
    carl.netting.net(DAY)
    net = _obligation(settling_desk, one).net_id
    assert net is not None
    part = carl.settlement_messages.export(tmp_path, ids=[one])
    assert part.files == () and "export all of the net's obligations" in part.skipped[0][1]
    assert carl.netting.unnet(net) == 2
    assert _obligation(settling_desk, two).net_id is None
    with pytest.raises(DeskError, match=f"no net {net}"):
        carl.netting.unnet(net)


def test_a_correction_undoes_the_net_and_the_rest_go_gross(
    settling_desk: Desk, tmp_path: Path
) -> None:
    from tests.services.trading.test_trades import _terms

    carl = settling_desk.ws["carl"]
    one, two = _book(settling_desk), _book(settling_desk, side=Side.SELL, quantity=Decimal(40))
    carl.netting.net(DAY)
    trade = _obligation(settling_desk, one).trade_id
    outcome = carl.trades.amend(trade, _terms("ACC-100", quantity=Decimal(90)), "quantity")
    if outcome.request_id is not None:  # its settlement date has passed: a principal approves
        settling_desk.ws["sue"].approvals.approve(outcome.request_id)
    assert _obligation(settling_desk, two).net_id is None
    done = carl.settlement_messages.export(tmp_path, day=DAY)
    assert len(done.files) == 2 and not any(p.name.startswith("DESK-N") for p in done.files)
