"""The insider and the restriction sweep: a clerk's own login may not mark tomorrow swept.

Were tomorrow's sweep recorded today, the restrictions starting tomorrow would not
act; PostgreSQL refuses a sweep dated after New York's date, and any change to one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text

from desk_app.domain.cutoffs import market_today
from tests.security.conftest import refused, sql_as

if TYPE_CHECKING:
    from tests.services.conftest import Desk

INSERT = (
    "INSERT INTO restriction_sweeps (swept_on, swept_at, swept_by, accounts, raised, "
    "cleared, version, updated_at) VALUES (:day, now(), 'carl', 0, 0, 0, 1, now())"
)


def test_a_clerks_login_cannot_record_a_sweep_ahead_of_new_york(pg_desk: Desk) -> None:
    today = market_today()
    with sql_as(pg_desk, "carl") as conn:
        reason = refused(conn, INSERT, day=today + timedelta(days=1))
        assert "is after New York's date today" in reason
        conn.execute(text(INSERT), {"day": today})  # today's own is the clerk's to record
        reason = refused(conn, "UPDATE restriction_sweeps SET accounts = 7")
        assert "never changed or deleted" in reason
        refused(conn, "DELETE FROM restriction_sweeps")
    assert pg_desk.ws["carl"].restriction_sweeps.swept(today)
    assert not pg_desk.ws["carl"].restriction_sweeps.swept(today + timedelta(days=1))
