"""Completing an ACATS transfer: the assets move on the ledger, with their lots.

Out: each movable asset goes from the client's account to the contra firm (its
counterparty holder), the lots taken oldest first and kept on the asset. In: from
the contra firm into the account, with the lots the contra firm stated (acquisition
dates and cost kept). One posting, balanced per instrument and currency, so the
total of each across all holders is unchanged. A transfer out is a supervised
request: `acats_requests.CompletionHandler` applies it when a principal other than the
maker approves.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.domain.acats import AcatsDirection, AcatsStatus, BusinessDays
from desk_app.domain.codes import AccountStatus
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.ledger import Book, Holder, Movement
from desk_app.domain.lots import take
from desk_app.domain.money import format_amount, format_quantity
from desk_app.domain.restrictions import AccountRestricted, Restriction, stopping
from desk_app.domain.restrictions import Movement as Stop
from desk_app.services import audit
from desk_app.services.accounts import restrictions
from desk_app.services.settlement.lots import ACATS_POSTING, lots_of
from desk_app.services.transfers import acats_rules


def source_key(transfer: m.AcatsTransfer) -> str:
    """What names the transfer's own restriction on the account."""
    return f"acats:{transfer.id}"


def describe(asset: m.AcatsAsset) -> str:
    """``300 US0378331005 (AAPL)`` or ``1,250.00 USD``."""
    if asset.instrument is None:
        return f"{format_amount(asset.amount or Decimal(0))} {asset.currency}"
    name = asset.instrument.symbol or asset.instrument.description
    return f"{format_quantity(asset.quantity or Decimal(0))} {asset.instrument.isin} ({name})"


def _movements(transfer: m.AcatsTransfer, asset: m.AcatsAsset) -> list[Movement]:
    client = Holder("account", transfer.account_id)
    contra = Holder("counterparty", transfer.contra_id)
    giver, taker = (
        (client, contra) if transfer.direction is AcatsDirection.OUT else (contra, client)
    )
    if asset.instrument_id is not None:
        book, what, size = Book.SECURITIES, str(asset.instrument_id), asset.quantity
    else:
        book, what, size = Book.CASH, str(asset.currency), asset.amount
    assert size is not None
    return [Movement(giver, book, what, -size), Movement(taker, book, what, size)]


def check_out(session: Session, transfer: m.AcatsTransfer, today: date) -> None:
    """Refuse a transfer out the account cannot make now: another restriction, too little.

    Its own ACATS restriction stops every other journal out, never the transfer itself.
    """
    own = source_key(transfer)
    others = [
        Restriction(row.id, row.kind, row.reason, row.starts_on, row.ends_on)
        for row in restrictions.open_rows(session, transfer.account_id)
        if row.source_key != own
    ]
    found = stopping([r for r in others if r.in_force(today)], Stop.JOURNAL_OUT, today)
    if found is not None:
        raise AccountRestricted(transfer.account.account_number, Stop.JOURNAL_OUT, found)
    for asset in transfer.assets:
        if asset.blocked_reason is not None:
            continue
        key = _movements(transfer, asset)[0].balance_key
        held = ledger_book.kept_balance(session, key)
        needed = asset.quantity if asset.instrument_id is not None else asset.amount
        if needed is not None and needed > held:
            raise ValidationError(
                "asset", f"{transfer.account.account_number} holds "
                f"{format_quantity(held)} of what the transfer moves ({describe(asset)})",
            )  # fmt: skip


def complete(
    session: Session, transfer: m.AcatsTransfer, today: date, calendar: BusinessDays
) -> m.LedgerPosting:
    """Post the transfer's movable assets and mark it completed; lift its restriction."""
    if transfer.posting_id is not None:
        raise DeskError(f"ACATS transfer {transfer.id} is already posted")
    if transfer.account.status is AccountStatus.CLOSED:
        raise ValidationError(
            "account", "is closed: nothing moves", transfer.account.account_number
        )
    movable = [a for a in transfer.assets if a.blocked_reason is None]
    if not movable:
        raise ValidationError("assets", f"transfer {transfer.id} has nothing that can move")
    moves = [move for asset in movable for move in _movements(transfer, asset)]
    ledger_book.lock(session, (move.balance_key for move in moves))
    out = transfer.direction is AcatsDirection.OUT
    if out:
        check_out(session, transfer, today)
        for asset in movable:  # the lots that leave with it, oldest first
            if asset.instrument_id is not None and asset.quantity is not None:
                taken = take(lots_of(session, transfer.account_id, asset.instrument_id),
                             asset.quantity)[1]  # fmt: skip
                asset.lots = json.dumps([lot.to_json() for lot in taken])
    securities = sum((a.quantity or Decimal(0) for a in movable), Decimal(0))
    cash = [a for a in movable if a.instrument_id is None]
    posting = m.LedgerPosting(
        obligation_id=None, kind=ACATS_POSTING, quantity=securities,
        amount=sum((a.amount or Decimal(0) for a in cash), Decimal(0)),
        currency=cash[0].currency if cash else transfer.account.base_currency,
        reason=f"ACATS {transfer.direction.value} {transfer.id} with {transfer.contra.code}",
        posted_at=datetime.now(UTC), posted_by=audit.context_of(session).app_user,
    )  # fmt: skip
    transfer.posting_id = ledger_book.post(session, posting, moves).id
    if transfer.status is AcatsStatus.VALIDATED:
        acats_rules.move(session, transfer, AcatsStatus.SETTLE_PREP, today, calendar)
    acats_rules.move(session, transfer, AcatsStatus.COMPLETED, today, calendar)
    restrictions.lift_source(session, source_key(transfer), posting.posted_by,
                             f"ACATS transfer {transfer.id} completed")  # fmt: skip
    return posting


def values(transfer: m.AcatsTransfer) -> dict[str, Any]:
    """The transfer as a request shows it."""
    return {
        "account": transfer.account.account_number,
        "contra_firm": f"{transfer.contra.code} (DTC {transfer.contra.dtc_participant})",
        "contra_account": transfer.contra_account,
        "type": transfer.transfer_type.value,
        "status": transfer.status.value,
        "assets": "; ".join(describe(a) for a in transfer.assets if a.blocked_reason is None),
        "not_moving": "; ".join(
            f"{describe(a)} ({a.blocked_reason})" for a in transfer.assets if a.blocked_reason
        ),
    }
