"""A realistic, deterministic demo book for an empty Desk database.

Training, screenshots and benchmarks need a book that looks like a real back
office: thousands of trades, a fails list, exceptions, certificates in every state.
Everything comes from one ``random.Random(seed)`` and the given ``today``, so the
same arguments give the same rows on SQLite and PostgreSQL. Identifiers are made
with the check-digit functions that validate real input, settlement dates with the
user's own cycles and calendars, and amounts with the domain's trade arithmetic,
so demo data passes every rule real data must.

The stages, in the order they draw from the random source: `reference` (staff,
counterparties, SSIs, accounts) with `instruments`, then `trades`, `obligations`,
`certificates` and `approvals` (the approval queue), then `acats` and `estates` (which
draw nothing); `prices` (the closes) draws
nothing, it follows the instruments' price walks. The `catalogue_*` modules hold the
names they draw from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models as m
from desk_app.demo.acats import make_acats
from desk_app.demo.approvals import make_approvals
from desk_app.demo.book import CHUNKS, Book, Progress, Steps, trade_days
from desk_app.demo.catalogue_shipping import DEMO_FIRM
from desk_app.demo.certificates import make_certificates
from desk_app.demo.estates import make_estates
from desk_app.demo.history import tell_accounts, tell_restrictions, tell_trades, write_past
from desk_app.demo.instruments import make_instruments
from desk_app.demo.obligations import make_obligations
from desk_app.demo.parties import make_parties
from desk_app.demo.prices import make_prices
from desk_app.demo.reference import (
    make_accounts,
    make_counterparties,
    make_ssis,
    make_users,
)
from desk_app.demo.trades import make_trades
from desk_app.domain.cutoffs import business_date
from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.services import audit
from desk_app.services.actor import Actor, database_login
from desk_app.services.reference.calendar import CalendarService
from desk_app.services.settlement.bulk_settling import post_settled

__all__ = ["NOT_EMPTY", "DemoSummary", "Progress", "generate_demo_data"]

NOT_EMPTY = (
    "This database already has data; demo data goes into an empty database (try desk-app --demo)."
)


@dataclass(frozen=True)
class DemoSummary:
    """How many records of each kind the demo generator created."""

    users: int
    instruments: int
    counterparties: int
    accounts: int
    ssis: int
    trades: int
    obligations: int
    certificates: int
    manifests: int
    approval_requests: int = 0

    def __str__(self) -> str:
        parts = [
            _count(self.accounts, "account"),
            _count(self.instruments, "instrument"),
            _count(self.counterparties, "counterparty", "counterparties"),
            _count(self.ssis, "standing settlement instruction"),
            _count(self.trades, "trade"),
            _count(self.obligations, "settlement obligation"),
            _count(self.certificates, "certificate"),
            _count(self.manifests, "courier manifest"),
            _count(self.approval_requests, "approval request"),
            _count(self.users, "user"),
        ]
        return f"Created {', '.join(parts[:-1])} and {parts[-1]}."


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def generate_demo_data(
    sessions: sessionmaker[Session],
    *,
    seed: int = 1,
    trades: int = 30000,
    today: date | None = None,
    progress: Progress | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database with a demo book, in one transaction.

    Raises `DeskError` (changing nothing) if the database already holds business
    data. ``trades`` counts trade versions: corrections are part of it. The book's
    today is New York's business date at ``now`` (the clock's when neither is given),
    and nothing in it happens after ``now``; a given ``today`` without ``now`` is
    made as that day ends in New York.
    """
    if actor is not None:
        # It adds users, an admin among them: only an admin may load it.
        actor.require(Action.USER_MANAGE)
    if today is None:
        now = now or datetime.now(UTC)
        today = business_date(now)
    elif now is None:
        now = datetime.combine(today, time(23, 59, 59), ZoneInfo("America/New_York"))
    steps = Steps(progress, 7 + 2 * CHUNKS)
    steps("Reading settlement cycles and calendars")
    service = CalendarService(sessions)
    cycles = service.cycles()
    codes = sorted({c.calendar_code for c in cycles} | {"US", "EU", "GB", "CH"})
    calendars = {code: service.calendar(code) for code in codes}
    with sessions.begin() as session:
        _refuse_unless_empty(session)
        # Bulk rows bypass the per-record audit listener: one entry records the load.
        session.info[audit.CONTEXT_KEY] = audit.AuditContext(
            actor.username if actor else "demo-data",
            actor.db_login if actor else database_login(session.get_bind().engine),
            "demo.generate",
        )
        rng = random.Random(seed)
        book = Book(rng, session, today, trade_days(today, now), cycles, calendars)
        book.now = now.astimezone(UTC)
        users = make_users(book)
        make_instruments(book)
        steps("Instruments, counterparties and standing settlement instructions")
        make_counterparties(book)
        ssis = make_ssis(book)
        make_accounts(book)
        make_parties(book)
        steps("Accounts")
        made = make_trades(book, trades, steps)
        obligations = make_obligations(book, made, steps)
        post_settled(session, "demo")  # what settled is in the ledger: positions and cash
        certificates, manifests = make_certificates(book)
        requests = make_approvals(book, made)
        make_acats(book)  # after the settlements: what a transfer moves is held
        make_estates(book)  # a sole holder's death, its case waiting for the executor
        steps("Certificates, courier manifests and approval requests")
        tell_accounts(book)
        tell_restrictions(book)
        tell_trades(book, made)
        write_past(book)  # what the staff did, in the audit trail as they did it
        make_prices(book)  # the closes that value the accounts' positions
        audit.record_event(session, "database", "firm", {"name": DEMO_FIRM})  # its paperwork
        audit.record_event(session, "database", "demo", {
            "seed": seed, "trades": len(made), "accounts": len(book.accounts),
            "users": users, "certificates": certificates, "manifests": manifests,
            "approval_requests": requests,
        })  # fmt: skip
        steps("Saving")
    steps("Done", last=True)
    return DemoSummary(
        users, len(book.instruments), len(book.parties), len(book.accounts), ssis,
        len(made), obligations, certificates, manifests, requests,
    )  # fmt: skip


def _refuse_unless_empty(session: Session) -> None:
    """Demo data never mixes with real data: any business record means no."""
    for model in (m.Trade, m.Account, m.Instrument, m.Counterparty, m.Certificate):
        if session.scalar(select(exists().select_from(model))):
            raise DeskError(NOT_EMPTY)
