"""Changing tasks: create (on a record or independent), edit, delegate (a new
owner), complete, reopen, reschedule, delete, and one identical task on many
selected prospects. Every change refreshes the parent prospect's task summary
(``crm_core.tasks.summary``) in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.clock import now
from crm_core.errors import ValidationFailed
from crm_core.events.payloads import task_data, task_events
from crm_core.events.services import record_event, record_events
from crm_core.lists.models import Priority
from crm_core.parents import Parent, ParentType
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import visible_clauses
from crm_core.related import check_parent_visible
from crm_core.tasks.models import Task, TaskStatus
from crm_core.tasks.queries import get_visible_task
from crm_core.tasks.schemas import RescheduleSchema, TaskSchema
from crm_core.tasks.summary import refresh_task_summary
from crm_core.text.fields import flatten_errors
from crm_core.users.models import User

MAX_MASS = 500
_task_schema = TaskSchema()
_reschedule_schema = RescheduleSchema()


def _load(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        values: dict[str, Any] = _task_schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    errors: dict[str, list[str]] = {}
    if values["priority_id"] is not None and session.get(Priority, values["priority_id"]) is None:
        errors["priority_id"] = ["Choose a value from the list."]
    owner_id = values["owner_id"]
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if owner is None or not owner.active:
            errors["owner_id"] = ["Choose an active user."]
    if errors:
        raise ValidationFailed(errors)
    return values


def _close_or_open(task: Task, status: TaskStatus) -> None:
    if status == TaskStatus.DONE and task.status != TaskStatus.DONE:
        task.completed_at = now()
    elif status != TaskStatus.DONE:
        task.completed_at = None
    task.status = status


def create_task(session: Session, editor: User, parent: Parent | None, data: Mapping[str, Any]) -> Task:
    """A task on ``parent`` (which the editor must be able to see), or an
    independent one; unassigned tasks go to the editor."""
    if parent is not None:
        check_parent_visible(session, editor, parent)
    values = _load(session, data)
    status = values.pop("status")
    task = Task(
        parent_type=parent.type if parent else None,
        parent_id=parent.id if parent else None,
        created_by_id=editor.id,
        **{**values, "owner_id": values["owner_id"] or editor.id},
    )
    _close_or_open(task, status)
    session.add(task)
    session.flush()
    record_events(session, task_events(task, editor.id, created=True))
    refresh_task_summary(session, parent)
    return task


def update_task(session: Session, editor: User, task_id: int, data: Mapping[str, Any]) -> Task:
    task = get_visible_task(session, editor, task_id)
    values = _load(session, data)
    status = values.pop("status")
    old_owner, was_done = task.owner_id, task.status == TaskStatus.DONE
    owner_id = values.pop("owner_id")  # none chosen: the task keeps its owner
    for name, value in values.items():
        setattr(task, name, value)
    task.owner_id = owner_id or task.owner_id
    _close_or_open(task, status)
    session.flush()
    events = task_events(task, editor.id, created=False, old_owner_id=old_owner)
    if task.status == TaskStatus.DONE and not was_done:
        events.append(("task.completed", {"task": task_data(task), "by_user_id": editor.id}))
    record_events(session, events)
    refresh_task_summary(session, task.parent)
    return task


def set_task_status(session: Session, editor: User, task_id: int, status: TaskStatus) -> Task:
    """Complete (or reopen, start, cancel) from a list, without the edit form."""
    task = get_visible_task(session, editor, task_id)
    was_done = task.status == TaskStatus.DONE
    _close_or_open(task, TaskStatus(status))
    if task.status == TaskStatus.DONE and not was_done:
        record_event(session, "task.completed", {"task": task_data(task), "by_user_id": editor.id})
    refresh_task_summary(session, task.parent)
    return task


def reschedule_task(session: Session, editor: User, task_id: int, data: Mapping[str, Any]) -> Task:
    task = get_visible_task(session, editor, task_id)
    try:
        values = _reschedule_schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    due: date | None = values["due_date"]
    at: time | None = values["due_time"]
    if at is not None and due is None:
        raise ValidationFailed({"due_date": ["Give the day too, or leave the time empty."]})
    if due is not None and task.start_date is not None and due < task.start_date:
        raise ValidationFailed({"due_date": ["The due date is before the start date."]})
    task.due_date, task.due_time = due, at
    refresh_task_summary(session, task.parent)
    return task


def delete_task(session: Session, editor: User, task_id: int) -> Task:
    task = get_visible_task(session, editor, task_id)
    parent = task.parent
    session.delete(task)
    refresh_task_summary(session, parent)
    return task


def create_tasks_on_prospects(
    session: Session,
    editor: User,
    prospect_ids: Sequence[int],
    data: Mapping[str, Any],
    *,
    assign_to_owners: bool,
) -> list[Task]:
    """Mass task creation: one identical task on each selected prospect the
    editor may see, assigned to each prospect's owner (or, for a prospect
    nobody owns, to the editor) or to the user chosen in ``data``."""
    values = _load(session, data)
    status = values.pop("status")
    chosen_owner = values.pop("owner_id") or editor.id
    rows = session.execute(
        select(Prospect.id, Prospect.owner_id)
        .where(Prospect.id.in_(list(prospect_ids)[:MAX_MASS]), *visible_clauses(editor))
        .order_by(Prospect.id)
    ).all()
    tasks = []
    for prospect_id, owner_id in rows:
        task = Task(
            parent_type=ParentType.PROSPECT,
            parent_id=prospect_id,
            created_by_id=editor.id,
            owner_id=(owner_id or editor.id) if assign_to_owners else chosen_owner,
            **values,
        )
        _close_or_open(task, status)
        session.add(task)
        tasks.append(task)
    session.flush()
    record_events(session, [event for task in tasks for event in task_events(task, editor.id, created=True)])
    for prospect_id, _ in rows:
        refresh_task_summary(session, Parent.prospect(prospect_id))
    return tasks
