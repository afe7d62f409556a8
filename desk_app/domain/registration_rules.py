"""Who an account's parties must be, by registration type (FINRA 4512, DOMAIN "Accounts").

A party is a person or entity with a role on the account. `party_problems` checks
one party's own fields; `record_problems` checks the set against the registration
(an individual account has one owner, a custodial one a custodian and a minor, ...).
Both list every problem, each naming its field, so a form can show them all as the
clerk types; `check_record` raises them all at once for the services.

FINRA 4512's essentials (`essentials`): whoever the registration makes responsible
for the account (an owner, joint owner, custodian or trustee) gives an address, date
of birth, tax id, occupation and employer if a person (no employer when retired,
unemployed, a student or a homemaker), or an EIN and address if an entity. An
estate's own EIN and address are the account's (`holder_problems`).

Parties travel in requests as plain values (ISO dates, decimal text), as
`clean_party` returns them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from desk_app.domain import identifiers
from desk_app.domain.codes import PartyKind, PartyRole, RegistrationType
from desk_app.domain.errors import ValidationError, refuse

R = RegistrationType
#: The age of majority under each gift-to-minors act (most states' UTMA: 21).
MAJORITY = {R.UGMA: 18, R.UTMA: 21}
LEGAL_AGE = 18
HUNDRED = Decimal(100)
JOINT = frozenset({R.JOINT_JTWROS, R.JOINT_TIC, R.JOINT_COMMUNITY})
OWNERS = frozenset({PartyRole.OWNER, PartyRole.JOINT_OWNER})
#: A party's fields, in the order forms and listings show them.
PARTY_FIELDS = (
    "role", "kind", "name", "address", "date_of_birth", "tax_id", "citizenship",
    "occupation", "employer", "associated_person", "share_percent", "contingent",
    "per_stirpes",
)  # fmt: skip
_FLAGS = ("associated_person", "contingent", "per_stirpes")
#: The roles FINRA 4512's essentials are asked of: those who own or run the account.
ESSENTIAL_ROLES = frozenset({PartyRole.OWNER, PartyRole.JOINT_OWNER, PartyRole.CUSTODIAN,
                             PartyRole.TRUSTEE})  # fmt: skip
#: Occupations that have no employer to name.
NO_EMPLOYER = frozenset({"retired", "unemployed", "student", "homemaker"})
_EIN = re.compile(r"\d{2}-\d{7}|\*\*-\*\*\*\d{4}")
_MASKED = re.compile(r"(\*\*\*-\*\*-|\*\*-\*\*\*)\d{4}")


#: Registrations whose one owner the account itself names, when no party is given.
IMPLIED_OWNER = {R.INDIVIDUAL: PartyKind.PERSON, R.IRA: PartyKind.PERSON,
                 R.CORPORATE: PartyKind.ENTITY}  # fmt: skip


def implied_owner(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The account's own holder as its one owner (individual, IRA, corporate), else none."""
    try:
        kind = IMPLIED_OWNER.get(RegistrationType(str(fields.get("registration_type"))))
    except ValueError:
        return []
    if kind is None:
        return []
    return [{"role": PartyRole.OWNER.value, "kind": kind.value, "name": fields.get("name"),
             "tax_id": fields.get("tax_id") or None,
             "address": fields.get("mailing_address")}]  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record, and where."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def where(index: int) -> str:
    """``parties[2]``: the second party (counted from 1, as a clerk counts)."""
    return f"parties[{index + 1}]"


def masked_birth(value: str | None) -> str | None:
    """A date of birth as screens show it (Reg S-P): the year only, ``1984-**-**``."""
    if not value:
        return value
    return f"{str(value)[:4]}-**-**"


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def clean_party(values: Mapping[str, Any], index: int, today: date) -> dict[str, Any]:
    """One party's fields checked and normalised; raises every problem."""
    cleaned, problems = _party(values, index, today)
    raise_all(problems)
    return cleaned


def party_problems(values: Mapping[str, Any], index: int, today: date) -> list[Problem]:
    return _party(values, index, today)[1]


