"""Per-form duplicate handling: attach a repeat submission to the existing prospect.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_forms") as batch_op:
        batch_op.add_column(
            sa.Column("duplicate_mode", sa.String(length=10), nullable=False, server_default="create")
        )
    with op.batch_alter_table("prospect_history") as batch_op:
        batch_op.add_column(sa.Column("submission_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_prospect_history_submission_id", ["submission_id"])


def downgrade() -> None:
    with op.batch_alter_table("prospect_history") as batch_op:
        batch_op.drop_constraint("uq_prospect_history_submission_id", type_="unique")
        batch_op.drop_column("submission_id")
    with op.batch_alter_table("web_forms") as batch_op:
        batch_op.drop_column("duplicate_mode")
