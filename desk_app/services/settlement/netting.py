"""Netting: a counterparty's pending obligations in one instrument on one day, as one.

Optional, per settlement date. Pending obligations against payment with one
counterparty, in one instrument and currency, settling the same day, become one
**net**: the difference of what the clients receive and deliver, and of the cash,
instructed to the street as one instruction. The obligations stay (linked to their
net), each still settling to its own account in the ledger. A net is undone (its
obligations gross again) only while none of them has been instructed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import Direction, Payment
from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.domain.states import ObligationStatus, TradeStatus
from desk_app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class NetReport:
    nets: int
    netted: int  # obligations now in a net

    @property
    def summary(self) -> str:
        if not self.nets:
            return "Nothing to net"
        return f"{self.netted} obligations netted into {self.nets} net instruction" + (
            "s" if self.nets != 1 else ""
        )


def net_of(members: list[m.SettlementObligation]) -> tuple[Direction, Decimal, Decimal]:
    """Direction, quantity and cash of the net (cash paid by whoever receives, as one)."""
    securities = sum(
        (o.quantity if o.direction is Direction.RECEIVE else -o.quantity for o in members),
        Decimal(0),
    )
    paid = sum(
        (o.amount if o.direction is Direction.RECEIVE else -o.amount for o in members), Decimal(0)
    )
    if securities >= 0:
        return Direction.RECEIVE, securities, paid
    return Direction.DELIVER, -securities, -paid


class NettingService:
    """Make and undo the nets of a settlement date."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def net(self, day: date) -> NetReport:
        """Net every counterparty's pending obligations per instrument settling on ``day``."""
        o = m.SettlementObligation
        with self._uow.write(Action.SETTLEMENT_RUN) as session:
            rows = session.scalars(
                select(o)
                .join(m.Trade, m.Trade.id == o.trade_id)
                .where(
                    o.settle_date == day, o.status == ObligationStatus.PENDING,
                    o.payment == Payment.AGAINST, o.exception_reason.is_(None),
                    o.net_id.is_(None), m.Trade.status == TradeStatus.ACTIVE,
                )
                .order_by(o.id)
                .with_for_update(of=o)
            ).all()  # fmt: skip
            # One route: the same SSI (an account's own one makes its own group).
            groups: dict[tuple[int, int, str, int | None], list[m.SettlementObligation]] = (
                defaultdict(list)
            )
            for row in rows:
                key = (row.counterparty_id, row.instrument_id, row.currency, row.ssi_id)
                groups[key].append(row)
            nets = netted = 0
            for (party, instrument, currency, _ssi), members in groups.items():
                direction, quantity, amount = net_of(members)
                if len(members) < 2 or quantity == 0:
                    continue  # nothing to gain, or securities that cancel out: left gross
                net = m.SettlementNet(
                    counterparty_id=party, instrument_id=instrument, settle_date=day,
                    currency=currency, direction=direction, quantity=quantity, amount=amount,
                    members=len(members), active=True, created_at=datetime.now(UTC),
                    created_by=self._uow.actor.username,
                )  # fmt: skip
                session.add(net)
                session.flush()
                for member in members:
                    member.net_id = net.id
                nets, netted = nets + 1, netted + len(members)
            return NetReport(nets, netted)

    def unnet(self, net_id: int) -> int:
        """Undo a net whose obligations are all still pending; return how many went gross."""
        with self._uow.write(Action.SETTLEMENT_RUN) as session:
            net = _get(session, net_id)
            members = members_of(session, net_id)
            started = [
                o.id for o in members
                if o.status not in (ObligationStatus.PENDING, ObligationStatus.CANCELLED)
            ]  # fmt: skip
            if started:
                raise DeskError(
                    f"net {net_id}: obligation {started[0]} is already "
                    f"{next(o for o in members if o.id == started[0]).status.label.lower()}; "
                    "a net is undone only before it is instructed"
                )
            for member in members:
                member.net_id = None
            net.active = False
            return len(members)


def members_of(session: Session, net_id: int) -> list[m.SettlementObligation]:
    o = m.SettlementObligation
    return list(session.scalars(select(o).where(o.net_id == net_id).order_by(o.id)))


def _get(session: Session, net_id: int) -> m.SettlementNet:
    net = session.get(m.SettlementNet, net_id)
    if net is None or not net.active:
        raise DeskError(f"no net {net_id}")
    return net


def dissolve(session: Session, net_id: int, why: str) -> None:
    """Undo a net because one of its obligations changed (a trade corrected or cancelled).

    Its obligations go gross again. Those the street already knew of, as the net,
    say so: the net's instruction must be cancelled with the depository and each
    instructed again.
    """
    net = session.get(m.SettlementNet, net_id)
    if net is None or not net.active:
        return
    for member in members_of(session, net_id):
        member.net_id = None
        if member.status not in (ObligationStatus.PENDING, ObligationStatus.CANCELLED):
            member.status_note = (
                f"Net {net_id} undone ({why}): cancel DESK-N{net_id} with the depository "
                "and instruct this obligation again"
            )[:200]
    net.active = False
