"""Estates meet the parties: who died, whether the owners are spouses, predeceased
beneficiaries, and the states' small-estate limits.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 20:00:00

The small-estate limits are reference data with their source: a sole account worth
less than its state's limit at death, with no executor appointed, can pass by the
successor's affidavit instead of letters. The limits are the statutes' as this list
was written; the firm keeps them current (they change, California's every three years).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from desk_app.db.migration_seals import seal_written

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
#: state, limit (USD, the value at death must be under it), source.
SMALL_ESTATE_LIMITS = (
    ("CA", Decimal("208850"), "Cal. Prob. Code 13100 (as adjusted from 1 April 2025)"),
    ("NY", Decimal("50000"), "N.Y. Surr. Ct. Proc. Act 1301 (voluntary administration)"),
    ("TX", Decimal("75000"), "Tex. Est. Code 205.001 (not counting the homestead)"),
    ("WA", Decimal("100000"), "Rev. Code Wash. 11.62.010"),
)
AFFIDAVIT = ("small-estate-affidavit", "Small-estate affidavit of the successors (no letters)",
             "small-estate", None, "", False)  # fmt: skip
_MONEY_SCALE = 4


def _money() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Numeric(23, 4), "postgresql")


def _versioned() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    now = SEEDED_AT.replace(tzinfo=None) if sqlite else SEEDED_AT
    with op.batch_alter_table("estate_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decedent", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("spouses", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("estate_cases", schema=None) as batch_op:
        batch_op.alter_column("spouses", server_default=None)
    op.create_table(
        "estate_predeceased",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_of_death", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["case_id"], ["estate_cases.id"],
            name=op.f("fk_estate_predeceased_case_id_estate_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["account_parties.id"],
            name=op.f("fk_estate_predeceased_party_id_account_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estate_predeceased")),
        sa.UniqueConstraint(
            "case_id", "party_id", name=op.f("uq_estate_predeceased_case_id_party_id")
        ),
    )  # fmt: skip
    limits = op.create_table(
        "small_estate_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("limit", _money(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        *_versioned(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_small_estate_limits")),
        sa.UniqueConstraint("state", name=op.f("uq_small_estate_limits_state")),
    )
    op.bulk_insert(limits, [
        {"state": state, "limit": int(limit.scaleb(_MONEY_SCALE)) if sqlite else limit,
         "source": source, "version": 1, "updated_at": now}
        for state, limit, source in SMALL_ESTATE_LIMITS
    ])  # fmt: skip
    requirements = sa.table(
        "estate_document_requirements",
        *(sa.column(c) for c in ("kind", "label", "paths", "recency_days", "states",
                                 "needs_certificates", "position", "version", "updated_at")),
    )  # fmt: skip
    kind, label, paths, days, states, certificates = AFFIDAVIT
    op.bulk_insert(requirements, [
        {"kind": kind, "label": label, "paths": paths, "recency_days": days, "states": states,
         "needs_certificates": certificates, "position": 3, "version": 1, "updated_at": now}
    ])  # fmt: skip
    # In a database whose trail has begun, the rows are sealed as the application would.
    conn = op.get_bind()
    sealed = {
        "small_estate_limits": "SELECT id FROM small_estate_limits",
        "estate_document_requirements":
            "SELECT id FROM estate_document_requirements WHERE kind = 'small-estate-affidavit'",
    }  # fmt: skip
    seal_written(
        conn, {t: [int(i) for i in conn.execute(sa.text(q)).scalars()] for t, q in sealed.items()},
        "db.small_estates", ("small_estate_limits", "seeded"),
    )  # fmt: skip


def downgrade() -> None:
    op.execute("DELETE FROM estate_document_requirements WHERE kind = 'small-estate-affidavit'")
    op.drop_table("small_estate_limits")
    op.drop_table("estate_predeceased")
    with op.batch_alter_table("estate_cases", schema=None) as batch_op:
        batch_op.drop_column("spouses")
        batch_op.drop_column("decedent")
