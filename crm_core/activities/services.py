"""Logging and planning calls, emails and meetings; marking a planned one as
held or not held. Each change refreshes the prospect's "last activity"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_core.activities.models import Activity, ActivityKind, ActivityStatus
from crm_core.activities.queries import get_visible_activity
from crm_core.activities.schemas import ActivitySchema, OutcomeSchema, blank_to_none
from crm_core.clock import to_utc
from crm_core.contacts.models import Contact
from crm_core.errors import ValidationFailed
from crm_core.parents import Parent, ParentType
from crm_core.prospects.models import Prospect
from crm_core.related import check_parent_visible, lock_prospect
from crm_core.text.fields import flatten_errors
from crm_core.users.models import User

_schema = ActivitySchema()
_outcome_schema = OutcomeSchema()
KIND_LABELS = {ActivityKind.CALL: "Call", ActivityKind.EMAIL: "Email", ActivityKind.MEETING: "Meeting"}


def _load(session: Session, parent: Parent, data: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    raw = blank_to_none({k: v for k, v in dict(data).items()})
    try:
        values: dict[str, Any] = _schema.load(raw)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    values["starts_at"] = to_utc(values["starts_at"], zone)
    minutes = values.pop("duration_minutes")
    if values["ends_at"] is not None:
        values["ends_at"] = to_utc(values["ends_at"], zone)
    elif minutes:
        values["ends_at"] = values["starts_at"] + timedelta(minutes=minutes)
    if values["kind"] == ActivityKind.MEETING:
        values["direction"] = None  # only calls and emails have a direction
    values["subject"] = values["subject"] or KIND_LABELS[values["kind"]]
    errors: dict[str, list[str]] = {}
    owner_id = values["owner_id"]
    if owner_id is not None and session.get(User, owner_id) is None:
        errors["owner_id"] = ["Choose a user from the list."]
    ids = sorted(set(values.pop("contact_ids")))
    contacts = list(
        session.scalars(
            select(Contact).where(
                Contact.id.in_(ids), Contact.parent_type == parent.type, Contact.parent_id == parent.id
            )
        )
    )
    if len(contacts) != len(ids):
        errors["contact_ids"] = ["Choose contacts of this record."]
    if errors:
        raise ValidationFailed(errors)
    values["contacts"] = contacts
    return values


def refresh_activity_summary(session: Session, parent: Parent) -> None:
    """The prospect's "last activity": when its latest held call, email or meeting began."""
    if parent.type != ParentType.PROSPECT:
        return
    session.flush()
    lock_prospect(session, parent.id)
    latest = session.scalar(
        select(func.max(Activity.starts_at)).where(
            Activity.parent_type == ParentType.PROSPECT,
            Activity.parent_id == parent.id,
            Activity.status == ActivityStatus.HELD,
        )
    )
    session.execute(
        update(Prospect)
        .where(Prospect.id == parent.id)
        .values(last_activity_at=latest, updated_at=Prospect.updated_at)
        .execution_options(synchronize_session="fetch")
    )


def log_activity(
    session: Session, editor: User, parent: Parent, data: Mapping[str, Any], zone: ZoneInfo
) -> Activity:
    check_parent_visible(session, editor, parent)
    values = _load(session, parent, data, zone)
    activity = Activity(
        parent_type=parent.type,
        parent_id=parent.id,
        created_by_id=editor.id,
        **{**values, "owner_id": values["owner_id"] or editor.id},
    )
    session.add(activity)
    refresh_activity_summary(session, parent)
    return activity


def update_activity(
    session: Session, editor: User, activity_id: int, data: Mapping[str, Any], zone: ZoneInfo
) -> Activity:
    activity = get_visible_activity(session, editor, activity_id)
    values = _load(session, activity.parent, data, zone)
    for name, value in values.items():
        setattr(activity, name, value)
    activity.owner_id = values["owner_id"] or activity.owner_id
    refresh_activity_summary(session, activity.parent)
    return activity


def set_activity_status(
    session: Session, editor: User, activity_id: int, status: ActivityStatus, outcome: str | None = None
) -> Activity:
    """A planned call or meeting happened (held) or did not (not held)."""
    activity = get_visible_activity(session, editor, activity_id)
    activity.status = ActivityStatus(status)
    if outcome is not None:
        activity.outcome = outcome.replace("\r\n", "\n").strip()[:5000]
    refresh_activity_summary(session, activity.parent)
    return activity


def record_outcome(session: Session, editor: User, activity_id: int, data: Mapping[str, Any]) -> Activity:
    """A form's "Held" / "Not held": the new status and, when one was typed,
    what came of it (an empty outcome keeps the one written when planning)."""
    try:
        values = _outcome_schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    return set_activity_status(session, editor, activity_id, values["status"], values["outcome"] or None)


def delete_activity(session: Session, editor: User, activity_id: int) -> Activity:
    activity = get_visible_activity(session, editor, activity_id)
    parent = activity.parent
    session.delete(activity)
    refresh_activity_summary(session, parent)
    return activity
