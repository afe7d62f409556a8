"""Open obligations whose stored settlement date differs from today's calendar rules.

When the rules change (a bank holiday's trades now settle with the previous business
day's; an exchange closure turns out to have been a settlement day; a user overrides
a day), obligations booked under the old rules keep their old dates. This lists them
and lets a supervisor or compliance correct them.

A correction is a new trade version with the rules' date (trades are corrected by
versions, never overwritten), whose new obligation replaces the old one, all in one
audited transaction. Only an obligation that has not gone to the street is
corrected: once instructed, the date is a matching field of the instruction the
counterparty and the depository hold, so changing Desk's record alone would make the
books disagree with the street; such an obligation is listed with what to do (cancel
and re-instruct with the counterparty). A date set by hand on the ticket (with a
reason) is listed but kept: somebody chose it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain import settlement
from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.errors import DeskError, StaleRecord, ValidationError
from desk_app.domain.listing import Column, ColumnKind, Row
from desk_app.domain.permissions import Action
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.services.reference.calendar import CalendarService
from desk_app.services.trading.trades import TradeService, terms_of
from desk_app.services.unit_of_work import UnitOfWork

S = ObligationStatus
_CLOSED = (S.SETTLED, S.CANCELLED)

#: The list's columns, for the command line and the window alike.
COLUMNS = (
    Column("obligation", "Obligation", ColumnKind.INT),
    Column("status", "Status"),
    Column("trade_date", "Trade date", ColumnKind.DATE),
    Column("stored", "Stored date", ColumnKind.DATE),
    Column("rules_date", "By today's rules", ColumnKind.DATE),
    Column("account", "Account"),
    Column("counterparty", "Counterparty"),
    Column("isin", "ISIN"),
    Column("trade", "Trade", ColumnKind.INT),
    Column("why", "Why"),
    Column("kept_because", "Not corrected because"),
)


@dataclass(frozen=True)
class DateDifference:
    """One open obligation whose settlement date today's rules would set otherwise."""

    obligation_id: int
    trade_id: int
    account: str
    counterparty: str
    isin: str
    status: ObligationStatus
    trade_date: date
    stored: date
    expected: date
    why: str
    #: Empty when `SettleDateCheck.correct` may correct it; else why it is kept.
    kept_because: str

    @property
    def correctable(self) -> bool:
        return not self.kept_because

    def row(self) -> Row:
        """Values in `COLUMNS` order, then the obligation id."""
        return (
            self.obligation_id, self.status.label, self.trade_date, self.stored, self.expected,
            self.account, self.counterparty, self.isin, self.trade_id, self.why,
            self.kept_because, self.obligation_id,
        )  # fmt: skip


def _kept_because(
    status: ObligationStatus, net_id: int | None, trade: m.Trade, stored: date
) -> str:
    """Why a correction leaves this obligation alone ("" if it does not)."""
    if trade.settle_date_reason:
        return f"date set by hand on the trade: {trade.settle_date_reason}"
    if trade.status is not TradeStatus.ACTIVE:
        return f"trade version {trade.id} is {trade.status.label.lower()}"
    if net_id is not None:
        return f"in settlement net {net_id}: break the net to correct it"
    if status is S.PENDING:
        return ""
    return (
        f"{status.label.lower()}: the instruction went to the street for {stored.isoformat()}; "
        "cancel it and re-instruct with the counterparty to move the date"
    )


class SettleDateCheck:
    """Finds and corrects settlement dates that today's calendar rules would set otherwise."""

    def __init__(self, uow: UnitOfWork, trades: TradeService, calendar: CalendarService) -> None:
        self._uow = uow
        self._trades = trades
        self._calendar = calendar

    def differences(self, first: date, last: date) -> list[DateDifference]:
        """Open obligations of trades dated ``first``..``last`` whose date differs."""
        with self._uow.read() as session:
            return self._differences(session, first, last)

    def _differences(self, session: Session, first: date, last: date) -> list[DateDifference]:
        if first > last:
            raise ValidationError(
                "--from", f"is after --to ({last.isoformat()})", first.isoformat()
            )
        o, t, i = m.SettlementObligation, m.Trade, m.Instrument
        stmt = (
            select(o.id, o.status, o.settle_date, o.net_id, t, i.isin, i.instrument_type,
                   i.market, m.Account.account_number, m.Counterparty.code)
            .join(t, t.id == o.trade_id)
            .join(i, i.id == o.instrument_id)
            .join(m.Account, m.Account.id == o.account_id)
            .join(m.Counterparty, m.Counterparty.id == o.counterparty_id)
            .where(o.status.not_in(_CLOSED), t.trade_date >= first, t.trade_date <= last)
            .order_by(t.trade_date, o.id)
        )  # fmt: skip
        cycles = self._calendar.cycles()
        calendars: dict[str, SettlementCalendar] = {}
        found = []
        for row in session.execute(stmt).all():
            trade: m.Trade = row.Trade
            try:
                cycle = settlement.cycle_for(
                    cycles, row.instrument_type, row.market, trade.trade_date
                )
            except ValidationError:
                continue  # no cycle (futures): nothing to compare with
            code = cycle.calendar_code
            if code not in calendars:
                calendars[code] = self._calendar.calendar(code)
            expected = settlement.settlement_date(trade.trade_date, cycle, calendars[code])
            if expected == row.settle_date:
                continue
            found.append(
                DateDifference(
                    obligation_id=row.id,
                    trade_id=trade.original_id or trade.id,
                    account=row.account_number,
                    counterparty=row.code,
                    isin=row.isin,
                    status=row.status,
                    trade_date=trade.trade_date,
                    stored=row.settle_date,
                    expected=expected,
                    why=settlement.why_dates_differ(
                        trade.trade_date, row.settle_date, expected, calendars[code]
                    ),
                    kept_because=_kept_because(row.status, row.net_id, trade, row.settle_date),
                )
            )
        return found

    def correct(
        self, first: date, last: date, *, only: Collection[int] | None = None
    ) -> list[DateDifference]:
        """Correct every correctable difference (or those of obligations ``only``).

        One transaction: if any correction is refused, nothing is corrected. Returns
        what was corrected; the new trade versions carry the reason.
        """
        with self._uow.write(Action.SETTLEMENT_DATES_CORRECT) as session:
            differences = self._differences(session, first, last)
            if only is not None:
                gone = set(only) - {d.obligation_id for d in differences}
                if gone:
                    ids = ", ".join(str(i) for i in sorted(gone))
                    raise StaleRecord(
                        f"obligations {ids} no longer differ from the rules or are no longer "
                        "open: check again"
                    )
                differences = [d for d in differences if d.obligation_id in only]
            done = [d for d in differences if d.correctable]
            by = self._uow.actor.username
            for diff in done:
                ob = session.get_one(m.SettlementObligation, diff.obligation_id)
                old = ob.trade
                terms = terms_of(old).with_changes(settle_date=diff.expected)
                reason = (
                    f"Settlement date by today's calendar rules: {diff.stored.isoformat()} -> "
                    f"{diff.expected.isoformat()} ({diff.why})"
                )
                try:
                    self._trades.apply_change(session, old, terms, reason, by)
                except DeskError as exc:
                    raise ValidationError(
                        f"obligation {diff.obligation_id}",
                        f"cannot be corrected ({exc}); nothing was corrected",
                    ) from None
            return done
