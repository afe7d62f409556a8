"""Trade capture and import: the file log, why a version exists, saved filters.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:00:00

Every imported file is logged with its digest and counts, and the trades it brought
point at it. A correction or cancel keeps its reason on the version itself. Users
keep named blotter filters in the database, so they follow them between desks.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trade_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "source",
            sa.Enum("manual", "csv", "fix", name="tradesource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("corrected", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_imports")),
    )
    op.create_index(op.f("ix_trade_imports_sha256"), "trade_imports", ["sha256"], unique=False)

    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_trades_import_id_trade_imports"), "trade_imports", ["import_id"], ["id"]
        )
        batch_op.create_index("ix_trades_external_id", ["external_id"], unique=False)

    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("screen", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_filters_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint(
            "user_id", "screen", "name", name=op.f("uq_saved_filters_user_id_screen_name")
        ),
    )


def downgrade() -> None:
    op.drop_table("saved_filters")
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.drop_index("ix_trades_external_id")
        batch_op.drop_constraint(op.f("fk_trades_import_id_trade_imports"), type_="foreignkey")
        batch_op.drop_column("import_id")
        batch_op.drop_column("reason")
    op.drop_index(op.f("ix_trade_imports_sha256"), table_name="trade_imports")
    op.drop_table("trade_imports")
