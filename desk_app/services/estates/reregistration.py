"""Re-registration of a deceased holder's account to its new owners, applied on approval.

In the approval's one transaction: the deceased restriction is lifted, every position
moves to the new owners in whole shares (largest remainder) as journals carrying their
lots with the basis at death (`desk_app.domain.estate_rules`), every cash balance
splits to the cent, the certificates held for the account are flagged for the transfer
agent, and the case closes. The estate account ends empty. The plan is made at the
request too, so that a missing price is named before a principal is asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.domain import estate_rules as rules
from desk_app.domain.codes import AccountStatus
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.estate_rules import CaseStatus, Target
from desk_app.domain.estate_valuation import (
    DayRange,
    alternate_valuation_date,
    fair_market_value,
    search_window,
)
from desk_app.domain.ledger import Book, journal_movements
from desk_app.domain.lots import Lot
from desk_app.domain.money import canonical, format_amount, format_quantity, minor_unit
from desk_app.domain.permissions import Action
from desk_app.domain.states import CertificateStatus
from desk_app.services import audit
from desk_app.services.accounts import restrictions
from desk_app.services.settlement.lots import lots_of
from desk_app.services.supervision.approvals import Proposal

TABLE = "estate_cases"


@dataclass(frozen=True)
class Move:
    """What one new owner receives of one instrument or currency."""

    target: m.Account
    book: Book
    asset: str  # the instrument id as text, or the currency
    size: Decimal
    lots: tuple[Lot, ...] = ()
    instrument: m.Instrument | None = None


@dataclass(frozen=True)
class Plan:
    valuation_date: date
    moves: tuple[Move, ...]
    lines: tuple[str, ...]  # what an approver reads, one per instrument or currency


def valuation_date(case: m.EstateCase) -> date:
    died = case.date_of_death
    return alternate_valuation_date(died) if case.alternate_valuation else died


def balances(session: Session, account: m.Account) -> list[m.LedgerBalance]:
    B = m.LedgerBalance
    return list(
        session.scalars(
            select(B)
            .where(B.account_id == account.id, or_(B.quantity != 0, B.amount != 0))
            .order_by(B.balance_key)
        )
    )


def value_of(session: Session, instrument: m.Instrument, on: date) -> Decimal:
    P = m.InstrumentPrice
    first, last = search_window(on)
    rows = session.scalars(
        select(P).where(
            P.instrument_id == instrument.id, P.price_date.between(first, last),
            P.high.is_not(None), P.low.is_not(None),
        )
    )  # fmt: skip
    found = fair_market_value(
        on,
        [DayRange(p.price_date, p.high, p.low) for p in rows if p.high and p.low],
        instrument.market,
    )
    if found is None:
        raise ValidationError(
            "isin", f"has no high and low price around {on.isoformat()} to value it at death",
            instrument.isin,
        )  # fmt: skip
    return found.per_share


@dataclass(frozen=True)
class Contribution:
    """What a non-spouse survivor showed they contributed (IRC 2040(a)), and the evidence."""

    share: Fraction
    evidence: str

    @property
    def percent(self) -> str:
        return _percent(self.share)


def plan(
    session: Session, case: m.EstateCase, targets: Sequence[Target],
    contribution: Contribution | None = None,
) -> Plan:  # fmt: skip
    """Everything the estate account holds, split between ``targets`` with its new basis."""
    estate = case.account
    accounts = []
    for target in targets:
        found = session.scalars(
            select(m.Account).where(m.Account.account_number == target.account)
        ).one_or_none()
        if found is None:
            raise ValidationError("to", "is not an account", target.account)
        if found.id == estate.id:
            raise ValidationError("to", "is the estate's own account", target.account)
        if found.status is not AccountStatus.OPEN:
            raise ValidationError("to", f"is {found.status.value}", target.account)
        accounts.append(found)
    shares = [t.share for t in targets]
    on = valuation_date(case)
    shown = contribution.share if contribution else None
    fraction = rules.stepped_fraction(case.registration, case.spouses, shown)
    moves: list[Move] = []
    lines: list[str] = []
    for balance in balances(session, estate):
        size = _size(balance)
        if balance.book is Book.CASH:
            currency = balance.balance_key.rsplit(":", 1)[1]
            if size < 0:
                raise ValidationError(
                    "cash", f"{estate.account_number} owes {format_amount(-size)} {currency}: "
                    "settle the debit before re-registering",
                )  # fmt: skip
            parts = rules.cash_split(size, shares, minor_unit(currency))
            # A cent split between two heirs leaves one of them nothing: no journal of 0.
            moves += [Move(a, Book.CASH, currency, p)
                      for a, p in zip(accounts, parts, strict=True) if p > 0]  # fmt: skip
            lines.append(f"{format_amount(size)} {currency}: " + _split_text(accounts, parts))
            continue
        instrument = session.get(m.Instrument, balance.instrument_id)
        assert instrument is not None
        if size < 0:
            raise ValidationError("isin", f"{estate.account_number} is short", instrument.isin)
        value = value_of(session, instrument, on) if fraction else None
        lots: list[Lot] = []
        for lot in lots_of(session, estate.id, instrument.id):
            lots += rules.stepped_up(lot, value, fraction, on)
        quantities = rules.whole_shares(size, shares)
        for account, quantity, taken in zip(
            accounts, quantities, rules.lots_for(lots, quantities), strict=True
        ):
            if quantity > 0:
                moves.append(Move(account, Book.SECURITIES, str(instrument.id), quantity,
                                  tuple(taken), instrument))  # fmt: skip
        valued = f" valued {canonical(value)} a share on {on}" if value is not None else ""
        lines.append(
            f"{format_quantity(size)} {instrument.isin}{valued}: "
            + _split_text(accounts, quantities)
        )
    if not moves:
        raise ValidationError("case", f"{estate.account_number} holds nothing to re-register")
    return Plan(on, tuple(moves), tuple(lines))


def _size(balance: m.LedgerBalance) -> Decimal:
    size = balance.amount if balance.book is Book.CASH else balance.quantity
    return size or Decimal(0)


def _split_text(accounts: Sequence[m.Account], parts: Sequence[Decimal]) -> str:
    return ", ".join(
        f"{canonical(p)} to {a.account_number}" for a, p in zip(accounts, parts, strict=True)
    )


def proposal_values(
    case: m.EstateCase, targets: Sequence[Target], made: Plan,
    contribution: Contribution | None = None,
) -> dict[str, Any]:  # fmt: skip
    values = {
        "account": case.account.account_number,
        "to": "; ".join(f"{t.account} {_percent(t.share)}%" for t in targets),
        "alternate_valuation": "yes" if case.alternate_valuation else "no",
        "valuation_date": made.valuation_date.isoformat(),
        "basis": basis_text(case, contribution),
        "moves": " | ".join(made.lines),
    }  # fmt: skip
    if _non_spouses(case):
        values["survivor_contribution"] = (
            f"{contribution.percent}%" if contribution else "none shown"
        )
        values["evidence"] = contribution.evidence if contribution else ""
    return values


def _non_spouses(case: m.EstateCase) -> bool:
    return case.registration in rules.SURVIVOR_JOINT and not case.spouses


_BASIS = {
    Fraction(1): "every share steps up to its value at the valuation date",
    Fraction(1, 2): "the decedent's half steps up; the other half keeps its cost and date",
    Fraction(0): "no step-up: the lots keep their cost and dates (an IRA)",
}


def basis_text(case: m.EstateCase, contribution: Contribution | None = None) -> str:
    """The basis rule the request applies, in words (a non-spouse's contribution stated)."""
    if _non_spouses(case):
        if contribution is None or contribution.share == 0:
            return ("the joint owners are not spouses (IRC 2040(a)): the whole value is "
                    "included, no contribution by the survivor shown: every share steps up"
                    )  # fmt: skip
        stepped = _percent(1 - contribution.share)
        return (f"the joint owners are not spouses (IRC 2040(a)): the whole value is included "
                f"less the survivor's shown contribution of {contribution.percent}% "
                f"({contribution.evidence}): {stepped}% of each lot steps up; the rest keeps "
                "its cost and date")  # fmt: skip
    return _BASIS[rules.stepped_fraction(case.registration, case.spouses)]


def _percent(share: Fraction) -> str:
    """A share as a percentage to 2 places (a third reads 33.33)."""
    exact = Decimal(share.numerator * 100) / Decimal(share.denominator)
    return f"{canonical(exact.quantize(Decimal('0.01'))):f}"


def proposal(
    case: m.EstateCase, targets: Sequence[Target], after: Mapping[str, Any],
    contribution: Contribution | None = None,
) -> Proposal:  # fmt: skip
    """The request: what the approver reads, and (``terms``) the exact shares it applies."""
    shown = None if contribution is None else {
        "share": f"{contribution.share.numerator}/{contribution.share.denominator}",
        "evidence": contribution.evidence,
    }  # fmt: skip
    return Proposal(
        Action.ESTATE_REREGISTER, TABLE, f"{TABLE}:{case.id}",
        f"Re-register {case.account.account_number} (estate case {case.id}) to {after['to']}",
        {"account": after["account"], "status": case.status.value}, {**after, "status": "closed"},
        case.id,
        terms={"targets": [[t.account, f"{t.share.numerator}/{t.share.denominator}"]
                           for t in targets],
               "alternate_valuation": case.alternate_valuation,
               "survivor_contribution": shown},
    )  # fmt: skip


class ReregistrationHandler:
    """Reads a case for its request; applies the re-registration when approved."""

    action = Action.ESTATE_REREGISTER

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        case = session.get(m.EstateCase, request.target_id)
        if case is None:
            return None
        return {"account": case.account.account_number, "status": case.status.value,
                "version": case.version}  # fmt: skip

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        case = session.get(m.EstateCase, request.target_id)
        if case is None or case.status is not CaseStatus.OPEN:
            raise DeskError(f"request {request.id}: the estate case is no longer open")
        terms = json.loads(request.proposal)["terms"]
        targets = [Target(a, Fraction(s)) for a, s in terms["targets"]]
        case.alternate_valuation = bool(terms["alternate_valuation"])
        shown = terms.get("survivor_contribution")
        contribution = Contribution(Fraction(shown["share"]), shown["evidence"]) if shown else None
        who = audit.context_of(session).app_user
        key = f"estate:{case.id}"
        restrictions.lift_source(session, key, who, f"re-registered on request {request.id}")
        try:
            made = plan(session, case, targets, contribution)
        except ValidationError as exc:
            raise DeskError(f"request {request.id} cannot be approved: {exc.message}") from None
        for move in made.moves:
            _post(session, case, move, request)
        for certificate in session.scalars(
            select(m.Certificate).where(
                m.Certificate.account_id == case.account_id,
                m.Certificate.status.not_in(
                    (
                        CertificateStatus.CANCELLED,
                        CertificateStatus.DELIVERED,
                        CertificateStatus.LOST,
                    )
                ),
            )
        ):
            certificate.reregistration = key
        left = [b.balance_key for b in balances(session, case.account)]
        if left:
            raise DeskError(f"request {request.id}: the estate account still holds {left}")
        case.status, case.closed_at = CaseStatus.CLOSED, datetime.now(UTC)


def _post(session: Session, case: m.EstateCase, move: Move, request: m.ApprovalRequest) -> None:
    """One move as a journal from the estate account, its lots carried for the replay."""
    estate, cash = case.account, move.book is Book.CASH
    memo = f"Estate case {case.id}: re-registration (request {request.id})"
    journal = m.Journal(
        book=move.book, from_account_id=estate.id, to_account_id=move.target.id,
        instrument_id=None if cash else int(move.asset), currency=move.asset if cash else None,
        quantity=None if cash else move.size, amount=move.size if cash else None, memo=memo,
        requested_by=request.maker, requested_at=request.made_at,
        lots=None if cash else json.dumps([lot.to_json() for lot in move.lots]),
    )  # fmt: skip
    session.add(journal)
    moves = journal_movements(move.book, from_account_id=estate.id, to_account_id=move.target.id,
                              asset=move.asset, amount=move.size)  # fmt: skip
    ledger_book.lock(session, (mv.balance_key for mv in moves))
    posting = m.LedgerPosting(
        obligation_id=None, kind="journal",
        quantity=Decimal(0) if cash else move.size, amount=move.size if cash else Decimal(0),
        currency=move.asset if move.instrument is None else move.instrument.currency,
        reason=memo[:200], posted_at=datetime.now(UTC),
        posted_by=audit.context_of(session).app_user,
    )  # fmt: skip
    journal.posting_id = ledger_book.post(session, posting, moves).id


def contribution_of(
    case: m.EstateCase, percent: Decimal | None, evidence: str
) -> Contribution | None:
    """The survivor's shown contribution as the request states it, checked for the case."""
    share = rules.survivor_contribution(case.registration, case.spouses, percent, evidence)
    return None if share is None else Contribution(share, evidence.strip())
