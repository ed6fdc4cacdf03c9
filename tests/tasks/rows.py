"""Rows for tests that only need a task or a task template to exist (the role
matrix walks every route with real ids)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_core.tasks.models import Task, TaskTemplate


def a_task(db: Session) -> int:
    """An independent task nobody owns: admins and marketing reach it, sales get 404."""
    task = Task(name="Matrix task", description="")
    db.add(task)
    db.commit()
    return task.id


def a_template(db: Session, status_id: int) -> int:
    template = TaskTemplate(status_id=status_id, name="Matrix template", description="")
    db.add(template)
    db.commit()
    return template.id
