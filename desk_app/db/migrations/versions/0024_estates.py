"""Estates of deceased holders: cases, their documents, and the documents each path needs.

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-07 19:00:00

The requirements are reference data (the firm edits them): which paths need a
document, in which states (an inheritance tax waiver), how recent it must be
(letters testamentary: 60 days), and whether only an account holding certificates
needs it. A certificate gets a flag for its re-registration with the transfer agent.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from desk_app.db.migration_seals import seal_written

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
#: States with an inheritance tax whose waiver (or consent to transfer) a transfer needs.
WAIVER_STATES = "KY,MD,NE,NJ,PA"
#: kind, label, paths (empty: all), recency in days, states, only with certificates.
REQUIREMENTS = (
    ("death-certificate", "Certified death certificate", "", None, "", False),
    ("letters", "Letters testamentary or of administration (issued within 60 days)",
     "executor", 60, "", False),
    ("estate-ein-w9", "The estate's own EIN and W-9", "executor", None, "", False),
    ("certification-of-trust", "Certification of trust naming the successor trustee",
     "successor-trustee", None, "", False),
    ("affidavit-of-domicile", "Affidavit of domicile", "", None, "", False),
    ("inheritance-tax-waiver", "Inheritance tax waiver", "", None, WAIVER_STATES, False),
    ("w9-new-owners", "W-9 of each new owner", "", None, "", False),
    ("stock-power", "Stock power or letter of instruction signed in capacity, "
     "medallion signature guaranteed", "", None, "", False),
    ("certificates", "Original certificates, or an affidavit of loss with an indemnity bond",
     "", None, "", True),
)  # fmt: skip


#: On PostgreSQL a case closes only in the transaction that approves its re-registration,
#: decided by the login that runs the statement (0012's approval trigger makes sure that
#: login is an active principal other than the maker); a closed case never changes.
_CLOSED_BY_APPROVAL = """
CREATE FUNCTION desk_estate_closed_by_approval() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables
            WHERE schemaname = current_schema() AND tablename = TG_TABLE_NAME), 'MEMBER')
    THEN
        RETURN NEW;  -- the schema's owner: migrations, the demo book
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'open' THEN
            RAISE EXCEPTION 'an estate case opens open' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status = 'closed' THEN
        RAISE EXCEPTION 'estate case % is closed', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'closed' AND NOT EXISTS (
        SELECT 1 FROM approval_requests r
        WHERE r.action = 'estate.reregister' AND r.target_table = 'estate_cases'
          AND r.target_id = NEW.id AND r.status = 'approved'
          AND r.decided_login = session_user
          AND r.xmin::text = (pg_current_xact_id()::xid)::text
    ) THEN
        RAISE EXCEPTION 'estate case % closes only when a principal approves its re-registration',
            NEW.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""


def _versioned() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    requirements = op.create_table(
        "estate_document_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("paths", sa.String(length=200), nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=True),
        sa.Column("states", sa.String(length=200), nullable=False),
        sa.Column("needs_certificates", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_versioned(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estate_document_requirements")),
        sa.UniqueConstraint("kind", name=op.f("uq_estate_document_requirements_kind")),
    )
    # A fixed time, not now: the rows are reference data the audit trail seals, and a
    # database migrated down and up again must make them the same.
    now = SEEDED_AT
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(requirements, [
        {"kind": kind, "label": label, "paths": paths, "recency_days": days, "states": states,
         "needs_certificates": certificates, "position": n, "version": 1, "updated_at": now}
        for n, (kind, label, paths, days, states, certificates) in enumerate(REQUIREMENTS, 1)
    ])  # fmt: skip
    # In a database whose trail has begun, the rows are sealed as the application would.
    conn = op.get_bind()
    seeded = conn.execute(sa.text("SELECT id FROM estate_document_requirements")).scalars()
    seal_written(
        conn, {"estate_document_requirements": [int(i) for i in seeded]},
        "db.estate_requirements", ("estate_document_requirements", "seeded"),
    )  # fmt: skip
    op.create_table(
        "estate_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("date_of_death", sa.Date(), nullable=False),
        sa.Column("notice_source", sa.String(length=200), nullable=False),
        sa.Column("registration", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("alternate_valuation", sa.Boolean(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retitle_request_id", sa.Integer(), nullable=True),
        sa.Column("reregister_request_id", sa.Integer(), nullable=True),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_estate_cases_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["retitle_request_id"], ["approval_requests.id"],
            name=op.f("fk_estate_cases_retitle_request_id_approval_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["reregister_request_id"], ["approval_requests.id"],
            name=op.f("fk_estate_cases_reregister_request_id_approval_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estate_cases")),
    )  # fmt: skip
    op.create_index(op.f("ix_estate_cases_account_id"), "estate_cases", ["account_id"])
    op.create_table(
        "estate_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("dated", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.String(length=64), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("verified_by", sa.String(length=64), nullable=True),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["case_id"], ["estate_cases.id"], name=op.f("fk_estate_documents_case_id_estate_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estate_documents")),
        sa.UniqueConstraint("case_id", "kind", name=op.f("uq_estate_documents_case_id_kind")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reregistration", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_CLOSED_BY_APPROVAL)
        op.execute(
            "CREATE TRIGGER estate_cases_closed_by_approval BEFORE INSERT OR UPDATE ON "
            "estate_cases FOR EACH ROW EXECUTE FUNCTION desk_estate_closed_by_approval()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER estate_cases_closed_by_approval ON estate_cases")
        op.execute("DROP FUNCTION desk_estate_closed_by_approval()")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("reregistration")
    op.drop_table("estate_documents")
    op.drop_index(op.f("ix_estate_cases_account_id"), "estate_cases")
    op.drop_table("estate_cases")
    op.drop_table("estate_document_requirements")
