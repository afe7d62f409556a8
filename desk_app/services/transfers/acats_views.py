"""Reading ACATS transfers: the list (paged, searchable, by deadline) and one in full."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, String, cast, or_, select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models as m
from desk_app.db.paging import KeysetSource
from desk_app.db.text_search import every_word
from desk_app.domain.acats import (
    REJECT_CODES,
    AcatsDirection,
    AcatsStatus,
    AcatsType,
    BusinessDays,
    aging,
    business_days_between,
)
from desk_app.domain.acats_records import AssetView, TransferView
from desk_app.domain.listing import Column, ColumnKind, Row, SortSpec
from desk_app.domain.lots import Lot
from desk_app.domain.money import canonical, format_amount, format_quantity
from desk_app.services.transfers import acats_rules
from desk_app.services.transfers.acats_moves import describe

T, A, CP = m.AcatsTransfer, m.Account, m.Counterparty

COLUMNS = (
    Column("id", "Transfer", ColumnKind.INT),
    Column("status", "Status", ColumnKind.STATUS, {s.value: s.label for s in AcatsStatus}),
    Column("deadline_on", "Deadline", ColumnKind.DATE,
           tooltip="The last business day for what the status waits on"),
    Column("days_in_status", "Days in status", ColumnKind.INT, sortable=False,
           tooltip="Business days since the transfer reached its status"),
    Column("direction", "Direction", ColumnKind.STATUS, {d.value: d.label for d in AcatsDirection}),
    Column("account", "Account"),
    Column("transfer_type", "Type", ColumnKind.STATUS, {t.value: t.label for t in AcatsType}),
    Column("contra", "Contra firm"),
    Column("contra_dtc", "DTC"),
    Column("contra_account", "Contra account"),
    Column("reject_code", "Reject code", ColumnKind.STATUS,
           {c.code: f"{c.code} ({'soft' if c.soft else 'hard'})" for c in REJECT_CODES.values()}),
    Column("requested_on", "Requested", ColumnKind.DATE),
    Column("requested_by", "Entered by"),
)  # fmt: skip
_DAYS = [c.key for c in COLUMNS].index("days_in_status")


def _matches(word: str) -> ColumnElement[bool]:
    like = f"%{word.lower()}%"
    return or_(
        cast(T.id, String) == word, A.account_number.ilike(like), A.name.ilike(like),
        CP.code.ilike(like), CP.dtc_participant.ilike(like), T.contra_account.ilike(like),
        cast(T.status, String).ilike(like), T.reject_code.ilike(like),
    )  # fmt: skip


def transfers(
    sessions: sessionmaker[Session],
    calendar: Callable[[], BusinessDays],
    today: Callable[[], date],
    statuses: Sequence[str] = (),
    search: str = "",
) -> KeysetSource:
    """Every transfer, the nearest deadline first; ``search``: each word in its number,
    account, contra firm (code or DTC number), contra account, status or reject code."""
    where: list[ColumnElement[bool]] = []
    if statuses:
        where.append(T.status.in_([AcatsStatus(s) for s in statuses]))
    where += every_word(search, _matches)
    days = calendar()
    now = today()

    def with_days(row: Row) -> Row:
        since = row[_DAYS]
        counted = business_days_between(since, now, days) if isinstance(since, date) else None
        return (*row[:_DAYS], counted, *row[_DAYS + 1 :])

    return KeysetSource(
        sessions, COLUMNS,
        lambda: [T.id, T.status, T.deadline_on, T.status_since, T.direction, A.account_number,
                 T.transfer_type, CP.code, CP.dtc_participant, T.contra_account, T.reject_code,
                 T.requested_on, T.requested_by],
        T.id,
        lambda stmt: stmt.select_from(T).join(A, A.id == T.account_id)
        .join(CP, CP.id == T.contra_id),
        SortSpec("deadline_on"), where=where, transform=with_days,
    )  # fmt: skip


def _lots_text(raw: str | None) -> str:
    lots = [Lot.from_json(d) for d in json.loads(raw)] if raw else []
    return "; ".join(
        f"{format_quantity(lot.quantity)} acquired {lot.acquired} at "
        f"{format_amount(canonical(lot.cost))}"
        for lot in lots
    )


def view_of(
    session: Session, transfer: m.AcatsTransfer, today: date, calendar: BusinessDays
) -> TransferView:
    assets = tuple(
        AssetView(
            describe(a),
            a.instrument.isin if a.instrument else None,
            a.currency,
            a.quantity,
            a.amount,
            _lots_text(a.lots),
            a.blocked_reason,
        )  # fmt: skip
        for a in transfer.assets
    )
    return TransferView(
        id=transfer.id, direction=transfer.direction, account=transfer.account.account_number,
        account_name=transfer.account.name, contra=transfer.contra.code,
        contra_dtc=transfer.contra.dtc_participant or "", contra_account=transfer.contra_account,
        transfer_type=transfer.transfer_type, status=transfer.status,
        status_since=transfer.status_since, deadline_on=transfer.deadline_on,
        aging=aging(transfer.deadline_on, today),
        days_in_status=business_days_between(transfer.status_since, today, calendar),
        requested_on=transfer.requested_on, validated_on=transfer.validated_on,
        rejected_on=transfer.rejected_on, completed_on=transfer.completed_on,
        reject_code=transfer.reject_code, reject_note=transfer.reject_note,
        resubmissions=transfer.resubmissions, requested_by=transfer.requested_by,
        approval_id=transfer.approval_id, assets=assets,
        approval_pending=_pending(session, transfer), reversed_on=transfer.reversed_on,
        deadline_rule=_rule(session, transfer),
    )  # fmt: skip


def _rule(session: Session, transfer: m.AcatsTransfer) -> str:
    """What the open transfer's deadline counts, by the aging limits in force now."""
    if not transfer.status.is_open or transfer.deadline_on is None:
        return ""
    soft = bool(transfer.reject_code and REJECT_CODES[transfer.reject_code].soft)
    return acats_rules.deadlines(session).rule_of(transfer.status, soft)


def _pending(session: Session, transfer: m.AcatsTransfer) -> bool:
    """Whether the completion's request (out) or the reversal's (in) still waits; a
    rejected one may be filed again."""
    waiting = (AcatsStatus.SETTLE_PREP, AcatsStatus.COMPLETED)
    if transfer.approval_id is None or transfer.status not in waiting:
        return False
    request = session.get(m.ApprovalRequest, transfer.approval_id)
    return request is not None and request.status.value == "pending"


def unsettled_trades(session: Session, account_id: int) -> list[str]:
    """The account's open settlement obligations, one line each (a validation's warning)."""
    ob = m.SettlementObligation
    rows = session.scalars(
        select(ob)
        .where(ob.account_id == account_id, ob.status.not_in(["settled", "cancelled"]))
        .order_by(ob.settle_date, ob.id)
    )
    return [
        f"trade {o.trade_id}: {o.direction.value} "
        f"{format_quantity(o.quantity - o.settled_quantity)} "
        f"{o.instrument.isin} due {o.settle_date.isoformat()} ({o.status.label.lower()})"
        for o in rows
    ]
