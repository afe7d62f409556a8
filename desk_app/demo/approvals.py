"""The demo book's approval queue: account changes clerks asked for, some already decided.

Each request is written exactly as `AccountService` would file it (the same summary,
target and canonical ``{"before", "after"}`` proposal), so the Approvals tab can
show it beside its account and a supervisor can decide it. An approved request's
change is in its account (version 2, updated when it was approved); pending,
rejected and withdrawn ones left their account as it was (version 1).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.db.sealing import note_written
from desk_app.db.tax_id_vault import keep
from desk_app.demo.book import Account, Book, Trade, stamped
from desk_app.demo.catalogue_people import (
    OFFICES,
    REGISTERED_REPS,
    STATES,
    holder,
    tax_id,
)
from desk_app.demo.parties import JOBS
from desk_app.demo.parties import born_between as born
from desk_app.domain import account_rules, registration_rules
from desk_app.domain.audit_chain import canonical_json
from desk_app.domain.codes import AccountStatus, RegistrationType
from desk_app.domain.money import canonical
from desk_app.domain.permissions import Action
from desk_app.domain.states import ApprovalStatus, TradeStatus
from desk_app.services.accounts import parties as party_rows
from desk_app.services.accounts.maintenance import summary as opening_summary
from desk_app.services.settlement.obligations import obligation_of
from desk_app.services.trading.trades import supervised_because

_P = ApprovalStatus


@dataclass(frozen=True)
class _Plan:
    """One request of the queue: what, who, when (trade days back, UTC hour), and outcome."""

    action: Action
    change: str  # "registered_rep", "residence_state", "restrict" or "open"
    maker: str
    days_back: int
    hour: int
    reason: str
    outcome: ApprovalStatus = _P.PENDING
    decider: str | None = None
    hours_to_decide: int = 0
    note: str | None = None


_A, _S, _O = Action.ACCOUNT_AMEND, Action.ACCOUNT_SET_STATUS, Action.ACCOUNT_OPEN
_L = Action.ACCOUNT_LIFT_RESTRICTION
PLANS = (
    _Plan(_A, "registered_rep", "jmorales", 0, 21,
          "{old} left the branch; book reassigned per the branch manager's memo"),
    _Plan(_A, "residence_state", "dkowalski", 0, 15,
          "Client moved; change-of-address form and new driver's licence received"),
    _Plan(_S, "close", "tnguyen", 1, 19,
          "Client moved everything to another firm and asked in writing to close the account"),
    _Plan(_L, "legal-hold", "dkowalski", 0, 11,
          "The court withdrew the subpoena; counsel's letter of release on file"),
    _Plan(_O, "open", "jmorales", 2, 14,
          "New account form, W-9 and CIP documents received at the branch"),
    _Plan(_A, "registered_rep", "tnguyen", 4, 17, "Client asked to move to {new}"),
    _Plan(_A, "registered_rep", "dkowalski", 6, 16,
          "Client asked to move to {new} after the branch reorganisation",
          _P.APPROVED, "mobrien", 3, "Signed transfer letter on file"),
    _Plan(_L, "stop-transfer", "jmorales", 8, 14,
          "The joint owners settled their dispute; signed agreement from both received",
          _P.APPROVED, "sgoldberg", 1, "Agreement and counsel's letter seen"),
    _Plan(_O, "open", "tnguyen", 3, 18, "Walk-in client; application completed with the rep",
          _P.REJECTED, "sgoldberg", 5,
          "CIP incomplete: no government photo ID on file. Resubmit with a copy of the ID."),
    _Plan(_A, "residence_state", "dkowalski", 2, 20, "Client moved (phone call)",
          _P.WITHDRAWN, "dkowalski", 1),
)  # fmt: skip


def make_approvals(book: Book, trades: Sequence[Trade] = ()) -> int:
    """File `PLANS` against distinct open accounts (applying the approved ones), and
    two pending requests to correct trades whose settlement date has passed."""
    rng = book.rng
    days = [d for d in book.days if d < book.today]
    targets = [a for a in book.accounts if _amendable(a)]
    chosen = iter(rng.sample(targets, sum(p.action in (_A, _S) for p in PLANS)))
    numbers = {a.row["account_number"] for a in book.accounts}
    rows = []
    for plan in PLANS:
        made_at = book.at(days[-1 - plan.days_back], plan.hour, rng.randrange(60))
        decided_at = made_at + timedelta(hours=plan.hours_to_decide, minutes=rng.randrange(60))
        if plan.action is _O:
            row = _open_request(book, plan, numbers)
        elif plan.action is _L:
            row = _lift_request(book, plan, decided_at)
        else:
            account = next(chosen)
            row = _account_request(book, plan, account)
            if plan.outcome is _P.APPROVED:
                _apply(book, account, row, decided_at)
        decided = plan.outcome is not _P.PENDING
        row.update(
            maker=plan.maker, made_at=made_at, status=plan.outcome,
            decided_by=plan.decider if decided else None,
            decided_at=decided_at if decided else None, decision_note=plan.note,
            maker_login=None, decided_login=None,  # history: no login proved them
            password_hash=None, decided_txid=None,
        )  # fmt: skip
        stamped(row, decided_at if decided else made_at)
        row["version"] = 2 if decided else 1  # filed, then decided
        rows.append(row)
    rows += _trade_requests(book, trades, days)
    rows.sort(key=lambda row: row["made_at"])  # ids in the order the requests came in
    bulk_insert(book.session, m.ApprovalRequest, rows)
    return len(rows)


def _amendable(account: Account) -> bool:
    row = account.row
    plain = (RegistrationType.INDIVIDUAL, RegistrationType.JOINT_JTWROS, RegistrationType.TOD)
    return (
        row["status"] is AccountStatus.OPEN
        and row["residence_country"] == "US"
        and row["registration_type"] in plain
    )


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """The account's values as `AccountService` reads them (JSON-ready, before any change)."""
    values = {key: row[key] for key in account_rules.AMENDABLE if key != "tax_id"}
    values.update(
        tax_id=row["tax_id_masked"], tax_id_ref=row["tax_id_ref"], status=row["status"],
        closed_on=row["closed_on"], version=row["version"],
    )  # fmt: skip
    return {
        k: v.value if isinstance(v, RegistrationType | AccountStatus) else v
        for k, v in values.items()
    }