def _party(
    values: Mapping[str, Any], index: int, today: date
) -> tuple[dict[str, Any], list[Problem]]:
    at = where(index)
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    def bad(name: str, reason: str) -> None:
        problems.append(Problem(f"{at}.{name}", reason))

    unknown = set(values) - set(PARTY_FIELDS) - {"id", "tax_id_ref"}
    for name in sorted(unknown):
        bad(name, "is not a field of a party")
    text = {k: "" if values.get(k) is None else str(values[k]).strip() for k in PARTY_FIELDS}
    try:
        role = PartyRole(text["role"].lower())
        out["role"] = role.value
    except ValueError:
        role = None
        bad("role", "must be one of " + ", ".join(r.value for r in PartyRole))
    try:
        kind = PartyKind(text["kind"].lower() or "person")
        out["kind"] = kind.value
    except ValueError:
        kind = PartyKind.PERSON
        bad("kind", "must be person or entity")
    if not text["name"] or len(text["name"]) > 200:
        bad("name", "is required (up to 200 characters)")
    out["name"] = text["name"]
    out["address"] = text["address"][:500] or None
    out["date_of_birth"] = _birth(text["date_of_birth"], kind, role, today, bad)
    out["tax_id"] = _tax_id(text["tax_id"], kind, bad)
    if values.get("tax_id_ref") is not None and out["tax_id"] and _MASKED.fullmatch(out["tax_id"]):
        out["tax_id_ref"] = int(values["tax_id_ref"])
    if text["citizenship"] and not re.fullmatch(r"[A-Za-z]{2}", text["citizenship"]):
        bad("citizenship", "must be a two-letter country code")
    out["citizenship"] = text["citizenship"].upper() or None
    out["occupation"] = text["occupation"][:100] or None
    out["employer"] = text["employer"][:200] or None
    for flag in _FLAGS:
        out[flag] = _flag(values.get(flag))
    out["share_percent"] = _share(text["share_percent"], role, bad)
    if role is not PartyRole.BENEFICIARY and (out["contingent"] or out["per_stirpes"]):
        bad("contingent" if out["contingent"] else "per_stirpes", "only a beneficiary has it")
    if values.get("id") is not None:
        out["id"] = int(values["id"])
    return out, problems


def _birth(raw: str, kind: PartyKind, role: PartyRole | None, today: date, bad: Any) -> str | None:
    if not raw:
        if role is PartyRole.MINOR:
            bad("date_of_birth", "is required for a minor")
        return None
    if kind is PartyKind.ENTITY:
        bad("date_of_birth", "an entity has no date of birth")
        return None
    try:
        born = date.fromisoformat(raw)
    except ValueError:
        bad("date_of_birth", "must be a date (YYYY-MM-DD)")
        return None
    if born > today:
        bad("date_of_birth", "is in the future")
    elif role in OWNERS and age_on(born, today) < LEGAL_AGE:
        bad("date_of_birth", f"an owner must be of legal age ({LEGAL_AGE}); open a custodial "
            "account for a minor")  # fmt: skip
    return born.isoformat()


def _tax_id(raw: str, kind: PartyKind, bad: Any) -> str | None:
    if not raw:
        return None
    if _MASKED.fullmatch(raw):  # an existing party's, kept as it is in the vault
        return raw
    try:
        if kind is PartyKind.ENTITY:
            return identifiers.validate_tax_id(raw, "tax_id", kind="ein")
        return identifiers.validate_tax_id(raw, "tax_id")
    except ValidationError as error:
        bad("tax_id", error.reason)
        return None


def _flag(raw: Any) -> bool:
    if isinstance(raw, str):
        return raw.strip().lower() in ("1", "yes", "true", "y", "on")
    return bool(raw)


def _share(raw: str, role: PartyRole | None, bad: Any) -> str | None:
    if not raw:
        if role is PartyRole.BENEFICIARY:
            bad("share_percent", "a beneficiary needs a share (a percentage)")
        return None
    if role is not PartyRole.BENEFICIARY:
        bad("share_percent", "only a beneficiary has a share")
        return None
    try:
        share = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        bad("share_percent", "must be a number (a percentage)")
        return None
    if not share.is_finite() or not 0 < share <= HUNDRED or share.as_tuple().exponent < -4:  # type: ignore[operator]
        bad("share_percent", "must be more than 0 and at most 100, to 4 decimals")
        return None
    return f"{share.normalize():f}"


def record_problems(
    registration: RegistrationType | str, parties: Sequence[Mapping[str, Any]], today: date
) -> list[Problem]:
    """Everything wrong with ``parties`` (each already cleaned or not) for ``registration``."""
    kind = RegistrationType(registration)
    problems = [
        p
        for i, party in enumerate(parties)
        for p in (*party_problems(party, i, today), *essentials(party, i))
    ]
    roles = [str(p.get("role") or "").lower() for p in parties]

    def count(*wanted: PartyRole) -> int:
        return sum(r in {w.value for w in wanted} for r in roles)

    def need(reason: str) -> None:
        problems.append(Problem("parties", reason))

    owners = count(*OWNERS)
    label = kind.label if kind is R.IRA else kind.label.lower()
    if kind in (R.INDIVIDUAL, R.IRA, R.TOD) and owners != 1:
        need(f"a{'n' if label[0] in 'aeiouI' else ''} {label} account has exactly one owner "
             f"(has {owners})")  # fmt: skip
    if kind in JOINT and owners < 2:
        need(f"a {label} account needs two or more owners (has {owners})")
    if kind in MAJORITY:
        for role in (PartyRole.CUSTODIAN, PartyRole.MINOR):
            if count(role) != 1:
                need(f"a custodial account has exactly one {role.value} (has {count(role)})")
        problems += _minors(kind, parties, today)
    if kind is R.TRUST and not count(PartyRole.TRUSTEE):
        need("a trust account needs at least one trustee")
    if kind is R.ESTATE and not count(PartyRole.EXECUTOR):
        need("an estate account needs an executor")
    if kind is R.CORPORATE and not any(
        str(p.get("role")) in {r.value for r in OWNERS} and str(p.get("kind")) == "entity"
        for p in parties
    ):
        need("a corporate account needs an owner that is an entity")
    if kind in (R.INDIVIDUAL, R.IRA) and any(
        str(p.get("role")) in {r.value for r in OWNERS} and str(p.get("kind")) == "entity"
        for p in parties
    ):
        need(f"the owner of an {label} account is a person, not an entity")
    if kind is R.TOD and not count(PartyRole.BENEFICIARY):
        need("a transfer on death account needs at least one beneficiary")
    problems += _shares(parties)
    return problems


