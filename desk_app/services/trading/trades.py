"""Booking, amending and cancelling trades: every change is a new version, never an overwrite.

A version links to the trade's first version (``original_id``) and to the one it
replaces (``supersedes_id``). Amending or cancelling a trade whose settlement has
started, or whose settlement date has passed, is a supervised request: a principal's
approval makes the new version, in the same transaction as the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import TradeSource
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, StaleRecord, ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.states import TRADE, TradeStatus
from desk_app.domain.trade_ticket import TradeTerms, terms_from_json, terms_to_json
from desk_app.services.reference.calendar import CalendarService
from desk_app.services.settlement.obligations import (
    hold_off_settlement_run,
    new_obligation,
    obligation_of,
    replace_obligation,
    settlement_started,
)
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.trading.trade_books import (
    BookRefs,
    CheckedTrade,
    InstrumentRef,
    SettleDates,
    check_terms,
    instrument_ref,
)
from desk_app.services.unit_of_work import UnitOfWork

TABLE = "trades"


@dataclass(frozen=True)
class TradeRecord:
    """One trade version as a ticket or a history shows it."""

    id: int
    trade_key: int  # the first version's id: what a clerk calls "trade 1234"
    version_no: int
    status: TradeStatus
    source: TradeSource
    external_id: str | None
    terms: TradeTerms
    instrument: InstrumentRef
    account_name: str
    gross_amount: Decimal
    net_amount: Decimal
    reason: str | None
    created_at: datetime
    created_by: str
    row_version: int
    obligation_status: str | None
    #: Why changing this version needs a principal's approval (None: it does not).
    supervised_because: str | None

    @property
    def is_current(self) -> bool:
        return self.status is TradeStatus.ACTIVE


@dataclass(frozen=True)
class ChangeOutcome:
    """A change made at once (``trade_id``: the new version) or sent for approval."""

    trade_id: int | None = None
    request_id: int | None = None

    @property
    def text(self) -> str:
        if self.request_id is not None:
            return f"Request {self.request_id} sent to a principal for approval"
        return f"Trade version {self.trade_id} booked"


def terms_of(trade: m.Trade) -> TradeTerms:
    """The terms of a trade version as booked (what an amendment starts from)."""
    return TradeTerms(
        account=trade.account.account_number, side=trade.side, isin=trade.instrument.isin,
        quantity=trade.quantity, price=trade.price, currency=trade.currency,
        trade_date=trade.trade_date, trade_time=trade.trade_time,
        counterparty=trade.counterparty.code, commission=trade.commission, fees=trade.fees,
        settle_date=trade.settle_date, settle_date_reason=trade.settle_date_reason or "",
        price_reason=trade.price_reason or "",
    )  # fmt: skip


def supervised_because(
    trade: m.Trade, obligation: m.SettlementObligation | None, today: date
) -> str | None:
    """Why changing ``trade`` now needs a principal's approval (None: it does not)."""
    if obligation is not None and settlement_started(obligation):
        return f"its settlement has started ({obligation.status.label.lower()})"
    if today > trade.settle_date:
        return f"its settlement date {trade.settle_date.isoformat()} has passed"
    return None


def backdated(terms: TradeTerms, today: date) -> str | None:
    """A correction that moves the settlement date into the past is supervised too."""
    if terms.settle_date is not None and terms.settle_date < today:
        return f"the new settlement date {terms.settle_date.isoformat()} has passed"
    return None


_TERM_COLUMNS = (
    "account_id", "instrument_id", "counterparty_id", "side", "quantity", "price", "currency",
    "trade_date", "trade_time", "settle_date", "settle_date_reason", "gross_amount",
    "commission", "fees", "net_amount", "price_reason",
)  # fmt: skip


