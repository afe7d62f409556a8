"""A case's new owners from the account's parties, its W-9 lines, and the small-estate test.

Read inside the caller's unit of work. The W-9 lines follow the parties: one per new
owner named on the line (the estate's line names its executor), kept in step whenever
the case is written to (a beneficiary recorded as predeceased, a document received,
the re-registration asked for), so that an executor added later by a party change
shows on the next step. A line no longer wanted is removed only while nothing was
received for it (the audit trail keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain import estate_parties as heirs
from desk_app.domain.codes import AccountStatus
from desk_app.domain.errors import ValidationError
from desk_app.domain.estate_rules import DocumentStatus, EstatePath
from desk_app.domain.ledger import Book
from desk_app.domain.money import format_amount
from desk_app.services.accounts import parties as party_rows

GENERIC_W9 = "w9-new-owners"
ESTATE_W9 = "estate-ein-w9"


@dataclass(frozen=True)
class OwnerLine:
    """A proposed new owner: share, why, and an open account in that name if there is one."""

    name: str
    percent: Decimal
    why: str
    decided: bool
    account: str | None


def parties_of(session: Session, account_id: int) -> list[heirs.Party]:
    return [
        heirs.Party(p.id, p.role.value, p.name, p.share_percent, p.contingent, p.per_stirpes)
        for p in party_rows.rows(session, account_id)
    ]


def _dead(case: m.EstateCase) -> set[int]:
    return {d.party_id for d in case.predeceased}


def new_owners(session: Session, case: m.EstateCase) -> list[heirs.NewOwner]:
    parties = parties_of(session, case.account_id)
    died = next(
        (p for p in parties if p.role in heirs.OWNER_ROLES and p.name == case.decedent), None
    )
    name = case.decedent or case.account.name.removeprefix("Estate of ")
    return heirs.new_owners(case.path, parties, died, _dead(case), estate_of=f"Estate of {name}")


def owner_lines(session: Session, case: m.EstateCase) -> list[OwnerLine]:
    """The proposal the desk reads: who takes what, and the account that may receive it."""
    out = []
    for owner in new_owners(session, case):
        account = None
        if owner.decided:
            account = session.scalars(
                select(m.Account.account_number)
                .where(m.Account.name == owner.name, m.Account.status == AccountStatus.OPEN,
                       m.Account.id != case.account_id)
                .order_by(m.Account.account_number)
            ).first()  # fmt: skip
        out.append(OwnerLine(owner.name, owner.percent, owner.why, owner.decided, account))
    return out


def sync_w9(session: Session, case: m.EstateCase) -> None:
    """Make the case's W-9 lines those of its new owners on record (see the module)."""
    parties = parties_of(session, case.account_id)
    owners = new_owners(session, case)
    signers = heirs.w9_signers(case.path, parties, owners, _dead(case))
    docs = sorted(case.documents, key=lambda d: d.position)
    by_kind = {d.kind: d for d in docs}
    estate_line = by_kind.get(ESTATE_W9)
    wanted: dict[str, str] = {}
    if case.path is EstatePath.EXECUTOR and estate_line is not None:
        names = " and ".join(p.name for p, _ in signers)
        estate_line.label = "The estate's own EIN and W-9" + (
            f", signed by its executor {names}" if names else " (no executor on record yet)"
        )
        if names:
            wanted = {}
        elif GENERIC_W9 in by_kind:
            wanted = {GENERIC_W9: by_kind[GENERIC_W9].label}
    elif signers:
        wanted = {f"w9-p{p.id}": label[:200] for p, label in signers}
    elif GENERIC_W9 in by_kind:
        wanted = {GENERIC_W9: by_kind[GENERIC_W9].label}
    else:
        return  # no W-9 line on this case's list
    anchor = next((d.position for d in docs if d.kind.startswith("w9-")), len(docs) + 1)
    kept: list[m.EstateDocument] = []
    for doc in docs:
        if doc.kind.startswith("w9-") and doc.kind not in wanted:
            if doc.status is DocumentStatus.REQUIRED and doc.received_on is None:
                session.delete(doc)
                continue
        kept.append(doc)
    have = {d.kind for d in kept}
    added = [
        m.EstateDocument(case_id=case.id, kind=kind, label=label, position=anchor,
                         status=DocumentStatus.REQUIRED)
        for kind, label in wanted.items() if kind not in have
    ]  # fmt: skip
    for doc in added:
        session.add(doc)
    ordered = sorted([*kept, *added], key=lambda d: (d.position, d not in added))
    for n, doc in enumerate(ordered, 1):
        if doc.position != n:
            doc.position = n
    session.flush()
    session.expire(case, ["documents"])


