"""Dated restrictions act on their day: the daily sweep's record, and the dates indexed.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08 01:00:00

A restriction placed to start later, or with an end date, raises or clears its
account's obligations' exceptions when its day comes. The first opening, listing or
settling of each New York business day re-checks the accounts whose restrictions
began or ended since the last sweep (read through the new indexes on the start and
end dates) and writes one ``restriction_sweeps`` row; the rest of the day costs one
indexed read.

On PostgreSQL a trigger refuses a sweep dated after New York's date today (a clerk's
own login could otherwise mark tomorrow swept, and tomorrow's restrictions would not
act), and any change or deletion of a sweep; the schema's owner (migrations, the demo
book) passes. A local file has one owner; there the record seals guard.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_GUARD = """
CREATE FUNCTION desk_restriction_sweeps_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    today date := (now() AT TIME ZONE 'America/New_York')::date;
BEGIN
    IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables
            WHERE schemaname = current_schema() AND tablename = TG_TABLE_NAME), 'MEMBER')
    THEN
        RETURN COALESCE(NEW, OLD);  -- the schema's owner: migrations, the demo book
    END IF;
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a restriction sweep is never changed or deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.swept_on > today THEN
        RAISE EXCEPTION 'a restriction sweep of % is after New York''s date today (%)',
            NEW.swept_on, today USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "restriction_sweeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("swept_on", sa.Date(), nullable=False),
        sa.Column("swept_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("swept_by", sa.String(length=64), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("raised", sa.Integer(), nullable=False),
        sa.Column("cleared", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restriction_sweeps")),
        sa.UniqueConstraint("swept_on", name=op.f("uq_restriction_sweeps_swept_on")),
    )
    with op.batch_alter_table("account_restrictions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_restrictions_starts_on"), ["starts_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_account_restrictions_ends_on"), ["ends_on"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
        op.execute(
            "CREATE TRIGGER restriction_sweeps_guard BEFORE INSERT OR UPDATE OR DELETE "
            "ON restriction_sweeps FOR EACH ROW EXECUTE FUNCTION desk_restriction_sweeps_guard()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS restriction_sweeps_guard ON restriction_sweeps")
        op.execute("DROP FUNCTION IF EXISTS desk_restriction_sweeps_guard()")
    with op.batch_alter_table("account_restrictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_restrictions_ends_on"))
        batch_op.drop_index(batch_op.f("ix_account_restrictions_starts_on"))
    op.drop_table("restriction_sweeps")
