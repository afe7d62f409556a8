"""The fails list: open obligations past their settlement date, aged and flagged.

Read fresh each time (a fails list is hundreds of rows, not millions): each open
obligation whose settlement date has passed is aged in settlement days on its
market's calendar, sorted into an aging bucket, and checked against the fails rules
(reference data): its Reg SHO close-out date and whether it has reached a capital
charge. The rules and the threshold list are changed by compliance or a supervisor,
audited like any record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models as m
from desk_app.domain import fails as rules_of
from desk_app.domain import labels
from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.codes import Side
from desk_app.domain.cutoffs import market_today as us_market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.fails import BUCKETS, BucketTotal, Fail, FailRule, FailSide
from desk_app.domain.listing import Column, ColumnKind, ListSource, Row, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.settlement import cycle_for
from desk_app.domain.states import ObligationStatus
from desk_app.domain.trade_rows import parse_isin
from desk_app.services.firm import letterhead
from desk_app.services.reference.calendar import CalendarService
from desk_app.services.settlement.obligation_search import obligation_search
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind
SIDES = {s.value: s.label for s in FailSide}
#: What the desk must act on first (the close-out deadline, why it fails, the charge).
FAIL_COLUMNS = (
    Column("close_out", "Close out by", K.DATE, tooltip="The earliest Reg SHO close-out date"),
    Column(
        "fail_reason",
        "Reason",
        K.STATUS,
        labels.FAIL_REASON,
        tooltip="The market's reason code (sese.024) and what it means",
    ),
    Column("capital", "Capital charge", tooltip="The capital-charge rules this fail has reached"),
    Column("age", "Age", K.INT, tooltip="Settlement days since the settlement date"),
    Column("side", "Fail", K.STATUS, SIDES),
    Column("id", "Obligation", K.INT),
    Column("counterparty", "Counterparty"),
    Column("account", "Account"),
    Column("isin", "ISIN"),
    Column("symbol", "Symbol"),
    Column("quantity", "Quantity left", K.QUANTITY),
    Column("amount", "Amount left", K.MONEY),
    Column("currency", "Ccy"),
    Column("status", "Status", K.STATUS, labels.OBLIGATION_STATUS),
    Column("settle_date", "Settle date", K.DATE),
    Column("bucket", "Bucket", tooltip="Aging bucket, in settlement days"),
    Column("short", "Short sale", K.BOOL),
    Column("close_out_rule", "Close-out rule"),
)
_OPEN = tuple(s for s in ObligationStatus if s.is_open)


def _row(fail: Fail) -> Row:
    """A fail as its list shows it: the columns' values, then its id."""
    return (*(getattr(fail, c.key) for c in FAIL_COLUMNS), fail.id)


def market_today() -> date:
    """Today on the market's clock (New York), whatever the desk's own time zone."""
    return us_market_today()