def record_predeceased(
    session: Session, case: m.EstateCase, name: str, died: date, actor: str
) -> str:
    """Record that a beneficiary died before the holder; the party's name as on record."""
    wanted = name.strip().casefold()
    party = next(
        (p for p in party_rows.rows(session, case.account_id) if p.name.casefold() == wanted), None
    )
    if party is None:
        raise ValidationError("name", "is not a party of the account", name.strip())
    if party.name == case.decedent:
        raise ValidationError("name", "is the holder whose death the case records", party.name)
    if died > case.date_of_death:
        raise ValidationError(
            "date of death", f"is after the holder's ({case.date_of_death.isoformat()}): the "
            "share goes to that person's own estate; name its account as the target",
            died.isoformat(),
        )  # fmt: skip
    if party.id in _dead(case):
        raise ValidationError("name", f"is already recorded as died on case {case.id}", party.name)
    session.add(m.EstatePredeceased(case_id=case.id, party_id=party.id, name=party.name,
                                    date_of_death=died, recorded_by=actor))  # fmt: skip
    session.flush()
    session.expire(case, ["predeceased"])
    return party.name


# -- the small-estate affidavit ---------------------------------------------------------------


def limits(session: Session) -> list[heirs.StateLimit]:
    """The small-estate limits on file, each with its statute and start date."""
    L = m.SmallEstateLimit
    return [heirs.StateLimit(r.state, r.limit, r.source, r.effective_from)
            for r in session.scalars(select(L).order_by(L.state, L.id))]  # fmt: skip


def value_at_death(session: Session, account: m.Account, on: date) -> Decimal | None:
    """What the account held at death, in dollars, valued as the basis is (None: unknown,
    a price missing or a position or cash in another currency; the limits are in dollars).

    Cash counts at face; the positions at their fair market value ``on``.
    """
    from desk_app.services.estates.reregistration import balances, value_of

    total = Decimal(0)
    for balance in balances(session, account):
        if balance.book is Book.CASH:
            if not balance.balance_key.endswith(":USD"):
                return None
            total += balance.amount or 0
            continue
        instrument = session.get(m.Instrument, balance.instrument_id)
        assert instrument is not None
        if instrument.currency != "USD":
            return None
        try:
            total += value_of(session, instrument, on) * (balance.quantity or 0)
        except ValidationError:
            return None
    return total.quantize(Decimal("0.01"))


def small_estate_note(
    session: Session, account: m.Account, died: date, path: EstatePath = EstatePath.EXECUTOR
) -> str:
    """What the case says of the affidavit: on the executor's path whether one would do, and
    why; on the affidavit's path the statute it goes by. Each names the statute."""
    state = (account.residence_state or "").upper()
    limit = heirs.limit_in_force(limits(session), state, died)
    if path is EstatePath.SMALL_ESTATE:
        return f"by {state}'s {limit.cited}" if limit else "by affidavit"
    refused = small_estate_refusal(session, account, EstatePath.EXECUTOR, died)
    if refused:
        return f"not open: {refused}"
    assert limit is not None
    value = value_at_death(session, account, died) or Decimal(0)
    return (f"possible: the value at death ({format_amount(value)}) does not exceed {state}'s "
            f"limit ({format_amount(limit.limit)}, {limit.cited})")  # fmt: skip


def small_estate_refusal(session: Session, account: m.Account, path: EstatePath,
                         died: date) -> str | None:  # fmt: skip
    """Why the account cannot go by a small-estate affidavit; None when it can."""
    executors = [p for p in parties_of(session, account.id) if p.role == "executor"]
    value = value_at_death(session, account, died) if path is EstatePath.EXECUTOR else None
    return heirs.small_estate_refusal(path, account.residence_state, limits(session), died,
                                      value, has_executor=bool(executors))  # fmt: skip
