"""Account maintenance: opening, amending and restricting or closing are supervised."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db import tax_id_vault
from desk_app.domain import account_rules
from desk_app.domain.codes import AccountStatus, RegistrationType
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.states import ACCOUNT
from desk_app.services import audit
from desk_app.services.settlement.obligations import account_status_changed
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

TABLE = "accounts"
#: What a request shows of an account (and compares for staleness via ``version``): its
#: ``tax_id`` is the masked text, ``tax_id_ref`` the vault's row holding the full value.
SHOWN = (*account_rules.AMENDABLE, "tax_id_ref", "status", "closed_on", "version")


def _values(account: m.Account) -> dict[str, Any]:
    snap = audit.snapshot(account)
    snap["tax_id"] = snap["tax_id_masked"]
    return {key: snap[key] for key in SHOWN}


def _tax_id_columns(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Take a proposal's tax id out of ``values``: the account columns it sets.

    A request filed before the vault existed holds the full value, which goes into
    the vault now; one filed since holds the vault's reference and the masked text.
    """
    if "tax_id" not in values:
        return {}
    shown, ref = values.pop("tax_id"), values.pop("tax_id_ref", None)
    if shown and ref is None:
        ref, shown = tax_id_vault.keep(session, str(shown))
    return {"tax_id_ref": ref, "tax_id_masked": shown or None}


def _find(session: Session, number: str) -> m.Account:
    account = session.scalars(
        select(m.Account).where(m.Account.account_number == number.strip().upper())
    ).one_or_none()
    if account is None:
        raise DeskError(f"account {number.strip()}: no such account")
    return account


@dataclass(frozen=True)
class AccountRecord:
    """An account as a form shows it (tax id masked)."""

    account_number: str
    values: Mapping[str, Any]
    version: int


class AccountService:
    """Requests for account changes; the approved change is applied by the handlers below."""

    def __init__(
        self,
        uow: UnitOfWork,
        approvals: ApprovalService,
        today: Callable[[], date] | None = None,
    ) -> None:
        self._uow = uow
        self._approvals = approvals
        clock = today or new_york_today
        for handler in (_OpenHandler(clock), _AmendHandler(clock), _StatusHandler(clock)):
            approvals.register(handler)

    def record(self, number: str) -> AccountRecord:
        with self._uow.read() as session:
            account = _find(session, number)
            values = _values(account)
            del values["tax_id_ref"]
            return AccountRecord(account.account_number, values, account.version)

    def request_open(self, number: str, fields: Mapping[str, Any], reason: str) -> int:
        """Ask for a new account; a principal's approval creates it."""
        number = account_rules.clean_account_number(number)
        values = account_rules.clean_fields(fields)
        for required in ("name", "registration_type", "registered_rep"):
            if not values.get(required):
                raise ValidationError(required, "is required to open an account")
        values.setdefault("residence_country", "US")
        values.setdefault("base_currency", "USD")
        with self._uow.read() as session:
            exists = session.scalars(
                select(m.Account.id).where(m.Account.account_number == number)
            ).first()
        if exists is not None:
            raise ValidationError("account_number", "is already an account", number)
        proposal = Proposal(
            Action.ACCOUNT_OPEN, TABLE, f"{TABLE}:{number}",
            f"Open {number} ({values['name']})", {}, {"account_number": number, **values},
        )  # fmt: skip
        return self._file(proposal, reason)

    def request_amend(self, number: str, changes: Mapping[str, Any], reason: str) -> int:
        """Ask to change an account's details; only fields that really change are kept."""
        cleaned = account_rules.clean_fields(changes)
        with self._uow.read() as session:
            account = _find(session, number)
            now = _values(account)
        changed = {k: v for k, v in cleaned.items() if now.get(k) != v}
        if not changed:
            raise ValidationError("changes", "nothing would change")
        names = ", ".join(sorted(k.replace("_", " ") for k in changed))
        before = {k: now[k] for k in changed}
        if "tax_id" in changed:
            before["tax_id_ref"] = now["tax_id_ref"]
        proposal = Proposal(
            Action.ACCOUNT_AMEND, TABLE, f"{TABLE}:{account.account_number}",
            f"Amend {account.account_number}: {names}",
            before, changed, account.id, now["version"],
        )  # fmt: skip
        return self._file(proposal, reason)

    def _file(self, proposal: Proposal, reason: str) -> int:
        """File ``proposal``; a full tax id in it goes into the vault in the same unit of
        work, and the request keeps only the vault's reference and the masked text.

        A typed tax id is always a change: the vault is not searched for equal values
        (that would answer "is this number on the books?" to anyone who asks).
        """
        if "tax_id" not in proposal.after:
            return self._approvals.request(proposal, reason)
        full = proposal.after["tax_id"]
        if not full:  # cleared: nothing to keep
            after = {**proposal.after, "tax_id": None, "tax_id_ref": None}
            return self._approvals.request(replace(proposal, after=after), reason)
        if not reason.strip():
            raise ValidationError("reason", "say why the change is needed")
        with self._uow.write("approval.request", permission=proposal.action) as session:
            ref, masked = tax_id_vault.keep(session, str(full))
            after = {**proposal.after, "tax_id": masked, "tax_id_ref": ref}
            return self._approvals.file(session, replace(proposal, after=after), reason.strip())

    def request_status(self, number: str, status: AccountStatus | str, reason: str) -> int:
        """Ask to restrict, close or reopen an account."""
        target = AccountStatus(status)
        with self._uow.read() as session:
            account = _find(session, number)
            now = _values(account)
        ACCOUNT.check(account.status, target)
        verb = {"open": "Reopen", "restricted": "Restrict", "closed": "Close"}[target.value]
        after: dict[str, Any] = {"status": target.value}
        if now["closed_on"] is not None:
            after["closed_on"] = None  # reopening clears the closing date (a close sets it)
        proposal = Proposal(
            Action.ACCOUNT_SET_STATUS, TABLE, f"{TABLE}:{account.account_number}",
            f"{verb} {account.account_number}",
            {"status": now["status"], "closed_on": now["closed_on"]}, after,
            account.id, now["version"],
        )  # fmt: skip
        return self._approvals.request(proposal, reason)

    def reveal_tax_id(self, number: str) -> str:
        """The full tax id, out of the vault; revealing it is itself an audit entry (and,
        in the vault, a row of ``tax_id_reveals``)."""
        actor = self._uow.actor
        with self._uow.write(Action.REVEAL_TAX_ID) as session:
            account = _find(session, number)
            value = tax_id_vault.reveal(session, account, actor.username, actor.db_login)
            audit.record_event(session, TABLE, account.id, {"revealed": "tax_id"})
            return value


