"""The rules of a deceased holder's account: its path, its documents, its new basis, its split.

The path follows the registration: a sole account goes to the executor (and is
retitled "Estate of ..."), a JTWROS or community account to the survivor, a TOD or
an IRA to the beneficiaries, a trust to the successor trustee. The basis at death
follows ownership (IRC 1014, DOMAIN.md "Estates"): a sole holder's shares step up in
full; spouses' JTWROS only the decedent's half (the survivor's half keeps its basis);
community property both halves; a tenant in common the decedent's share; an IRA not
at all (income in respect of a decedent). Joint owners who are not spouses (IRC
2040(a)): the whole value is included in the decedent's estate, and so steps up, less
the part the survivor shows they contributed (a percentage stated with its evidence on
the re-registration request); a TIC is taken as two equal tenants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from desk_app.domain.errors import ValidationError
from desk_app.domain.lots import Lot, split

#: New lots' costs are kept to the cent (the basis an heir's statement shows).
CENT = Decimal("0.01")


class EstatePath(StrEnum):
    """Who the account passes to, and so which documents the case needs."""

    EXECUTOR = "executor"
    SURVIVOR = "survivor"
    BENEFICIARY = "beneficiary"
    SUCCESSOR_TRUSTEE = "successor-trustee"
    SMALL_ESTATE = "small-estate"  # a sole account under its state's limit, no executor

    @property
    def label(self) -> str:
        return {
            "executor": "Executor with letters (retitled Estate of ...)",
            "survivor": "Surviving owner",
            "beneficiary": "Beneficiaries by share",
            "successor-trustee": "Successor trustee",
            "small-estate": "Small-estate affidavit (no letters)",
        }[self.value]

    @property
    def short(self) -> str:
        """The path in a list's narrow column."""
        return {"executor": "Executor", "survivor": "Survivor", "beneficiary": "Beneficiaries",
                "successor-trustee": "Successor trustee", "small-estate": "Small estate",
                }[self.value]  # fmt: skip


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class DocumentStatus(StrEnum):
    REQUIRED = "required"
    RECEIVED = "received"
    VERIFIED = "verified"
    EXPIRED = "expired"  # never stored: a received or verified copy past its window


#: (path, the fraction of a lot's shares whose basis steps up), by registration type.
#: Compared by value: a registration type may come before the code names it.
_BY_REGISTRATION: dict[str, tuple[EstatePath, Fraction]] = {
    "individual": (EstatePath.EXECUTOR, Fraction(1)),
    "joint-tic": (EstatePath.EXECUTOR, Fraction(1, 2)),
    "ugma": (EstatePath.EXECUTOR, Fraction(1)),
    "utma": (EstatePath.EXECUTOR, Fraction(1)),
    "joint-jtwros": (EstatePath.SURVIVOR, Fraction(1, 2)),
    "joint-community": (EstatePath.SURVIVOR, Fraction(1)),
    "tod": (EstatePath.BENEFICIARY, Fraction(1)),
    "ira": (EstatePath.BENEFICIARY, Fraction(0)),
    "trust": (EstatePath.SUCCESSOR_TRUSTEE, Fraction(1)),
}


def path_of(registration: str) -> EstatePath:
    """The path a holder's death opens for an account of ``registration``."""
    found = _BY_REGISTRATION.get(registration)
    if found is None:
        raise ValidationError(
            "registration", "has no natural holder whose death an estate case settles",
            registration,
        )  # fmt: skip
    return found[0]


#: The joint registrations that pass to the survivor (IRC 2040 reads who the owners are).
SURVIVOR_JOINT = frozenset({"joint-jtwros", "joint-community"})


def stepped_fraction(
    registration: str, spouses: bool = True, survivor_contribution: Fraction | None = None
) -> Fraction:
    """How much of each lot takes the value at death as its basis.

    Joint owners who are not spouses (IRC 2040(a)): all of it, less the part the
    survivor shows they contributed (``survivor_contribution``, none when not shown).
    Spouses keep the half rule (2040(b)); community property steps up both halves.
    """
    path_of(registration)
    if not spouses and registration in SURVIVOR_JOINT:
        return 1 - (survivor_contribution or Fraction(0))
    return _BY_REGISTRATION[registration][1]


