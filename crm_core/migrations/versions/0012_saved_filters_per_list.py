"""Saved filters belong to a list: the prospects list (every existing one),
the accounts list or the offers list; a name is unique per user and list.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_filters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("list_name", sa.String(length=20), nullable=False, server_default="prospects")
        )
        batch_op.drop_constraint("uq_saved_filters_user_id_name", type_="unique")
        batch_op.create_unique_constraint(
            "uq_saved_filters_user_id_list_name_name", ["user_id", "list_name", "name"]
        )


def downgrade() -> None:
    # Two lists' filters may share a name; only the prospects' ones survive the way back.
    op.execute("DELETE FROM saved_filters WHERE list_name <> 'prospects'")
    with op.batch_alter_table("saved_filters", schema=None) as batch_op:
        batch_op.drop_constraint("uq_saved_filters_user_id_list_name_name", type_="unique")
        batch_op.create_unique_constraint("uq_saved_filters_user_id_name", ["user_id", "name"])
        batch_op.drop_column("list_name")
