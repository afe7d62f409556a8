"""Standing settlement instructions: the list, and supervised requests to add or change one.

An SSI says where and how a counterparty settles a market and asset class from a
date (for one account, or for all): the place of settlement (the depository's BIC),
the counterparty's agent (a BIC) and its account there. Adding one, or changing its
route or its end date, is a request a principal other than the maker approves; the
BICs are checked (ISO 9362) before the request is filed. Once applied, the open
obligations of the counterparty are checked again (see exception_checks), so an
exception for want of an SSI clears in the approval's own transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.paging import KeysetSource
from desk_app.domain import labels
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.services import audit
from desk_app.services.settlement.exception_checks import recheck, touching
from desk_app.services.settlement.ssi_checks import (
    SSI,
    TABLE,
    account_of,
    check_new,
    clean_new,
    clean_route,
    counterparty_of,
    new_proposal,
)
from desk_app.services.settlement.ssi_import import SSIImport, import_ssis
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind
#: What a change may touch: the end date. A new route is a new SSI from the day it
#: applies (obligations already instructed keep the route they were instructed on).
CHANGEABLE = ("effective_to",)
SSI_COLUMNS = (
    Column("id", "SSI", K.INT),
    Column("counterparty", "Counterparty"),
    Column("account", "For account", tooltip="Empty: every account of the counterparty"),
    Column("market", "Market"),
    Column("asset_class", "Asset class", K.STATUS, labels.INSTRUMENT_TYPE),
    Column("place_of_settlement", "Place of settlement"),
    Column("agent_bic", "Agent"),
    Column("safekeeping_account", "Account at depository"),
    Column("effective_from", "From", K.DATE),
    Column("effective_to", "To", K.DATE),
)


@dataclass(frozen=True)
class SSIRecord:
    """An SSI as a form shows it."""

    id: int
    values: Mapping[str, Any]
    version: int


class SSIService:
    """The SSI list, and requests to add or change one (a principal approves them)."""

    def __init__(self, uow: UnitOfWork, approvals: ApprovalService) -> None:
        self._uow = uow
        self._approvals = approvals
        approvals.register(_SSIHandler())

    def instructions(self) -> KeysetSource:
        """Every SSI: by counterparty, market, asset class and start."""
        cp, acct = m.Counterparty, m.Account
        return KeysetSource(
            self._uow.sessions,
            SSI_COLUMNS,
            lambda: [
                SSI.id,
                cp.code,
                acct.account_number,
                SSI.market,
                SSI.asset_class,
                SSI.place_of_settlement,
                SSI.agent_bic,
                SSI.safekeeping_account,
                SSI.effective_from,
                SSI.effective_to,
            ],  # fmt: skip
            SSI.id,
            lambda stmt: (
                stmt.select_from(SSI)
                .join(cp, cp.id == SSI.counterparty_id)
                .outerjoin(acct, acct.id == SSI.account_id)
            ),
            SortSpec("counterparty"),
        )

    def record(self, ssi_id: int) -> SSIRecord:
        with self._uow.read() as session:
            row = _get(session, ssi_id)
            return SSIRecord(row.id, _values(row), row.version)

    def request_add(self, fields: Mapping[str, Any], reason: str) -> int:
        """Ask for a new SSI; a principal's approval adds it."""
        values = clean_new(fields)
        with self._uow.read() as session:
            check_new(session, values)
        return self._approvals.request(new_proposal(values), reason)

    def import_csv(self, path: Path, reason: str, *, dry_run: bool = False) -> SSIImport:
        """Check every line of a CSV file and, unless ``dry_run``, file a request for each
        (all or none): see `desk_app.services.settlement.ssi_import`."""
        return import_ssis(self._uow, self._approvals, path, reason, dry_run=dry_run)

    def request_change(self, ssi_id: int, changes: Mapping[str, Any], reason: str) -> int:
        """Ask to change an SSI's route or end date; only what really changes is kept."""
        bad = set(changes) - set(CHANGEABLE)
        if bad:
            raise ValidationError(
                sorted(bad)[0], "cannot change: end this instruction and add a new one from "
                "the day the route changes",
            )  # fmt: skip
        cleaned = clean_route(changes)
        with self._uow.read() as session:
            row = _get(session, ssi_id)
            now = _values(row)
        end = cleaned.get("effective_to")
        if end is not None and end < row.effective_from:
            raise ValidationError("effective_to", f"is before the start, {row.effective_from}")
        shown = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in cleaned.items()}
        changed = {k: v for k, v in shown.items() if now.get(k) != v}
        if not changed:
            raise ValidationError("changes", "nothing would change")
        names = ", ".join(sorted(k.replace("_", " ") for k in changed))
        proposal = Proposal(
            Action.SSI_CHANGE, TABLE, f"{TABLE}:{ssi_id}", f"Change SSI {ssi_id}: {names}",
            {k: now.get(k) for k in changed}, changed, ssi_id, row.version,
        )  # fmt: skip
        return self._approvals.request(proposal, reason)


def _values(row: m.StandingSettlementInstruction) -> dict[str, Any]:
    snap = audit.snapshot(row)
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in snap.items()
        if k in (*CHANGEABLE, "effective_from", "market", "asset_class", "version")
    }


def _get(session: Session, ssi_id: int) -> m.StandingSettlementInstruction:
    row = session.get(SSI, ssi_id)
    if row is None:
        raise DeskError(f"no standing settlement instruction {ssi_id}")
    return row


class _SSIHandler:
    """Adds an approved SSI, or applies an approved change to one (``target_id`` set)."""

    action = Action.SSI_CHANGE

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        if request.target_id is None:
            return None
        row = session.get(SSI, request.target_id)
        return None if row is None else _values(row)

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        values = clean_route(after)
        if request.target_id is not None:
            row = _get(session, request.target_id)
            for key, value in values.items():
                setattr(row, key, value)
            # Its end moved: obligations it no longer covers may lack one (or have another).
            recheck(session, touching(counterparty_id=row.counterparty_id))
            return
        check_new(session, values)  # none added meanwhile
        party = counterparty_of(session, values["counterparty"]).id
        session.add(SSI(
            counterparty_id=party,
            account_id=account_of(session, values["account"]).id if values.get("account") else None,
            market=values["market"], asset_class=InstrumentType(values["asset_class"]),
            place_of_settlement=values["place_of_settlement"], agent_bic=values["agent_bic"],
            safekeeping_account=values["safekeeping_account"],
            effective_from=values["effective_from"], effective_to=values.get("effective_to"),
        ))  # fmt: skip
        # The exceptions it answers clear now, in the approval's transaction.
        recheck(session, touching(counterparty_id=party))
