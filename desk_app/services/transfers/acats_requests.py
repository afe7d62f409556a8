"""The supervised ACATS requests: filing one, and applying it when a principal approves.

Two actions send client assets out of the firm and so wait for a principal other
than the maker: completing a transfer out, and reversing a completed transfer in.
Both read the transfer the same way for the request (`acats_moves.values` and its
version), find it again on approval, and turn a rule's refusal at that moment into a
refusal of the approval; only what each one does differs (`TransferRequestHandler.act`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.acats import AcatsStatus, BusinessDays
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.permissions import Action
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.transfers import acats_moves, acats_reversal
from desk_app.services.transfers.acats_rules import TABLE


def file(
    session: Session,
    approvals: ApprovalService,
    transfer: m.AcatsTransfer,
    *,
    action: Action,
    summary: str,
    target: AcatsStatus,
    why: str,
) -> int:
    """File ``action`` on ``transfer`` (moving it to ``target`` when approved); its id,
    kept on the transfer."""
    before = acats_moves.values(transfer)
    proposal = Proposal(
        action, TABLE, f"{TABLE}:{transfer.id}", summary, before,
        {**before, "status": target.value}, transfer.id,
    )  # fmt: skip
    transfer.approval_id = approvals.file(session, proposal, why)
    return transfer.approval_id


class TransferRequestHandler(ABC):
    """Reads a transfer for its request; `act` on it when the request is approved."""

    action: Action

    def __init__(self, today: Callable[[], date], calendar: Callable[[], BusinessDays]) -> None:
        self._today = today
        self._calendar = calendar

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        transfer = session.get(m.AcatsTransfer, request.target_id)
        if transfer is None:
            return None
        return {**acats_moves.values(transfer), "version": transfer.version}

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        transfer = session.get(m.AcatsTransfer, request.target_id)
        if transfer is None:
            raise DeskError(f"request {request.id}: the ACATS transfer no longer exists")
        try:
            self.act(session, request, transfer, self._today(), self._calendar())
        except ValidationError as exc:
            raise DeskError(f"request {request.id} cannot be approved: {exc.message}") from None

    @abstractmethod
    def act(
        self,
        session: Session,
        request: m.ApprovalRequest,
        transfer: m.AcatsTransfer,
        today: date,
        calendar: BusinessDays,
    ) -> None:
        """Do what the approved request asked (a `ValidationError` refuses the approval)."""


class CompletionHandler(TransferRequestHandler):
    """Completes a transfer out (its assets go to the contra firm) once approved."""

    action = Action.ACATS_COMPLETE_OUT

    def act(
        self,
        session: Session,
        request: m.ApprovalRequest,
        transfer: m.AcatsTransfer,
        today: date,
        calendar: BusinessDays,
    ) -> None:
        if transfer.status is not AcatsStatus.SETTLE_PREP:
            raise DeskError(
                f"request {request.id}: ACATS transfer {transfer.id} is "
                f"{transfer.status.label.lower()}, not in settle-prep"
            )
        acats_moves.complete(session, transfer, today, calendar)


class ReversalHandler(TransferRequestHandler):
    """Reverses a completed transfer in (its assets go back to the contra firm) once approved."""

    action = Action.ACATS_REVERSE_IN

    def act(
        self,
        session: Session,
        request: m.ApprovalRequest,
        transfer: m.AcatsTransfer,
        today: date,
        calendar: BusinessDays,
    ) -> None:
        acats_reversal.post(session, transfer, request.reason, today, calendar)
