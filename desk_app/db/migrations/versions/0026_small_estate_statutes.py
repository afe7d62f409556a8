"""Small-estate limits by statute and the date each applies from.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 01:00:00

A limit is the statute's amount for a death on or after ``effective_from`` (empty: no
start date on file, the limit applies to any death before the state's next row); the
limit in force on the date of death decides whether an affidavit will do. California's
moves every three years (Prob. Code 890): 184,500 for a death from 1 April 2022,
208,850 from 1 April 2025. The other states' rows keep their amounts, now citing
their statutes; a state's next change is a new row with its own date.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from desk_app.db.migration_seals import seal_written

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
_MONEY_SCALE = 4
#: state, limit (USD: the value at death may not exceed it), statute, in force from.
LIMITS: tuple[tuple[str, Decimal, str, date | None], ...] = (
    ("CA", Decimal("184500"), "Cal. Prob. Code 13100", date(2022, 4, 1)),
    ("CA", Decimal("208850"), "Cal. Prob. Code 13100", date(2025, 4, 1)),
    ("NY", Decimal("50000"), "N.Y. SCPA 1301", None),
    ("TX", Decimal("75000"), "Tex. Est. Code 205.001", None),
    ("WA", Decimal("100000"), "RCW 11.62.010", None),
)


def _money(value: Decimal, sqlite: bool) -> object:
    return int(value.scaleb(_MONEY_SCALE)) if sqlite else value


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    now = SEEDED_AT.replace(tzinfo=None) if sqlite else SEEDED_AT
    with op.batch_alter_table("small_estate_limits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_from", sa.Date(), nullable=True))
        batch_op.drop_constraint("uq_small_estate_limits_state", type_="unique")
        batch_op.create_unique_constraint(
            "uq_small_estate_limits_state_effective_from", ["state", "effective_from"]
        )
    table = sa.table(
        "small_estate_limits",
        *(sa.column(c) for c in ("id", "state", "limit", "source", "effective_from", "version",
                                 "updated_at")),
    )  # fmt: skip
    existing = {row.state: row.id for row in conn.execute(sa.select(table.c.state, table.c.id))}
    last = {state: n for n, (state, _, _, _) in enumerate(LIMITS)}
    written: list[int] = []
    for n, (state, limit, statute, since) in enumerate(LIMITS):
        values = {"limit": _money(limit, sqlite), "source": statute, "effective_from": since,
                  "updated_at": now}  # fmt: skip
        # The row 0025 seeded for the state becomes its latest limit; earlier ones are added.
        if state in existing and n == last[state]:
            conn.execute(
                sa.update(table).where(table.c.id == existing[state])
                .values(**values, version=table.c.version + 1)
            )  # fmt: skip
            written.append(existing[state])
        else:
            conn.execute(sa.insert(table).values(state=state, version=1, **values))
            written.append(
                conn.execute(
                    sa.select(table.c.id).where(table.c.state == state,
                                                table.c.effective_from == since)
                ).scalar_one()
            )  # fmt: skip
    # In a database whose trail has begun, the rows are sealed as the application would.
    seal_written(
        conn, {"small_estate_limits": written}, "db.small_estates",
        ("small_estate_limits", "statutes"),
    )  # fmt: skip


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM small_estate_limits WHERE state = 'CA' AND "
                         "effective_from < '2025-04-01'"))  # fmt: skip
    with op.batch_alter_table("small_estate_limits", schema=None) as batch_op:
        batch_op.drop_constraint("uq_small_estate_limits_state_effective_from", type_="unique")
        batch_op.create_unique_constraint("uq_small_estate_limits_state", ["state"])
        batch_op.drop_column("effective_from")
