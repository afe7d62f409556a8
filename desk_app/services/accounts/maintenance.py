"""Account maintenance: opening, amending, closing and reopening are supervised.

Restricting is not a status any more: see `restriction_service`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db import tax_id_vault
from desk_app.domain import account_rules, registration_rules
from desk_app.domain.codes import AccountStatus, PartyRole, RegistrationType, RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError, refuse
from desk_app.domain.permissions import Action
from desk_app.domain.states import ACCOUNT
from desk_app.services import audit
from desk_app.services.accounts import parties as party_rows
from desk_app.services.accounts import restrictions
from desk_app.services.accounts.parties import PartyRecord
from desk_app.services.settlement.obligations import account_status_changed
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

TABLE = "accounts"
#: What a request shows of an account (and compares for staleness via ``version``): its
#: ``tax_id`` is the masked text, ``tax_id_ref`` the vault's row holding the full value.
SHOWN = (*account_rules.AMENDABLE, "tax_id_ref", "status", "closed_on", "accepted_by", "version")


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
    #: Its parties now, as a request carries them (tax ids masked, birth dates to the year).
    parties: tuple[Mapping[str, Any], ...] = ()


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
            parties = tuple(p.values for p in party_rows.records(session, account.id))
            return AccountRecord(account.account_number, values, account.version, parties)

    def parties(self, number: str) -> list[PartyRecord]:
        """The account's parties now, in order (tax ids masked, birth dates to the year)."""
        with self._uow.read() as session:
            return party_rows.records(session, _find(session, number).id)

    def request_open(
        self,
        number: str,
        fields: Mapping[str, Any],
        reason: str,
        parties: Sequence[Mapping[str, Any]] | None = None,
    ) -> int:
        """Ask for a new account with its parties (one request); approval creates them.

        Without parties, an individual, IRA or corporate account's own name, tax id and
        mailing address make its one owner; a person's date of birth, occupation and
        employer are not account fields, so an individual or IRA account opened that way
        is refused naming them (FINRA 4512): it names its owner as a party. Every
        problem is raised at once.
        """
        problems: list[ValidationError] = []
        try:
            number = account_rules.clean_account_number(number)
        except ValidationError as error:
            problems.append(error)
        values, problems_of_fields = account_rules.checked_fields(fields)
        problems += problems_of_fields
        named = {p.field for p in problems}
        for required in ("name", "registration_type", "registered_rep"):
            if not values.get(required) and required not in named:
                problems.append(ValidationError(required, "is required to open an account"))
        values.setdefault("residence_country", "US")
        values.setdefault("base_currency", "USD")
        registration = values.get("registration_type")
        new: list[dict[str, Any]] = []
        if registration:
            given = registration_rules.implied_owner(values) if parties is None else parties
            new = [_new(p) for p in given]
            found = registration_rules.record_problems(registration, new, new_york_today())
            found += registration_rules.holder_problems(registration, values)
            problems += [ValidationError(p.field, p.reason) for p in found]
        if "account_number" not in named:
            with self._uow.read() as session:
                exists = session.scalars(
                    select(m.Account.id).where(m.Account.account_number == number)
                ).first()
            if exists is not None:
                problems.insert(0, ValidationError("account_number", "is already an account",
                                                   number))  # fmt: skip
        refuse(problems)
        cleaned = self._checked(values["registration_type"], new)
        proposal = Proposal(
            Action.ACCOUNT_OPEN, TABLE, f"{TABLE}:{number}",
            summary(f"Open {number} ({values['name']})", cleaned), {},
            {"account_number": number, **values},
        )  # fmt: skip
        return self._file(proposal, reason, cleaned)

    def request_amend(
        self,
        number: str,
        changes: Mapping[str, Any],
        reason: str,
        parties: Sequence[Mapping[str, Any]] | None = None,
    ) -> int:
        """Ask to change an account's details or its parties (``parties``: the whole new
        list, existing ones by their ``id``); only what really changes is kept."""
        cleaned = account_rules.clean_fields(changes)
        with self._uow.read() as session:
            account = _find(session, number)
            now = _values(account)
            before_parties = party_rows.current(session, account.id)
            stored = {int(p["id"]): p for p in before_parties}
        changed = {k: v for k, v in cleaned.items() if now.get(k) != v}
        new_parties = None
        if parties is not None or "registration_type" in changed:
            given = before_parties if parties is None else [_settled(p, stored) for p in parties]
            registration = changed.get("registration_type", now["registration_type"])
            holder = {**now, **changed}
            registration_rules.raise_all(
                registration_rules.record_problems(registration, given, new_york_today())
                + registration_rules.holder_problems(registration, holder)
            )
            new_parties = self._checked(registration, given)
            was, will = party_rows.lines(before_parties, new_parties)
            if not will:
                new_parties = None  # the parties stay as they are (and fit the registration)
            changed.update(will)
        if not changed:
            raise ValidationError("changes", "nothing would change")
        names = ", ".join(sorted(
            k.replace("_", " ") for k in changed if not k.startswith(party_rows.PREFIX)
        ) + (["parties"] if new_parties is not None else []))  # fmt: skip
        before = {k: now[k] for k in changed if k in now}
        if new_parties is not None:
            before.update(was)
        if "tax_id" in changed:
            before["tax_id_ref"] = now["tax_id_ref"]
        proposal = Proposal(
            Action.ACCOUNT_AMEND, TABLE, f"{TABLE}:{account.account_number}",
            summary(f"Amend {account.account_number}: {names}", new_parties),
            before, changed, account.id, now["version"],
        )  # fmt: skip
        return self._file(proposal, reason, new_parties, before_parties)

    def _checked(
        self, registration: str, parties: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """Each party cleaned, the set checked against the registration (every problem raised)."""
        today = new_york_today()
        cleaned = [registration_rules.clean_party(p, i, today) for i, p in enumerate(parties)]
        registration_rules.check_record(registration, cleaned, today)
        return cleaned

    def _file(
        self,
        proposal: Proposal,
        reason: str,
        parties: list[dict[str, Any]] | None = None,
        before_parties: list[dict[str, Any]] | None = None,
    ) -> int:
        """File ``proposal`` with ``parties`` (the account's new list, if it changes) in its
        terms; typed tax ids go into the vault in the same unit of work."""
        if parties is not None:
            if not reason.strip():
                raise ValidationError("reason", "say why the change is needed")
            with self._uow.write("approval.request", permission=proposal.action) as session:
                kept = party_rows.keep_tax_ids(session, parties)
                if proposal.action is Action.ACCOUNT_OPEN:
                    after = dict(proposal.after)
                    after.update(party_rows.lines([], kept)[1])
                    proposal = replace(proposal, after=after)
                terms = {"parties": kept, "parties_before": before_parties or []}
                proposal = replace(proposal, terms=terms)
                if proposal.after.get("tax_id") and "tax_id_ref" not in proposal.after:
                    ref, masked = tax_id_vault.keep(session, str(proposal.after["tax_id"]))
                    after = {**proposal.after, "tax_id": masked, "tax_id_ref": ref}
                    proposal = replace(proposal, after=after)
                return self._approvals.file(session, proposal, reason.strip())
        return self._file_account(proposal, reason)

    def _file_account(self, proposal: Proposal, reason: str) -> int:
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
        """Ask to close or reopen an account (a restriction is placed, not requested)."""
        target = AccountStatus(status)
        if target is AccountStatus.RESTRICTED:
            raise ValidationError(
                "status", "an account is restricted by placing a restriction (its kind, "
                "reason and dates), which holds at once: Place restriction… or accounts restrict",
            )  # fmt: skip
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

    def reveal_party_tax_id(self, number: str, party_id: int) -> str:
        """One party's full tax id, recorded as the account's is."""
        actor = self._uow.actor
        with self._uow.write(Action.REVEAL_TAX_ID) as session:
            account = _find(session, number)
            party = session.get(m.AccountParty, party_id)
            if party is None or party.account_id != account.id:
                raise DeskError(f"account {account.account_number} has no party {party_id}")
            value = tax_id_vault.reveal(
                session, account, actor.username, actor.db_login, party.tax_id_ref
            )
            audit.record_event(session, party_rows.TABLE, party.id, {"revealed": "tax_id"})
            return value

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


def summary(what: str, parties: Sequence[Mapping[str, Any]] | None) -> str:
    """``what``, then each party by role and name, as the approvals queue lists it.

    A request holds 200 characters of summary: parties beyond that are counted.
    """
    if not parties:
        return what
    named = [f"{PartyRole(p['role']).label.lower()} {p['name']}" for p in parties]
    for shown in range(len(named), 0, -1):
        rest = len(named) - shown
        text = f"{what} — " + ", ".join(named[:shown]) + (f" and {rest} more" if rest else "")
        if len(text) <= 200:
            return text
    return what


def _new(party: Mapping[str, Any]) -> dict[str, Any]:
    """A party the request adds: no id, and no vault reference but the one it makes."""
    return {k: v for k, v in party.items() if k not in ("id", "tax_id_ref")}


def _settled(party: Mapping[str, Any], stored: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """An existing party's masked tax id and date of birth, as they are in the record.

    Screens show them masked; what comes back masked is the stored value unchanged. The
    vault reference is always the record's own: a request cannot borrow another's.
    """
    if party.get("id") is None:
        return _new(party)
    was = stored.get(int(party["id"]))
    if was is None:
        raise ValidationError("parties", f"party {party['id']} is not one of the account's")
    out = {k: v for k, v in party.items() if k != "tax_id_ref"}
    if out.get("tax_id") and out["tax_id"] == was["tax_id"]:
        out["tax_id_ref"] = was["tax_id_ref"]
    if out.get("date_of_birth") and "*" in str(out["date_of_birth"]):
        out["date_of_birth"] = was["date_of_birth"]
    return out


def new_york_today() -> date:
    """The firm's business date: an account opened at 21:00 in New York opens that day,
    though UTC has moved on (a trade dated today must not predate the account)."""
    return market_today()


def _account_fields(after: Mapping[str, Any]) -> dict[str, Any]:
    """A request's account fields, without its parties' lines."""
    return {k: v for k, v in after.items() if not k.startswith(party_rows.PREFIX)}


def _terms(request: m.ApprovalRequest) -> dict[str, Any]:
    terms = json.loads(request.proposal).get("terms") or {}
    return dict(terms)


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
        values = _account_fields(after)
        tax_id = _tax_id_columns(session, values)
        number = values.pop("account_number")
        registration = RegistrationType(values.pop("registration_type"))
        account = m.Account(
            account_number=number, registration_type=registration, status=AccountStatus.OPEN,
            opened_on=self._today(), accepted_by=request.decided_by,
            **account_rules.typed(values), **tax_id,
        )  # fmt: skip
        session.add(account)
        session.flush()
        party_rows.apply(session, account, _terms(request).get("parties", []), self._today())


class _AmendHandler(_AccountHandler):
    action = Action.ACCOUNT_AMEND

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        values = super().current(session, request)
        terms = _terms(request)
        if values is None or "parties" not in terms:
            return values
        now = party_rows.current(session, int(request.target_id or 0))
        return {**values, **party_rows.lines(now, terms["parties"], every=True)[0]}

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        account = self._account(session, request)
        values = _account_fields(after)
        tax_id = _tax_id_columns(session, values)
        for key, value in account_rules.typed(account_rules.clean_fields(values)).items():
            setattr(account, key, value)
        for key, value in tax_id.items():
            setattr(account, key, value)
        terms = _terms(request)
        if "parties" in terms:
            party_rows.check_unchanged(session, account.id, terms["parties_before"])
            party_rows.apply(session, account, terms["parties"], self._today())
        if "parties" in terms or "registration_type" in values:
            # The registration rules again, as the record now stands: an estate account
            # is never left without its executor (a retitle filed before one was known).
            session.flush()
            problems = registration_rules.record_problems(
                account.registration_type, party_rows.current(session, account.id), self._today()
            )
            if problems:
                raise DeskError(
                    f"request {request.id}: {account.account_number} would break the "
                    f"{account.registration_type.label.lower()} registration's rules: "
                    + "; ".join(str(p) for p in problems)
                    + "; reject it and ask for a request that fits"
                )


class _StatusHandler(_AccountHandler):
    action = Action.ACCOUNT_SET_STATUS

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        account = self._account(session, request)
        if after["status"] == AccountStatus.RESTRICTED.value:
            # Asked for before restrictions were records: it becomes a transfer freeze.
            restrictions.place(
                session, account, RestrictionKind.TRANSFER_FREEZE, reason=request.reason,
                placed_by=audit.context_of(session).app_user, starts_on=self._today(),
            )  # fmt: skip
            return
        account.status = ACCOUNT.check(account.status, AccountStatus(after["status"]))
        account.closed_on = self._today() if account.status is AccountStatus.CLOSED else None
        # Closed, restricted or reopened: its obligations' exceptions follow, in this transaction.
        account_status_changed(session, account.id)
