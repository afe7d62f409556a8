"""A trades file's FIX corrections (G) and cancels (H): which trade each one changes, and how.

Read in file order: a change names its trade by ExecRefID, booked earlier in the file
or already on the blotter. A change that supervision covers (the settlement started,
the settlement date passed, or a correction would move it into the past) becomes an
approval request; a trade takes one such change at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import TradeSource
from desk_app.domain.errors import ValidationError
from desk_app.domain.fix44 import FixExecution, field_name
from desk_app.domain.permissions import Action
from desk_app.domain.states import ApprovalStatus, TradeStatus
from desk_app.services.obligations import obligation_of
from desk_app.services.trade_books import CheckedTrade
from desk_app.services.trades import TABLE as TRADES
from desk_app.services.trades import backdated, supervised_because

_LATE_CHANGES = (Action.TRADE_AMEND_SETTLING.value, Action.TRADE_CANCEL_SETTLING.value)


@dataclass(frozen=True)
class Decision:
    """What one change does: apply now, go for approval (and why), or nothing (sent before)."""

    kind: Literal["change", "request", "unchanged"]
    checked: CheckedTrade | None = None  # the corrected terms (None for a cancel)
    late: str | None = None  # why a principal must approve it


@dataclass
class FixChanges:
    """The trades of one file as its changes are read: booked, corrected, cancelled."""

    session: Session
    #: The versions already on the blotter under the file's ExecIDs and ExecRefIDs.
    stored: dict[str, m.Trade]
    today: date
    #: ExecIDs of this file's trades (and changes) -> the state they leave the trade in.
    in_file: dict[str, TradeStatus] = field(default_factory=dict)
    #: ExecRefIDs of trades whose late change in this file goes for approval -> its line.
    requested: dict[str, int] = field(default_factory=dict)

    def booked(self, exec_id: str) -> None:
        """A new trade of the file, which later lines may change."""
        self.in_file[exec_id] = TradeStatus.ACTIVE

    def decide(self, row: FixExecution, check: Callable[[], CheckedTrade]) -> Decision:
        """The change ``row`` makes; raises `ValidationError` for one that cannot be made.

        ``check`` checks a correction's terms against the books.
        """
        ref = row.exec_ref_id or ""
        if row.exec_id in self.stored:  # sent before: the same change of the same trade?
            mine, target = self.stored[row.exec_id], self.stored.get(ref)
            root = mine.original_id or mine.id
            if target is None or (target.original_id or target.id) != root:
                raise ValidationError(
                    field_name(17), f"is already on the blotter, as a version of trade {root}",
                    row.exec_id,
                )  # fmt: skip
            return Decision("unchanged")
        late = self._state_of(ref)
        checked = check() if row.exec_type == "correct" else None
        if checked is not None and ref in self.stored:
            late = late or backdated(checked.booked_terms, self.today)
        if late is not None:
            if self._already_requested(row):
                return Decision("unchanged", checked)
            self.requested[ref] = row.line
            return Decision("request", checked, late)
        self.in_file[ref] = TradeStatus.CANCELLED if checked is None else TradeStatus.ACTIVE
        self.in_file[row.exec_id] = self.in_file[ref]
        return Decision("change", checked)

    def _state_of(self, ref: str) -> str | None:
        """Check that ``ref`` names a live trade; why changing it is supervised, if it is."""
        ref_field = field_name(19)
        late = None
        if ref in self.in_file:
            status = self.in_file[ref]
        elif ref in self.stored:
            current = current_version(self.session, self.stored[ref])
            status = current.status
            if status is TradeStatus.ACTIVE:
                obligation = obligation_of(self.session, current.id)
                late = supervised_because(current, obligation, self.today)
        else:
            raise ValidationError(
                ref_field, "names no trade on the blotter or earlier in the file", ref
            )
        if status is not TradeStatus.ACTIVE:
            raise ValidationError(ref_field, "names a trade that is already cancelled", ref)
        return late

    def _already_requested(self, row: FixExecution) -> bool:
        """Whether this late change is a request already (True: nothing to do again).

        Raises when the trade has another change waiting for a principal.
        """
        ref = row.exec_ref_id or ""
        if ref in self.requested:
            raise ValidationError(
                field_name(19),
                f"names the trade whose change on line {self.requested[ref]} goes for "
                "approval; send this one after it is decided",
                ref,
            )
        trade = self.stored[ref]
        root = trade.original_id or trade.id
        for request in self.session.scalars(
            select(m.ApprovalRequest)
            .where(
                m.ApprovalRequest.target_key == f"{TRADES}:{root}",
                m.ApprovalRequest.action.in_(_LATE_CHANGES),
            )
            .order_by(m.ApprovalRequest.id)
        ):
            if json.loads(request.proposal)["after"].get("external_id") == row.exec_id:
                return True  # this very message, filed before (whatever was decided)
            if request.status is ApprovalStatus.PENDING:
                raise ValidationError(
                    field_name(19),
                    f"names trade {root}, which has request {request.id} waiting for a "
                    "principal; send this change after it is decided",
                    ref,
                )
        return False


def changed_trade(session: Session, row: FixExecution) -> m.Trade:
    """The current version of the trade a change's ExecRefID names."""
    named = session.scalars(
        select(m.Trade).where(
            m.Trade.source == TradeSource.FIX, m.Trade.external_id == (row.exec_ref_id or "")
        )
    ).one()
    return current_version(session, named)


def current_version(session: Session, trade: m.Trade) -> m.Trade:
    """The newest version of the trade ``trade`` belongs to."""
    root = trade.original_id or trade.id
    newest = session.scalars(
        select(m.Trade)
        .where((m.Trade.id == root) | (m.Trade.original_id == root))
        .order_by(m.Trade.version_no.desc(), m.Trade.id.desc())
    ).first()
    assert newest is not None
    return newest
