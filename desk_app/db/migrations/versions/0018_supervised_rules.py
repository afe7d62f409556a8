"""The settlement rules change on PostgreSQL only through an approved request.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 16:00:00

Settlement cycles, calendar overrides, fail rules and aging limits decide
settlement dates, deadlines and capital, so Desk changes them only when a
principal approves a ``rules.change`` request (`desk_app.services.reference.rules`).
Until now a clerk's own database login could still write those tables. A trigger
now refuses any insert, update or delete of them unless the same transaction
approved a ``rules.change`` request for that table, decided by the login that runs
the statement (the approval trigger of 0012 makes sure that login is an active
principal other than the maker). The schema's owner (migrations, the demo book)
passes. A local file has one owner; there the services and the record seals guard.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE_TABLES = ("settlement_cycles", "calendar_overrides", "fail_rules", "aging_limits")

_RULE_CHANGE_APPROVED = """
CREATE FUNCTION desk_rule_change_approved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables
            WHERE schemaname = current_schema() AND tablename = TG_TABLE_NAME), 'MEMBER')
    THEN
        RETURN COALESCE(NEW, OLD);  -- the schema's owner: migrations, the demo book
    END IF;
    -- The approval's decision is written first, in this same transaction (its xmin).
    IF NOT EXISTS (
        SELECT 1 FROM approval_requests r
        WHERE r.action = 'rules.change' AND r.target_table = TG_TABLE_NAME
          AND r.status = 'approved' AND r.decided_login = session_user
          AND r.xmin::text = (pg_current_xact_id()::xid)::text
    ) THEN
        RAISE EXCEPTION '% changes only when a principal approves a settlement rules request',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_RULE_CHANGE_APPROVED)
    for table in RULE_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_by_approval BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION desk_rule_change_approved()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # nothing was made on a local file
    raise NotImplementedError("supervision's checks are never removed")
