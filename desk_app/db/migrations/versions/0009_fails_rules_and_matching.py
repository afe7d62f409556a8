"""Fails: the rules that age them, threshold securities, and when an obligation matched.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 02:10:00

The fails desk's deadlines and flags (Reg SHO close-outs, capital charges) are
reference data, seeded here from `desk_app.domain.fails.DEFAULT_RULES` as it stood
on the day of this revision. An instrument may be on the Reg SHO threshold list.
An obligation remembers when it matched, so that one failing before it ever matched
is told apart from one failing after. Before, any failing obligation with a reason
code counted as matched; now one failing for NMAS (no matching instruction) or SSID
(instructions missing) never matched and must match before it settles.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A snapshot of desk_app.domain.fails.DEFAULT_RULES on the day of this revision.
RULES = (
    ("REGSHO-SHORT", "Reg SHO 204 close-out: short sale", "close_out", "ftd", "short", 1),
    ("REGSHO-LONG", "Reg SHO 204 close-out: long sale", "close_out", "ftd", "long", 3),
    ("REGSHO-THRESHOLD", "Reg SHO 203(b)(3) close-out: threshold security", "close_out",
     "ftd", "threshold", 13),
    ("CAPITAL-FTD", "15c3-1 capital charge: fail to deliver", "capital", "ftd", "any", 5),
    ("CAPITAL-FTR", "15c3-1 capital charge: fail to receive", "capital", "ftr", "any", 30),
)  # fmt: skip


def _code(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    rules = op.create_table(
        "fail_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("kind", _code("rulekind", "close_out", "capital"), nullable=False),
        sa.Column("side", _code("failside", "ftd", "ftr"), nullable=False),
        sa.Column(
            "applies", _code("applies", "any", "short", "long", "threshold"), nullable=False
        ),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fail_rules")),
        sa.UniqueConstraint("code", name=op.f("uq_fail_rules_code")),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(rules, [
        {"code": code, "label": label, "kind": kind, "side": side, "applies": applies,
         "days": days, "version": 1, "updated_at": now}
        for code, label, kind, side, applies, days in RULES
    ])  # fmt: skip
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reg_sho_threshold", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("settlement_obligations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True))
    # What matched before this revision: matched, or on from there (a failing one with
    # a reason other than "no matching instruction" or "instructions missing" had too).
    op.execute(
        "UPDATE settlement_obligations SET matched_at = status_changed_at "
        "WHERE status IN ('matched', 'partially_settled', 'settled') "
        "OR (status = 'failing' AND fail_reason IS NOT NULL "
        "AND fail_reason NOT IN ('NMAS', 'SSID'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("settlement_obligations", schema=None) as batch_op:
        batch_op.drop_column("matched_at")
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.drop_column("reg_sho_threshold")
    op.drop_table("fail_rules")