class TradeService:
    """The trade ticket's use cases: check, book, amend, cancel, and a trade's versions."""

    def __init__(
        self,
        uow: UnitOfWork,
        approvals: ApprovalService,
        calendar: CalendarService,
        today: Callable[[], date] = market_today,
    ) -> None:
        self._uow = uow
        self._approvals = approvals
        self._calendar = calendar
        self._today = today
        for handler in (_AmendHandler(self), _CancelHandler(self)):
            approvals.register(handler)

    def today(self) -> date:
        """The date that decides whether a settlement date has passed."""
        return self._today()

    # -- checking and booking ------------------------------------------------------------

    def settle_date(self, isin: str, trade_date: date) -> tuple[date, str]:
        """The calendar's settlement date for ``isin`` traded on ``trade_date``, and the cycle."""
        with self._uow.read() as session:
            inst = session.scalars(select(m.Instrument).where(m.Instrument.isin == isin)).first()
            if inst is None:
                raise ValidationError("isin", "is not an instrument on this database", isin)
            return SettleDates(self._calendar).of(inst.instrument_type, inst.market, trade_date)

    def check(self, terms: TradeTerms) -> CheckedTrade:
        """Check ``terms`` against the books without booking (the ticket's live check)."""
        with self._uow.read() as session:
            return self._check(session, terms)

    def _check(self, session: Session, terms: TradeTerms) -> CheckedTrade:
        refs = BookRefs.load(session, [terms.account], [terms.isin], [terms.counterparty])
        return check_terms(refs, SettleDates(self._calendar), terms)

    def book(self, terms: TradeTerms) -> int:
        """Book a new trade from a ticket; return its id."""
        with self._uow.write(Action.TRADE_BOOK) as session:
            checked = self._check(session, terms)
            trade = m.Trade(
                **checked.columns(),
                source=TradeSource.MANUAL,
                external_id=None,
                version_no=1,
                status=TradeStatus.ACTIVE,
                created_by=self._uow.actor.username,
                created_at=datetime.now(UTC),
            )
            session.add(trade)
            session.flush()
            new_obligation(session, trade)  # booked trades settle: their obligation now
            return trade.id

    # -- reading -------------------------------------------------------------------------

    def record(self, trade_id: int) -> TradeRecord:
        with self._uow.read() as session:
            return self._record(session, self._get(session, trade_id))

    def versions(self, trade_id: int) -> list[TradeRecord]:
        """Every version of the trade that ``trade_id`` is a version of, oldest first."""
        with self._uow.read() as session:
            trade = self._get(session, trade_id)
            root = trade.original_id or trade.id
            rows = session.scalars(
                select(m.Trade)
                .where(or_(m.Trade.id == root, m.Trade.original_id == root))
                .order_by(m.Trade.version_no, m.Trade.id)
            ).all()
            return [self._record(session, row) for row in rows]

    def _get(self, session: Session, trade_id: int) -> m.Trade:
        trade = session.get(m.Trade, trade_id)
        if trade is None:
            raise DeskError(f"trade {trade_id}: no such trade")
        return trade

    def _record(self, session: Session, trade: m.Trade) -> TradeRecord:
        obligation = obligation_of(session, trade.id)
        return TradeRecord(
            id=trade.id, trade_key=trade.original_id or trade.id, version_no=trade.version_no,
            status=trade.status, source=trade.source, external_id=trade.external_id,
            terms=terms_of(trade), instrument=instrument_ref(trade.instrument),
            account_name=trade.account.name, gross_amount=trade.gross_amount,
            net_amount=trade.net_amount, reason=trade.reason, created_at=trade.created_at,
            created_by=trade.created_by, row_version=trade.version,
            obligation_status=None if obligation is None else obligation.status.value,
            supervised_because=supervised_because(trade, obligation, self._today()),
        )  # fmt: skip

    # -- amending and cancelling ---------------------------------------------------------

    def amend(
        self, trade_id: int, terms: TradeTerms, reason: str, *, expected_version: int | None = None
    ) -> ChangeOutcome:
        """Replace the current version with ``terms``; a request if supervision needs one."""
        return self._change(trade_id, terms, reason, expected_version)

    def cancel(
        self, trade_id: int, reason: str, *, expected_version: int | None = None
    ) -> ChangeOutcome:
        """Cancel the trade with a new version that settles nothing."""
        return self._change(trade_id, None, reason, expected_version)

    def _change(
        self, trade_id: int, terms: TradeTerms | None, reason: str, expected: int | None
    ) -> ChangeOutcome:
        reason = reason.strip()
        if not reason:
            raise ValidationError("reason", "say why the trade is being corrected or cancelled")
        direct, supervised = (
            (Action.TRADE_CANCEL, Action.TRADE_CANCEL_SETTLING)
            if terms is None
            else (Action.TRADE_AMEND, Action.TRADE_AMEND_SETTLING)
        )
        with self._uow.read() as session:
            old = self._current(session, trade_id, expected)
            because = self._record(session, old).supervised_because
            if terms is not None:
                terms = self._check_changes(session, old, terms).booked_terms
                because = because or backdated(terms, self._today())
            if because is not None:
                proposal = self._proposal(old, terms, supervised, because)
        if because is not None:
            return ChangeOutcome(request_id=self._approvals.request(proposal, reason))
        with self._uow.write(direct) as session:
            old = self._current(session, trade_id, expected)
            if self._record(session, old).supervised_because is not None:
                raise StaleRecord(
                    f"trade {old.original_id or old.id}: its settlement started a moment ago; "
                    "try again to send the change for approval"
                )
            new = self.apply_change(session, old, terms, reason, self._uow.actor.username)
            return ChangeOutcome(trade_id=new.id)

    def _current(self, session: Session, trade_id: int, expected: int | None) -> m.Trade:
        trade = self._get(session, trade_id)
        if trade.status is TradeStatus.CANCELLED:
            raise StaleRecord(
                f"trade {trade.original_id or trade.id} is cancelled (version {trade.id}); "
                "a cancelled trade cannot be changed: book a new one"
            )
        if trade.status is not TradeStatus.ACTIVE:
            newer = session.scalars(
                select(m.Trade.id).where(m.Trade.supersedes_id == trade.id)
            ).first()
            then = f" by version {newer}" if newer else ""
            raise StaleRecord(
                f"trade version {trade.id} is {trade.status.label.lower()}{then}; "
                "open the current version to change it"
            )
        if expected is not None and trade.version != expected:
            raise StaleRecord(
                f"trade version {trade.id} changed while you were editing it; "
                "reload it and make your change again"
            )
        return trade

    def _check_changes(self, session: Session, old: m.Trade, terms: TradeTerms) -> CheckedTrade:
        checked = self._check(session, terms)
        if not terms_of(old).changed_fields(checked.booked_terms):
            raise ValidationError("changes", "nothing would change")
        return checked

    def file_change_request(
        self,
        session: Session,
        old: m.Trade,
        terms: TradeTerms | None,
        reason: str,
        *,
        because: str,
        external_id: str,
        source: TradeSource,
    ) -> int:
        """File, inside ``session``, the request a supervised change needs; return its id.

        For a correction or cancel that came in a file (a FIX G or H): once approved,
        the new version carries the message's id, so importing the file again finds it.
        """
        action = Action.TRADE_CANCEL_SETTLING if terms is None else Action.TRADE_AMEND_SETTLING
        self._uow.actor.require(action)
        origin = {"external_id": external_id, "source": source.value}
        proposal = self._proposal(old, terms, action, because, origin=origin)
        return self._approvals.file(session, proposal, reason)

    def _proposal(
        self,
        old: m.Trade,
        terms: TradeTerms | None,
        action: Action,
        because: str,
        *,
        origin: Mapping[str, str] | None = None,
    ) -> Proposal:
        key = old.original_id or old.id
        before = terms_to_json(terms_of(old))
        if terms is None:
            after: dict[str, Any] = {"status": TradeStatus.CANCELLED.value}
            before_shown: dict[str, Any] = {"status": old.status.value}
            summary = f"Cancel trade {key} ({because})"
        else:
            proposed = terms_to_json(terms)  # compared as values: 5.00 is 5
            changed = {k: proposed[k] for k in terms_of(old).changed_fields(terms)}
            after, before_shown = changed, {k: before[k] for k in changed}
            summary = f"Amend trade {key}: {', '.join(k.replace('_', ' ') for k in changed)}"
        if origin:  # where the change came from, shown beside the terms it changes
            after = {**after, **origin}
            before_shown = {**before_shown, **_origin_of(old)}
            summary += f" (from {origin['source'].upper()} {origin['external_id']})"
        return Proposal(
            action, TABLE, f"{TABLE}:{key}", summary, before_shown, after, old.id, old.version
        )

    def apply_change(
        self,
        session: Session,
        old: m.Trade,
        terms: TradeTerms | None,
        reason: str,
        by: str,
        *,
        source: TradeSource = TradeSource.MANUAL,
        external_id: str | None = None,
        import_id: int | None = None,
    ) -> m.Trade:
        """Add the version after ``old`` (``terms`` None: the cancel) inside ``session``."""
        target = TradeStatus.CANCELLED if terms is None else TradeStatus.AMENDED
        TRADE.check(old.status, target)  # an active version may be replaced
        hold_off_settlement_run(session)  # no run reads the old version as live meanwhile
        if terms is None:  # the same terms, as they were booked
            columns = {key: getattr(old, key) for key in _TERM_COLUMNS}
            status = TradeStatus.CANCELLED
        else:
            columns = self._check(session, terms).columns()
            status = TradeStatus.ACTIVE
        old.status = TradeStatus.AMENDED
        new = m.Trade(
            **columns,
            source=source,
            external_id=external_id,
            version_no=old.version_no + 1,
            original_id=old.original_id or old.id,
            supersedes_id=old.id,
            status=status,
            reason=reason[:200],
            import_id=import_id,
            created_by=by,
            created_at=datetime.now(UTC),
        )
        session.add(new)
        session.flush()
        replace_obligation(session, old, new)
        return new


