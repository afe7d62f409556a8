"""Dates for the date editors: the market's business date, never the computer's.

`QDate.currentDate()` is the computer's zone, a day ahead of New York in its evening
on a UTC desk; a default or a maximum built on it offers a day the services refuse.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate

from desk_app.domain.cutoffs import market_today


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def market_qdate() -> QDate:
    """Today in New York, for a date editor's default and its latest allowed day."""
    return qdate(market_today())
