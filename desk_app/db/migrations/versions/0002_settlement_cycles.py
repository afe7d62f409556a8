"""Reference data: the settlement cycles (T+N by instrument type, market and date).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:00:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Settlement cycles as reference data (users edit them later; effective-dated).
    cycles = sa.table(
        "settlement_cycles",
        sa.column("instrument_type", sa.String),
        sa.column("market", sa.String),
        sa.column("effective_from", sa.Date),
        sa.column("offset_days", sa.Integer),
        sa.column("calendar_code", sa.String),
        sa.column("note", sa.String),
        sa.column("version", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    # A snapshot of desk_app.domain.settlement.DEFAULT_CYCLES on the day of this revision.
    rows = [
        (
            "equity",
            "US",
            date(1995, 6, 7),
            3,
            "US",
            "SEC Rule 15c6-1 (Release 34-33023): T+3 from 1995-06-07",
        ),
        (
            "equity",
            "US",
            date(2017, 9, 5),
            2,
            "US",
            "SEC Rule 15c6-1 amended (Release 34-80295): T+2 from 2017-09-05",
        ),
        (
            "equity",
            "US",
            date(2024, 5, 28),
            1,
            "US",
            "SEC Rule 15c6-1 amended (Release 34-96930): T+1 from 2024-05-28",
        ),
        (
            "corporate-bond",
            "US",
            date(1995, 6, 7),
            3,
            "US",
            "SEC Rule 15c6-1 (Release 34-33023): T+3 from 1995-06-07",
        ),
        (
            "corporate-bond",
            "US",
            date(2017, 9, 5),
            2,
            "US",
            "SEC Rule 15c6-1 amended (Release 34-80295): T+2 from 2017-09-05",
        ),
        (
            "corporate-bond",
            "US",
            date(2024, 5, 28),
            1,
            "US",
            "SEC Rule 15c6-1 amended (Release 34-96930): T+1 from 2024-05-28",
        ),
        (
            "municipal-bond",
            "US",
            date(1995, 6, 7),
            3,
            "US",
            "MSRB Rules G-12 and G-15, amended in step with SEC Rule 15c6-1; SEC Rule 15c6-1 (Release 34-33023): T+3 from 1995-06-07",
        ),
        (
            "municipal-bond",
            "US",
            date(2017, 9, 5),
            2,
            "US",
            "MSRB Rules G-12 and G-15, amended in step with SEC Rule 15c6-1; SEC Rule 15c6-1 amended (Release 34-80295): T+2 from 2017-09-05",
        ),
        (
            "municipal-bond",
            "US",
            date(2024, 5, 28),
            1,
            "US",
            "MSRB Rules G-12 and G-15, amended in step with SEC Rule 15c6-1; SEC Rule 15c6-1 amended (Release 34-96930): T+1 from 2024-05-28",
        ),
        (
            "option",
            "US",
            date(1995, 6, 7),
            1,
            "US",
            "OCC: listed option premiums settle the next business day (T+1)",
        ),
        (
            "treasury",
            "US",
            date(1995, 6, 7),
            1,
            "US-GOVT",
            "Market practice on Fedwire Securities, exempt from SEC Rule 15c6-1: regular T+1",
        ),
        (
            "commercial-paper",
            "US",
            date(1995, 6, 7),
            0,
            "US",
            "Market practice (DTC money market instruments), exempt from SEC Rule 15c6-1: T+0",
        ),
        (
            "equity",
            "EU",
            date(2014, 10, 6),
            2,
            "EU",
            "CSDR (EU 909/2014) Art. 5(2): T+2; EU markets moved on 2014-10-06",
        ),
        (
            "equity",
            "EU",
            date(2027, 10, 11),
            1,
            "EU",
            "CSDR Art. 5(2) as amended for T+1 (EU T+1 Industry Committee): from 2027-10-11",
        ),
        (
            "corporate-bond",
            "EU",
            date(2014, 10, 6),
            2,
            "EU",
            "CSDR (EU 909/2014) Art. 5(2): T+2; EU markets moved on 2014-10-06",
        ),
        (
            "corporate-bond",
            "EU",
            date(2027, 10, 11),
            1,
            "EU",
            "CSDR Art. 5(2) as amended for T+1 (EU T+1 Industry Committee): from 2027-10-11",
        ),
        (
            "equity",
            "GB",
            date(2014, 10, 6),
            2,
            "GB",
            "UK market moved to T+2 on 2014-10-06 with the EU (CSDR Art. 5(2))",
        ),
        (
            "equity",
            "GB",
            date(2027, 10, 11),
            1,
            "GB",
            "UK Accelerated Settlement Taskforce, confirmed by HM Treasury: T+1 from 2027-10-11",
        ),
        (
            "corporate-bond",
            "GB",
            date(2014, 10, 6),
            2,
            "GB",
            "UK market moved to T+2 on 2014-10-06 with the EU (CSDR Art. 5(2))",
        ),
        (
            "corporate-bond",
            "GB",
            date(2027, 10, 11),
            1,
            "GB",
            "UK Accelerated Settlement Taskforce, confirmed by HM Treasury: T+1 from 2027-10-11",
        ),
        (
            "equity",
            "CH",
            date(2014, 10, 6),
            2,
            "CH",
            "SIX Swiss Exchange moved to T+2 on 2014-10-06, aligned with the EU",
        ),
        (
            "equity",
            "CH",
            date(2027, 10, 11),
            1,
            "CH",
            "Swiss Securities Post-Trade Council: T+1 from 2027-10-11, aligned with EU and UK",
        ),
        (
            "corporate-bond",
            "CH",
            date(2014, 10, 6),
            2,
            "CH",
            "SIX Swiss Exchange moved to T+2 on 2014-10-06, aligned with the EU",
        ),
        (
            "corporate-bond",
            "CH",
            date(2027, 10, 11),
            1,
            "CH",
            "Swiss Securities Post-Trade Council: T+1 from 2027-10-11, aligned with EU and UK",
        ),
    ]
    op.bulk_insert(
        cycles,
        [
            {
                "instrument_type": kind,
                "market": market,
                "effective_from": start,
                "offset_days": offset,
                "calendar_code": calendar,
                "note": note,
                "version": 1,
                "updated_at": now,
            }
            for kind, market, start, offset, calendar, note in rows
        ],
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM settlement_cycles"))
