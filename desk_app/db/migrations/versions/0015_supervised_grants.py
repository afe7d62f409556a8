"""Granting power is itself supervised: PostgreSQL refuses a grant nobody approved.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00

A *grant* gives power: a supervisor, compliance or admin role, a registration (or a
longer one), a password set for someone else, a login mapped to a user, or a user
with a power role made active again. Desk files it as a ``user.grant`` request that a
principal other than its maker and its subject approves (`desk_app.domain.power`).

Approval requests gain the new password's argon2 hash (``password_hash``, never in
the trail) and, on PostgreSQL, the transaction that approved them
(``decided_txid``). ``first_principal`` records the database's first principal once:
until then nobody could approve a grant, so grants apply at once; afterwards never
again, even if every principal is removed or lapses (then the database's owner acts).

On PostgreSQL, triggers on ``users`` and ``user_registrations`` refuse a grant unless
a ``user.grant`` request for that user was approved in the same transaction through
the same login and the row is exactly what it approved, or the database has never
had a principal. A deferred check refuses to commit a database that has a principal
but no recorded first principal. The decision trigger of 0012 now also refuses a
grant decided by its subject's login. The schema's owner (migrations, the DBA) stays
exempt, as in 0012. The privileges that go with it are in ``desk_app.db.grants``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: FINRA principal registrations that let a person decide (``domain.supervision``).
_PRINCIPAL_SERIES = "'S4','S9','S10','S23','S24','S26','S27','S53'"

_OWNER = """
CREATE FUNCTION desk_schema_owner() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(session_user, (SELECT tableowner FROM pg_tables
        WHERE schemaname = current_schema() AND tablename = 'users'), 'MEMBER')
$$
"""

_HAS_PRINCIPAL = f"""
CREATE FUNCTION desk_has_principal() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM users u JOIN user_registrations r ON r.user_id = u.id
        WHERE u.active AND string_to_array(u.roles, ',') && ARRAY['supervisor', 'compliance']
          AND r.series IN ({_PRINCIPAL_SERIES}) AND r.effective_from <= current_date
          AND (r.effective_to IS NULL OR r.effective_to >= current_date))
$$
"""

_BEFORE_FIRST = """
CREATE FUNCTION desk_before_first_principal() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM first_principal) AND NOT desk_has_principal()
$$
"""

#: The grant for ``subject`` this login approved in this very transaction, if any.
_IN_HAND = """
CREATE FUNCTION desk_grant_in_hand(subject text) RETURNS approval_requests
LANGUAGE sql STABLE AS $$
    SELECT r.* FROM approval_requests r
    WHERE r.decided_txid = txid_current() AND r.action = 'user.grant'
      AND r.status = 'approved' AND r.decided_login = session_user::text
      AND lower((r.proposal::jsonb) -> 'terms' ->> 'username') = lower(subject)
    ORDER BY r.id DESC LIMIT 1
$$
"""

_USER_POWER = """
CREATE FUNCTION desk_user_power() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    power text[] := ARRAY['supervisor', 'compliance', 'admin'];
    new_roles text[] := string_to_array(NEW.roles, ',');
    granting boolean;
    req approval_requests;
    terms jsonb;
    password text;
BEGIN
    IF desk_schema_owner() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.username IS DISTINCT FROM OLD.username THEN
            RAISE EXCEPTION 'user %: a username never changes', OLD.username
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        granting := EXISTS (SELECT 1 FROM unnest(new_roles) r
                            WHERE r = ANY(power) AND NOT r = ANY(string_to_array(OLD.roles, ',')))
            OR NEW.db_login IS DISTINCT FROM OLD.db_login
            OR (NEW.password_hash IS DISTINCT FROM OLD.password_hash
                AND (desk_session_user()).id IS DISTINCT FROM OLD.id)
            OR (NEW.active AND NOT OLD.active AND new_roles && power);
    ELSE
        granting := new_roles && power OR NEW.password_hash IS NOT NULL
            OR NEW.db_login IS NOT NULL;
    END IF;
    req := desk_grant_in_hand(NEW.username);
    IF req.id IS NOT NULL THEN
        terms := (req.proposal::jsonb) -> 'terms';
        password := CASE terms ->> 'password'
            WHEN 'set' THEN req.password_hash
            WHEN 'cleared' THEN NULL
            ELSE CASE WHEN TG_OP = 'UPDATE' THEN OLD.password_hash END END;
        IF NEW.roles IS DISTINCT FROM terms ->> 'roles'
           OR NEW.active IS DISTINCT FROM (terms ->> 'active')::boolean
           OR NEW.db_login IS DISTINCT FROM terms ->> 'db_login'
           OR NEW.password_hash IS DISTINCT FROM password THEN
            RAISE EXCEPTION 'user %: not what request % approved', NEW.username, req.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF granting AND NOT desk_before_first_principal() THEN
        RAISE EXCEPTION 'giving user % power (a role, login or password) needs a user.grant '
            'request that a principal approved in this transaction', NEW.username
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' AND NOT pg_has_role(session_user, 'desk_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'the login % may not add the user % (desk_admin adds users)',
            session_user, NEW.username USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