def survivor_contribution(
    registration: str, spouses: bool, percent: Decimal | None, evidence: str
) -> Fraction | None:
    """The survivor's shown contribution as a fraction (None: none shown), checked.

    Only joint owners who are not spouses state one; a percentage above 0 needs its
    evidence (what shows the survivor paid it), and evidence needs a percentage.
    Every problem is named, not only the first.
    """
    problems: list[str] = []
    evidence = evidence.strip()
    if percent is None and not evidence:
        return None
    if registration not in SURVIVOR_JOINT or spouses:
        raise ValidationError(
            "survivor contribution", "only joint owners who are not spouses state one "
            "(spouses: half; community property: both halves; others: no survivor)",
            None if percent is None else f"{percent}%",
        )  # fmt: skip
    if percent is None:
        problems.append("give the percentage the evidence shows")
    elif not percent.is_finite() or percent < 0 or percent > 100:
        problems.append(f"must be from 0 to 100 ({percent}%)")
    elif percent.as_tuple().exponent < -2:  # type: ignore[operator]
        problems.append(f"at most 2 decimal places ({percent}%)")
    elif percent > 0 and not evidence:
        problems.append("evidence: say what shows the survivor contributed it")
    if len(evidence) > 300:
        problems.append("evidence: at most 300 characters")
    if problems:
        raise ValidationError("survivor contribution", "; ".join(problems))
    assert percent is not None
    return Fraction(percent) / 100


def retitled(registration: str) -> bool:
    """Only a sole account is retitled "Estate of ..." (a TIC share goes by the estate too,
    but the account stays the tenants')."""
    return registration in {"individual", "ugma", "utma"}


def check_date_of_death(died: date, opened: date, today: date) -> None:
    if died > today:
        raise ValidationError("date of death", "is in the future", died.isoformat())
    if died < opened:
        raise ValidationError(
            "date of death", f"is before the account opened ({opened.isoformat()})",
            died.isoformat(),
        )  # fmt: skip


def stepped_up(
    lot: Lot, value_per_share: Decimal | None, fraction: Fraction, on: date
) -> list[Lot]:
    """``lot`` after its holder's death: the stepped part valued at ``on``, the rest as it was.

    The stepped part is a new lot acquired ``on`` at the value, inherited (so long-term);
    with nothing to step (an IRA) the lot passes unchanged.
    """
    if fraction == 0 or value_per_share is None:
        return [lot]
    stepped_quantity = lot.quantity * Decimal(fraction.numerator) / Decimal(fraction.denominator)
    kept: list[Lot] = []
    part = lot
    if stepped_quantity < lot.quantity:
        part, rest = split(lot, stepped_quantity)
        kept = [rest]
    cost = (value_per_share * part.quantity).quantize(CENT, ROUND_HALF_UP)
    return [*kept, replace(part, acquired=on, cost=cost, inherited=True)]


# -- the split between the new owners ---------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A new owner's account and its share (a fraction of the whole)."""

    account: str
    share: Fraction


def targets(given: Sequence[tuple[str, Decimal | None]]) -> list[Target]:
    """``ACCOUNT[=PERCENT]`` as given: all with a percentage adding to 100, or none (equal)."""
    if not given:
        raise ValidationError("to", "name at least one account to re-register to")
    seen: set[str] = set()
    for account, _ in given:
        if account in seen:
            raise ValidationError("to", "is named twice", account)
        seen.add(account)
    with_percent = [p for _, p in given if p is not None]
    if not with_percent:
        return [Target(a, Fraction(1, len(given))) for a, _ in given]
    if len(with_percent) != len(given):
        raise ValidationError("to", "give every account a percentage, or none (equal shares)")
    for account, percent in given:
        if percent is None or percent <= 0:
            raise ValidationError("to", f"{account}: a share must be above 0%", str(percent))
    total = sum(with_percent, Decimal(0))
    if total != 100:
        raise ValidationError("to", f"the shares add to {total}%, not 100%")
    return [Target(a, Fraction(p) / 100) for a, p in given if p is not None]


