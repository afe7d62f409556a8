"""Who takes a deceased holder's account, read from its parties (DOMAIN.md "Estates").

A joint account passes to the surviving owner(s) in equal shares; a TOD account or
an IRA to its primary beneficiaries by their shares. A primary beneficiary who died
before the holder (a date of death the case records) leaves a share that goes to
their descendants per stirpes when the designation says so (the executor names
them: the case lists it as a decision), or else to the surviving primaries pro rata;
when no primary survives, the contingent beneficiaries take by their shares. A trust
passes to its successor trustee; a sole account to the executor for the estate.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from desk_app.domain.errors import ValidationError
from desk_app.domain.estate_rules import EstatePath
from desk_app.domain.money import format_amount

OWNER_ROLES = ("owner", "joint-owner")


@dataclass(frozen=True)
class Party:
    """A party as the estate rules read it (`desk_app.db.models.AccountParty`)."""

    id: int
    role: str
    name: str
    share_percent: Decimal | None = None
    contingent: bool = False
    per_stirpes: bool = False


@dataclass(frozen=True)
class NewOwner:
    """Who takes a share: a party, or (``party_id`` None) someone still to be named."""

    name: str
    share: Fraction
    party_id: int | None
    why: str  # "surviving joint owner", "primary beneficiary", ...

    @property
    def decided(self) -> bool:
        return self.party_id is not None

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.share.numerator * 100) / self.share.denominator).quantize(
            Decimal("0.01")
        )


def decedent(parties: Sequence[Party], holder: str = "") -> Party | None:
    """The owner who died: the one named (joint accounts), else the first owner on record."""
    owners = [p for p in parties if p.role in OWNER_ROLES]
    wanted = holder.strip().casefold()
    if wanted:
        for party in owners:
            if party.name.casefold() == wanted:
                return party
        names = ", ".join(p.name for p in owners) or "none on record"
        raise ValidationError("holder", f"is not an owner of the account ({names})", holder)
    return owners[0] if owners else None


def _by_shares(group: Sequence[Party]) -> list[Fraction]:
    """Each party's part of the group: by its stated percent, or equal when any is missing."""
    if any(p.share_percent is None for p in group):
        return [Fraction(1, len(group))] * len(group)
    total = sum((Fraction(p.share_percent or 0) for p in group), Fraction(0))
    return [Fraction(p.share_percent or 0) / total for p in group]


def _beneficiaries(parties: Sequence[Party], dead: Collection[int]) -> list[NewOwner]:
    primaries = [p for p in parties if p.role == "beneficiary" and not p.contingent]
    contingents = [p for p in parties if p.role == "beneficiary" and p.contingent]
    out: list[NewOwner] = []
    living = [p for p in primaries if p.id not in dead]
    shares = {}
    if primaries:
        shares = dict(zip((p.id for p in primaries), _by_shares(primaries), strict=True))
    lapsed = Fraction(0)
    for party in primaries:
        if party.id in dead and party.per_stirpes:
            out.append(NewOwner(f"Descendants of {party.name} (per stirpes)", shares[party.id],
                                None, "per stirpes: the executor names who takes it"))  # fmt: skip
        elif party.id in dead:
            lapsed += shares[party.id]
    if living:
        kept = sum((shares[p.id] for p in living), Fraction(0))
        for party in living:
            own = shares[party.id]
            out.append(NewOwner(party.name, own + lapsed * own / kept, party.id,
                                "primary beneficiary"))  # fmt: skip
        return _ordered(out)
    if lapsed:
        alive = [p for p in contingents if p.id not in dead]
        if alive:
            for party, part in zip(alive, _by_shares(alive), strict=True):
                out.append(NewOwner(party.name, lapsed * part, party.id, "contingent beneficiary"))
        else:
            out.append(NewOwner("The holder's estate", lapsed, None,
                                "no beneficiary survives: the executor takes it"))  # fmt: skip
    return _ordered(out)


def _ordered(owners: list[NewOwner]) -> list[NewOwner]:
    """Those decided first, as listed; those still to be named after."""
    return sorted(owners, key=lambda o: not o.decided)


