"""Users with several roles and registrations, approval requests, the audit trail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64

_PG_APPEND_ONLY = """
CREATE FUNCTION desk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""
_PG_HEAD_FORWARD = """
CREATE FUNCTION desk_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'audit_head only moves forward: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # A user holds one or more roles, kept as sorted codes in one column.
    op.add_column(
        "users", sa.Column("roles", sa.String(length=64), nullable=False, server_default="")
    )
    op.execute("UPDATE users SET roles = role")
    op.execute("ALTER TABLE users DROP COLUMN role")
    op.add_column("users", sa.Column("db_login", sa.String(length=63), nullable=True))
    op.add_column("users", sa.Column("password_hash", sa.String(length=200), nullable=True))
    op.create_index("uq_users_db_login", "users", ["db_login"], unique=True)

    op.create_table(
        "user_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_registrations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_registrations")),
        sa.UniqueConstraint(
            "user_id",
            "series",
            "effective_from",
            name=op.f("uq_user_registrations_user_id_series_effective_from"),
        ),
    )
    op.create_index(
        op.f("ix_user_registrations_user_id"), "user_registrations", ["user_id"], unique=False
    )

    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target_table", sa.String(length=48), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_version", sa.Integer(), nullable=True),
        sa.Column("target_key", sa.String(length=96), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("maker", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "withdrawn",
                name="approvalstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    op.create_index(
        op.f("ix_approval_requests_maker"), "approval_requests", ["maker"], unique=False
    )
    op.create_index(
        "ix_approval_requests_status_made_at", "approval_requests", ["status", "made_at"]
    )
    op.create_index(
        "uq_approval_requests_pending_target",
        "approval_requests",
        ["action", "target_key"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )

    seq_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "audit_log",
        sa.Column("seq", seq_type, autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("app_user", sa.String(length=64), nullable=False),
        sa.Column("db_login", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),
        sa.Column("table_name", sa.String(length=48), nullable=False),
        sa.Column("record_id", sa.String(length=96), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_record", "audit_log", ["table_name", "record_id", "seq"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", seq_type, nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute(f"INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, 0, '{GENESIS}')")

    # Append-only, enforced by the database itself (the hash chain catches the rest).
    if dialect == "postgresql":
        op.execute(_PG_APPEND_ONLY)
        op.execute(_PG_HEAD_FORWARD)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION desk_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION desk_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION desk_audit_head_forward()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {event} refused'); END"
            )
        op.execute(
            "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head "
            "WHEN NEW.seq < OLD.seq "
            "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
            "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END"
        )


def downgrade() -> None:
    raise NotImplementedError("the audit trail is never removed")