class FailsService:
    """The fails list, its aging buckets, and the rules that age it."""

    def __init__(
        self, sessions: sessionmaker[Session], uow: UnitOfWork, calendar: CalendarService
    ) -> None:
        self._sessions = sessions
        self._uow = uow
        self._calendar = calendar

    # -- the list ------------------------------------------------------------------------
    def fails(self, as_of: date | None = None, search: str = "") -> list[Fail]:
        """Every open obligation failing on ``as_of`` (default the market's today), oldest
        first; ``search``: only those it names (see `obligation_search`)."""
        day = as_of or market_today()
        rules = self.rules()
        cycles = self._calendar.cycles()
        calendars: dict[str, SettlementCalendar] = {}
        o, t, i = m.SettlementObligation, m.Trade, m.Instrument
        stmt = (
            select(
                o.id, o.direction, o.settle_date, o.quantity, o.settled_quantity, o.amount,
                o.settled_amount, o.currency, o.fail_reason, o.status, t.side,
                m.Account.account_number, i.isin, i.symbol, i.instrument_type, i.market,
                i.reg_sho_threshold, m.Counterparty.code,
            )
            .join(t, t.id == o.trade_id)
            .join(i, i.id == o.instrument_id)
            .join(m.Account, m.Account.id == o.account_id)
            .join(m.Counterparty, m.Counterparty.id == o.counterparty_id)
            .where(o.status.in_(_OPEN), o.settle_date < day, *obligation_search(search))
            .order_by(o.settle_date, o.id)
        )  # fmt: skip
        found = []
        with self._sessions() as session:
            rows = session.execute(stmt).all()
        for r in rows:
            code = cycle_for(cycles, r.instrument_type, r.market, r.settle_date).calendar_code
            if code not in calendars:
                calendars[code] = self._calendar.calendar(code)
            calendar = calendars[code]
            age = rules_of.age_in_settlement_days(r.settle_date, day, calendar)
            if age == 0:
                continue  # a weekend or holiday since: not failing yet
            side = FailSide.of(r.direction)
            short = r.side is Side.SELL_SHORT
            deadlines = rules_of.deadlines(
                rules, side, r.settle_date, day, calendar,
                short=short, threshold=r.reg_sho_threshold,
            )  # fmt: skip
            close = rules_of.next_close_out(deadlines)
            capital = rules_of.capital_flags(deadlines)
            found.append(Fail(
                id=r.id, side=side, age=age, bucket=rules_of.bucket_of(age).label,
                settle_date=r.settle_date, account=r.account_number, isin=r.isin,
                symbol=r.symbol, counterparty=r.code,
                quantity=r.quantity - r.settled_quantity, amount=r.amount - r.settled_amount,
                currency=r.currency,
                fail_reason=None if r.fail_reason is None else str(r.fail_reason),
                status=r.status, short=short,
                close_out=None if close is None else close.day,
                close_out_rule=None if close is None else close.rule.label,
                capital=", ".join(rule.label for rule in capital) or None,
                close_out_passed=close is not None and close.passed,
            ))  # fmt: skip
        return found

    def source(self, as_of: date | None = None, search: str = "") -> ListSource:
        """The fails as a table: oldest first (``search`` as in `fails`)."""
        return self.source_of(self.fails(as_of, search))

    @staticmethod
    def source_of(fails: Sequence[Fail]) -> ListSource:
        """``fails`` (read once) as a table: oldest first."""
        return ListSource(FAIL_COLUMNS, [_row(f) for f in fails], SortSpec("age", descending=True))

    @staticmethod
    def buckets(fails: Sequence[Fail]) -> list[BucketTotal]:
        """Fails to deliver and to receive in each aging bucket, youngest first."""
        return [
            BucketTotal(
                b.label,
                sum(f.bucket == b.label and f.side is FailSide.TO_DELIVER for f in fails),
                sum(f.bucket == b.label and f.side is FailSide.TO_RECEIVE for f in fails),
            )
            for b in BUCKETS
        ]

    def report(
        self, path: Path, as_of: date | None = None, printed_at: datetime | None = None
    ) -> Path:
        """The printable fails report (PDF) at ``path``, printed now (or at ``printed_at``);
        ReportLab loads on first use."""
        from desk_app.reports.fails import fails_report_pdf

        day = as_of or market_today()
        found = self.fails(day)
        with self._uow.read() as session:
            firm, address = letterhead(session)
        data = fails_report_pdf(day, self.buckets(found), found, firm=firm, firm_address=address,
                                printed_at=printed_at,
                                printed_by=self._uow.actor.full_name)  # fmt: skip
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise DeskError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
        return path

    # -- the rules -----------------------------------------------------------------------
    def rules(self) -> list[FailRule]:
        with self._sessions() as session:
            rows = session.scalars(select(m.FailRule).order_by(m.FailRule.code)).all()
            return [FailRule(r.code, r.label, r.kind, r.side, r.applies, r.days) for r in rows]

    def set_threshold(self, isin: str, on: bool) -> None:
        """Put an instrument on the Reg SHO threshold list, or take it off."""
        code = parse_isin("isin", isin.strip().upper())
        with self._uow.write(Action.FAIL_RULES) as session:
            instrument = session.scalars(
                select(m.Instrument).where(m.Instrument.isin == code)
            ).one_or_none()
            if instrument is None:
                raise ValidationError("isin", "is not an instrument in reference data", code)
            instrument.reg_sho_threshold = on
