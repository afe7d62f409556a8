"""The demo book's restrictions: a few accounts frozen, held or stopped, each for a reason.

An estate's account carries the deceased holder's freeze; the others take the other
kinds in turn, so that every kind shows somewhere. Each was placed by a clerk on a
recent trade day (told to the audit trail), and is in force today; the approval queue
asks to lift two of them (`desk_app.demo.approvals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.demo.book import Account, Book, Restricted, stamped
from desk_app.domain.codes import RegistrationType, RestrictionKind
from desk_app.domain.restrictions import default_end

K = RestrictionKind
#: Kinds for accounts that are not estates, in turn (the first is the one lifted).
IN_TURN = (K.STOP_TRANSFER, K.LEGAL_HOLD, K.TRANSFER_FREEZE, K.AML_REVIEW, K.REG_T_FREEZE)
REASONS = {
    K.DECEASED: "Death certificate received from the family; estate paperwork outstanding",
    K.STOP_TRANSFER: "Joint owners dispute the account's ownership; counsel's letter on file",
    K.LEGAL_HOLD: "Subpoena from the county court; hold everything until counsel says",
    K.TRANSFER_FREEZE: "Mail returned undeliverable twice; nothing leaves until confirmed",
    K.AML_REVIEW: "AML alert on incoming wires; compliance reviewing the activity",
    K.REG_T_FREEZE: "Sold before paying for the purchase (freeriding): 90-day freeze",
    K.ACATS: "Transfer out to another firm under way",
}


def make_restrictions(book: Book, accounts: Sequence[Account]) -> list[Restricted]:
    """A restriction in force on each of ``accounts`` (no random draw: the book's other
    draws stay as they were)."""
    clerks = book.clerks or book.staff
    made: list[Restricted] = []
    others = 0
    for n, account in enumerate(accounts):
        if account.row["registration_type"] is RegistrationType.ESTATE:
            kind = K.DECEASED
        else:
            kind, others = IN_TURN[others % len(IN_TURN)], others + 1
        day = book.days[-1 - min(len(book.days) - 1, 10 + (7 * n) % 40)]  # before any lift asked
        at: datetime = book.at(day, 14, (11 * n) % 60)
        row = stamped({
            "account_id": account.id, "kind": kind, "reason": REASONS[kind], "starts_on": day,
            "ends_on": default_end(kind, day), "placed_by": clerks[n % len(clerks)],
            "placed_at": at, "source_key": None, "lifted_by": None, "lifted_at": None,
            "lift_reason": None,
        }, at)  # fmt: skip
        made.append(Restricted(row, account))
    ids = bulk_insert(book.session, m.AccountRestriction, [r.row for r in made])
    for item, new_id in zip(made, ids, strict=True):
        item.id = item.row["id"] = new_id
    return made
