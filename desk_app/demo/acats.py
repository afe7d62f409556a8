"""A handful of ACATS transfers in every status, on the demo's accounts and firms.

Made through the same rules the service follows (the state machine, the deadlines,
the freeze on a validated transfer out, the completion's posting), on days counted
back from the book's today, so that some are due today and some overdue.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.demo.book import Book
from desk_app.domain.acats import AcatsDirection, AcatsStatus, AcatsType
from desk_app.domain.codes import InstrumentType, RestrictionKind
from desk_app.domain.ledger import Book as LedgerBook
from desk_app.domain.lots import Lot
from desk_app.services import audit
from desk_app.services.accounts import restrictions
from desk_app.services.transfers import acats_moves, acats_rules

S, IN, OUT = AcatsStatus, AcatsDirection.IN, AcatsDirection.OUT


def _back(book: Book, days: int) -> date:
    """``days`` US business days before the book's today."""
    calendar, day = book.calendars["US"], book.today
    for _ in range(days):
        day = calendar.previous_settlement_day(day)
    return day


def _held(book: Book, limit: int) -> list[tuple[int, int, Decimal]]:
    """(account, instrument, quantity) of settled equity positions, the biggest first."""
    B, I = m.LedgerBalance, m.Instrument  # noqa: E741 - the table's initial
    rows = book.session.execute(
        select(B.account_id, B.instrument_id, B.quantity)
        .join(I, I.id == B.instrument_id)
        .where(B.account_id.is_not(None), B.book == LedgerBook.SECURITIES, B.quantity > 100,
               I.instrument_type == InstrumentType.EQUITY)
        .order_by(B.quantity.desc(), B.id)
        .limit(limit * 4)
    ).all()  # fmt: skip
    seen: set[int] = set()
    picked = []
    for account_id, instrument_id, quantity in rows:
        if account_id is None or instrument_id is None or quantity is None:
            continue
        if account_id not in seen:
            seen.add(account_id)
            picked.append((account_id, int(instrument_id), quantity))
    return picked[:limit]


def make_acats(book: Book) -> int:
    """Nine transfers: in review (one overdue), validated, rejected soft and hard, purged,
    completed in; returns how many. Audited as the clerk's own work, as a clerk does it."""
    clerk = book.clerks[0] if book.clerks else "demo-data"
    saved = audit.context_of(book.session)
    book.session.info[audit.CONTEXT_KEY] = replace(saved, app_user=clerk, action="acats.work")
    try:
        return _make(book, clerk)
    finally:
        book.session.info[audit.CONTEXT_KEY] = saved


def _make(book: Book, clerk: str) -> int:
    session, calendar = book.session, book.calendars["US"]
    contras = [p for p in book.parties.values() if p.dtc][:4]
    held = _held(book, 5)
    spare = [a.id for a in book.accounts if a.id not in {h[0] for h in held}][:4]
    instrument = held[0][1] if held else None
    if len(contras) < 2 or len(held) < 5 or len(spare) < 4 or instrument is None:
        return 0  # a tiny book: nothing sensible to transfer

    def transfer(
        direction: AcatsDirection, account: int, kind: AcatsType, asked: int, n: int
    ) -> m.AcatsTransfer:
        row = m.AcatsTransfer(
            direction=direction, account_id=account, contra_id=contras[n % len(contras)].id,
            contra_account=f"{5100 + n:04d}-{7 * n + 11:04d}", transfer_type=kind,
            status=S.REQUEST, status_since=_back(book, asked), requested_on=_back(book, asked),
            resubmissions=0, requested_by=clerk, requested_at=book.at(_back(book, asked), 14),
        )  # fmt: skip
        session.add(row)
        session.flush()
        acats_rules.move(session, row, S.REVIEW, _back(book, asked), calendar)
        return row

    def shares(row: m.AcatsTransfer, instrument_id: int, quantity: Decimal, lots: str = "") -> None:
        session.add(m.AcatsAsset(transfer_id=row.id, instrument_id=instrument_id,
                                 quantity=quantity, lots=lots or None))  # fmt: skip
        session.flush()

    def step(row: m.AcatsTransfer, status: AcatsStatus, back: int) -> None:
        acats_rules.move(session, row, status, _back(book, back), calendar)

    # Out, in review since today; and one since yesterday, overdue by tonight.
    for n, (back, (account, inst, qty)) in enumerate(zip((0, 2), held[:2], strict=True)):
        shares(transfer(OUT, account, AcatsType.PARTIAL, back, n), inst, (qty / 2).quantize(1))
    # Out, validated yesterday: the account is frozen until it completes.
    account, inst, qty = held[2]
    row = transfer(OUT, account, AcatsType.FULL, 2, 2)
    shares(row, inst, qty)
    step(row, S.VALIDATED, 1)
    restrictions.place(
        session, row.account, RestrictionKind.ACATS, placed_by=clerk, starts_on=_back(book, 1),
        reason=f"ACATS transfer {row.id} out validated", source_key=acats_moves.source_key(row),
    )  # fmt: skip
    # Out, rejected (soft: the SSN did not match); out, purged.
    account, inst, qty = held[3]
    row = transfer(OUT, account, AcatsType.PARTIAL, 4, 3)
    shares(row, inst, (qty / 4).quantize(1))
    row.reject_code, row.reject_note = "tin-mismatch", "SSN on the request differs from ours"
    step(row, S.REJECTED, 3)
    account, inst, qty = held[4]
    row = transfer(OUT, account, AcatsType.PARTIAL, 9, 4)
    shares(row, inst, (qty / 5).quantize(1))
    step(row, S.PURGED, 7)
    row.reject_note = "purged: the client rescinded the transfer"
    # In, in review; in, validated four days ago (settlement overdue); in, rejected hard.
    stated = (Lot(date(2019, 5, 1), Decimal(120), Decimal("9840.00")),
              Lot(date(2022, 8, 15), Decimal(80), Decimal("11200.00")))  # fmt: skip
    lots = json.dumps([lot.to_json() for lot in stated])
    shares(transfer(IN, spare[0], AcatsType.FULL, 0, 5), instrument, Decimal(200), lots)
    row = transfer(IN, spare[1], AcatsType.PARTIAL, 5, 6)
    shares(row, instrument, Decimal(50))
    step(row, S.VALIDATED, 4)
    # In, completed five days ago: the position came in with its lots.
    row = transfer(IN, spare[3], AcatsType.FULL, 8, 8)
    shares(row, instrument, Decimal(200), lots)
    step(row, S.VALIDATED, 7)
    acats_moves.complete(session, row, _back(book, 5), calendar)
    # A residual credit follows a completed full transfer in: that one's, rejected hard.
    row = transfer(IN, spare[3], AcatsType.RESIDUAL, 3, 8)
    session.add(m.AcatsAsset(transfer_id=row.id, currency="USD", amount=Decimal("312.18")))
    row.reject_code, row.reject_note = "no-assets", "the account at the contra firm is flat"
    step(row, S.REJECTED, 2)
    return len(session.scalars(select(m.AcatsTransfer.id)).all())
