"""The demo clients' records: their profile and the parties each registration needs.

Drawn from a random source of their own, so the rest of the book (accounts, trades)
is the same with or without them. Every account's parties pass the registration
rules (`desk_app.domain.registration_rules`), FINRA 4512's essentials included (an
owner, custodian or trustee has an address, date of birth, tax id, occupation and,
unless retired, an employer), and are the people its title names; the tests check it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.db.tax_id_vault import keep_many
from desk_app.demo.book import Account, Book, stamped
from desk_app.demo.catalogue_people import FIRST_NAMES, LAST_NAMES, MIDDLE_INITIALS, tax_id
from desk_app.domain.codes import (
    AccountType,
    InvestmentObjective,
    PartyRole,
    RegistrationType,
    RiskTolerance,
    TaxStatus,
    TimeHorizon,
)

R = RegistrationType
P = PartyRole
JOBS = (
    ("Teacher", "Lakeview School District"), ("Engineer", "Hudson Aerospace"),
    ("Physician", "St. Mary's Hospital"), ("Attorney", "Brandt & Cole LLP"),
    ("Accountant", "Marsh Ledger CPAs"), ("Nurse", "Bay Medical Center"),
    ("Retired", None),
    ("Business owner", "Self-employed"), ("Software developer", "Northwind Labs"),
)  # fmt: skip
_MARGIN = frozenset({R.INDIVIDUAL, R.JOINT_JTWROS, R.JOINT_TIC, R.CORPORATE})


def side_random(book: Book) -> random.Random:
    """A source of its own, seeded by the book's first account (so by the seed)."""
    return random.Random(f"parties {book.accounts[0].row['account_number']}")


def profile(
    rng: random.Random, kind: RegistrationType, address: str, country: str
) -> dict[str, Any]:
    """A client's profile (FINRA 2090/2111) to go on the account's row."""
    worth = rng.choice((25, 60, 150, 400, 900, 2500)) * 1000
    return {
        "account_type": AccountType.MARGIN if kind in _MARGIN and rng.random() < 0.6
        else AccountType.CASH,
        "investment_objective": rng.choice(list(InvestmentObjective)),
        "risk_tolerance": rng.choice(list(RiskTolerance)),
        "time_horizon": rng.choice(list(TimeHorizon)),
        "liquid_net_worth": worth, "annual_income": rng.choice((45, 85, 140, 260, 600)) * 1000,
        "tax_status": TaxStatus.TAX_DEFERRED if kind is R.IRA
        else TaxStatus.FOREIGN if country != "US"
        else TaxStatus.TAXABLE,
        "mailing_address": address,
    }  # fmt: skip


def _name(rng: random.Random, last: str | None = None) -> str:
    first = rng.choice(FIRST_NAMES)
    return f"{first} {rng.choice(MIDDLE_INITIALS)}. {last or rng.choice(LAST_NAMES)}"


def born_between(rng: random.Random, today: date, low: int, high: int) -> date:
    """A date of birth between ``low`` and ``high`` years before ``today``."""
    return today - timedelta(days=rng.randrange(low * 366, high * 365))


_born = born_between


def make_parties(book: Book) -> int:
    """Each account's parties, consistent with its registration; return how many."""
    rng = side_random(book)
    rows: list[dict[str, Any]] = []
    typed: list[dict[str, Any]] = []
    for account in book.accounts:
        for position, party in enumerate(_parties(rng, book, account), 1):
            row = {
                "account_id": account.id, "position": position, "address": None,
                "date_of_birth": None, "tax_id_ref": None, "tax_id_masked": None,
                "citizenship": None, "occupation": None, "employer": None,
                "associated_person": False, "share_percent": None, "contingent": False,
                "per_stirpes": False, "added_on": account.row["opened_on"], "ended_on": None,
                **party,
            }  # fmt: skip
            stamped(row, book.at(account.row["opened_on"], 16))
            if row.pop("new_tax_id", False):
                typed.append(row)
            rows.append(row)
    full = [tax_id(rng, row["kind"] == "entity", book.tax_ids) for row in typed]
    for row, (ref, masked) in zip(typed, keep_many(book.session, full), strict=True):
        row.update(tax_id_ref=ref, tax_id_masked=masked)
    bulk_insert(book.session, m.AccountParty, rows)
    return len(rows)


