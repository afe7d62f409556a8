"""Restricted accounts become restriction records; PostgreSQL guards the records.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-07 19:00:00

An account was restricted by its status; now a restriction is a record with a kind
(`desk_app.domain.restrictions`). Each account whose status is ``restricted`` keeps
meaning what it meant: it gets an open transfer freeze "restricted before restrictions
were records", from the day of its last change, and its status becomes ``open``. In a
database in use those rows are sealed again as they now stand, with one ``seal`` entry
per table and one event (as migration 0016 did), so ``audit verify --records`` finds
them intact.

On PostgreSQL a trigger keeps a clerk's own database login from lifting a restriction
behind Desk's back: anyone in ``desk_user`` may place one (it only protects), but a
placed restriction never changes, is never deleted, and is lifted (its ``lifted_*``
set) only in the transaction that approved a lift request for it, decided by the login
that runs the statement (migration 0012 makes sure that is a principal other than the
maker). A restriction a process placed for itself (``source_key``: an ACATS transfer,
an estate) is lifted by that process when it ends, without a request. The schema's
owner (migrations, the demo book) passes. A local file has one owner; there the
services and the record seals guard.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from desk_app.db.migration_seals import APP_USER, seal_written

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTION = "db.restrictions_as_records"
REASON = "restricted before restrictions were records"

_PG_GUARD = """
CREATE FUNCTION desk_account_restrictions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables
            WHERE schemaname = current_schema() AND tablename = TG_TABLE_NAME), 'MEMBER')
    THEN
        RETURN COALESCE(NEW, OLD);  -- the schema's owner: migrations, the demo book
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an account restriction is never deleted: a principal approves lifting it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.lifted_at IS NOT NULL OR NEW.lifted_by IS NOT NULL THEN
            RAISE EXCEPTION 'an account restriction is placed in force, never already lifted'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.account_id, NEW.kind, NEW.reason, NEW.starts_on, NEW.ends_on,
        NEW.placed_by, NEW.placed_at, NEW.source_key)
       IS DISTINCT FROM (OLD.id, OLD.account_id, OLD.kind, OLD.reason, OLD.starts_on,
        OLD.ends_on, OLD.placed_by, OLD.placed_at, OLD.source_key) THEN
        RAISE EXCEPTION 'an account restriction is never changed, only lifted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.lifted_at, NEW.lifted_by, NEW.lift_reason)
       IS NOT DISTINCT FROM (OLD.lifted_at, OLD.lifted_by, OLD.lift_reason) THEN
        RETURN NEW;
    END IF;
    IF OLD.lifted_at IS NOT NULL THEN
        RAISE EXCEPTION 'account restriction % was lifted already', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.source_key IS NULL AND NOT EXISTS (
        SELECT 1 FROM approval_requests r
        WHERE r.action = 'account.lift_restriction' AND r.target_id = OLD.id
          AND r.status = 'approved' AND r.decided_login = session_user
          AND r.xmin::text = (pg_current_xact_id()::xid)::text
    ) THEN
        RAISE EXCEPTION 'account restriction % is lifted only when a principal approves '
            'a request to lift it', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    conn = op.get_bind()
    accounts, made = _records_for_restricted(conn)
    if conn.dialect.name == "postgresql":
        op.execute(_PG_GUARD)
        op.execute(
            "CREATE TRIGGER account_restrictions_guard BEFORE INSERT OR UPDATE OR DELETE "
            "ON account_restrictions FOR EACH ROW EXECUTE FUNCTION desk_account_restrictions_guard()"
        )
    if accounts:
        seal_written(
            conn, {"accounts": accounts, "account_restrictions": made}, ACTION,
            ("accounts", "restrictions_as_records"),
        )  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # nothing was made on a local file but records, which stay
    raise NotImplementedError("supervision's checks are never removed")


def _records_for_restricted(conn: sa.Connection) -> tuple[list[int], list[int]]:
    """An open transfer freeze for each restricted account, which opens; both sets of ids."""
    found = conn.execute(
        sa.text("SELECT id, updated_at FROM accounts WHERE status = 'restricted' ORDER BY id")
    ).all()
    now = datetime.now(UTC)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as the models store it: naive UTC
    made: list[int] = []
    for account_id, changed in found:
        since = changed.date() if isinstance(changed, datetime) else _day(changed)
        made.append(
            conn.execute(
                sa.text(
                    "INSERT INTO account_restrictions (account_id, kind, reason, starts_on, "
                    "placed_by, placed_at, version, updated_at) VALUES (:a, 'transfer-freeze', "
                    ":r, :s, :p, :at, 1, :at) RETURNING id"
                ),
                {"a": account_id, "r": REASON, "s": since, "p": APP_USER, "at": now},
            ).scalar_one()
        )
        conn.execute(
            sa.text(
                "UPDATE accounts SET status = 'open', version = version + 1, updated_at = :at "
                "WHERE id = :i"
            ),
            {"at": now, "i": account_id},
        )
    return [int(account_id) for account_id, _ in found], made


def _day(text: Any) -> Any:
    """A SQLite timestamp's date (``2026-12-07 10:00:00`` → 2026-12-07)."""
    return datetime.fromisoformat(str(text)).date()