#: What a request from a file says about the message it came in (see `_origin_of`).
_ORIGIN_KEYS = ("external_id", "source")


def _origin_of(trade: m.Trade) -> dict[str, Any]:
    return {"external_id": trade.external_id, "source": trade.source.value}


def _origin_args(session: Session, after: Mapping[str, Any]) -> dict[str, Any]:
    """The `TradeService.apply_change` arguments for a request from a file (none otherwise).

    Refuses when the message's id went to another trade meanwhile (it must stay unique).
    """
    if "source" not in after:
        return {}
    source, external_id = TradeSource(after["source"]), after.get("external_id")
    taken = session.scalars(
        select(m.Trade.id).where(m.Trade.source == source, m.Trade.external_id == external_id)
    ).first()
    if taken is not None:
        raise StaleRecord(
            f"{source.value.upper()} id {external_id} has been given to trade version {taken} "
            "since the request was made; reject it and send the change again"
        )
    return {"source": source, "external_id": external_id}


class _TradeHandler:
    action: Action

    def __init__(self, service: TradeService) -> None:
        self._service = service

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        trade = None if request.target_id is None else session.get(m.Trade, request.target_id)
        if trade is None:
            return None
        return {**terms_to_json(terms_of(trade)), "status": trade.status.value,
                **_origin_of(trade), "version": trade.version}  # fmt: skip

    def _trade(self, session: Session, request: m.ApprovalRequest) -> m.Trade:
        trade = None if request.target_id is None else session.get(m.Trade, request.target_id)
        if trade is None:
            raise DeskError(f"request {request.id}: the trade no longer exists")
        return trade


class _AmendHandler(_TradeHandler):
    action = Action.TRADE_AMEND_SETTLING

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        old = self._trade(session, request)
        changed = {k: v for k, v in after.items() if k not in _ORIGIN_KEYS}
        terms = terms_from_json({**terms_to_json(terms_of(old)), **changed})
        self._service.apply_change(
            session, old, terms, request.reason, request.maker, **_origin_args(session, after)
        )


class _CancelHandler(_TradeHandler):
    action = Action.TRADE_CANCEL_SETTLING

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        old = self._trade(session, request)
        self._service.apply_change(
            session, old, None, request.reason, request.maker, **_origin_args(session, after)
        )
