"""Which days a market trades, and the trade date a hand-booked ticket starts from.

Trading and settlement calendars are separate data (a bank holiday can be a trading
day): this is the exchanges' own, from the `holidays` library. A ticket opened on a
weekend or an exchange holiday is for a trade that happened on the last trading day,
so it starts there, at the close, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from desk_app.domain.trade_ticket import market_zone

#: The exchange whose sessions date a market's trades.
EXCHANGES = {"US": "XNYS", "EU": "XETR", "GB": "XLON", "CH": "XSWX"}
#: When each market's main session closes, in its own zone.
CLOSES = {"US": time(16, 0), "EU": time(17, 30), "GB": time(16, 30), "CH": time(17, 30)}


@cache
def _closed(exchange: str, year: int) -> dict[date, str]:
    import holidays

    found = holidays.financial_holidays(exchange, years=year)
    return {day: str(name) for day, name in found.items()}


def closure(day: date, market: str = "US") -> str | None:
    """Why ``market`` does not trade on ``day`` ("Sunday", "Thanksgiving Day"); None if it does."""
    if day.weekday() >= 5:
        return f"{day:%A}"
    return _closed(EXCHANGES.get(market.upper(), "XNYS"), day.year).get(day)


def last_trading_day(day: date, market: str = "US") -> date:
    """``day`` if ``market`` trades then, else the trading day before it."""
    while closure(day, market) is not None:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class TicketWhen:
    """The trade date and local time a new ticket starts with, and why, if not today."""

    day: date
    time: time
    zone: ZoneInfo
    note: str = ""


def ticket_when(now: datetime, market: str = "US") -> TicketWhen:
    """Today and now on ``market``'s clock; on a day it does not trade, the last trading
    day at its close, with a note saying so."""
    zone = market_zone(market)
    local = now.astimezone(zone)
    why = closure(local.date(), market)
    if why is None:
        return TicketWhen(local.date(), local.time().replace(microsecond=0), zone)
    day = last_trading_day(local.date(), market)
    close = CLOSES.get(market.upper(), CLOSES["US"])
    today = f"{local:%A} {local:%Y-%m-%d}"
    head = f"Today, {today}, is not a trading day" if why == f"{local:%A}" else (
        f"Today, {today}, is {why}: no trading")  # fmt: skip
    note = f"{head}. Dated {day:%a %Y-%m-%d}, the last trading day, at the close."
    return TicketWhen(day, close, zone, note)
