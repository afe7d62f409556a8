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
from desk_app.services.settlement.obligations import obligation_of
from desk_app.services.trading.trade_books import CheckedTrade
from desk_app.services.trading.trades import TABLE as TRADES
from desk_app.services.trading.trades import backdated, supervised_because

_LATE_CHANGES = (Action.TRADE_AMEND_SETTLING.value, Action.TRADE_CANCEL_SETTLING.value)


@dataclass(frozen=True)
class Decision:
    """What one change does: apply now, go for approval (and why), or nothing again.

    ``requested_before``: this very message went for approval from an earlier file
    (``late`` then says which request, and what became of it).
    """

    kind: Literal["change", "request", "unchanged", "requested_before"]
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
    #: Trades (first version's id) whose late change in this file goes for approval ->
    #: the line of that change.
    requested: dict[int, int] = field(default_factory=dict)
    #: ExecIDs that requests waiting for a principal will give their new version.
    _held: dict[str, int] | None = None

    def booked(self, exec_id: str) -> None:
        """A new trade of the file, which later lines may change."""
        self.in_file[exec_id] = TradeStatus.ACTIVE

    def check_new(self, exec_id: str) -> None:
        """Refuse a new trade whose ExecID a waiting request will give another version."""
        held = self.held().get(exec_id)
        if held is not None:
            raise ValidationError(
                field_name(17), f"is the id request {held} will give a trade's new version; "
                "a new trade needs an id of its own", exec_id,
            )  # fmt: skip

    def held(self) -> dict[str, int]:
        """ExecIDs of requests waiting for a principal -> the request (read once)."""
        if self._held is None:
            self._held = {}
            for request in self.session.scalars(
                select(m.ApprovalRequest).where(
                    m.ApprovalRequest.action.in_(_LATE_CHANGES),
                    m.ApprovalRequest.status == ApprovalStatus.PENDING,
                )
            ):
                exec_id = json.loads(request.proposal)["after"].get("external_id")
                if exec_id:
                    self._held[exec_id] = request.id
        return self._held

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
            before = self._already_requested(row)
            if before is not None:
                return Decision("requested_before", checked, before)
            trade = self.stored[ref]
            self.requested[trade.original_id or trade.id] = row.line
            self.held()[row.exec_id] = 0  # taken by this file's request
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

    def _already_requested(self, row: FixExecution) -> str | None:
        """Which request this late change already is (None: none yet), and its state.

        Raises when the trade has another change waiting for a principal (one at a
        time), or when a waiting request of another trade holds this ExecID.
        """
        ref = row.exec_ref_id or ""
        trade = self.stored[ref]
        root = trade.original_id or trade.id
        if root in self.requested:
            raise ValidationError(
                field_name(19),
                f"names trade {root}, whose change on line {self.requested[root]} goes for "
                "approval; send this one after it is decided",
                ref,
            )
        mine = None
        for request in self.session.scalars(
            select(m.ApprovalRequest)
            .where(
                m.ApprovalRequest.target_key == f"{TRADES}:{root}",
                m.ApprovalRequest.action.in_(_LATE_CHANGES),
            )
            .order_by(m.ApprovalRequest.id)
        ):
            if json.loads(request.proposal)["after"].get("external_id") == row.exec_id:
                mine = request  # this very message, filed before
            elif request.status is ApprovalStatus.PENDING:
                raise ValidationError(
                    field_name(19),
                    f"names trade {root}, which has request {request.id} waiting for a "
                    "principal; send this change after it is decided",
                    ref,
                )
        if mine is not None:
            return f"request {mine.id}, {mine.status.value}"
        held = self.held().get(row.exec_id)
        if held is not None:
            raise ValidationError(
                field_name(17), f"is the id request {held} gives another trade's new version",
                row.exec_id,
            )  # fmt: skip
        return None


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
