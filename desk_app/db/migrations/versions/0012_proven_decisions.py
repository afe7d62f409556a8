"""Approval requests record the logins of their maker and decider; PostgreSQL checks both.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:30:00

Until now the database trusted whatever the app wrote into ``approval_requests``:
a clerk with their own login could rewrite a request's maker, or approve a
colleague's request by setting its status. Now, on PostgreSQL, triggers decide
what the login that runs the statement may do, whatever program sends it:

- a new request is made by the user who *is* the login, recorded with that login;
- what was asked (action, record, proposal, reason, maker) never changes;
- a decision is taken by the user who is the login, never by the maker or through
  the maker's login, and only by an active supervisor or compliance officer with a
  principal registration in force (approve, reject); only the maker withdraws;
- a decided request stays decided.

The privileges that go with it (no UPDATE of the maker, no DELETE, users and
registrations only for the administration role) are in ``desk_app.db.grants``.
A local file has one owner; there the app's checks and the audit chain stand guard.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: FINRA principal registrations that let a person decide (``domain.supervision``).
_PRINCIPAL_SERIES = "'S4','S9','S10','S23','S24','S26','S27','S53'"

_SESSION_USER = """
CREATE FUNCTION desk_session_user() RETURNS users LANGUAGE sql STABLE AS $$
    SELECT u.* FROM users u
    WHERE u.db_login = session_user
       OR (u.db_login IS NULL AND lower(u.username) = lower(session_user)
           AND NOT EXISTS (SELECT 1 FROM users o WHERE o.db_login = session_user))
    LIMIT 1
$$
"""

_REQUEST_MADE = """
CREATE FUNCTION desk_request_made() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me users;
BEGIN
    IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables
            WHERE schemaname = current_schema() AND tablename = 'approval_requests'), 'MEMBER')
    THEN
        RETURN NEW;  -- the schema's owner (the DBA) loading history: the demo book
    END IF;
    NEW.maker_login := session_user;
    me := desk_session_user();
    IF me.id IS NULL OR NOT me.active THEN
        RAISE EXCEPTION 'the login % is no active Desk user: it cannot make a request',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF lower(NEW.maker) <> lower(me.username) THEN
        RAISE EXCEPTION 'a request by % cannot be filed through the login % (user %)',
            NEW.maker, session_user, me.username USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status <> 'pending' OR NEW.decided_by IS NOT NULL OR NEW.decided_at IS NOT NULL
       OR NEW.decided_login IS NOT NULL THEN
        RAISE EXCEPTION 'a new request is pending and undecided'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

_REQUEST_DECIDED = f"""
CREATE FUNCTION desk_request_decided() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me users;
BEGIN
    IF ROW(NEW.id, NEW.action, NEW.target_table, NEW.target_id, NEW.target_version,
           NEW.target_key, NEW.summary, NEW.proposal, NEW.reason, NEW.maker,
           NEW.maker_login, NEW.made_at)
       IS DISTINCT FROM
       ROW(OLD.id, OLD.action, OLD.target_table, OLD.target_id, OLD.target_version,
           OLD.target_key, OLD.summary, OLD.proposal, OLD.reason, OLD.maker,
           OLD.maker_login, OLD.made_at) THEN
        RAISE EXCEPTION 'request %: what was asked, and by whom, never changes', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF ROW(NEW.status, NEW.decided_by, NEW.decided_at, NEW.decision_note, NEW.decided_login)
       IS NOT DISTINCT FROM
       ROW(OLD.status, OLD.decided_by, OLD.decided_at, OLD.decision_note, OLD.decided_login) THEN
        RETURN NEW;
    END IF;
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'request % is already %', OLD.id, OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    me := desk_session_user();
    IF me.id IS NULL OR NOT me.active THEN
        RAISE EXCEPTION 'the login % is no active Desk user: it cannot decide request %',
            session_user, OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.decided_by IS DISTINCT FROM me.username THEN
        RAISE EXCEPTION 'request %: a decision through the login % is %''s, not %''s',
            OLD.id, session_user, me.username, NEW.decided_by
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.decided_login := session_user;
    IF NEW.status = 'withdrawn' THEN
        IF lower(me.username) <> lower(OLD.maker) THEN
            RAISE EXCEPTION 'request %: only its maker % withdraws it', OLD.id, OLD.maker
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF lower(me.username) = lower(OLD.maker) OR session_user::text = OLD.maker_login THEN
        RAISE EXCEPTION 'request %: its maker cannot decide it (login %)', OLD.id, session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT (string_to_array(me.roles, ',') && ARRAY['supervisor', 'compliance']) THEN
        RAISE EXCEPTION 'request %: % is not a supervisor or compliance officer',
            OLD.id, me.username USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM user_registrations r
        WHERE r.user_id = me.id AND r.series IN ({_PRINCIPAL_SERIES})
          AND r.effective_from <= current_date
          AND (r.effective_to IS NULL OR r.effective_to >= current_date)
    ) THEN
        RAISE EXCEPTION 'request %: % holds no principal registration in force',
            OLD.id, me.username USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    with op.batch_alter_table("approval_requests") as batch:
        batch.add_column(sa.Column("maker_login", sa.String(length=63), nullable=True))
        batch.add_column(sa.Column("decided_login", sa.String(length=63), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_SESSION_USER)
    op.execute(_REQUEST_MADE)
    op.execute(
        "CREATE TRIGGER approval_request_made BEFORE INSERT ON approval_requests "
        "FOR EACH ROW EXECUTE FUNCTION desk_request_made()"
    )
    op.execute(_REQUEST_DECIDED)
    op.execute(
        "CREATE TRIGGER approval_request_decided BEFORE UPDATE ON approval_requests "
        "FOR EACH ROW EXECUTE FUNCTION desk_request_decided()"
    )


def downgrade() -> None:
    raise NotImplementedError("supervision's checks are never removed")