def whole_shares(quantity: Decimal, shares: Sequence[Fraction]) -> list[Decimal]:
    """``quantity`` split by ``shares`` in whole shares (largest remainder, ties to the first).

    Each gets the whole part of its exact share; the shares left over go one each to
    the largest fractional remainders, a tie to the one listed first. No fraction is
    created: a fraction the account already held goes to the first listed.
    """
    whole = int(quantity.to_integral_value(ROUND_DOWN))
    exact = [Fraction(whole) * share for share in shares]
    given = [int(e) for e in exact]
    left = whole - sum(given)
    order = sorted(range(len(shares)), key=lambda n: (-(exact[n] - given[n]), n))
    for n in order[:left]:
        given[n] += 1
    out = [Decimal(g) for g in given]
    out[0] += quantity - whole
    return out


def cash_split(amount: Decimal, shares: Sequence[Fraction], cent: Decimal) -> list[Decimal]:
    """``amount`` split by ``shares`` down to ``cent``; what is left over goes to the first."""
    parts = [
        (
            Decimal((Fraction(amount) * share).numerator) / (Fraction(amount) * share).denominator
        ).quantize(cent, ROUND_DOWN)
        for share in shares
    ]
    parts[0] += amount - sum(parts, Decimal(0))
    return parts


def lots_for(lots: Sequence[Lot], quantities: Sequence[Decimal]) -> list[list[Lot]]:
    """The lots each quantity takes, in turn, oldest first (each part with its cost).

    A lot shared between new owners is cut to the cent: each part's cost is its share
    of the whole lot's cost rounded to the cent, and the last part takes what remains,
    so the parts add up exactly to the lot's cost.
    """
    # Each entry: what is left of a lot, and the lot as it was before any cut.
    pool = [(lot, lot) for lot in sorted(lots, key=lambda x: (x.acquired, x.source or 0))]
    out: list[list[Lot]] = []
    for quantity in quantities:
        taken: list[Lot] = []
        left: list[tuple[Lot, Lot]] = []
        need = quantity
        for lot, whole in pool:
            if need <= 0:
                left.append((lot, whole))
            elif lot.quantity <= need:
                taken.append(lot)  # the last part: the rest of the cost with it
                need -= lot.quantity
            else:
                cost = (whole.cost * need / whole.quantity).quantize(CENT, ROUND_HALF_UP)
                taken.append(replace(lot, quantity=need, cost=cost))
                rest = replace(lot, quantity=lot.quantity - need, cost=lot.cost - cost)
                left.append((rest, whole))
                need = Decimal(0)
        pool = left
        out.append(taken)
    return out


# -- documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """A document a case needs: on which paths, where, how recent."""

    kind: str
    label: str
    paths: frozenset[str]  # empty: every path
    recency_days: int | None = None
    states: frozenset[str] = frozenset()  # empty: every state
    needs_certificates: bool = False

    def applies(self, path: EstatePath, state: str | None, holds_certificates: bool) -> bool:
        if self.paths and path.value not in self.paths:
            return False
        if self.states and (state or "").upper() not in self.states:
            return False
        return holds_certificates or not self.needs_certificates

    def expires_on(self, dated: date) -> date | None:
        """The last day a copy dated ``dated`` is good for, or None (it never expires)."""
        if self.recency_days is None:
            return None
        return dated + timedelta(days=self.recency_days)


def document_status(stored: DocumentStatus, expires_on: date | None, today: date) -> DocumentStatus:
    """What a document is now: a received or verified copy past its window has expired."""
    if stored is not DocumentStatus.REQUIRED and expires_on is not None and today > expires_on:
        return DocumentStatus.EXPIRED
    return stored


def wanted(statuses: Sequence[tuple[str, DocumentStatus]]) -> list[str]:
    """What the client still has to send (the deficiency letter): missing or expired."""
    return [
        label if status is DocumentStatus.REQUIRED else f"{label} (expired: a recent copy)"
        for label, status in statuses
        if status in (DocumentStatus.REQUIRED, DocumentStatus.EXPIRED)
    ]


def not_ready(statuses: Sequence[tuple[str, DocumentStatus]]) -> list[str]:
    """The documents keeping a case from re-registration: all but the verified ones."""
    return [f"{label} ({status.value})" for label, status in statuses
            if status is not DocumentStatus.VERIFIED]  # fmt: skip