def amend_proposal(session: Session, account: m.Account, changes: Mapping[str, Any]) -> Proposal:
    """An amendment of ``account`` as a request proposes it, for a service that files it in
    its own unit of work (an estate's retitle); no tax id among ``changes``."""
    now = _values(account)
    changed = {k: v for k, v in account_rules.clean_fields(changes).items() if now.get(k) != v}
    if not changed or "tax_id" in changed:
        raise ValidationError("changes", "nothing would change")
    names = ", ".join(sorted(k.replace("_", " ") for k in changed))
    return Proposal(
        Action.ACCOUNT_AMEND, TABLE, f"{TABLE}:{account.account_number}",
        f"Amend {account.account_number}: {names}",
        {k: now[k] for k in changed}, changed, account.id, now["version"],
    )  # fmt: skip


def new_york_today() -> date:
    """The firm's business date: an account opened at 21:00 in New York opens that day,
    though UTC has moved on (a trade dated today must not predate the account)."""
    return market_today()


class _AccountHandler:
    action: Action

    def __init__(self, today: Callable[[], date]) -> None:
        self._today = today

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        if request.target_id is None:
            return None
        account = session.get(m.Account, request.target_id)
        return None if account is None else _values(account)

    def _account(self, session: Session, request: m.ApprovalRequest) -> m.Account:
        account = session.get(m.Account, request.target_id)
        if account is None:
            raise DeskError(f"request {request.id}: the account no longer exists")
        return account


class _OpenHandler(_AccountHandler):
    action = Action.ACCOUNT_OPEN

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        number = request.target_key.partition(":")[2]
        account = session.scalars(
            select(m.Account).where(m.Account.account_number == number)
        ).one_or_none()
        return None if account is None else _values(account)

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        if self.current(session, request) is not None:
            raise DeskError(f"request {request.id}: {request.target_key} was opened meanwhile")
        values = dict(after)
        tax_id = _tax_id_columns(session, values)
        session.add(
            m.Account(
                account_number=values.pop("account_number"),
                registration_type=RegistrationType(values.pop("registration_type")),
                status=AccountStatus.OPEN,
                opened_on=self._today(),
                **values,
                **tax_id,
            )
        )


class _AmendHandler(_AccountHandler):
    action = Action.ACCOUNT_AMEND

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        account = self._account(session, request)
        values = dict(after)
        tax_id = _tax_id_columns(session, values)
        for key, value in account_rules.clean_fields(values).items():
            typed = RegistrationType(value) if key == "registration_type" else value
            setattr(account, key, typed)
        for key, value in tax_id.items():
            setattr(account, key, value)


class _StatusHandler(_AccountHandler):
    action = Action.ACCOUNT_SET_STATUS

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        account = self._account(session, request)
        account.status = ACCOUNT.check(account.status, AccountStatus(after["status"]))
        account.closed_on = self._today() if account.status is AccountStatus.CLOSED else None
        # Closed, restricted or reopened: its obligations' exceptions follow, in this transaction.
        account_status_changed(session, account.id)
