"""Moving an obligation along: instruct, match, settle (fully or in part), reverse.

Settling posts the movements of `desk_app.domain.ledger` for what settled now and
moves the balances with them, in one transaction with the obligation's new state: a
partial settlement leaves the residual open. A reversal is a new posting linked to
the settlement it undoes, never an edit; the obligation goes back to what was left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.db.ledger_book import REVERSAL, SETTLEMENT
from desk_app.db.restriction_book import refuse_if, restriction_text
from desk_app.domain.codes import FailReason, Payment
from desk_app.domain.cutoffs import CUTOFFS, market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.ledger import (
    Book,
    Movement,
    balances,
    reversed_movements,
    settlement_movements,
)
from desk_app.domain.money import format_amount, format_quantity, round_money
from desk_app.domain.permissions import Action
from desk_app.domain.settlement_rules import DESK_MAY_FAIL, MOVES_FROM, settle_refusal
from desk_app.domain.states import OBLIGATION, ObligationStatus
from desk_app.services.settlement import bulk_settling
from desk_app.services.settlement.bulk_settling import BulkSettled, Progress, movement_out
from desk_app.services.settlement.restriction_sweeps import RestrictionSweeps
from desk_app.services.unit_of_work import UnitOfWork

PAYMENT_WORDS = {Payment.AGAINST: "against payment", Payment.FREE: "free of payment"}


@dataclass(frozen=True)
class Settled:
    """What one settlement (or reversal) did."""

    posting_id: int
    obligation_id: int
    status: ObligationStatus
    quantity: Decimal
    amount: Decimal
    residual: Decimal  # quantity still to settle
    currency: str

    @property
    def amount_text(self) -> str:
        """The cash as it is paid: in whole cents (or yen), exact."""
        return str(round_money(self.amount, self.currency))


@dataclass(frozen=True)
class PostingLine:
    """One posting of an obligation, as its detail lists it."""

    id: int
    kind: str
    quantity: Decimal
    amount: Decimal
    currency: str
    posted_at: datetime
    posted_by: str
    reverses_id: int | None
    reversed_by: int | None
    reason: str | None

    @property
    def reversible(self) -> bool:
        return self.kind == SETTLEMENT and self.reversed_by is None


@dataclass(frozen=True)
class ObligationDetail:
    """An obligation beside its trade, its SSI and its postings (the tab's detail pane)."""

    id: int
    lines: tuple[tuple[str, str], ...]  # (label, text), in reading order
    postings: tuple[PostingLine, ...]


class SettlingService:
    """Instruct, match, settle and reverse obligations; every change audited."""

    def __init__(self, uow: UnitOfWork, sweeps: RestrictionSweeps | None = None) -> None:
        self._uow = uow
        self._sweeps = sweeps or RestrictionSweeps(uow)

    # -- the lifecycle before settlement -------------------------------------------------
    def instruct(self, obligation_ids: Iterable[int]) -> int:
        """Pending -> instructed (the instruction is out); refused while an exception stands."""
        return self._move(obligation_ids, ObligationStatus.INSTRUCTED)

    def match(self, obligation_ids: Iterable[int]) -> int:
        """Instructed -> matched (the counterparty's instruction agrees)."""
        return self._move(obligation_ids, ObligationStatus.MATCHED)

    def mark_failing(
        self, obligation_ids: Iterable[int], reason: FailReason | str, *, today: date | None = None
    ) -> int:
        """Not settled on its settlement date: failing, with the market's reason code.

        ``today`` is the market's date (default: New York's now); an obligation that
        settles later cannot fail yet.
        """
        code = FailReason(reason)
        ids = sorted(set(obligation_ids))
        day = today or CUTOFFS["US"].today(datetime.now(UTC))
        with self._uow.write(Action.SETTLEMENT_SETTLE) as session:
            for obligation in (_get(session, i) for i in ids):
                if obligation.status not in DESK_MAY_FAIL:
                    raise ValidationError(
                        "obligation", f"{obligation.id} is {obligation.status.label.lower()}; "
                        "only instructed, matched or partly settled obligations fail",
                        str(obligation.id),
                    )  # fmt: skip
                if obligation.settle_date > day:
                    raise ValidationError(
                        "obligation", f"{obligation.id} settles on {obligation.settle_date}: "
                        "it cannot fail before its settlement date", str(obligation.id),
                    )  # fmt: skip
                if obligation.status is not ObligationStatus.FAILING:
                    _set_status(obligation, ObligationStatus.FAILING)
                obligation.fail_reason = code
        return len(ids)

    def _move(self, obligation_ids: Iterable[int], target: ObligationStatus) -> int:
        ids = sorted(set(obligation_ids))
        sources = MOVES_FROM[target]
        with self._uow.write(Action.SETTLEMENT_SETTLE) as session:
            for obligation in (_get(session, i) for i in ids):
                if obligation.status not in sources:
                    allowed = " or ".join(s.label.lower() for s in sorted(sources))
                    raise ValidationError(
                        "obligation", f"{obligation.id} is {obligation.status.label.lower()}; "
                        f"only {allowed} obligations are {target.label.lower()}",
                        str(obligation.id),
                    )  # fmt: skip
                if obligation.exception_reason:
                    raise ValidationError(
                        "obligation", f"{obligation.id} has an exception to clear first: "
                        f"{obligation.exception_reason}", str(obligation.id),
                    )  # fmt: skip
                _set_status(obligation, target)
                if target is ObligationStatus.MATCHED:
                    obligation.matched_at = obligation.status_changed_at
        return len(ids)

    # -- settling ----------------------------------------------------------------------
    def settle(
        self,
        obligation_id: int,
        *,
        quantity: Decimal | None = None,
        amount: Decimal | None = None,
    ) -> Settled:
        """Settle all that is left, or ``quantity`` of it (and ``amount`` of the cash).

        Without ``amount``, a part settles its share of the cash, rounded to the cent.
        """
        if self._uow.actor.can(Action.SETTLEMENT_SETTLE):  # a refusal writes nothing
            self._sweeps.ensure()  # a restriction whose day came acts before anything settles
        with self._uow.write(Action.SETTLEMENT_SETTLE) as session:
            o = _get(session, obligation_id)
            _check_settleable(o)
            out = movement_out(o.direction, o.payment)
            if out is not None:  # what leaves the account: a restriction may stop it
                refuse_if(session, o.account, out, market_today())
            left_q = o.quantity - o.settled_quantity
            left_a = o.amount - o.settled_amount
            q = left_q if quantity is None else quantity
            if not 0 < q <= left_q:
                raise ValidationError(
                    "quantity", f"must be more than 0 and at most the {left_q} left", str(q)
                )
            a = _cash(o, q, amount, left_q, left_a)
            moves = settlement_movements(
                o.direction, o.payment, account_id=o.account_id,
                counterparty_id=o.counterparty_id, instrument_id=o.instrument_id,
                currency=o.currency, quantity=q, amount=a,
            )  # fmt: skip
            posting = self._post(session, o, SETTLEMENT, moves, settled=(q, a))
            o.settled_quantity += q
            o.settled_amount += a
            done = o.settled_quantity == o.quantity
            _set_status(o, ObligationStatus.SETTLED if done else ObligationStatus.PARTIALLY_SETTLED)
            return Settled(
                posting.id, o.id, o.status, q, a, o.quantity - o.settled_quantity, o.currency
            )

    def settle_all(
        self, obligation_ids: Iterable[int], progress: Progress | None = None
    ) -> BulkSettled:
        """Settle all that is left of each of ``obligation_ids`` that may; name the rest."""
        if self._uow.actor.can(Action.SETTLEMENT_SETTLE):  # a refusal writes nothing
            self._sweeps.ensure()
        with self._uow.write(Action.SETTLEMENT_SETTLE) as session:
            return bulk_settling.settle_all(
                session, obligation_ids, self._uow.actor.username, progress
            )

    def reverse(self, posting_id: int, reason: str) -> Settled:
        """Undo a settlement with a new, linked posting; the obligation reopens by as much."""
        reason = reason.strip()
        if not reason:
            raise ValidationError("reason", "say why the settlement is being reversed")
        with self._uow.write(Action.SETTLEMENT_SETTLE) as session:
            original = session.get(m.LedgerPosting, posting_id)
            if original is None or original.kind != SETTLEMENT:
                raise DeskError(f"no settlement posting {posting_id}")
            done = session.scalars(
                select(m.LedgerPosting.id).where(m.LedgerPosting.reverses_id == posting_id)
            ).first()
            if done is not None:
                raise DeskError(f"settlement posting {posting_id} was reversed by {done}")
            entries = session.scalars(
                select(m.LedgerEntry).where(m.LedgerEntry.posting_id == posting_id)
            ).all()
            moves = reversed_movements(ledger_book.movement_of(e) for e in entries)
            o = original.obligation
            assert o is not None  # a settlement always settles an obligation
            posting = self._post(
                session, o, REVERSAL, moves, settled=(original.quantity, original.amount),
                reverses=original.id, reason=reason,
            )  # fmt: skip
            o.settled_quantity -= original.quantity
            o.settled_amount -= original.amount
            _set_status(
                o,
                ObligationStatus.PARTIALLY_SETTLED
                if o.settled_quantity
                else ObligationStatus.MATCHED,
            )
            return Settled(
                posting.id, o.id, o.status, -original.quantity, -original.amount,
                o.quantity - o.settled_quantity, o.currency,
            )  # fmt: skip

    def _post(
        self,
        session: Session,
        o: m.SettlementObligation,
        kind: str,
        moves: list[Movement],
        *,
        settled: tuple[Decimal, Decimal],
        reverses: int | None = None,
        reason: str | None = None,
    ) -> m.LedgerPosting:
        """Add the posting and its entries, and move the kept balances."""
        quantity, amount = settled
        posting = m.LedgerPosting(
            obligation_id=o.id, kind=kind, quantity=quantity, amount=amount,
            currency=o.currency, reverses_id=reverses, reason=reason,
            posted_at=datetime.now(UTC), posted_by=self._uow.actor.username,
        )  # fmt: skip
        return ledger_book.post(session, posting, moves)

    # -- reading -----------------------------------------------------------------------
    def balances(self) -> dict[str, Decimal]:
        """The kept balances by key (holder:book:asset), zeros left out."""
        with self._uow.sessions() as session:
            rows = session.scalars(select(m.LedgerBalance)).all()
            out = {
                b.balance_key: (b.quantity if b.book is Book.SECURITIES else b.amount) for b in rows
            }
        return {k: v for k, v in out.items() if v}

    def ledger_balances(self) -> dict[str, Decimal]:
        """The balances added up from every entry (what `balances` must always equal)."""
        with self._uow.sessions() as session:
            entries = session.scalars(select(m.LedgerEntry)).all()
            return balances(ledger_book.movement_of(e) for e in entries)

    def detail(self, obligation_id: int) -> ObligationDetail:
        """What the desk needs to see of one obligation, read in one go."""
        with self._uow.sessions() as session:
            o = _get(session, obligation_id)
            t, ssi = o.trade, o.ssi
            left = o.quantity - o.settled_quantity
            cash = round_money(o.amount - o.settled_amount, o.currency)
            route = (
                f"{ssi.place_of_settlement}, agent {ssi.agent_bic}, account "
                f"{ssi.safekeeping_account} (SSI {ssi.id}, from {ssi.effective_from})"
                if ssi is not None
                else "none in force"
            )
            lines = [
                ("Obligation", f"{o.id}: {o.direction.value.capitalize()} "
                 f"{format_quantity(o.quantity)} {o.instrument.isin} {PAYMENT_WORDS[o.payment]}, "
                 f"{o.status.label.lower()}"),
                ("Trade", f"{t.id} (version {t.version_no}, {t.status.label.lower()}): "
                 f"{t.side.label} {format_quantity(t.quantity)} at {t.price.normalize():f} "
                 f"{t.currency} on {t.trade_date}, ref {t.external_id or '-'}"),
                ("Account", f"{o.account.account_number} {o.account.name}"),
                ("Counterparty", f"{o.counterparty.code} {o.counterparty.name}"),
                ("Settles", f"{o.settle_date}; {format_quantity(left)} left of "
                 f"{format_quantity(o.quantity)}, {format_amount(cash)} {o.currency} to move"),
                ("SSI", route),
                ("Matched", f"{o.matched_at:%Y-%m-%d %H:%M} UTC" if o.matched_at else "not yet"),
            ]  # fmt: skip
            for label, value in (
                ("Restriction", restriction_text(session, o.account)),
                ("Fail reason", o.fail_reason), ("Market status", o.status_note),
                ("Exception", o.exception_reason),
            ):  # fmt: skip
                if value:
                    lines.append((label, str(value)))
            rows = session.scalars(
                select(m.LedgerPosting)
                .where(m.LedgerPosting.obligation_id == obligation_id)
                .order_by(m.LedgerPosting.id)
            ).all()
            undone = {p.reverses_id: p.id for p in rows if p.reverses_id is not None}
            postings = tuple(
                PostingLine(
                    p.id,
                    p.kind,
                    p.quantity,
                    p.amount,
                    p.currency,
                    p.posted_at,
                    p.posted_by,
                    p.reverses_id,
                    undone.get(p.id),
                    p.reason,
                )
                for p in rows
            )
            return ObligationDetail(o.id, tuple(lines), postings)

    def postings(self, obligation_id: int) -> list[m.LedgerPosting]:
        with self._uow.sessions() as session:
            return list(
                session.scalars(
                    select(m.LedgerPosting)
                    .where(m.LedgerPosting.obligation_id == obligation_id)
                    .order_by(m.LedgerPosting.id)
                )
            )


def _check_settleable(o: m.SettlementObligation) -> None:
    """Refuse what may not settle: not matched, an exception standing, a trade replaced."""
    why = settle_refusal(
        o.id, status=o.status, matched=o.matched_at is not None, exception=o.exception_reason,
        trade_status=o.trade.status, trade_id=o.trade_id,
    )  # fmt: skip
    if why is not None:
        raise ValidationError("obligation", why, str(o.id))


def _cash(
    o: m.SettlementObligation, q: Decimal, amount: Decimal | None, left_q: Decimal,
    left_a: Decimal,
) -> Decimal:  # fmt: skip
    """The cash settling ``q`` moves: given, or its share of what is left, to the cent.

    The whole quantity left moves the whole cash left. The amount has the sign of the
    obligation's (a sale whose charges exceed its gross has the client paying).
    """
    if o.payment is Payment.FREE:
        if amount:
            raise ValidationError("amount", "free of payment: no cash moves", str(amount))
        return Decimal(0)
    if q == left_q:
        if amount is not None and amount != left_a:
            raise ValidationError(
                "amount", f"settling all that is left moves the {left_a} {o.currency} left; "
                "settle a part to leave cash open", str(amount),
            )  # fmt: skip
        return left_a
    if amount is None:
        return round_money(left_a * q / left_q, o.currency)
    if amount * left_a < 0 or abs(amount) > abs(left_a):
        raise ValidationError(
            "amount", f"must be between 0 and the {left_a} {o.currency} left", str(amount)
        )
    return amount


def _get(session: Session, obligation_id: int) -> m.SettlementObligation:
    obligation = session.get(m.SettlementObligation, obligation_id)
    if obligation is None:
        raise DeskError(f"no settlement obligation {obligation_id}")
    return obligation


def _set_status(obligation: m.SettlementObligation, target: ObligationStatus) -> None:
    if obligation.status is target and target is ObligationStatus.PARTIALLY_SETTLED:
        return  # another part of a partly settled obligation
    OBLIGATION.check(obligation.status, target)
    obligation.status = target
    obligation.status_changed_at = datetime.now(UTC)
