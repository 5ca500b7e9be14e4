"""The check day's report sent: where it went (or why not), and the expiry alerts sent (each once).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 00:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkup_sendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=700), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["checkup_runs.id"], name=op.f("fk_checkup_sendings_run_id_checkup_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkup_sendings")),
    )
    with op.batch_alter_table("checkup_sendings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkup_sendings_run_id"), ["run_id"], unique=False)

    op.create_table(
        "checkup_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("expires", sa.Date(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_checkup_alerts_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["checkup_runs.id"], name=op.f("fk_checkup_alerts_run_id_checkup_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkup_alerts")),
        sa.UniqueConstraint(
            "company_id",
            "kind",
            "what",
            "expires",
            "threshold",
            name=op.f("uq_checkup_alerts_company_id_kind_what_expires_threshold"),
        ),
    )
    with op.batch_alter_table("checkup_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkup_alerts_company_id"), ["company_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checkup_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkup_alerts_company_id"))

    op.drop_table("checkup_alerts")
    with op.batch_alter_table("checkup_sendings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkup_sendings_run_id"))

    op.drop_table("checkup_sendings")