def new_owners(
    path: EstatePath,
    parties: Sequence[Party],
    died: Party | None,
    dead: Collection[int] = (),
    *,
    estate_of: str = "",
) -> list[NewOwner]:
    """Who takes the account, with their shares (adding to the whole)."""
    gone = {*dead, *((died.id,) if died else ())}
    if path is EstatePath.SURVIVOR:
        alive = [p for p in parties if p.role in OWNER_ROLES and p.id not in gone]
        if not alive:
            return [NewOwner("The surviving owner", Fraction(1), None, "no other owner on record")]
        return [NewOwner(p.name, Fraction(1, len(alive)), p.id, "surviving joint owner")
                for p in alive]  # fmt: skip
    if path is EstatePath.BENEFICIARY:
        found = _beneficiaries(parties, gone)
        return found or [NewOwner("The beneficiaries", Fraction(1), None,
                                  "no beneficiary on record")]  # fmt: skip
    if path is EstatePath.SUCCESSOR_TRUSTEE:
        trustees = [p for p in parties if p.role == "trustee" and p.id not in gone]
        names = " and ".join(p.name for p in trustees) or "the successor trustee (not on record)"
        return [NewOwner(f"The trust, {names} as successor trustee", Fraction(1), None,
                         "successor trustee")]  # fmt: skip
    if path is EstatePath.SMALL_ESTATE:
        return [NewOwner("The successors named in the affidavit", Fraction(1), None,
                         "small-estate affidavit")]  # fmt: skip
    executors = [p for p in parties if p.role == "executor" and p.id not in gone]
    signer = " and ".join(p.name for p in executors) or "its executor (not yet on record)"
    return [NewOwner(estate_of or "The estate", Fraction(1), None, f"for the estate: {signer}")]


def w9_signers(
    path: EstatePath, parties: Sequence[Party], owners: Sequence[NewOwner], dead: Collection[int]
) -> list[tuple[Party, str]]:
    """The parties who sign a W-9 as new owners, with the line's label; empty: none on record."""
    if path is EstatePath.EXECUTOR:
        return [(p, f"W-9 for the estate, signed by its executor {p.name}")
                for p in parties if p.role == "executor" and p.id not in dead]  # fmt: skip
    if path is EstatePath.SUCCESSOR_TRUSTEE:
        return [(p, f"W-9 of the successor trustee {p.name}")
                for p in parties if p.role == "trustee" and p.id not in dead]  # fmt: skip
    by_id = {p.id: p for p in parties}
    return [(by_id[o.party_id], f"W-9 of {o.name} ({o.why})")
            for o in owners if o.party_id is not None and o.party_id in by_id]  # fmt: skip


@dataclass(frozen=True)
class StateLimit:
    """A state's small-estate limit: its statute, and the first date of death it applies to
    (None: no start date on file; it applies to any death before the state's next limit)."""

    state: str
    limit: Decimal
    statute: str
    effective_from: date | None = None

    @property
    def cited(self) -> str:
        since = (
            f", for a death from {self.effective_from.isoformat()}" if self.effective_from else ""
        )
        return f"{self.statute}{since}"


def limit_in_force(limits: Sequence[StateLimit], state: str, died: date) -> StateLimit | None:
    """The state's limit in force on the date of death (the latest that began by then)."""
    wanted = state.upper()
    begun = [x for x in limits if x.state == wanted
             and (x.effective_from is None or x.effective_from <= died)]  # fmt: skip
    return max(begun, key=lambda x: x.effective_from or date.min, default=None)


def small_estate_refusal(
    path: EstatePath,
    state: str | None,
    limits: Sequence[StateLimit],
    died: date,
    value: Decimal | None,
    *,
    has_executor: bool,
) -> str | None:
    """Why the small-estate affidavit is not open to the case; None when it is.

    The value at death may equal the limit: the statutes say "does not exceed".
    """
    if path is not EstatePath.EXECUTOR:
        return "only an account that would pass by the executor can go by affidavit"
    if has_executor:
        return "an executor is appointed: the estate goes by letters"
    state = (state or "").upper()
    if not any(x.state == state for x in limits):
        return f"the account's state ({state or 'none'}) has no small-estate limit on file"
    limit = limit_in_force(limits, state, died)
    if limit is None:
        return f"{state} has no small-estate limit on file for a death on {died.isoformat()}"
    if value is None:
        return "the account's value at death is not known (a price is missing)"
    if value > limit.limit:
        return (
            f"the value at death ({format_amount(value)}) exceeds {state}'s "
            f"limit ({format_amount(limit.limit)}, {limit.cited})"
        )
    return None