def _minors(
    kind: RegistrationType, parties: Sequence[Mapping[str, Any]], today: date
) -> list[Problem]:
    out = []
    for i, party in enumerate(parties):
        born = party.get("date_of_birth")
        if str(party.get("role")) != PartyRole.MINOR.value or not born:
            continue
        try:
            age = age_on(date.fromisoformat(str(born)), today)
        except ValueError:
            continue  # named by the party's own check
        if age >= MAJORITY[kind]:
            out.append(Problem(f"{where(i)}.date_of_birth",
                               f"the minor is {age}: of age under {kind.value.upper()} "
                               f"({MAJORITY[kind]})"))  # fmt: skip
    return out


def _shares(parties: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Primary beneficiaries' shares add to 100%, and contingent ones too if there are any."""
    out = []
    for contingent in (False, True):
        shares = []
        for party in parties:
            if str(party.get("role")) != PartyRole.BENEFICIARY.value:
                continue
            if _flag(party.get("contingent")) is not contingent:
                continue
            try:
                shares.append(Decimal(str(party.get("share_percent") or "0").rstrip("%")))
            except InvalidOperation:
                shares.append(Decimal(0))
        total = sum(shares, Decimal(0))
        if shares and total != HUNDRED:
            which = "contingent" if contingent else "primary"
            out.append(Problem("parties.share_percent",
                               f"the {which} beneficiaries' shares add to {total.normalize():f}%,"
                               " not 100%"))  # fmt: skip
    return out


def check_record(
    registration: RegistrationType | str, parties: Sequence[Mapping[str, Any]], today: date
) -> None:
    """Raise every problem of `record_problems` at once (services refuse with them)."""
    raise_all(record_problems(registration, parties, today))


def raise_all(problems: Sequence[Problem]) -> None:
    """Refuse with ``problems``, every one (a `ValidationProblems` when there are several)."""
    refuse([ValidationError(p.field, p.reason) for p in problems])


def essentials(party: Mapping[str, Any], index: int) -> list[Problem]:
    """What FINRA 4512 asks of this party and it lacks (nothing for a beneficiary, ...)."""
    try:
        role = PartyRole(str(party.get("role") or "").lower())
    except ValueError:
        return []  # named by the party's own check
    if role not in ESSENTIAL_ROLES:
        return []
    name = str(party.get("name") or "").strip()
    who = f"{role.label} {name}".strip() if name else f"The {role.label.lower()}"

    def has(key: str) -> bool:
        return bool(str(party.get(key) or "").strip())

    if str(party.get("kind") or "person").lower() == PartyKind.ENTITY.value:
        wanted = {"tax_id": "its EIN", "address": "its address"}
    else:
        wanted = {"address": "an address (residence)", "date_of_birth": "a date of birth",
                  "tax_id": "a tax id (SSN or ITIN)", "occupation": "an occupation",
                  "employer": "an employer"}  # fmt: skip
        if str(party.get("occupation") or "").strip().lower() in NO_EMPLOYER:
            del wanted["employer"]
    out = []
    for key, what in wanted.items():
        if not has(key):
            why = " (or an occupation of retired, unemployed, student or homemaker)"
            out.append(Problem(f"{where(index)}.{key}", f"{who} needs {what} (FINRA 4512)"
                               + (why if key == "employer" else "")))  # fmt: skip
    return out


def holder_problems(
    registration: RegistrationType | str, fields: Mapping[str, Any]
) -> list[Problem]:
    """What the account's own fields lack when the account itself is an entity's.

    An estate's EIN and address are the account's tax id and mailing address; a trust
    with an EIN of its own (not its grantor's SSN) is an entity and needs its address.
    """
    try:
        kind = RegistrationType(str(registration))
    except ValueError:
        return []
    tax_id = str(fields.get("tax_id") or "").strip()
    address = str(fields.get("mailing_address") or "").strip()
    out = []
    if kind is R.ESTATE:
        if not tax_id:
            out.append(Problem("tax_id", "an estate account needs the estate's own EIN "
                               "(FINRA 4512)"))  # fmt: skip
        elif not _EIN.fullmatch(tax_id):
            out.append(Problem("tax_id", "an estate's tax id is its EIN (12-3456789), "
                               "not a person's"))  # fmt: skip
    entity = kind is R.ESTATE or (kind is R.TRUST and bool(_EIN.fullmatch(tax_id)))
    if entity and not address:
        what = "an estate" if kind is R.ESTATE else "a trust with its own EIN"
        out.append(Problem("mailing_address", f"{what} needs its address (FINRA 4512)"))
    return out
