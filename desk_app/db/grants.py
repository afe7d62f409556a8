"""PostgreSQL privileges: what the people's logins may do, renewed after every migration.

Each person logs in as their own PostgreSQL role, a member of the group role
``desk_user``. That group may read and write the business tables but may only read
and append to the audit trail; triggers refuse UPDATE and DELETE on it even for
the owner. A DBA adds a person with ``CREATE ROLE name LOGIN IN ROLE desk_user``.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

APP_ROLE = "desk_user"
APPEND_ONLY_TABLES = ("audit_log", "certificate_custody", "manifest_prints")


def ensure_app_role(conn: Connection) -> bool:
    """Create the group role if it is missing and we may; False if it cannot exist here."""
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).first():
        return True
    may = conn.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not may:
        log.warning("cannot create role %s: grant it CREATEROLE or create it by hand", APP_ROLE)
        return False
    # Two databases migrating at once on one server may race to create it: both win.
    conn.execute(
        text(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
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
