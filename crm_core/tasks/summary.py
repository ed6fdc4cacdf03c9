"""A prospect's task summary — how many open tasks, the next due date — kept
on the prospect row by every task change, in the same transaction, so the
list filters "has open tasks" / "has overdue tasks" and shows "next task due"
at a million prospects without touching the tasks table."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_core.parents import Parent, ParentType
from crm_core.prospects.models import Prospect
from crm_core.related import lock_prospect
from crm_core.tasks.models import Task, open_status


def refresh_task_summary(session: Session, parent: Parent | None) -> None:
    if parent is None or parent.type != ParentType.PROSPECT:
        return
    session.flush()
    lock_prospect(session, parent.id)  # a concurrent change to its tasks waits, then counts again
    count, next_due = session.execute(
        select(func.count(Task.id), func.min(Task.due_date)).where(
            Task.parent_type == ParentType.PROSPECT,
            Task.parent_id == parent.id,
            open_status(),
        )
    ).one()
    session.execute(
        update(Prospect)
        .where(Prospect.id == parent.id)
        # updated_at stays: a task is not an edit of the prospect.
        .values(open_tasks=count, next_task_due=next_due, updated_at=Prospect.updated_at)
        .execution_options(synchronize_session="fetch")
    )
