"""The demo's closing prices value its accounts' positions."""

from __future__ import annotations

from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.services.workspace import Workspace


def test_the_demo_prices_every_held_position_within_its_days_range(demo_ws: Workspace) -> None:
    with demo_ws.uow.read() as session:
        outside = session.scalar(
            select(func.count())
            .select_from(m.InstrumentPrice)
            .where(
                (m.InstrumentPrice.price > m.InstrumentPrice.high)
                | (m.InstrumentPrice.price < m.InstrumentPrice.low)
            )
        )
        held = session.scalars(
            select(m.Account.account_number)
            .join(m.LedgerBalance, m.LedgerBalance.account_id == m.Account.id)
            .where(m.LedgerBalance.quantity > 0)
            .order_by(m.Account.account_number)
            .limit(5)
        ).all()
    assert outside == 0 and held
    for number in held:
        positions = demo_ws.holdings.positions(number).positions
        assert positions and all(p.market_value is not None for p in positions), number
