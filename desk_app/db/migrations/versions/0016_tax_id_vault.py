"""Full tax ids move into a write-once vault; accounts keep a reference and the masked text.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09 08:00:00

``tax_ids`` holds each full value once; ``accounts.tax_id`` gives way to
``tax_id_ref`` (the vault's row) and ``tax_id_masked`` (``***-**-6789``, what every
screen and the audit trail show). ``tax_id_reveals`` records each reveal.

On PostgreSQL the desk's logins get no privilege on the vault (`desk_app.db.grants`):
a value goes in through ``desk_keep_tax_id`` and comes out only through
``desk_reveal_tax_id``, which checks the login's Desk user and records the reveal.
Both are SECURITY DEFINER with the schema's ``search_path`` fixed when they are
made. A trigger refuses UPDATE, DELETE and TRUNCATE of the vault to everyone but
its owner; ``tax_id_reveals`` is append-only. Who may reveal is the role matrix's
``account.reveal_tax_id`` as it stands here (clerk, supervisor, compliance): a
change to the matrix needs a migration that makes the function again.

On SQLite the same tables are read and written directly; triggers keep the vault
write-once and the reveals append-only against mistakes (not against the file's
owner, who can drop them: the record seals show what was changed).

Existing values move into the vault. In a database in use (a non-empty trail) the
accounts are sealed again as they now stand, and on SQLite the vault's rows too,
with one ``seal`` entry per table and one event, as migration 0013 sealed the
baseline: otherwise ``audit verify --records`` would find every account changed.
Audit entries and approval requests written before keep what they hold: the trail
is append-only and hash-chained.

This file keeps its own SQL for the trail and the seals, so it does not change when
the models do.
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
from desk_app.domain.identifiers import mask_tax_id
from desk_app.domain.record_seals import BatchDigest, batch_detail, layout_prefix, layout_text
from desk_app.domain.record_seals import seal_rows as hash_rows

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_USER = "desk-migration"
ACTION = "db.tax_id_vault"
BATCH_ROWS = 50_000
#: Roles that may reveal a tax id (`Action.REVEAL_TAX_ID` in the role matrix).
REVEALING_ROLES = ("clerk", "supervisor", "compliance")
_OWNER_OF_VAULT = (
    "pg_has_role(session_user, (SELECT tableowner FROM pg_tables "
    "WHERE schemaname = current_schema() AND tablename = 'tax_ids'), 'MEMBER')"
)

_PG_KEEP = f"""
CREATE FUNCTION desk_keep_tax_id(tax_id text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    me users;
    kept bigint;
BEGIN
    IF NOT {_OWNER_OF_VAULT} THEN
        me := desk_session_user();
        IF me.id IS NULL OR NOT me.active THEN
            RAISE EXCEPTION 'the login % is no active Desk user: it cannot keep a tax id',
                session_user USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF tax_id IS NULL OR tax_id !~ '^([0-9]{{3}}-[0-9]{{2}}-[0-9]{{4}}|[0-9]{{2}}-[0-9]{{7}})$' THEN
        RAISE EXCEPTION 'a tax id is kept as 123-45-6789 or 12-3456789'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO tax_ids (value, made_at) VALUES (tax_id, now()) RETURNING id INTO kept;
    RETURN kept;
END $$
"""
_PG_REVEAL = f"""
CREATE FUNCTION desk_reveal_tax_id(ref bigint, account bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    me users;
    shown text;
BEGIN
    me := desk_session_user();
    IF me.id IS NULL OR NOT me.active THEN
        RAISE EXCEPTION 'the login % is no active Desk user: it cannot reveal a tax id',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT string_to_array(me.roles, ',') && ARRAY[{", ".join(f"'{r}'" for r in REVEALING_ROLES)}]
    THEN
        RAISE EXCEPTION 'the user % may not reveal a tax id', me.username
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = account AND a.tax_id_ref = ref) THEN
        RAISE EXCEPTION 'account % holds no tax id %', account, ref
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT t.value INTO STRICT shown FROM tax_ids t WHERE t.id = ref;
    INSERT INTO tax_id_reveals (tax_id_ref, account_id, app_user, db_login, revealed_at)
        VALUES (ref, account, me.username, session_user, now());
    RETURN shown;
END $$
"""
_PG_WRITE_ONCE = f"""
CREATE FUNCTION desk_tax_ids_write_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_OWNER_OF_VAULT.replace("current_schema()", "TG_TABLE_SCHEMA")} THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'tax ids are written once: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""


def upgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    op.create_table(
        "tax_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=11), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_ids")),
    )
    op.create_table(
        "tax_id_reveals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tax_id_ref", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("app_user", sa.String(length=64), nullable=False),
        sa.Column("db_login", sa.String(length=63), nullable=False),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_tax_id_reveals_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["tax_id_ref"], ["tax_ids.id"], name=op.f("fk_tax_id_reveals_tax_id_ref_tax_ids")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_id_reveals")),
    )
    op.create_index(
        op.f("ix_tax_id_reveals_account_id"), "tax_id_reveals", ["account_id"], unique=False
    )
    _add_account_columns(postgresql)
    moved = _move_values(conn)
    # SQLite drops a plain column in place: recreating `accounts` (batch mode) would
    # drop a table the books refer to, which its foreign keys refuse.
    op.drop_column("accounts", "tax_id")
    if postgresql:
        _guard_postgresql()
    else:
        _guard_sqlite()
    _reseal(conn, moved)


def _add_account_columns(postgresql: bool) -> None:
    if postgresql:
        op.add_column("accounts", sa.Column("tax_id_ref", sa.Integer(), nullable=True))
        op.add_column("accounts", sa.Column("tax_id_masked", sa.String(length=11), nullable=True))
        op.create_foreign_key(
            op.f("fk_accounts_tax_id_ref_tax_ids"), "accounts", "tax_ids", ["tax_id_ref"], ["id"]
        )
        return
    op.execute(
        "ALTER TABLE accounts ADD COLUMN tax_id_ref INTEGER "
        "CONSTRAINT fk_accounts_tax_id_ref_tax_ids REFERENCES tax_ids (id)"
    )
    op.execute("ALTER TABLE accounts ADD COLUMN tax_id_masked VARCHAR(11)")


def _move_values(conn: sa.Connection) -> int:
    """Each account's full tax id into the vault; how many moved."""
    found = conn.execute(
        sa.text("SELECT id, tax_id FROM accounts WHERE tax_id IS NOT NULL ORDER BY id")
    ).all()
    made_at = datetime.now(UTC)
    if conn.dialect.name == "sqlite":
        made_at = made_at.replace(tzinfo=None)  # stored as the models store it: naive UTC
    for account_id, value in found:
        ref = conn.execute(
            sa.text("INSERT INTO tax_ids (value, made_at) VALUES (:v, :at) RETURNING id"),
            {"v": value, "at": made_at},
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE accounts SET tax_id_ref = :r, tax_id_masked = :m WHERE id = :i"),
            {"r": ref, "m": mask_tax_id(value), "i": account_id},
        )
    return len(found)


