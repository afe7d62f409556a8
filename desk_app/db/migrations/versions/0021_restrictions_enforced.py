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

import getpass
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from desk_app.db.sealing import read_rows
from desk_app.domain import audit_chain
from desk_app.domain.audit_chain import EntryContent, canonical_json
from desk_app.domain.record_seals import BatchDigest, batch_detail, layout_prefix, layout_text
from desk_app.domain.record_seals import seal_rows as hash_rows

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_USER = "desk-migration"
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
        _reseal(conn, {"accounts": accounts, "account_restrictions": made})


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


# -- sealing again what changed ---------------------------------------------------------

_ENTRIES = sa.table(
    "audit_log",
    *(sa.column(name) for name in (
        "seq", "recorded_at", "app_user", "db_login", "action", "change", "table_name",
        "record_id", "before", "after", "approval_id", "row_hash", "prev_hash", "entry_hash",
    )),
)  # fmt: skip
_SEAL_COLUMNS = ("table_name", "record_id", "seq", "layout_id", "row_hash", "fingerprints")


def _reseal(conn: sa.Connection, ids: dict[str, list[int]]) -> None:
    """Seal the rows that changed as they now stand, if the trail began."""
    seq, head = conn.execute(
        sa.text("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, entry_hash")
    ).one()
    if seq == 0:  # a new database: its first audited change seals what is here
        return
    if conn.dialect.name == "postgresql":
        login = str(conn.execute(sa.text("SELECT session_user")).scalar_one())
    else:
        try:
            login = getpass.getuser()
        except OSError:
            login = "unknown"
    trail = [int(seq), str(head)]

    def append(change: str, table: str, record_id: str, after: dict[str, Any]) -> int:
        trail[0] += 1
        content = EntryContent(
            trail[0], audit_chain.timestamp_text(datetime.now(UTC)), APP_USER, login,
            ACTION, change, table, record_id, None, canonical_json(after), None,
        )  # fmt: skip
        [(entry, prev, digest)] = audit_chain.chain(str(trail[1]), [content])
        conn.execute(sa.insert(_ENTRIES).values(**vars(entry), prev_hash=prev, entry_hash=digest))
        conn.execute(
            sa.text("UPDATE audit_head SET seq = :seq, entry_hash = :hash WHERE id = 1"),
            {"seq": trail[0], "hash": digest},
        )
        trail[1] = digest
        return int(trail[0])

    sealed = {table: _seal(conn, table, set(rows), append) for table, rows in ids.items()}
    append("event", "accounts", "restrictions_as_records", {"sealed": sealed})


def _seal(conn: sa.Connection, table: str, ids: set[int], append: Any) -> int:
    """Seal the rows ``ids`` of ``table`` under one ``seal`` entry."""
    columns = tuple(sorted(c["name"] for c in sa.inspect(conn).get_columns(table)))
    text = layout_text(table, columns)
    layouts = sa.table("record_seal_layouts", sa.column("id"), sa.column("table_name"),
                       sa.column("columns"))  # fmt: skip
    find = sa.select(layouts.c.id).where(layouts.c.table_name == table, layouts.c.columns == text)
    layout = conn.execute(find).scalar()
    if layout is None:
        conn.execute(sa.insert(layouts).values(table_name=table, columns=text))
        layout = conn.execute(find).scalar_one()
    prefix, at = layout_prefix(table, text), columns.index("id")
    rows = [row for chunk in read_rows(conn, table, columns) for row in chunk if row[at] in ids]
    sealed = [(row[at], *seal) for row, seal in zip(rows, hash_rows(prefix, rows), strict=True)]
    digest = BatchDigest()
    for rid, row_hash, prints in sealed:
        digest.add(rid, int(layout), row_hash, prints)
    detail = batch_detail((rid for rid, _, _ in sealed), digest)
    seq = append("seal", table, f"{detail['first_id']}..{detail['last_id']}", detail)
    conn.execute(
        sa.text(
            f"INSERT INTO record_seals ({', '.join(_SEAL_COLUMNS)}) VALUES (:t, :r, :s, :l, :h, :f)"
        ),
        [
            {"t": table, "r": rid, "s": seq, "l": int(layout), "h": row_hash, "f": prints}
            for rid, row_hash, prints in sealed
        ],
    )
    return len(sealed)
