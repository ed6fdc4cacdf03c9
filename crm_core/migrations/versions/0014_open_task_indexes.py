"""Indexes for the Tasks page and the "overdue tasks" list filter at scale
(the related-records benchmark, issue 16): partial indexes on open tasks in
each Tasks-page group's order, one owner's and everyone's; and the list's
"next task due" among prospects not converted, everyone's and one owner's,
which replace the plain index on ``next_task_due``. The open tasks by due
date (0007's, for the owners report) gain the time and id of the Tasks
page's order and keep the owner at the end.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# As crm_core.tasks.models writes them (and as its queries repeat them, literally).
OPEN = "status IN ('open', 'in_progress')"
UNDATED_OPEN = f"{OPEN} AND due_date IS NULL"
NOT_CONVERTED = "converted_at IS NULL"

TASK_INDEXES = (
    ("ix_tasks_open_owner_due", ["owner_id", "due_date", "due_time", "id"], OPEN),
    ("ix_tasks_open_owner_undated", ["owner_id", "created_at", "id"], UNDATED_OPEN),
    ("ix_tasks_open_due", ["due_date", "due_time", "id", "owner_id"], OPEN),
    ("ix_tasks_open_undated", ["created_at", "id"], UNDATED_OPEN),
)
PROSPECT_INDEXES = (
    ("ix_prospects_open_next_task_due", ["next_task_due"], NOT_CONVERTED),
    ("ix_prospects_owner_next_task_due", ["owner_id", "next_task_due"], NOT_CONVERTED),
)


def upgrade() -> None:
    op.drop_index("ix_tasks_open_due", table_name="tasks")  # 0007's (due_date, owner_id)
    for table, indexes in (("tasks", TASK_INDEXES), ("prospects", PROSPECT_INDEXES)):
        for name, columns, where in indexes:
            op.create_index(
                name, table, columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where)
            )
    op.drop_index("ix_prospects_next_task_due", table_name="prospects")


def downgrade() -> None:
    op.create_index("ix_prospects_next_task_due", "prospects", ["next_task_due"])
    for table, indexes in (("prospects", PROSPECT_INDEXES), ("tasks", TASK_INDEXES)):
        for name, _columns, _where in reversed(indexes):
            op.drop_index(name, table_name=table)
    op.create_index(
        "ix_tasks_open_due",
        "tasks",
        ["due_date", "owner_id"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
