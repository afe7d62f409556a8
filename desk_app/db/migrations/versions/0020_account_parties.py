"""The client record: the account's profile, and its parties.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 19:00:00

An account gains its profile (account type, investment objective, risk tolerance,
time horizon, liquid net worth, annual income, tax status, mailing address) and the
principal who accepted it; accounts opened before stay empty there ("not recorded"),
so their sealed rows are unchanged. ``account_parties`` holds each owner, joint
owner, beneficiary, custodian, minor, trustee, executor, power of attorney and
trusted contact, ended rather than deleted. A party's tax id is in the vault, so on
PostgreSQL ``desk_reveal_tax_id`` now also reveals one of the account's parties' ids.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Roles that may reveal a tax id (as migration 0016 has them).
REVEALING_ROLES = ("clerk", "supervisor", "compliance")
_HOLDS = (
    "EXISTS (SELECT 1 FROM accounts a WHERE a.id = account AND a.tax_id_ref = ref) "
    "OR EXISTS (SELECT 1 FROM account_parties p WHERE p.account_id = account "
    "AND p.tax_id_ref = ref)"
)
_ONLY_ACCOUNT = "EXISTS (SELECT 1 FROM accounts a WHERE a.id = account AND a.tax_id_ref = ref)"


def _reveal(holds: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION desk_reveal_tax_id(ref bigint, account bigint) RETURNS text
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
    IF NOT ({holds}) THEN
        RAISE EXCEPTION 'account % holds no tax id %', account, ref
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT t.value INTO STRICT shown FROM tax_ids t WHERE t.id = ref;
    INSERT INTO tax_id_reveals (tax_id_ref, account_id, app_user, db_login, revealed_at)
        VALUES (ref, account, me.username, session_user, now());
    RETURN shown;
END $$
"""


def _replace_reveal(holds: str) -> None:
    op.execute(_reveal(holds))
    op.execute(
        "DO $$ BEGIN EXECUTE format('ALTER FUNCTION desk_reveal_tax_id(bigint, bigint) "
        "SET search_path = %I, pg_temp', current_schema()); END $$"
    )


def _money() -> sa.types.TypeEngine:
    """Scaled integer on SQLite (exact), NUMERIC on PostgreSQL (as 0001)."""
    return sa.BigInteger().with_variant(sa.Numeric(23, 4), "postgresql")


def _quantity() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Numeric(25, 6), "postgresql")


PROFILE = (
    ("account_type", sa.String(length=32)),
    ("investment_objective", sa.String(length=32)),
    ("risk_tolerance", sa.String(length=32)),
    ("time_horizon", sa.String(length=32)),
    ("liquid_net_worth", _money()),
    ("annual_income", _money()),
    ("tax_status", sa.String(length=32)),
    ("mailing_address", sa.String(length=500)),
    ("accepted_by", sa.String(length=64)),
)


def upgrade() -> None:
    for name, kind in PROFILE:  # a plain ADD COLUMN on both engines: the table stays as it is
        op.add_column("accounts", sa.Column(name, kind, nullable=True))
    op.create_table(
        "account_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("tax_id_ref", sa.Integer(), nullable=True),
        sa.Column("tax_id_masked", sa.String(length=11), nullable=True),
        sa.Column("citizenship", sa.String(length=2), nullable=True),
        sa.Column("occupation", sa.String(length=100), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("associated_person", sa.Boolean(), nullable=False),
        sa.Column("share_percent", _quantity(), nullable=True),
        sa.Column("contingent", sa.Boolean(), nullable=False),
        sa.Column("per_stirpes", sa.Boolean(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_parties_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["tax_id_ref"], ["tax_ids.id"], name=op.f("fk_account_parties_tax_id_ref_tax_ids")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_parties")),
    )
    op.create_index(op.f("ix_account_parties_account_id"), "account_parties", ["account_id"])
    if op.get_bind().dialect.name == "postgresql":
        _replace_reveal(_HOLDS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace_reveal(_ONLY_ACCOUNT)
    op.drop_index(op.f("ix_account_parties_account_id"), "account_parties")
    op.drop_table("account_parties")
    with op.batch_alter_table("accounts") as batch:
        for name, _kind in reversed(PROFILE):
            batch.drop_column(name)
