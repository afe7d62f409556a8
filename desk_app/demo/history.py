"""The demo book's past in the audit trail: who booked, corrected and cancelled each
trade, opened and closed each account and moved each certificate, and when.

A real desk's History dialogs show how each record came to be; a demo loaded in bulk
would show none. So the stages tell the generator what happened (`Book.past`), and
`write_past` appends it through the audit trail's own chaining, oldest first, as the
demo's staff at their New York times. Where real work is itself bulk (an import's
first versions, the obligation run, a settlement run), so is the demo: those rows are
sealed by the load alone, as an import's are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import FromClause

from desk_app.db import models as m
from desk_app.demo.book import Book, Told, Trade
from desk_app.domain.codes import AccountStatus
from desk_app.domain.codes import TradeSource as Source
from desk_app.domain.permissions import Action
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.services import audit

NEW_YORK = ZoneInfo("America/New_York")


def _values(table: FromClause, row: Mapping[str, Any], **changed: Any) -> dict[str, Any]:
    """The record as an audit entry holds it: every column (secrets never in the demo)."""
    values = {str(c.name): row.get(str(c.key)) for c in table.columns}
    values.update(changed)
    return values


def tell(book: Book, at: datetime, user: str, action: str, change: audit.Change) -> None:
    book.past.append(Told(at, user, action, change))


def tell_trades(book: Book, trades: Sequence[Trade]) -> None:
    """A clerk's ticket is booked one by one (an import's first versions are not);
    every correction and cancel, and the version it superseded."""
    table = m.Trade.__table__
    by_id = {t.id: t.row for t in trades}
    for trade in trades:
        row = trade.row
        if not _booked_by_hand(row):
            continue  # imported: one event and the load's seal, as an import has
        at, who = row["created_at"], row["created_by"]
        created = _values(table, row, status=TradeStatus.ACTIVE, updated_at=at)
        if row["status"] is TradeStatus.CANCELLED:
            created["status"] = TradeStatus.CANCELLED
        action = (
            Action.TRADE_BOOK
            if row["version_no"] == 1
            else Action.TRADE_CANCEL
            if row["status"] is TradeStatus.CANCELLED
            else Action.TRADE_AMEND
        )
        tell(book, at, who, action, audit.Change("create", "trades", str(trade.id), None, created))
        old = by_id.get(row["supersedes_id"])
        if old is not None:
            before = {"status": TradeStatus.ACTIVE, "updated_at": old["created_at"]}
            after = {"status": TradeStatus.AMENDED, "updated_at": at}
            change = audit.Change("update", "trades", str(old["id"]), before, after)
            tell(book, at, who, action, change)


def _booked_by_hand(row: Mapping[str, Any]) -> bool:
    """A version whose booking is told (a ticket, a correction or a cancel)."""
    return row["version_no"] > 1 or row["source"] is Source.MANUAL


#: What settling an obligation changes (instructing, matching, settling, failing).
_SETTLING = ("status", "settled_quantity", "settled_amount", "fail_reason", "matched_at",
             "status_changed_at", "updated_at")  # fmt: skip


def tell_obligations(
    book: Book, trades: Mapping[int, Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]
) -> None:
    """The obligation a hand-booked trade made as it was booked, then what settling it
    did, by the settlement desk (the settlement run's own obligations are bulk)."""
    table = m.SettlementObligation.__table__
    settlers = [u for u in book.staff if u not in book.clerks] or book.staff
    for row in rows:
        trade = trades.get(row["trade_id"])
        if trade is None or not _booked_by_hand(trade):
            continue
        at, key = trade["created_at"], str(row["id"])
        start = {"status": ObligationStatus.PENDING, "settled_quantity": Decimal(0),
                 "settled_amount": Decimal(0), "fail_reason": None, "matched_at": None,
                 "status_changed_at": at, "updated_at": at}  # fmt: skip
        action = Action.TRADE_BOOK if trade["version_no"] == 1 else Action.TRADE_AMEND
        tell(book, at, trade["created_by"], action,
             audit.Change("create", "settlement_obligations", key, None,
                          _values(table, row, **start)))  # fmt: skip
        end = {k: row.get(k) for k in _SETTLING}
        if end["status"] is ObligationStatus.PENDING or end["status_changed_at"] is None:
            continue
        who = settlers[row["id"] % len(settlers)]
        changed = [k for k in _SETTLING if start[k] != end[k]]
        before, after = {k: start[k] for k in changed}, {k: end[k] for k in changed}
        # A correction or cancel of the trade cancels its obligation; the rest is settling.
        cancelled = end["status"] is ObligationStatus.CANCELLED
        action = Action.TRADE_AMEND if cancelled else Action.SETTLEMENT_SETTLE
        tell(book, end["status_changed_at"], who, action,
             audit.Change("update", "settlement_obligations", key, before, after))  # fmt: skip


def tell_restrictions(book: Book) -> None:
    """Each restriction placed by a clerk (it holds at once: no approval)."""
    table = m.AccountRestriction.__table__
    for item in book.restrictions:
        row = item.row
        placed = {**row, "lifted_by": None, "lifted_at": None, "lift_reason": None,
                  "version": 1, "updated_at": row["placed_at"]}  # fmt: skip
        tell(book, row["placed_at"], str(row["placed_by"]), Action.ACCOUNT_RESTRICT,
             audit.Change("create", "account_restrictions", str(item.id), None,
                          _values(table, placed)))  # fmt: skip
        if row["lifted_at"] is not None:
            after = {k: row[k] for k in ("lifted_by", "lifted_at", "lift_reason", "version",
                                         "updated_at")}  # fmt: skip
            before = {k: placed[k] for k in after}
            tell(
                book,
                row["lifted_at"],
                str(row["lifted_by"]),
                Action.ACCOUNT_LIFT_RESTRICTION,
                audit.Change("update", "account_restrictions", str(item.id), before, after),
            )


def tell_accounts(book: Book) -> None:
    """Each account opened by a principal's approval; the closed ones closed likewise."""
    table = m.Account.__table__
    principals = [u for u in book.staff if u not in book.clerks] or book.staff
    for account in book.accounts:
        row, key = account.row, str(account.id)
        who = row.get("accepted_by") or principals[account.id % len(principals)]
        opened = datetime.combine(row["opened_on"], time(11, 0), NEW_YORK)
        closed = row["status"] is AccountStatus.CLOSED and row.get("closed_on")
        values = _values(table, row, updated_at=opened)
        if closed:
            values.update(status=AccountStatus.OPEN, closed_on=None)
        tell(book, opened, who, Action.ACCOUNT_OPEN,
             audit.Change("create", "accounts", key, None, values))  # fmt: skip
        if closed:
            at = datetime.combine(row["closed_on"], time(15, 0), NEW_YORK)
            before = {"status": AccountStatus.OPEN, "closed_on": None, "updated_at": opened}
            after = {"status": AccountStatus.CLOSED, "closed_on": row["closed_on"],
                     "updated_at": row["updated_at"]}  # fmt: skip
            tell(book, at, who, Action.ACCOUNT_SET_STATUS,
                 audit.Change("update", "accounts", key, before, after))  # fmt: skip


def tell_certificate(
    book: Book, cert_id: int, row: Mapping[str, Any], steps: Sequence[Any]
) -> None:
    """A certificate registered as it came in, then each move of its chain of custody."""
    if not steps:
        return
    table = m.Certificate.__table__
    who = book.staff[cert_id % len(book.staff)]
    first = steps[0]
    state = {"status": first.status, "location": first.location,
             "status_changed_at": first.at, "updated_at": first.at}  # fmt: skip
    created = _values(table, row, **state)
    tell(book, first.at, who, Action.CERTIFICATE_REGISTER,
         audit.Change("create", "certificates", str(cert_id), None, created))  # fmt: skip
    for step in steps[1:]:
        after = {"status": step.status, "location": step.location,
                 "status_changed_at": step.at, "updated_at": step.at}  # fmt: skip
        before = {k: state[k] for k in after}
        tell(book, step.at, who, Action.CERTIFICATE_MOVE,
             audit.Change("update", "certificates", str(cert_id), before, after))  # fmt: skip
        state = after


def write_past(book: Book) -> int:
    """Append what the stages told, oldest first, each as the one who did it."""
    ctx = audit.context_of(book.session)
    past = sorted(book.past, key=lambda t: t.at)
    entries = [
        (audit.AuditContext(t.user, ctx.db_login, str(t.action)), t.at, t.change) for t in past
    ]
    audit.append_past(book.session, entries)
    return len(entries)