def _parties(rng: random.Random, book: Book, account: Account) -> list[dict[str, Any]]:
    kind, who = account.row["registration_type"], account.holder
    address = who.address.partition("\n")[2]
    last = who.holder.split(",")[0].split()[-1].title()
    today = book.today

    def person(role: PartyRole, name: str, **more: Any) -> dict[str, Any]:
        job, employer = rng.choice(JOBS)
        return {"role": role, "kind": "person", "name": name, "address": address,
                "date_of_birth": _born(rng, today, 25, 85), "citizenship": who.country,
                "occupation": job, "employer": employer, "new_tax_id": True,
                "associated_person": rng.random() < 0.03, **more}  # fmt: skip

    holder = {"tax_id_ref": account.row["tax_id_ref"],
              "tax_id_masked": account.row["tax_id_masked"], "new_tax_id": False}  # fmt: skip
    first = who.holder.split(",")[0].title() if kind is not R.CORPORATE else who.name
    out: list[dict[str, Any]] = []
    if kind in (R.INDIVIDUAL, R.IRA, R.TOD):
        out.append(person(P.OWNER, first, **holder))
    elif kind in (R.JOINT_JTWROS, R.JOINT_TIC, R.JOINT_COMMUNITY):
        out += [person(P.OWNER, first, **holder), person(P.JOINT_OWNER, _joint_owner(who.name))]
    elif kind in (R.UGMA, R.UTMA):
        minor = who.name.partition(" Cust ")[2].split(" UGMA")[0].split(" UTMA")[0]
        out += [person(P.CUSTODIAN, first),
                person(P.MINOR, minor or _name(rng, last), occupation=None, employer=None,
                       date_of_birth=_born(rng, today, 2, 15))]  # fmt: skip
    elif kind is R.TRUST:
        out.append(person(P.TRUSTEE, first))
        if rng.random() < 0.5:
            out.append(person(P.TRUSTEE, _name(rng, last)))
    elif kind is R.ESTATE:
        out.append(person(P.EXECUTOR, _name(rng, last)))
    elif kind is R.CORPORATE:
        out.append({"role": P.OWNER, "kind": "entity", "name": who.name, "address": address,
                    "citizenship": who.country, **holder})  # fmt: skip
        out.append(person(P.POWER_OF_ATTORNEY, _name(rng)))
    if kind is R.TOD or (kind is R.IRA and rng.random() < 0.7):
        out += _beneficiaries(rng, person, last)
    if kind not in (R.CORPORATE, R.ESTATE) and rng.random() < 0.5:
        out.append(person(P.TRUSTED_CONTACT, _name(rng), new_tax_id=False, date_of_birth=None))
    return out


def _joint_owner(title: str) -> str:
    """The second owner as the title names them: ``Ann & Bo Lee JTWROS`` → ``Bo Lee``."""
    for suffix in (" JTWROS", " TIC", " Comm Prop"):
        title = title.removesuffix(suffix)
    return title.partition(" & ")[2].strip()


def _beneficiaries(rng: random.Random, person: Any, last: str) -> list[dict[str, Any]]:
    shares = rng.choice(((100,), (50, 50), (60, 40), (25, 25, 50)))
    out = [person(P.BENEFICIARY, _name(rng, last), share_percent=s) for s in shares]
    if rng.random() < 0.3:
        out.append(person(P.BENEFICIARY, _name(rng), share_percent=100, contingent=True,
                          per_stirpes=rng.random() < 0.5))  # fmt: skip
    return out
