"""Automatic tasks: admins attach task templates to statuses; whenever a
prospect *enters* a status — by hand, from the list, in bulk, on the board,
through an import, the API or a web form — each template of that status
creates one task, once. Saving a prospect whose status did not change creates
nothing. The status-change service (``crm_core.prospects.status``) and the
intake of submissions call ``tasks_for_status_entry``; nothing else does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.clock import today
from crm_core.db import utcnow
from crm_core.errors import NotFound, ValidationFailed
from crm_core.events.payloads import task_events
from crm_core.events.services import record_events
from crm_core.lists.models import Priority, Status
from crm_core.parents import Parent, ParentType
from crm_core.tasks.models import Assignee, Task, TaskTemplate
from crm_core.tasks.schemas import TaskTemplateSchema
from crm_core.tasks.summary import refresh_task_summary
from crm_core.text.fields import flatten_errors
from crm_core.users.models import User

_schema = TaskTemplateSchema()


def templates_for(session: Session, status_ids: Sequence[int]) -> dict[int, list[TaskTemplate]]:
    if not status_ids:
        return {}
    stmt = (
        select(TaskTemplate)
        .where(TaskTemplate.status_id.in_(list(status_ids)))
        .order_by(TaskTemplate.position, TaskTemplate.id)
    )
    found: dict[int, list[TaskTemplate]] = {}
    for template in session.scalars(stmt):
        found.setdefault(template.status_id, []).append(template)
    return found


def tasks_for_status_entry(
    session: Session,
    entries: Sequence[tuple[int, int | None, int]],
    zone: ZoneInfo,
    actor_id: int | None = None,
) -> list[Task]:
    """Create the templates' tasks for prospects that just entered a status.
    ``entries``: (prospect id, prospect owner id, status entered). A template
    assigned to "the owner" of a prospect nobody owns goes to ``actor_id``."""
    by_status = templates_for(session, sorted({status_id for _, _, status_id in entries}))
    if not by_status:
        return []
    day = today(zone)
    stamp = utcnow()  # one instant, so "never changed since" reads updated_at == created_at
    created = []
    for prospect_id, owner_id, status_id in entries:
        for template in by_status.get(status_id, []):
            owner = template.user_id if template.assign_to == Assignee.USER else (owner_id or actor_id)
            task = Task(
                parent_type=ParentType.PROSPECT,
                parent_id=prospect_id,
                name=template.name,
                description=template.description,
                start_date=day,
                due_date=day + timedelta(days=template.due_in_days),
                priority_id=template.priority_id,
                owner_id=owner,
                template_id=template.id,
                created_by_id=actor_id,
                created_at=stamp,
                updated_at=stamp,
            )
            session.add(task)
            created.append(task)
    session.flush()
    record_events(session, [event for task in created for event in task_events(task, actor_id, created=True)])
    for prospect_id in sorted({task.parent_id for task in created if task.parent_id is not None}):
        refresh_task_summary(session, Parent.prospect(prospect_id))
    return created


# --- the templates themselves (Settings) -------------------------------------------


def list_templates(session: Session) -> list[TaskTemplate]:
    stmt = select(TaskTemplate).join(Status, Status.id == TaskTemplate.status_id)
    return list(session.scalars(stmt.order_by(Status.position, TaskTemplate.position, TaskTemplate.id)))


def get_template(session: Session, template_id: int) -> TaskTemplate:
    template = session.get(TaskTemplate, template_id)
    if template is None:
        raise NotFound("This task template no longer exists.")
    return template


def _load(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        values: dict[str, Any] = _schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    errors: dict[str, list[str]] = {}
    if session.get(Status, values["status_id"]) is None:
        errors["status_id"] = ["Choose a status."]
    if values["priority_id"] is not None and session.get(Priority, values["priority_id"]) is None:
        errors["priority_id"] = ["Choose a value from the list."]
    if values["assign_to"] == Assignee.USER:
        user = session.get(User, values["user_id"])
        if user is None or not user.active:
            errors["user_id"] = ["Choose an active user."]
    else:
        values["user_id"] = None
    if errors:
        raise ValidationFailed(errors)
    return values


def add_template(session: Session, data: Mapping[str, Any]) -> TaskTemplate:
    template = TaskTemplate(**_load(session, data))
    session.add(template)
    session.flush()
    return template


def update_template(session: Session, template_id: int, data: Mapping[str, Any]) -> TaskTemplate:
    template = get_template(session, template_id)
    for name, value in _load(session, data).items():
        setattr(template, name, value)
    session.flush()
    return template


def delete_template(session: Session, template_id: int) -> TaskTemplate:
    """Tasks it already created stay (they forget their template)."""
    template = get_template(session, template_id)
    session.delete(template)
    session.flush()
    return template
