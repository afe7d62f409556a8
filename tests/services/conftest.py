"""A supervised desk on each engine: one workspace per user, each signed in as that user.

``desk`` opens the database as ``tester`` (the first user, so its admin), adds a
clerk, two supervisors with a principal registration (S24 from 2020-01-01), a
compliance officer and a second admin, and opens a workspace for each of them.
Accounts for the tests are written by the admin as a plain ``test.setup`` write.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.db import tax_id_vault
from desk_app.domain.codes import (
    AccountStatus,
    CounterpartyKind,
    InstrumentType,
    RegistrationType,
    Role,
)
from desk_app.domain.errors import DeskError
from desk_app.domain.supervision import Registration
from desk_app.services import audit
from desk_app.services.workspace import Workspace, open_workspace
from tests.conftest import STAFF_PASSWORD, pg_login_url, settle_workers

S24 = Registration("S24", date(2020, 1, 1))
#: The users every ``desk`` has, besides ``tester`` (the bootstrap admin).
STAFF: dict[str, tuple[frozenset[Role], tuple[Registration, ...]]] = {
    "carl": (frozenset({Role.CLERK}), ()),
    "sue": (frozenset({Role.SUPERVISOR}), (S24,)),
    "sam": (frozenset({Role.SUPERVISOR}), (S24,)),
    "cora": (frozenset({Role.COMPLIANCE}), ()),
    "adam": (frozenset({Role.ADMIN}), ()),
}


class Desk:
    """Workspaces by user name over one database, and shortcuts to make test records.

    Each user proves who they are as the engine demands: on PostgreSQL through a
    login of their own; on a local file (opened by one computer login, the admin's)
    with their Desk password.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: dict[str, Workspace] = {}
        self._numbers = itertools.count(1001)
        self.open("tester")
        for name, (roles, registrations) in STAFF.items():
            self.add_user(name, roles, registrations)

    @property
    def admin(self) -> Workspace:
        return self.ws["tester"]

    @property
    def engine_name(self) -> str:
        return self.admin.engine.dialect.name

    @property
    def shared(self) -> bool:
        return self.url.startswith("postgresql")

    def url_of(self, name: str) -> str:
        """The database as ``name`` reaches it (their own login on PostgreSQL).

        A user added without a login gets one here, mapped by the admin.
        """
        if not self.shared or name == "tester":
            return self.url
        login, url = pg_login_url(self.url, name)
        user = self.admin.users.get(name)
        if user.db_login is None:
            self.grant(self.admin.users.update(name, user.version, db_login=login).request_id)
        return url

    def open(self, name: str, password: str | None = None) -> Workspace:
        """A workspace signed in as ``name`` (closed with the desk).

        Without ``password``, a user who has a Desk password gives ``STAFF_PASSWORD``.
        """
        if password is None and name != "tester" and self.admin.users.get(name).has_password:
            password = STAFF_PASSWORD
        ws = open_workspace(self.url_of(name), name, password=password)
        old = self.ws.pop(name, None)
        if old is not None:
            old.close()
        self.ws[name] = ws
        return ws

    def add_user(
        self, name: str, roles: Iterable[Role], registrations: Iterable[Registration] = ()
    ) -> Workspace:
        """A new user who can sign in (a login of their own, or a password), signed in."""
        role_set = frozenset(roles)
        if self.shared:
            login, _ = pg_login_url(self.url, name, admin=Role.ADMIN in role_set)
            change = self.admin.users.add(
                name, role_set, registrations=tuple(registrations), db_login=login
            )
        else:
            change = self.admin.users.add(
                name, role_set, registrations=tuple(registrations), password=STAFF_PASSWORD
            )
        self.grant(change.request_id)
        return self.open(name)

    def grant(self, request_id: int | None) -> str | None:
        """A principal signed in here (not the maker, not the subject) approves a grant.

        As on a real desk: the first principal came by bootstrap, the rest by grants
        the admin filed. Returns who approved (None: nothing was filed).
        """
        if request_id is None:
            return None
        for name, ws in self.ws.items():
            try:
                refusal = ws.approvals.detail(request_id).decision_refusal
            except DeskError:
                continue
            if refusal is None:
                ws.approvals.approve(request_id, "set-up")
                return name
        raise AssertionError(f"nobody signed in may approve grant {request_id}")

    def close(self) -> None:
        settle_workers()
        for ws in self.ws.values():
            ws.close()
        self.ws.clear()

    def next_number(self) -> str:
        return f"NYC-{next(self._numbers)}"

    def account(self, number: str | None = None, **values: Any) -> str:
        """A new open account (written directly, as set-up); return its number.

        ``tax_id`` is the full value: it goes into the vault, the account gets its
        reference and masked text."""
        number = number or self.next_number()
        fields: dict[str, Any] = {
            "name": f"Client {number}",
            "registration_type": RegistrationType.INDIVIDUAL,
            "status": AccountStatus.OPEN,
            "registered_rep": "RR01",
            "tax_id": "123-45-6789",
            "residence_state": "NY",
            "opened_on": date(2021, 3, 1),
            **values,
        }
        full = fields.pop("tax_id")
        with self.admin.uow.write("test.setup") as session:
            if full:  # into the vault, as an approved opening puts it
                fields["tax_id_ref"], fields["tax_id_masked"] = tax_id_vault.keep(session, full)
            session.add(m.Account(account_number=number, **fields))
        return number

    def instrument(
        self,
        isin: str = "US0378331005",
        kind: InstrumentType = InstrumentType.EQUITY,
        **values: Any,
    ) -> str:
        """A new active instrument (set-up); return its ISIN."""
        fields: dict[str, Any] = {
            "cusip": isin[2:11] if isin.startswith("US") else None,
            "symbol": None, "description": f"Instrument {isin}", "issuer": "Issuer",
            "instrument_type": kind, "market": "US", "currency": "USD",
            "multiplier": Decimal(1), "active": True, **values,
        }  # fmt: skip
        with self.admin.uow.write("test.setup") as session:
            session.add(m.Instrument(isin=isin, **fields))
        return isin

    def counterparty(self, code: str = "GSCO", *, ssi_for: InstrumentType | None = None) -> str:
        """A new active broker (set-up), with a DTC SSI for ``ssi_for`` if given."""
        with self.admin.uow.write("test.setup") as session:
            party = m.Counterparty(code=code, name=f"Broker {code}", kind=CounterpartyKind.BROKER)
            session.add(party)
            session.flush()
            if ssi_for is not None:
                session.add(
                    m.StandingSettlementInstruction(
                        counterparty_id=party.id,
                        account_id=None,
                        market="US",
                        asset_class=ssi_for,
                        place_of_settlement="DTCYUS33",
                        agent_bic="IRVTUS3N",
                        safekeeping_account="0352",
                        effective_from=date(2020, 1, 1),
                        effective_to=None,
                    )  # fmt: skip
                )
        return code

    def account_row(self, number: str) -> dict[str, Any]:
        """Every column of an account as the audit trail records it."""
        with self.admin.uow.read() as session:
            account = session.scalars(
                select(m.Account).where(m.Account.account_number == number)
            ).one()
            return audit.snapshot(account)

    def request(self, request_id: int) -> m.ApprovalRequest:
        with self.admin.uow.read() as session:
            row = session.get(m.ApprovalRequest, request_id)
            assert row is not None
            return row

    def audit_count(self) -> int:
        with self.admin.uow.read() as session:
            return int(session.scalar(select(func.count()).select_from(m.AuditEntry)) or 0)

    def audit_entries(self, after_seq: int = 0) -> list[m.AuditEntry]:
        with self.admin.uow.read() as session:
            return list(
                session.scalars(
                    select(m.AuditEntry)
                    .where(m.AuditEntry.seq > after_seq)
                    .order_by(m.AuditEntry.seq)
                )
            )
