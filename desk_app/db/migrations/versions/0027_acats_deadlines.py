"""The ACATS deadlines become aging limits a principal changes.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 01:00:00

The delivering side validates or takes exception within 1 business day; a validated
transfer settles within 3; the receiver corrects a soft reject within 20. Until now
those were constants in the code. They are seeded here as aging limits (the rules
reference data), so a change is a ``rules.change`` request a principal approves
(``aging-limits amend acats_review --days 2``), like every other aging limit. In a
database whose audit trail has begun the rows are sealed as the application would.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from desk_app.db.migration_seals import seal_written

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
#: code, business days, what it is.
LIMITS = (
    ("acats_review", 1,
     "ACATS: the delivering side validates or takes exception within (business days)"),
    ("acats_settlement", 3,
     "ACATS: a validated transfer settles within (business days from validation)"),
    ("acats_correction", 20,
     "ACATS: the receiver corrects a soft reject within (business days)"),
)  # fmt: skip
CODES = tuple(code for code, _, _ in LIMITS)


def upgrade() -> None:
    conn = op.get_bind()
    # A fixed time, not now: a database migrated down and up again makes the same rows.
    now = SEEDED_AT.replace(tzinfo=None) if conn.dialect.name == "sqlite" else SEEDED_AT
    limits = sa.table(
        "aging_limits",
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("days", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(limits, [
        {"code": code, "days": days, "label": label, "version": 1, "updated_at": now}
        for code, days, label in LIMITS
    ])  # fmt: skip
    seeded = conn.execute(
        sa.select(sa.column("id")).select_from(sa.table("aging_limits"))
        .where(sa.column("code").in_(CODES))
    ).scalars()  # fmt: skip
    seal_written(
        conn, {"aging_limits": [int(i) for i in seeded]},
        "db.acats_deadlines", ("aging_limits", "acats deadlines seeded"),
    )  # fmt: skip


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM aging_limits WHERE code IN :codes").bindparams(
            sa.bindparam("codes", expanding=True, value=list(CODES))
        )
    )