_REGISTRATION_POWER = """
CREATE FUNCTION desk_registration_power() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    subject text;
    req approval_requests;
    granting boolean;
BEGIN
    IF desk_schema_owner() THEN
        RETURN NEW;
    END IF;
    SELECT username INTO subject FROM users WHERE id = NEW.user_id;
    req := desk_grant_in_hand(subject);
    IF req.id IS NOT NULL THEN
        IF NOT ((req.proposal::jsonb) -> 'terms' -> 'registrations') @> jsonb_build_array(
                jsonb_build_object('series', NEW.series,
                                   'from', to_char(NEW.effective_from, 'YYYY-MM-DD'),
                                   'to', to_char(NEW.effective_to, 'YYYY-MM-DD'))) THEN
            RAISE EXCEPTION 'user %: registration % is not what request % approved',
                subject, NEW.series, req.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.effective_to < current_date THEN
        granting := false;  -- it ended already: history, no power
    ELSIF TG_OP = 'INSERT' THEN
        granting := true;
    ELSE
        granting := NEW.user_id <> OLD.user_id OR NEW.series <> OLD.series
            OR NEW.effective_from < OLD.effective_from
            OR (NEW.effective_to IS NULL AND OLD.effective_to IS NOT NULL)
            OR NEW.effective_to > OLD.effective_to;
    END IF;
    IF granting AND NOT desk_before_first_principal() THEN
        RAISE EXCEPTION 'giving user % a registration (or a longer one) needs a user.grant '
            'request that a principal approved in this transaction', subject
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT pg_has_role(session_user, 'desk_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'the login % may not change the registrations of %',
            session_user, subject USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

_FIRST_RECORDED = """
CREATE FUNCTION desk_first_principal_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT desk_schema_owner() AND NOT EXISTS (SELECT 1 FROM first_principal)
       AND desk_has_principal() THEN
        RAISE EXCEPTION 'the database now has a principal: record the first one '
            '(first_principal) in the same transaction' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$
"""

_FIRST_FIXED = """
CREATE FUNCTION desk_first_principal_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the first principal is recorded once: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""

_REQUEST_MADE = """
CREATE OR REPLACE FUNCTION desk_request_made() RETURNS trigger LANGUAGE plpgsql AS $$
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
       OR NEW.decided_login IS NOT NULL OR NEW.decided_txid IS NOT NULL THEN
        RAISE EXCEPTION 'a new request is pending and undecided'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

_REQUEST_DECIDED = f"""
CREATE OR REPLACE FUNCTION desk_request_decided() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me users;
    terms jsonb;
BEGIN
    IF ROW(NEW.id, NEW.action, NEW.target_table, NEW.target_id, NEW.target_version,
           NEW.target_key, NEW.summary, NEW.proposal, NEW.reason, NEW.maker,
           NEW.maker_login, NEW.made_at, NEW.password_hash)
       IS DISTINCT FROM
       ROW(OLD.id, OLD.action, OLD.target_table, OLD.target_id, OLD.target_version,
           OLD.target_key, OLD.summary, OLD.proposal, OLD.reason, OLD.maker,
           OLD.maker_login, OLD.made_at, OLD.password_hash) THEN
        RAISE EXCEPTION 'request %: what was asked, and by whom, never changes', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF ROW(NEW.status, NEW.decided_by, NEW.decided_at, NEW.decision_note, NEW.decided_login)
       IS NOT DISTINCT FROM
       ROW(OLD.status, OLD.decided_by, OLD.decided_at, OLD.decision_note, OLD.decided_login) THEN
        NEW.decided_txid := OLD.decided_txid;
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
    NEW.decided_txid := CASE WHEN NEW.status = 'approved' THEN txid_current() END;
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
    IF OLD.action = 'user.grant' THEN
        terms := (OLD.proposal::jsonb) -> 'terms';
        IF lower(me.username) = lower(terms ->> 'username')
           OR session_user::text = terms ->> 'db_login' THEN
            RAISE EXCEPTION 'request %: a grant to % is never decided by them (login %)',
                OLD.id, terms ->> 'username', session_user
                USING ERRCODE = 'insufficient_privilege';
        END IF;
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
    # Nullable columns: a plain ALTER TABLE on both engines, the table's triggers untouched.
    op.add_column(
        "approval_requests", sa.Column("password_hash", sa.String(length=200), nullable=True)
    )
    op.add_column("approval_requests", sa.Column("decided_txid", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_approval_requests_decided_txid", "approval_requests", ["decided_txid"], unique=False
    )
    op.create_table(
        "first_principal",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_first_principal")),
    )
    if op.get_bind().dialect.name != "postgresql":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER first_principal_no_{event.lower()} BEFORE {event} "
                "ON first_principal BEGIN SELECT RAISE(ABORT, "
                f"'the first principal is recorded once: {event} refused'); END"
            )
        return
    for function in (_OWNER, _HAS_PRINCIPAL, _BEFORE_FIRST, _IN_HAND, _USER_POWER,
                     _REGISTRATION_POWER, _FIRST_RECORDED, _FIRST_FIXED,
                     _REQUEST_MADE, _REQUEST_DECIDED):  # fmt: skip
        op.execute(function)
    op.execute(
        "CREATE TRIGGER users_power_check BEFORE INSERT OR UPDATE ON users "
        "FOR EACH ROW EXECUTE FUNCTION desk_user_power()"
    )
    op.execute(
        "CREATE TRIGGER user_registrations_power_check BEFORE INSERT OR UPDATE "
        "ON user_registrations FOR EACH ROW EXECUTE FUNCTION desk_registration_power()"
    )
    for table in ("users", "user_registrations"):
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_first_principal AFTER INSERT OR UPDATE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION desk_first_principal_recorded()"
        )
    op.execute(
        "CREATE TRIGGER first_principal_fixed BEFORE UPDATE OR DELETE ON first_principal "
        "FOR EACH ROW EXECUTE FUNCTION desk_first_principal_fixed()"
    )
    op.execute(
        "CREATE TRIGGER first_principal_no_truncate BEFORE TRUNCATE ON first_principal "
        "FOR EACH STATEMENT EXECUTE FUNCTION desk_first_principal_fixed()"
    )


def downgrade() -> None:
    raise NotImplementedError("supervision's checks are never removed")