def _account_request(book: Book, plan: _Plan, account: Account) -> dict[str, Any]:
    number, now = account.row["account_number"], _shown(account.row)
    if plan.change == "close":
        summary = f"Close {number}"
        before = {"status": now["status"], "closed_on": _iso(now["closed_on"])}
        after: dict[str, Any] = {"status": AccountStatus.CLOSED.value}
        reason = plan.reason
    else:
        old = now[plan.change]
        if plan.change == "registered_rep":
            choices = [rep for rep in REGISTERED_REPS if rep != old]
        else:
            choices = [state for state, _ in STATES if state != old]
        after = account_rules.clean_fields({plan.change: book.rng.choice(choices)})
        before = {plan.change: old}
        summary = f"Amend {number}: {plan.change.replace('_', ' ')}"
        reason = plan.reason.format(old=old, new=after[plan.change])
    return _request(plan, f"accounts:{number}", summary, before=before, after=after,
                    reason=reason, target=(account.id, now["version"]))  # fmt: skip


def _open_request(book: Book, plan: _Plan, numbers: set[str]) -> dict[str, Any]:
    """A new client's account, under a number nobody uses yet; its tax id in the vault."""
    rng = book.rng
    while (number := f"{rng.choice(OFFICES)}-{rng.randrange(10000, 100000):05d}") in numbers:
        pass
    numbers.add(number)
    kind = rng.choice((RegistrationType.INDIVIDUAL, RegistrationType.JOINT_JTWROS))
    who = holder(rng, kind, book.today, book.today)
    values = account_rules.clean_fields({
        "name": who.name, "registration_type": kind.value,
        "registered_rep": rng.choice(REGISTERED_REPS), "tax_id": tax_id(rng, False, book.tax_ids),
        "residence_state": who.state or "NY",
    })  # fmt: skip
    values.setdefault("residence_country", "US")
    values.setdefault("base_currency", "USD")
    # The client's own details from a source of their own: the rest of the book stays as it was.
    own = random.Random(f"opening {number}")
    address = who.address.partition("\n")[2]

    def person(role: str, name: str, ssn: str) -> dict[str, Any]:
        """A person with FINRA 4512's essentials, as the application form gives them."""
        job, employer = own.choice(JOBS)
        return {"role": role, "kind": "person", "name": name, "tax_id": ssn,
                "address": address, "date_of_birth": born(own, book.today, 25, 85).isoformat(),
                "citizenship": who.country, "occupation": job, "employer": employer}  # fmt: skip

    given = [person("owner", who.holder, values["tax_id"])]
    if kind is RegistrationType.JOINT_JTWROS:
        second = who.name.removesuffix(" JTWROS").partition(" & ")[2]
        given.append(person("joint-owner", second, tax_id(own, False, book.tax_ids)))
    parties = [registration_rules.clean_party(p, i, book.today) for i, p in enumerate(given)]
    ref, masked = keep(book.session, values["tax_id"])
    kept = party_rows.keep_tax_ids(book.session, parties)  # as filing keeps them
    after = {"account_number": number, **values, "tax_id": masked, "tax_id_ref": ref,
             **party_rows.lines([], kept)[1]}  # fmt: skip
    summary = opening_summary(f"Open {number} ({values['name']})", kept)
    terms = {"parties": kept, "parties_before": []}
    return _request(plan, f"accounts:{number}", summary, before={}, after=after,
                    reason=plan.reason, terms=terms)  # fmt: skip


