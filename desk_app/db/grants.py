"""PostgreSQL privileges: what the people's logins may do, renewed after every migration.

Each person logs in as their own PostgreSQL role, a member of the group role
``desk_user``; the admins' logins are members of ``desk_admin`` as well. The group
may read and write the business tables (what it writes there outside Desk, the
record seals show), but:

- the audit trail is append-only for everyone (triggers refuse UPDATE and DELETE
  even for the owner);
- approval requests may be filed and decided, never deleted, and their maker never
  rewritten (migration 0012's triggers check who decides, whatever the statement);
- users and registrations change only through ``desk_admin``, or through the
  principal applying a grant they approved in the same transaction (migration 0015's
  triggers: a grant of power, even by ``desk_admin``, needs that approval); a person
  may change nothing on their own user row but their password; only ``desk_admin``
  deletes a registration.

A DBA adds a person with ``CREATE ROLE name LOGIN IN ROLE desk_user`` and an admin
with ``... IN ROLE desk_admin``.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

APP_ROLE = "desk_user"
ADMIN_ROLE = "desk_admin"
APPEND_ONLY_TABLES = (
    "audit_log",
    "certificate_custody",
    "manifest_prints",
    "record_seals",
    "record_seal_layouts",
    "first_principal",
)
#: Who may do what: written by the administration role, or by a principal applying an
#: approved grant (the triggers tell them apart); deleted only by the administration role.
ADMIN_TABLES = ("users", "user_registrations")
#: What a person may change on their own user row (trigger ``desk_own_user_row``).
OWN_USER_COLUMNS = ("password_hash", "version", "updated_at")
#: What deciding or withdrawing a request writes; the rest of a request is fixed.
DECISION_COLUMNS = (
    "status", "decided_by", "decided_at", "decision_note", "decided_login", "decided_txid",
    "version", "updated_at",
)  # fmt: skip

_OWN = ",".join(OWN_USER_COLUMNS)
_OWN_USER_ROW = f"""
CREATE OR REPLACE FUNCTION desk_own_user_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(session_user, '{ADMIN_ROLE}', 'MEMBER')
       OR (desk_grant_in_hand(OLD.username)).id IS NOT NULL THEN
        RETURN NEW;  -- what a grant may change, trigger users_power_check decides
    END IF;
    IF (desk_session_user()).id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'the login % may not change the user %', session_user, OLD.username
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_jsonb(NEW) - '{{{_OWN}}}'::text[]
       IS DISTINCT FROM to_jsonb(OLD) - '{{{_OWN}}}'::text[] THEN
        RAISE EXCEPTION 'the login % may change only its own password on user %',
            session_user, OLD.username USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""


def ensure_app_role(conn: Connection) -> bool:
    """Create the group roles if missing and we may; False if they cannot exist here."""
    if not _ensure_role(conn, APP_ROLE):
        return False
    return _ensure_role(conn, ADMIN_ROLE, member_of=APP_ROLE)


def _ensure_role(conn: Connection, role: str, member_of: str | None = None) -> bool:
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        return True
    may = conn.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not may:
        log.warning("cannot create role %s: grant it CREATEROLE or create it by hand", role)
        return False
    # Two databases migrating at once on one server may race to create it: both win.
    member = f" IN ROLE {member_of}" if member_of else ""
    conn.execute(
        text(
            f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN{member}; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    )
    return True


def grant_app_role(conn: Connection) -> None:
    """Grant ``desk_user`` its rights on every table of the current schema."""
    if conn.dialect.name != "postgresql" or not ensure_app_role(conn):
        return
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    quoted = conn.dialect.identifier_preparer.quote(schema)
    conn.execute(text(f"GRANT USAGE ON SCHEMA {quoted} TO {APP_ROLE}"))
    conn.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quoted} TO {APP_ROLE}")
    )
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted} TO {APP_ROLE}"))
    for table in APPEND_ONLY_TABLES:
        conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quoted}.{table} FROM {APP_ROLE}"))
        conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quoted}.{table} FROM PUBLIC"))
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted} FROM PUBLIC"))
    for table in ADMIN_TABLES:
        # INSERT and UPDATE stay: a principal applies the grant they approve. The
        # triggers refuse the group anything else (desk_own_user_row, *_power_check).
        conn.execute(text(f"REVOKE DELETE, TRUNCATE ON {quoted}.{table} FROM {APP_ROLE}"))
        conn.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quoted}.{table} TO {ADMIN_ROLE}")
        )
    conn.execute(
        text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quoted}.approval_requests FROM {APP_ROLE}")
    )
    decision = ", ".join(DECISION_COLUMNS)
    conn.execute(text(f"GRANT UPDATE ({decision}) ON {quoted}.approval_requests TO {APP_ROLE}"))
    conn.execute(text("REVOKE TRUNCATE ON audit_head FROM " + APP_ROLE))
    conn.execute(text(_OWN_USER_ROW))
    conn.execute(text("DROP TRIGGER IF EXISTS users_own_row ON users"))
    conn.execute(
        text(
            "CREATE TRIGGER users_own_row BEFORE UPDATE ON users "
            "FOR EACH ROW EXECUTE FUNCTION desk_own_user_row()"
        )
    )
    _guard_tax_ids(conn, quoted)


#: The tax id vault's way in and way out (migration 0016), the only use of it a desk has.
TAX_ID_FUNCTIONS = ("desk_keep_tax_id(text)", "desk_reveal_tax_id(bigint, bigint)")


def _guard_tax_ids(conn: Connection, quoted: str) -> None:
    """The vault is out of the desk's reach (no privilege at all): a value goes in and
    comes out only through its two functions; the reveals are readable, and written
    only by the reveal itself."""
    conn.execute(text(f"REVOKE ALL ON {quoted}.tax_ids FROM {APP_ROLE}, {ADMIN_ROLE}"))
    conn.execute(
        text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {quoted}.tax_id_reveals FROM {APP_ROLE}")
    )
    for table in ("tax_ids", "tax_id_reveals"):
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f"{quoted}.{table}"}
        ).scalar()
        if sequence:
            conn.execute(text(f"REVOKE ALL ON SEQUENCE {sequence} FROM {APP_ROLE}"))
    for function in TAX_ID_FUNCTIONS:
        conn.execute(text(f"REVOKE ALL ON FUNCTION {quoted}.{function} FROM PUBLIC"))
        conn.execute(text(f"GRANT EXECUTE ON FUNCTION {quoted}.{function} TO {APP_ROLE}"))
