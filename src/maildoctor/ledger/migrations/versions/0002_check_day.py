"""The check day: its runs, the accounts and domains examined in each, and their findings (codes and
parameters, never text).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 21:49:15.976272
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkup_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_checkup_runs_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkup_runs")),
    )
    with op.batch_alter_table("checkup_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkup_runs_company_id"), ["company_id"], unique=False)

    op.create_table(
        "checkup_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=320), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("login", sa.String(length=32), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["checkup_runs.id"], name=op.f("fk_checkup_items_run_id_checkup_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkup_items")),
        sa.UniqueConstraint("run_id", "kind", "subject", name=op.f("uq_checkup_items_run_id_kind_subject")),
    )
    with op.batch_alter_table("checkup_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkup_items_run_id"), ["run_id"], unique=False)

    op.create_table(
        "checkup_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.String(length=700), nullable=False),
        sa.Column("cause", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=320), nullable=False),
        sa.Column("server", sa.String(length=300), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["checkup_items.id"], name=op.f("fk_checkup_findings_item_id_checkup_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkup_findings")),
    )
    with op.batch_alter_table("checkup_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkup_findings_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checkup_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkup_findings_item_id"))

    op.drop_table("checkup_findings")
    with op.batch_alter_table("checkup_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkup_items_run_id"))

    op.drop_table("checkup_items")
    with op.batch_alter_table("checkup_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkup_runs_company_id"))

    op.drop_table("checkup_runs")
