"""The executor of a sole holder's estate: one supervised amendment names them and retitles.

A sole account (individual, UGMA/UTMA) passes to its executor. Until the letters name
one, the case waits for the executor: nothing is filed at the death. Adding the
executor files ONE amendment of the account that retitles it "Estate of <decedent>"
(registration *estate*), adds the executor as a party (role executor) and, when
given, sets the account's tax id to the estate's own EIN (kept in the tax-id vault,
shown masked). Approving it re-checks the registration rules, so no estate account
exists without an executor. While one such amendment waits, a second is refused.

Read and filed inside the caller's unit of work.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db import tax_id_vault
from desk_app.domain import estate_rules as rules
from desk_app.domain import registration_rules
from desk_app.domain.codes import PartyRole, RegistrationType
from desk_app.domain.errors import ValidationError
from desk_app.domain.estate_rules import EstatePath
from desk_app.domain.identifiers import validate_tax_id
from desk_app.domain.permissions import Action
from desk_app.domain.states import ApprovalStatus
from desk_app.services.accounts import parties as party_rows
from desk_app.services.accounts.maintenance import SHOWN, TABLE
from desk_app.services.supervision.approvals import Proposal

WAITING = "waiting for the executor"


@dataclass(frozen=True)
class ExecutorState:
    """Where a sole account's case stands with its executor (empty: not that kind of case)."""

    text: str = ""  # "waiting for the executor", "executor retitle pending in request 12", ...
    pending: int | None = None  # the executor retitle waiting for approval
    names: tuple[str, ...] = ()  # the executors: on record, else the one the pending request names
    address: str = ""  # the first executor's address (the deficiency letter's addressee)


def takes_executor(case: m.EstateCase) -> bool:
    """A case whose account is retitled to its estate under an executor (a sole account's)."""
    return case.path is EstatePath.EXECUTOR and rules.retitled(case.registration)


def _pending(session: Session, case: m.EstateCase) -> m.ApprovalRequest | None:
    if case.retitle_request_id is None:
        return None
    request = session.get(m.ApprovalRequest, case.retitle_request_id)
    return request if request and request.status is ApprovalStatus.PENDING else None


def _named(request: m.ApprovalRequest) -> list[Mapping[str, Any]]:
    terms = json.loads(request.proposal).get("terms") or {}
    return [p for p in terms.get("parties", []) if p.get("role") == PartyRole.EXECUTOR.value]


def state_of(session: Session, case: m.EstateCase) -> ExecutorState:
    """The executor's state of ``case``, read fresh from the parties and the request."""
    if not takes_executor(case):
        return ExecutorState()
    on_record = [p for p in party_rows.rows(session, case.account_id)
                 if p.role is PartyRole.EXECUTOR]  # fmt: skip
    pending = _pending(session, case)
    if pending is not None:
        named = _named(pending)
        names = tuple(p.name for p in on_record) or tuple(str(p["name"]) for p in named)
        first = on_record[0].address if on_record else (named[0].get("address") if named else "")
        who = " and ".join(str(p["name"]) for p in named if p.get("id") is None)
        text = f"executor retitle pending in request {pending.id}" + (f" ({who})" if who else "")
        return ExecutorState(text, pending.id, names, str(first or ""))
    if not on_record:
        return ExecutorState(WAITING)
    names = tuple(p.name for p in on_record)
    retitled = case.account.registration_type is RegistrationType.ESTATE
    text = ("retitled to the estate; executor " if retitled else "executor on record: ") + (
        " and ".join(names)
    )
    if not retitled:
        text += "; Add executor… files the retitle"
    return ExecutorState(text, None, names, on_record[0].address or "")


def refusal(session: Session, case: m.EstateCase) -> str | None:
    """Why the executor cannot be added to ``case`` now; None when it can."""
    if not takes_executor(case):
        return (
            f"case {case.id} goes by {case.path.short.lower()}: only a sole account's case is "
            "retitled to its estate under an executor"
        )
    pending = _pending(session, case)
    if pending is not None:
        return (
            f"the executor retitle of case {case.id} already waits for approval in request "
            f"{pending.id}; a principal approves or rejects it first"
        )
    return None


def proposal(
    session: Session, case: m.EstateCase, party: Mapping[str, Any], ein: str, today: date
) -> Proposal:
    """The amendment naming ``party`` executor (with ``ein``, the estate's): every problem
    with what was given is refused at once, each named by its field."""
    why = refusal(session, case)
    if why is not None:
        raise ValidationError("case", why, str(case.id))
    holder = case.account
    before_parties = party_rows.current(session, holder.id)
    given = {k: v for k, v in party.items() if k not in ("id", "tax_id_ref", "role")}
    given["role"] = PartyRole.EXECUTOR.value
    # The same executor already on the account (a party change): their row is kept.
    same = next((p for p in before_parties if p["role"] == PartyRole.EXECUTOR.value
                 and str(p["name"]).casefold() == str(given.get("name", "")).strip().casefold()),
                None)  # fmt: skip
    if same is not None:
        given = {**same, **{k: v for k, v in given.items() if v not in (None, "")},
                 "name": same["name"]}  # fmt: skip
    at = len(before_parties) if same is None else before_parties.index(same)
    problems = [
        f"{p.field.replace(registration_rules.where(at), 'executor')}: {p.reason}"
        for p in registration_rules.party_problems(given, at, today)
    ]
    shown_ein: str | None = None
    if ein.strip():
        try:
            shown_ein = validate_tax_id(ein, "ein", kind="ein")
        except ValidationError as bad:
            problems.append(f"ein: {bad.reason}")
    if problems:
        raise ValidationError("executor", "; ".join(problems))
    cleaned = registration_rules.clean_party(given, at, today)
    parties = [*before_parties]
    if same is None:
        parties.append(cleaned)
    else:
        parties[at] = cleaned
    registration_rules.check_record(RegistrationType.ESTATE, parties, today)
    kept = party_rows.keep_tax_ids(session, parties)
    was, will = party_rows.lines(before_parties, kept)
    now = _now(holder)
    decedent = case.decedent or holder.name.removeprefix("Estate of ")
    after: dict[str, Any] = {
        "name": f"Estate of {decedent}"[:200],
        "registration_type": RegistrationType.ESTATE.value,
    }
    if shown_ein is not None:
        ref, masked = tax_id_vault.keep(session, shown_ein)
        after.update(tax_id=masked, tax_id_ref=ref)
    after = {k: v for k, v in after.items() if now.get(k) != v}
    before = {k: now[k] for k in after}
    before.update(was)
    after.update(will)
    if not after:
        raise ValidationError("executor", f"{cleaned['name']} is already the executor on record")
    return Proposal(
        Action.ACCOUNT_AMEND, TABLE, f"{TABLE}:{holder.account_number}",
        f"Retitle {holder.account_number} to Estate of {decedent}, executor {cleaned['name']}",
        before, after, holder.id, holder.version,
        terms={"parties": kept, "parties_before": before_parties},
    )  # fmt: skip


def _now(account: m.Account) -> dict[str, Any]:
    from desk_app.services import audit

    snap = audit.snapshot(account)
    snap["tax_id"] = snap["tax_id_masked"]
    return {key: snap[key] for key in SHOWN}
