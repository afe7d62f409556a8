"""Settlement obligations as a worklist."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db.models import (
    Account,
    Counterparty,
    Instrument,
    SettlementObligation,
    StandingSettlementInstruction,
)
from desk_app.db.paging import Expr, KeysetSource
from desk_app.domain import labels
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.states import ObligationStatus
from desk_app.services.settlement.exception_checks import (
    RecheckReport,
    of_obligations,
    recheck,
)
from desk_app.services.settlement.obligation_run import RunReport, run_settlement
from desk_app.services.settlement.obligation_search import obligation_search
from desk_app.services.settlement.restriction_sweeps import RestrictionSweeps
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind

#: What needs a person first (the exception, the state, the date), then the rest.
OBLIGATION_COLUMNS = (
    Column(
        "exception_reason",
        "Exception",
        tooltip="Why it may not settle yet: it clears by itself when the cause goes "
        "(an SSI approved, the account reopened); Re-check checks again",
    ),
    Column("status", "Status", K.STATUS, labels.OBLIGATION_STATUS),
    Column("settle_date", "Settle date", K.DATE),
    Column(
        "fail_reason",
        "Reason",
        K.STATUS,
        labels.FAIL_REASON,
        tooltip="sese.024 reason: LACK/MONY we are short, CLAC/CMON the counterparty is short, "
        "NMAS no matching instruction, SSID instructions missing",
    ),
    Column(
        "status_note",
        "Market status",
        tooltip="The latest status from the market "
        "(sese.024 or a status file): unmatched or pending, with its reason",
    ),
    Column("id", "Obligation", K.INT),
    Column("direction", "Movement", K.STATUS, labels.DIRECTION),
    Column("account", "Account"),
    Column("counterparty", "Counterparty"),
    Column("isin", "ISIN"),
    Column("symbol", "Symbol"),
    Column("quantity", "Quantity", K.QUANTITY),
    Column("settled_quantity", "Settled qty", K.QUANTITY),
    Column("amount", "Amount", K.MONEY),
    Column("currency", "Ccy"),
    Column("payment", "Payment", K.STATUS, labels.PAYMENT),
    Column("place", "Place of settlement"),
    Column("net_id", "Net", K.INT, tooltip="The net instruction it settles through, if any"),
    Column("trade_id", "Trade", K.INT),
)

SSI = StandingSettlementInstruction
#: The audit trail's name for a re-check (it needs the settlement run's permission).
RECHECK = "settlement.recheck"
#: Obligation ids per statement of a re-check of a selection.
RECHECK_CHUNK = 5_000


def _columns() -> list[Expr]:
    o = SettlementObligation
    return [
        o.exception_reason, o.status, o.settle_date, o.fail_reason, o.status_note, o.id,
        o.direction, Account.account_number, Counterparty.code, Instrument.isin,
        Instrument.symbol, o.quantity, o.settled_quantity, o.amount, o.currency, o.payment,
        SSI.place_of_settlement, o.net_id, o.trade_id,
    ]  # fmt: skip


def _joins(stmt: Select[Any]) -> Select[Any]:
    o = SettlementObligation
    return (
        stmt.select_from(o)
        .join(Account, Account.id == o.account_id)
        .join(Instrument, Instrument.id == o.instrument_id)
        .join(Counterparty, Counterparty.id == o.counterparty_id)
        .outerjoin(SSI, SSI.id == o.ssi_id)
    )


class SettlementService:
    """What must settle, by settlement date, and the run that makes the obligations."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        uow: UnitOfWork,
        sweeps: RestrictionSweeps | None = None,
    ) -> None:
        self._sessions = sessions
        self._uow = uow
        self._sweeps = sweeps or RestrictionSweeps(uow)

    def run(self, *, as_of: date | None = None) -> RunReport:
        """Make the obligations of live trades that lack one (exactly once; see obligation_run)."""
        with self._uow.write(Action.SETTLEMENT_RUN) as session:
            return run_settlement(session, as_of=as_of)

    def recheck(self, ids: Sequence[int] | None = None) -> RecheckReport:
        """Check the exceptions of open obligations again: of ``ids``, or of all of them.

        One transaction; each obligation that changes is audited (see exception_checks).
        """
        with self._uow.write(RECHECK, permission=Action.SETTLEMENT_RUN) as session:
            if ids is None:
                return recheck(session)
            chosen = sorted(set(ids))
            reports = [
                recheck(session, of_obligations(chosen[n : n + RECHECK_CHUNK]))
                for n in range(0, len(chosen), RECHECK_CHUNK)
            ]
            return RecheckReport(
                sum(r.checked for r in reports), sum(r.cleared for r in reports),
                sum(r.raised for r in reports), tuple(x for r in reports for x in r.remaining),
            )  # fmt: skip

    def obligations(
        self,
        *,
        open_only: bool = False,
        due: date | None = None,
        status: ObligationStatus | None = None,
        before: date | None = None,
        exceptions_only: bool = False,
        search: str = "",
    ) -> KeysetSource:
        """Obligations by settlement date, oldest first (so overdue ones lead a worklist).

        ``due``: settling on that date; ``before``: settling before it (overdue);
        ``status``: in that state; ``exceptions_only``: those with an exception;
        ``search``: every word in its account, instrument,
        counterparty or trade reference (see `obligation_search`).
        """
        self._sweeps.ensure()  # a restriction whose day came has raised its exceptions
        o = SettlementObligation
        closed = [s for s in ObligationStatus if not s.is_open]
        where: list[ColumnElement[bool]] = [o.status.not_in(closed)] if open_only else []
        if due is not None:
            where.append(o.settle_date == due)
        if before is not None:
            where.append(o.settle_date < before)
        if status is not None:
            where.append(o.status == status)
        if exceptions_only:
            where.append(o.exception_reason.is_not(None))
        where += obligation_search(search)
        return KeysetSource(
            self._sessions,
            OBLIGATION_COLUMNS,
            _columns,
            SettlementObligation.id,
            _joins,
            SortSpec("settle_date"),
            where=where,
        )
