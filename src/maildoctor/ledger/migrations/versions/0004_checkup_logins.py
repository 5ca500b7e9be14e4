"""The check-up's login attempts, claimed in the book before they are made: the one-login guard
across workers and machines sharing the book (never a password).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkup_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=320), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["checkup_runs.id"], name=op.f("fk_checkup_logins_run_id_checkup_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkup_logins")),
        sa.UniqueConstraint(
            "run_id",
            "host",
            "protocol",
            "username",
            name=op.f("uq_checkup_logins_run_id_host_protocol_username"),
        ),
    )
    with op.batch_alter_table("checkup_logins", schema=None) as batch_op:
        batch_op.create_index("ix_checkup_logins_account", ["host", "protocol", "username"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checkup_logins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkup_logins_account")

    op.drop_table("checkup_logins")