def _lift_request(book: Book, plan: _Plan, decided_at: datetime) -> dict[str, Any]:
    """A request to lift the first restriction of the plan's kind, as `RestrictionService`
    files it; an approved one is lifted by its decider."""
    item = next(r for r in book.restrictions if r.kind.value == plan.change)
    row, number = item.row, item.account.row["account_number"]
    before = {
        "account": number, "kind": item.kind.label, "reason": row["reason"],
        "from": _iso(row["starts_on"]), "until": _iso(row["ends_on"]),
        "placed_by": row["placed_by"], "state": "not lifted", "version": 1,
    }  # fmt: skip
    summary = f"Lift {item.kind.label.lower()} on {number} (restriction {item.id})"
    request = _request(plan, f"account_restrictions:{item.id}", summary, before=before,
                       after={"state": "lifted"}, reason=plan.reason, target=(item.id, 1),
                       table="account_restrictions")  # fmt: skip
    if plan.outcome is _P.APPROVED:
        assert plan.decider is not None
        lifted = {"lifted_by": plan.decider, "lifted_at": decided_at,
                  "lift_reason": f"{plan.reason} (asked by {plan.maker})"[:500],
                  "version": 2, "updated_at": decided_at}  # fmt: skip
        book.session.connection().execute(
            update(m.AccountRestriction).where(m.AccountRestriction.id == item.id).values(lifted)
        )
        row.update(lifted)
        note_written(book.session, m.AccountRestriction.__tablename__, [item.id])
    return request


def _request(
    plan: _Plan, key: str, summary: str, *, before: dict[str, Any], after: dict[str, Any],
    reason: str, target: tuple[int | None, int | None] = (None, None), table: str = "accounts",
    terms: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A request row as `ApprovalService.file` writes it; ``target`` is (id, version)."""
    target_id, target_version = target
    return {
        "action": plan.action.value, "target_table": table, "target_id": target_id,
        "target_version": target_version, "target_key": key, "summary": summary[:200],
        "proposal": canonical_json(
            {"before": before, "after": after} | ({} if terms is None else {"terms": terms})
        ),
        "reason": reason[:500],
    }  # fmt: skip


def _apply(book: Book, account: Account, request: dict[str, Any], when: datetime) -> None:
    """An approved request's change, as the approval handler made it: version 1 -> 2."""
    after = dict(json.loads(request["proposal"])["after"])
    if "status" in after:
        after["status"] = AccountStatus(after["status"])
        after["closed_on"] = None
    book.session.connection().execute(  # plain SQL, like the bulk rows it changes
        update(m.Account)
        .where(m.Account.id == account.id)
        .values(**after, version=2, updated_at=when)
    )
    account.row.update(after, version=2, updated_at=when)
    note_written(book.session, m.Account.__tablename__, [account.id])  # sealed at commit


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _trade_requests(book: Book, trades: Sequence[Trade], days: list[date]) -> list[dict[str, Any]]:
    """A late cancel and a late price correction, as `TradeService` files them."""
    open_accounts = {a.id for a in book.accounts if a.row["status"] is AccountStatus.OPEN}
    recent = [
        t for t in trades
        if t.row["status"] is TradeStatus.ACTIVE and t.row["version_no"] == 1
        and t.row["account_id"] in open_accounts
        and days[-6] <= t.row["settle_date"] < book.today and not t.exception
    ]  # fmt: skip
    if len(recent) < 2:
        return []
    late_cancel, late_price = book.rng.sample(recent, 2)
    rows = []
    for trade, maker, back, hour in (
        (late_cancel, "tnguyen", 0, 19),
        (late_price, "jmorales", 1, 16),
    ):
        row = trade.row
        stored = book.session.get_one(m.Trade, trade.id)
        because = supervised_because(stored, obligation_of(book.session, trade.id), book.today)
        if trade is late_cancel:
            plan = _Plan(
                Action.TRADE_CANCEL_SETTLING,
                "cancel",
                maker,
                back,
                hour,
                "Client says the order was never placed; recording under dispute",
            )
            before, after = {"status": "active"}, {"status": "cancelled"}
            summary = f"Cancel trade {trade.id} ({because})"
        else:
            plan = _Plan(
                Action.TRADE_AMEND_SETTLING,
                "price",
                maker,
                back,
                hour,
                "Execution report shows a better price; the client is owed the difference",
            )
            old = canonical(row["price"])
            tick = Decimal("0.125") if trade.inst.kind.quoted_in_percent_of_par else Decimal("0.01")
            before, after = {"price": str(old)}, {"price": str(canonical(old - tick))}
            summary = f"Amend trade {trade.id}: price"
        request = _request(
            plan,
            f"trades:{trade.id}",
            summary,
            before=before,
            after=after,
            reason=plan.reason,
            target=(trade.id, row["version"]),
        )
        made_at = book.at(days[-1 - back], hour, book.rng.randrange(60))
        request.update(
            target_table="trades",
            maker=maker,
            made_at=made_at,
            status=_P.PENDING,
            decided_by=None,
            decided_at=None,
            decision_note=None,
            maker_login=None,
            decided_login=None,
            password_hash=None,
            decided_txid=None,
        )
        rows.append(stamped(request, made_at))
    return rows  # fmt: skip
