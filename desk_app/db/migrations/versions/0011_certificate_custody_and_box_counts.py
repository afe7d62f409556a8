"""Certificates: chain of custody, losses, manifest printing and pickup, box counts.

Certificates already on record start their chain of custody with one entry saying
where they were when it began.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 04:19:41
"""

from collections.abc import Sequence

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exact(scale: int) -> sa.types.TypeEngine:
    """Scaled integer on SQLite (exact and sortable), NUMERIC on PostgreSQL."""
    return sa.BigInteger().with_variant(sa.Numeric(19 + scale, scale), "postgresql")


_NOW = datetime(2026, 11, 26, tzinfo=UTC)


def upgrade() -> None:
    op.create_table(
        "aging_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aging_limits")),
        sa.UniqueConstraint("code", name=op.f("uq_aging_limits_code")),
    )
    op.create_table(
        "box_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "counting", "counted", "closed", name="boxcountstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_box_counts")),
        sa.UniqueConstraint("quarter", name=op.f("uq_box_counts_quarter")),
    )
    op.create_table(
        "manifest_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=16), nullable=False),
        sa.Column("paper", sa.String(length=8), nullable=False),
        sa.Column("copy", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("printed_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["courier_manifests.id"],
            name=op.f("fk_manifest_prints_manifest_id_courier_manifests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest_prints")),
    )
    with op.batch_alter_table("manifest_prints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_manifest_prints_manifest_id"), ["manifest_id"], unique=False
        )

    op.create_table(
        "box_count_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("box_count_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("certificate_number", sa.String(length=20), nullable=False),
        sa.Column("cusip", sa.String(length=9), nullable=False),
        sa.Column("shares", _exact(6), nullable=True),
        sa.Column("expected_location", sa.String(length=80), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "pending",
                "found",
                "missing",
                "unrecorded",
                name="countresult",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("counted_location", sa.String(length=80), nullable=True),
        sa.Column("counted_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("resolution", sa.String(length=400), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["box_count_id"],
            ["box_counts.id"],
            name=op.f("fk_box_count_items_box_count_id_box_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_box_count_items_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_box_count_items")),
    )
    with op.batch_alter_table("box_count_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_box_count_items_box_count_id"), ["box_count_id"], unique=False
        )

    op.create_table(
        "certificate_custody",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receipt", "delivery", "move", name="custodykind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "in_vault",
                "prepared",
                "on_manifest",
                "in_transit",
                "delivered",
                "returned",
                "lost",
                "cancelled",
                name="certificatestatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "in_vault",
                "prepared",
                "on_manifest",
                "in_transit",
                "delivered",
                "returned",
                "lost",
                "cancelled",
                name="certificatestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("from_party", sa.String(length=200), nullable=False),
        sa.Column("to_party", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=False),
        sa.Column("bag_seal", sa.String(length=40), nullable=True),
        sa.Column("manifest_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_custody_certificate_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["courier_manifests.id"],
            name=op.f("fk_certificate_custody_manifest_id_courier_manifests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_custody")),
    )
    with op.batch_alter_table("certificate_custody", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_custody_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_certificate_custody_certificate_id_id", ["certificate_id", "id"], unique=False
        )

    op.create_table(
        "certificate_losses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "lost",
                "stolen",
                "missing",
                "counterfeit",
                name="losskind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("discovered_on", sa.Date(), nullable=False),
        sa.Column("circumstances", sa.String(length=400), nullable=False),
        sa.Column("in_transit", sa.Boolean(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=True),
        sa.Column("courier", sa.String(length=80), nullable=True),
        sa.Column("stop_agent", sa.String(length=200), nullable=True),
        sa.Column("stop_placed_on", sa.Date(), nullable=True),
        sa.Column("stop_reference", sa.String(length=40), nullable=True),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_how", sa.String(length=20), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replacement_id", sa.Integer(), nullable=True),
        sa.Column("indemnity_bond", sa.String(length=40), nullable=True),
        sa.Column("surety", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_losses_certificate_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["courier_manifests.id"],
            name=op.f("fk_certificate_losses_manifest_id_courier_manifests"),
        ),
        sa.ForeignKeyConstraint(
            ["replacement_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_losses_replacement_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_losses")),
    )
    with op.batch_alter_table("certificate_losses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_losses_certificate_id"), ["certificate_id"], unique=False
        )

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_certificates_replaces_id"), ["replaces_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_replaces_id_certificates"),
            "certificates",
            ["replaces_id"],
            ["id"],
        )

    with op.batch_alter_table("courier_manifests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("picked_up_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("bag_seal", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("received_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=400), nullable=True))

    limits = sa.table(
        "aging_limits",
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("days", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        limits,
        [
            {
                "code": "manifest_unreceipted",
                "days": 3,
                "version": 1,
                "updated_at": _NOW,
                "label": "A manifest picked up but not receipted becomes an exception after (business days)",
            }
        ],
    )
    op.execute(
        "INSERT INTO certificate_custody (certificate_id, at, kind, from_status, to_status, "
        "from_party, to_party, location, actor, note) "
        "SELECT id, status_changed_at, 'move', NULL, status, '', 'Firm', location, 'system', "
        "'On record when the chain of custody began' FROM certificates"
    )


def downgrade() -> None:
    with op.batch_alter_table("courier_manifests", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("received_by")
        batch_op.drop_column("bag_seal")
        batch_op.drop_column("picked_up_by")
        batch_op.drop_column("picked_up_at")
        batch_op.drop_column("verified_at")

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_certificates_replaces_id_certificates"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_certificates_replaces_id"))
        batch_op.drop_column("replaces_id")

    with op.batch_alter_table("certificate_losses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_losses_certificate_id"))

    op.drop_table("certificate_losses")
    with op.batch_alter_table("certificate_custody", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_custody_certificate_id_id")
        batch_op.drop_index(batch_op.f("ix_certificate_custody_at"))

    op.drop_table("certificate_custody")
    with op.batch_alter_table("box_count_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_box_count_items_box_count_id"))

    op.drop_table("box_count_items")
    with op.batch_alter_table("manifest_prints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_prints_manifest_id"))

    op.drop_table("manifest_prints")
    op.drop_table("box_counts")
    op.drop_table("aging_limits")