def _guard_postgresql() -> None:
    op.execute(_PG_KEEP)
    op.execute(_PG_REVEAL)
    # The tests (and a DBA's several books) keep a database per schema: the functions
    # must find this schema's tables whoever calls them, whatever their search_path.
    op.execute(
        "DO $$ BEGIN "
        "EXECUTE format('ALTER FUNCTION desk_keep_tax_id(text) SET search_path = %I, pg_temp', "
        "current_schema()); "
        "EXECUTE format('ALTER FUNCTION desk_reveal_tax_id(bigint, bigint) "
        "SET search_path = %I, pg_temp', current_schema()); END $$"
    )
    op.execute(_PG_WRITE_ONCE)
    op.execute(
        "CREATE TRIGGER tax_ids_write_once BEFORE UPDATE OR DELETE ON tax_ids "
        "FOR EACH ROW EXECUTE FUNCTION desk_tax_ids_write_once()"
    )
    op.execute(
        "CREATE TRIGGER tax_ids_no_truncate BEFORE TRUNCATE ON tax_ids "
        "FOR EACH STATEMENT EXECUTE FUNCTION desk_tax_ids_write_once()"
    )
    # The seals' own append-only function (migration 0013) says the same for the reveals.
    op.execute(
        "CREATE TRIGGER tax_id_reveals_append_only BEFORE UPDATE OR DELETE ON tax_id_reveals "
        "FOR EACH ROW EXECUTE FUNCTION desk_record_seals_append_only()"
    )
    op.execute(
        "CREATE TRIGGER tax_id_reveals_no_truncate BEFORE TRUNCATE ON tax_id_reveals "
        "FOR EACH STATEMENT EXECUTE FUNCTION desk_record_seals_append_only()"
    )


def _guard_sqlite() -> None:
    for table, what in (("tax_ids", "written once"), ("tax_id_reveals", "append-only")):
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is {what}: {event} refused'); END"
            )


def downgrade() -> None:
    raise NotImplementedError("the tax id vault is never taken apart: the ids would leave it")


# -- sealing again what moved -------------------------------------------------------------

_ENTRIES = sa.table(
    "audit_log",
    *(sa.column(name) for name in (
        "seq", "recorded_at", "app_user", "db_login", "action", "change", "table_name",
        "record_id", "before", "after", "approval_id", "row_hash", "prev_hash", "entry_hash",
    )),
)  # fmt: skip
_SEAL_COLUMNS = ("table_name", "record_id", "seq", "layout_id", "row_hash", "fingerprints")


def _reseal(conn: sa.Connection, moved: int) -> None:
    """Seal the accounts (and on SQLite the vault) as they now stand, if the trail began."""
    seq, head = conn.execute(
        sa.text("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, entry_hash")
    ).one()
    if seq == 0:  # a new database: its first audited change seals what is here
        return
    if conn.dialect.name == "postgresql":
        login = str(conn.execute(sa.text("SELECT session_user")).scalar_one())
        tables = ("accounts",)
    else:
        try:
            login = getpass.getuser()
        except OSError:
            login = "unknown"
        tables = ("accounts", "tax_ids")
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

    sealed = {table: _seal_table(conn, table, append) for table in tables}
    append("event", "accounts", "tax_id_vault", {"moved": moved, "sealed": sealed})


def _seal_table(conn: sa.Connection, table: str, append: Any) -> int:
    """Seal every row of ``table``: one ``seal`` entry per `BATCH_ROWS`, then its seals."""
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
    rows = [row for chunk in read_rows(conn, table, columns) for row in chunk]
    sealed = [(row[at], *seal) for row, seal in zip(rows, hash_rows(prefix, rows), strict=True)]
    for start in range(0, len(sealed), BATCH_ROWS):
        batch = sealed[start : start + BATCH_ROWS]
        digest = BatchDigest()
        for rid, row_hash, prints in batch:
            digest.add(rid, int(layout), row_hash, prints)
        detail = batch_detail((rid for rid, _, _ in batch), digest)
        seq = append("seal", table, f"{detail['first_id']}..{detail['last_id']}", detail)
        conn.execute(
            sa.text(
                f"INSERT INTO record_seals ({', '.join(_SEAL_COLUMNS)}) "
                "VALUES (:t, :r, :s, :l, :h, :f)"
            ),
            [
                {"t": table, "r": rid, "s": seq, "l": int(layout), "h": row_hash, "f": prints}
                for rid, row_hash, prints in batch
            ],
        )
    return len(sealed)
