"""What a trade version must settle: its obligation, made from the trade and the SSIs.

Used when a correction replaces a trade version (the old obligation is cancelled,
the new version gets its own) and by the settlement run for trades without one; and
by the accounts area when an account's status changes (`account_status_changed`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.settlement_rules import NOT_STARTED
from desk_app.domain.states import OBLIGATION, ObligationStatus, TradeStatus
from desk_app.services.settlement.exception_checks import recheck, touching
from desk_app.services.settlement.obligation_run import obligation_values
from desk_app.services.settlement.obligation_run import share_run_lock as _share_run_lock


def hold_off_settlement_run(session: Session) -> None:
    """Keep a settlement run from reading trade versions this transaction is replacing.

    Trading calls it before it supersedes a trade version: the run waits until this
    transaction commits, so it never makes an obligation for the old version.
    """
    _share_run_lock(session)


def account_status_changed(session: Session, account_id: int, on: date | None = None) -> None:
    """An account was closed, restricted or reopened: its open obligations' exceptions
    are checked again in the same transaction (cleared or raised; see exception_checks),
    with its restrictions as they stand on ``on`` (default: New York's today)."""
    recheck(session, touching(account_id=account_id), on)


def obligation_of(session: Session, trade_id: int) -> m.SettlementObligation | None:
    return session.scalars(
        select(m.SettlementObligation).where(m.SettlementObligation.trade_id == trade_id)
    ).one_or_none()


def settlement_started(obligation: m.SettlementObligation | None) -> bool:
    """Instructed, matched, failing or (partly) settled: the street already knows of it."""
    return obligation is not None and obligation.status not in NOT_STARTED


def new_obligation(
    session: Session, trade: m.Trade, note: str | None = None
) -> m.SettlementObligation:
    """A pending obligation for ``trade`` (added to the session), against payment.

    Its values are the settlement run's (`obligation_run.obligation_values`): the SSI
    in force, and a missing SSI or a closed or restricted account as its exception,
    unless ``note`` gives the exception.
    """
    session.flush()  # the trade as the SELECT reads it
    values = dict(session.execute(obligation_values(m.Trade.id == trade.id)).mappings().one())
    if note:
        values["exception_reason"] = note[:200]
    obligation = m.SettlementObligation(**values)
    session.add(obligation)
    return obligation


def replace_obligation(session: Session, old: m.Trade, new: m.Trade) -> None:
    """Move ``old``'s obligation over to ``new`` (a correction or a cancel).

    The old obligation is cancelled and the new version gets its own (unless it
    cancels the trade). When anything of the old one has already settled, nothing
    is regenerated: the old obligation stays, with an exception saying what to do,
    so that nothing settles twice.
    """
    _share_run_lock(session)  # a settlement run now would miss this change (see there)
    obligation = obligation_of(session, old.id)
    if obligation is None:
        return  # never generated: the settlement run will make one for the new version
    if obligation.net_id is not None:  # the net no longer adds up: its members go gross
        from desk_app.services.settlement.netting import dissolve

        dissolve(session, obligation.net_id, f"trade {old.id} corrected or cancelled")
    was = obligation.status
    moved = obligation.settled_quantity > 0 or obligation.settled_amount > 0
    if was is ObligationStatus.SETTLED or moved:
        # What moved cannot be taken back here, and a second full obligation would
        # settle twice: the old one stays, flagged, for the settlement desk.
        done = f"{obligation.settled_quantity} of {obligation.quantity}"
        what = "reverse it" if new.status is TradeStatus.CANCELLED else "settle the difference"
        obligation.exception_reason = (
            f"Trade {'cancelled' if new.status is TradeStatus.CANCELLED else 'amended'} "
            f"(version {new.version_no}) after {done} settled: {what} with the counterparty"
        )[:200]
        if new.status is not TradeStatus.CANCELLED:
            # The new version settles through the old obligation: it gets a closed
            # one saying so, so that no settlement run makes it a second, full one.
            session.flush()
            placeholder = new_obligation(
                session, new, f"Settles through obligation {obligation.id} (see there)"
            )
            placeholder.status = ObligationStatus.CANCELLED
        return
    if OBLIGATION.can(was, ObligationStatus.CANCELLED):
        obligation.status = ObligationStatus.CANCELLED
        obligation.status_changed_at = datetime.now(UTC)
    if new.status is TradeStatus.CANCELLED:
        return
    session.flush()  # the new version's id
    new_obligation(session, new)
