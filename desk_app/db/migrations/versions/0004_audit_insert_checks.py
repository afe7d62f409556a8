"""PostgreSQL checks what is appended to the audit trail, not only what is changed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:00:00

A person's own login may INSERT into audit_log (Desk appends as them). Without a
check they could append an entry in someone else's name, or move the chain head
past the entries. Now an entry must carry the inserting login (``session_user``)
and follow the entry before it, and the head may only point at the last entry.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENTRY_CHECK = """
CREATE FUNCTION desk_audit_entry_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous text;
BEGIN
    IF NEW.db_login IS DISTINCT FROM session_user::text THEN
        RAISE EXCEPTION 'audit entry %: recorded as login %, but inserted by %',
            NEW.seq, NEW.db_login, session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq = 1 THEN
        previous := repeat('0', 64);
    ELSE
        SELECT entry_hash INTO previous FROM audit_log WHERE seq = NEW.seq - 1;
    END IF;
    IF previous IS NULL OR previous <> NEW.prev_hash THEN
        RAISE EXCEPTION 'audit entry % does not follow entry %', NEW.seq, NEW.seq - 1
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""
_HEAD_CHECK = """
CREATE FUNCTION desk_audit_head_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq <> OLD.seq AND NOT EXISTS (
        SELECT 1 FROM audit_log
        WHERE seq = NEW.seq AND entry_hash = NEW.entry_hash
          AND NOT EXISTS (SELECT 1 FROM audit_log later WHERE later.seq > NEW.seq)
    ) THEN
        RAISE EXCEPTION 'audit_head must point at the last audit entry'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # a local file has one user; the hash chain is its check
    op.execute(_ENTRY_CHECK)
    op.execute(
        "CREATE TRIGGER audit_log_entry_check BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION desk_audit_entry_check()"
    )
    op.execute(_HEAD_CHECK)
    op.execute(
        "CREATE TRIGGER audit_head_points_at_last BEFORE UPDATE ON audit_head "
        "FOR EACH ROW EXECUTE FUNCTION desk_audit_head_check()"
    )


def downgrade() -> None:
    raise NotImplementedError("the audit trail's checks are never removed")
