"""What an ACATS transfer lists: the assets asked for, checked, or all an account holds.

Kept apart from the service so that each stays short: an instrument listed once, lots
adding up to the quantity, a transfer out listing only what the account holds now.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.domain.acats import AcatsDirection, cannot_move, lot_refusal
from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import Book, Holder
from desk_app.domain.lots import Lot, holding
from desk_app.domain.money import round_money
from desk_app.domain.trade_rows import parse_currency
from desk_app.services.firm import firm_name
from desk_app.services.transfers import acats_rules


@dataclass(frozen=True)
class AssetAsked:
    """An instrument asked for: its ISIN, the quantity and, for a transfer in, its lots."""

    isin: str
    quantity: Decimal
    lots: tuple[Lot, ...] = ()


def delivering_firm(session: Session, transfer: m.AcatsTransfer) -> str:
    """The name of the firm the assets leave: ours out, the contra firm's in."""
    if transfer.direction is AcatsDirection.OUT:
        return firm_name(session)
    contra = transfer.contra or session.get_one(m.Counterparty, transfer.contra_id)
    return contra.name


def blocked(session: Session, transfer: m.AcatsTransfer, instrument: m.Instrument) -> str | None:
    """Why ``instrument`` does not move in ``transfer`` (its delivering firm's own product,
    a future, an inactive one), or None."""
    return cannot_move(instrument.instrument_type, instrument.active, instrument.issuer,
                       delivering_firm(session, transfer))  # fmt: skip


def rows(
    session: Session,
    transfer: m.AcatsTransfer,
    client: m.Account,
    assets: Sequence[AssetAsked],
    cash: Sequence[tuple[str, Decimal]],
) -> list[m.AcatsAsset]:
    """The listed assets, checked: an instrument once, lots adding up, out: held now."""
    direction = transfer.direction
    rows: list[m.AcatsAsset] = []
    seen: set[str] = set()
    for asked in assets:
        instrument = acats_rules.instrument(session, asked.isin)
        if instrument.isin in seen:
            raise ValidationError("asset", "is listed twice", instrument.isin)
        seen.add(instrument.isin)
        if asked.quantity <= 0:
            raise ValidationError("asset", f"{instrument.isin}: quantity must be greater than 0")
        lots = None
        if asked.lots:
            if direction is AcatsDirection.OUT:
                raise ValidationError(
                    "lot", "a transfer out takes the account's lots, oldest first"
                )
            late = [
                why
                for lot in asked.lots
                if (why := lot_refusal(lot.acquired, transfer.requested_on))
            ]
            if late:
                raise ValidationError("lot", f"{instrument.isin}: {'; '.join(late)}")
            total = holding(asked.lots)[0]
            if total != asked.quantity:
                raise ValidationError(
                    "lot", f"{instrument.isin}: the lots add up to {total}, not {asked.quantity}"
                )
            lots = json.dumps([lot.to_json() for lot in asked.lots])
        if direction is AcatsDirection.OUT:
            _check_held(session, client, Book.SECURITIES, str(instrument.id), asked.quantity,
                        name=instrument.isin)  # fmt: skip
        rows.append(m.AcatsAsset(
            transfer_id=transfer.id, instrument=instrument, instrument_id=instrument.id,
            quantity=asked.quantity, lots=lots,
            blocked_reason=blocked(session, transfer, instrument),
        ))  # fmt: skip
    for currency, amount in cash:
        code = parse_currency("cash", currency.strip().upper())
        if amount <= 0 or round_money(amount, code) != amount:
            raise ValidationError("cash", f"{code}: not an amount {code} can be paid", str(amount))
        if code in seen:
            raise ValidationError("cash", "is listed twice", code)
        seen.add(code)
        if direction is AcatsDirection.OUT:
            _check_held(session, client, Book.CASH, code, amount, name=code)
        rows.append(m.AcatsAsset(transfer_id=transfer.id, currency=code, amount=amount))
    return rows


def _check_held(
    session: Session, client: m.Account, book: Book, asset: str, size: Decimal, *, name: str
) -> None:
    key = acats_rules.balance_key(Holder("account", client.id), book, asset)
    held = ledger_book.kept_balance(session, key)
    if size > held:
        field = "asset" if book is Book.SECURITIES else "cash"
        raise ValidationError(field, f"{client.account_number} holds {held} of {name}; "
                              f"the transfer lists {size}")  # fmt: skip


def holdings(session: Session, transfer: m.AcatsTransfer, client: m.Account) -> list[m.AcatsAsset]:
    """A full transfer out: every position and cash balance the account holds now."""
    B = m.LedgerBalance
    balances = session.scalars(
        select(B).where(B.account_id == client.id).order_by(B.book, B.balance_key)
    )
    rows: list[m.AcatsAsset] = []
    for b in balances:
        if b.book is Book.SECURITIES and b.quantity and b.quantity > 0:
            instrument = session.get_one(m.Instrument, b.instrument_id)
            rows.append(m.AcatsAsset(
                transfer_id=transfer.id, instrument=instrument, instrument_id=b.instrument_id,
                quantity=b.quantity, blocked_reason=blocked(session, transfer, instrument),
            ))  # fmt: skip
        elif b.book is Book.CASH and b.amount and b.amount > 0:
            rows.append(m.AcatsAsset(transfer_id=transfer.id, currency=b.currency, amount=b.amount))
    return rows
