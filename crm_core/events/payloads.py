"""What an event says about its record, recorded cheaply in the writer's
transaction (the worker writes thousands a second): scalar fields and ids,
the same whichever path made the change. ``expand`` turns the ids into
``{"id", "name"}`` objects when the event is delivered, so a receiver
rarely has to call back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crm_core.forms.models import WebForm
from crm_core.lists.models import OfferStatus, Priority, Source, Status
from crm_core.users.models import User

PROSPECT_FIELDS = (
    "id", "name", "company", "email", "phone", "registration_code", "city", "country",
    "status_id", "priority_id", "source_id", "owner_id", "form_id", "account_id", "submission_id",
)  # fmt: skip


def prospect_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """From a ``Prospect`` (or a row dict of one): the fields every prospect event carries."""
    get = values.get if isinstance(values, Mapping) else lambda name: getattr(values, name, None)
    data = {name: get(name) for name in PROSPECT_FIELDS}
    created = get("created_at")
    data["created_at"] = created.isoformat() if created is not None else None
    return data


_LOOKUPS: dict[str, Any] = {
    "status_id": Status,
    "priority_id": Priority,
    "source_id": Source,
    "owner_id": User,
    "form_id": WebForm,
    "offer_status_id": OfferStatus,
}


def expand(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    """``{"status_id": 3}`` → ``{"status": {"id": 3, "name": "Qualified"}}``, recursively."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out[key] = expand(session, value)
        elif key in _LOOKUPS:
            name = key.removesuffix("_id")
            row = session.get(_LOOKUPS[key], value) if value is not None else None
            if row is None:
                out[name] = None if value is None else {"id": value, "name": None}
            elif isinstance(row, User):
                out[name] = {"id": row.id, "name": row.display_name, "email": row.email}
            else:
                out[name] = {"id": row.id, "name": row.name}
        else:
            out[key] = value
    return out


def task_data(task: Any) -> dict[str, Any]:
    return {
        "id": task.id,
        "name": task.name,
        "status": str(task.status.value if hasattr(task.status, "value") else task.status),
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "due_time": task.due_time.isoformat() if task.due_time else None,
        "owner_id": task.owner_id,
        "priority_id": task.priority_id,
        "parent": {"type": str(task.parent_type), "id": task.parent_id} if task.parent_type else None,
    }


def task_events(
    task: Any, actor_id: int | None, *, created: bool, old_owner_id: int | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """task.created when new; task.assigned when it went to someone other than
    whoever made the change (delegation); the e-mail notification follows it."""
    data = task_data(task)
    events: list[tuple[str, dict[str, Any]]] = []
    if created:
        events.append(("task.created", {"task": data, "by_user_id": actor_id}))
    if task.owner_id is not None and task.owner_id != actor_id and (created or task.owner_id != old_owner_id):
        events.append(("task.assigned", {"task": data, "by_user_id": actor_id}))
    return events


def offer_data(offer: Any) -> dict[str, Any]:
    return {
        "id": offer.id,
        "name": offer.name,
        "account_id": offer.account_id,
        "offer_status_id": offer.status_id,
        "currency": offer.currency,
        "total": str(offer.total),
        "probability": offer.probability,
        "expiry_date": offer.expiry_date.isoformat() if offer.expiry_date else None,
        "owner_id": offer.owner_id,
        "prospect_id": offer.prospect_id,
    }
