"""The demo book's reference data: staff, counterparties, their SSIs, client accounts."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.db.tax_id_vault import keep_many
from desk_app.demo.book import Account, Book, Party, save, stamped
from desk_app.demo.catalogue_firms import (
    CHANGED_SSIS,
    FEDWIRE,
    FIRMS,
    LEI_PREFIX,
    MISSING_SSIS,
    PLACES,
    ROUTES,
)
from desk_app.demo.catalogue_people import (
    DEMO_PASSWORD,
    OFFICES,
    REGISTERED_REPS,
    STAFF,
    holder,
    tax_id,
)
from desk_app.demo.parties import profile
from desk_app.demo.restrictions import make_restrictions
from desk_app.domain import identifiers as ids
from desk_app.domain import passwords
from desk_app.domain.codes import AccountStatus, InstrumentType, RegistrationType, Role
from desk_app.domain.errors import DeskError
from desk_app.services import audit
from desk_app.services.supervision.user_rows import before_first_principal, first_principal_made


def make_users(book: Book) -> int:
    """The desk's staff and their registrations; a username that already exists is kept.

    Its supervisors are granted power without anyone's approval, so only a database
    that never had a principal takes them.
    """
    actor = str(audit.context_of(book.session).app_user)
    if not before_first_principal(book.session, actor):
        raise DeskError(
            "This database already has principals: demo staff would be supervisors nobody "
            "approved. Demo data goes into a new database (try desk-app --demo)."
        )
    existing = set(book.session.scalars(select(m.User.username)))
    when = book.at(book.days[0] - timedelta(days=400), 14)
    staff = [s for s in STAFF if s.username not in existing]
    secret = passwords.hash_password(DEMO_PASSWORD)  # one published password: one hash
    rows = [
        stamped({"username": s.username, "full_name": s.full_name, "roles": s.role.value,
                 "active": True, "created_at": when, "db_login": None,
                 "password_hash": secret}, when)
        for s in staff
    ]  # fmt: skip
    new_ids = bulk_insert(book.session, m.User, rows)
    registrations = [
        stamped({"user_id": user_id, "series": series, "effective_from": date(year, 3, 1),
                 "effective_to": None}, when)
        for s, user_id in zip(staff, new_ids, strict=True)
        for series, year in s.series
    ]  # fmt: skip
    bulk_insert(book.session, m.UserRegistration, registrations)
    # The demo's staff are its first run's grants: its first principal is recorded.
    first_principal_made(book.session, str(audit.context_of(book.session).app_user))
    book.clerks = [s.username for s in STAFF if s.role is Role.CLERK]
    book.staff = [s.username for s in STAFF if s.role in (Role.CLERK, Role.SUPERVISOR)]
    return len(rows)


def make_counterparties(book: Book) -> None:
    """Brokers, custodians and clearing houses, each with a valid BIC and LEI."""
    rows = []
    for firm in FIRMS:
        country = ids.validate_bic(firm.bic)[4:6]
        entity = "".join(book.rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(12))
        lei = ids.validate_lei(ids.lei_with_check_digits(f"{LEI_PREFIX[country]}00{entity}"))
        rows.append(stamped({
            "code": firm.code, "name": firm.name, "kind": firm.kind, "bic": firm.bic, "lei": lei,
            "dtc_participant": firm.dtc_participant, "active": True,
        }, book.at(book.days[0] - timedelta(days=300), 15)))  # fmt: skip
    new_ids = bulk_insert(book.session, m.Counterparty, rows)
    book.parties = {
        f.code: Party(i, f.code, f.bic, f.dtc_participant)
        for f, i in zip(FIRMS, new_ids, strict=True)
    }


def make_ssis(book: Book) -> int:
    """One SSI per route we trade, bar a few left missing on purpose; some changed."""
    rows, keys = [], []
    for (market, kind), codes in ROUTES.items():
        for code in codes:
            if (code, market, kind) in MISSING_SSIS:
                continue
            party = book.parties[code]
            starts = [date(2018 + book.rng.randrange(6), 1 + book.rng.randrange(12), 1)]
            if (code, market, kind) in CHANGED_SSIS:
                starts.append(book.today - timedelta(days=book.rng.randint(45, 120)))
            for n, start in enumerate(starts):
                end = starts[n + 1] - timedelta(days=1) if n + 1 < len(starts) else None
                treasury = kind is InstrumentType.TREASURY
                place = FEDWIRE if treasury else PLACES[market]
                account = party.dtc if party.dtc and not treasury else None
                rows.append(stamped({
                    "counterparty_id": party.id, "account_id": None, "market": market,
                    "asset_class": kind, "place_of_settlement": ids.validate_bic(place),
                    "agent_bic": party.bic, "effective_from": start, "effective_to": end,
                    "safekeeping_account": account or str(book.rng.randrange(10**7, 10**8)),
                }, book.at(start, 15)))  # fmt: skip
                keys.append((party.id, market, kind))
    new_ids = bulk_insert(book.session, m.StandingSettlementInstruction, rows)
    for key, row, new_id in zip(keys, rows, new_ids, strict=True):
        book.ssis.setdefault(key, []).append((row["effective_from"], row["effective_to"], new_id))
    return len(rows)


def make_accounts(book: Book, count: int = 300) -> None:
    """Clients of every registration type, mostly open, with valid tax ids."""
    rng = book.rng
    kinds = list(RegistrationType)
    numbers = rng.sample(range(10000, 100000), count)
    made, full, restricted = [], [], []
    side = random.Random(f"profile {numbers[0]}")  # the rest of the book stays as it was
    principals = [u for u in book.staff if u not in book.clerks] or book.staff
    for n in range(count):
        kind = (
            kinds[n]
            if n < len(kinds)
            else rng.choices(kinds, (40, 12, 4, 3, 8, 3, 3, 8, 3, 7, 12))[0]
        )
        who = holder(rng, kind, book.days[0], book.today)
        status, closed_on = _account_status(book, kind, who.opened_on)
        if status is AccountStatus.RESTRICTED:  # restricted by a record, not by its status
            status = AccountStatus.OPEN
            restricted.append(n)
        row = {
            "account_number": f"{rng.choice(OFFICES)}-{numbers[n]:05d}", "name": who.name,
            "registration_type": kind, "status": status, "closed_on": closed_on,
            "registered_rep": rng.choice(REGISTERED_REPS),
            "tax_id_ref": None, "tax_id_masked": None, "residence_state": who.state,
            "residence_country": who.country, "base_currency": "USD", "opened_on": who.opened_on,
        }  # fmt: skip
        row.update(profile(side, kind, who.address.partition("\n")[2], who.country))
        row["accepted_by"] = principals[n % len(principals)] if principals else None
        full.append(tax_id(rng, who.entity, book.tax_ids))
        stamped(row, book.at(closed_on or who.opened_on, 16))
        made.append(Account(row, who, rng.paretovariate(1.3)))
    for account, (ref, masked) in zip(made, keep_many(book.session, full), strict=True):
        account.row.update(tax_id_ref=ref, tax_id_masked=masked)
    book.accounts = save(book, m.Account, made)
    book.restrictions = make_restrictions(book, [made[n] for n in restricted])


def _account_status(
    book: Book, kind: RegistrationType, opened: date
) -> tuple[AccountStatus, date | None]:
    """Mostly open; some restricted (estates often: a deceased freeze); a few closed lately.

    ``restricted`` here means the account gets a restriction record (`make_restrictions`).
    """
    roll, closed = book.rng.random(), book.ago(5, len(book.days) - 20)
    if roll < 0.08 or (kind is RegistrationType.ESTATE and roll < 0.5):
        return AccountStatus.RESTRICTED, None
    if roll > 0.96 and closed > opened:
        return AccountStatus.CLOSED, closed
    return AccountStatus.OPEN, None
