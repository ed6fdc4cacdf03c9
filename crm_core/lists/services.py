"""Changing the admin-editable lists (statuses, sources, priorities): fill
them with defaults, add, edit, reorder, and delete — refusing to delete a value
prospects or forms still use unless they are moved to another value in the same
transaction."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_core.errors import DomainError, ValidationFailed, ValueInUse
from crm_core.forms.models import WebForm
from crm_core.forms.publishing import mark_changed
from crm_core.lists.kinds import ListKind, ListValue
from crm_core.lists.models import OfferStatus, OfferStatusKind, Priority, Source, Status, StatusKind
from crm_core.lists.queries import get_value, list_values, usage_of
from crm_core.lists.schemas import SCHEMAS

DEFAULT_STATUSES = [
    ("New", "#2563eb", StatusKind.OPEN, True),
    ("In progress", "#d97706", StatusKind.OPEN, False),
    ("Qualified", "#16a34a", StatusKind.QUALIFIED, False),
    ("Unqualified", "#6b7280", StatusKind.JUNK, False),
    ("Converted", "#7c3aed", StatusKind.CONVERTED, False),
]
DEFAULT_SOURCES = [
    ("Web form", True),
    ("Referral", False),
    ("Marketing campaign", False),
    ("Phone", False),
    ("Email", False),
    ("Event", False),
    ("Other", False),
]
DEFAULT_PRIORITIES = [("Low", "#6b7280", False), ("Medium", "#d97706", True), ("High", "#dc2626", False)]
DEFAULT_OFFER_STATUSES = [
    ("Draft", "#6b7280", OfferStatusKind.DRAFT, True),
    ("Sent", "#2563eb", OfferStatusKind.SENT, False),
    ("Accepted", "#16a34a", OfferStatusKind.ACCEPTED, False),
    ("Rejected", "#dc2626", OfferStatusKind.REJECTED, False),
    ("Expired", "#9ca3af", OfferStatusKind.EXPIRED, False),
]


def ensure_default_lists(session: Session) -> None:
    """Fill empty lists with defaults; lists an admin already edited are left alone."""
    if session.scalar(select(Status.id).limit(1)) is None:
        for pos, (name, color, kind, default) in enumerate(DEFAULT_STATUSES):
            session.add(Status(name=name, color=color, kind=kind, position=pos, is_default=default))
    if session.scalar(select(Source.id).limit(1)) is None:
        for pos, (name, default) in enumerate(DEFAULT_SOURCES):
            session.add(Source(name=name, position=pos, is_default=default))
    if session.scalar(select(Priority.id).limit(1)) is None:
        for pos, (name, color, default) in enumerate(DEFAULT_PRIORITIES):
            session.add(Priority(name=name, color=color, position=pos, is_default=default))
    if session.scalar(select(OfferStatus.id).limit(1)) is None:
        for pos, (name, color, kind, default) in enumerate(DEFAULT_OFFER_STATUSES):
            session.add(OfferStatus(name=name, color=color, kind=kind, position=pos, is_default=default))
    session.flush()


def _load(session: Session, kind: ListKind, data: dict[str, Any], value_id: int | None) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = SCHEMAS[kind.slug].load(data)
    except ValidationError as exc:
        raise ValidationFailed({k: [str(m) for m in v] for k, v in exc.messages.items()}) from exc  # type: ignore[union-attr]
    loaded["name"] = loaded["name"].strip()
    if not loaded["name"]:
        raise ValidationFailed({"name": ["Fill this in (at most 80 characters)."]})
    model = kind.model
    clash = session.scalar(
        select(model.id).where(func.lower(model.name) == loaded["name"].lower(), model.id != (value_id or 0))
    )
    if clash is not None:
        raise ValidationFailed({"name": [f"There is already a {kind.singular} named “{loaded['name']}”."]})
    if "color" in loaded:
        loaded["color"] = loaded["color"].lower()
    return loaded


def _make_only_default(session: Session, kind: ListKind, value: ListValue) -> None:
    model = kind.model
    session.execute(update(model).where(model.id != value.id).values(is_default=False))
    value.is_default = True


def add_value(session: Session, kind: ListKind, data: dict[str, Any]) -> Any:
    loaded = _load(session, kind, data, None)
    value = kind.model(**loaded)
    session.add(value)
    session.flush()
    if value.is_default:
        _make_only_default(session, kind, value)
    session.flush()
    return value


def update_value(session: Session, kind: ListKind, value_id: int, data: dict[str, Any]) -> Any:
    value = get_value(session, kind, value_id)
    loaded = _load(session, kind, data, value_id)
    for attr, item in loaded.items():
        setattr(value, attr, item)
    if value.is_default:
        _make_only_default(session, kind, value)
    session.flush()
    return value


def delete_value(session: Session, kind: ListKind, value_id: int, move_to: int | None = None) -> list[int]:
    """Delete a value; the records using it (prospects, forms, …) move to ``move_to`` first.
    Refused (``ValueInUse``) when it is in use and no replacement is given.
    Returns the ids of the forms whose presets moved (they are republished on commit)."""
    value = get_value(session, kind, value_id)
    remaining = [v for v in list_values(session, kind) if v.id != value_id]
    if not remaining:
        raise DomainError(f"Keep at least one {kind.singular}.")
    usage = usage_of(session, kind, value_id)
    replacement = None
    if move_to is not None:
        if move_to == value_id:
            raise ValidationFailed({"move_to": [f"Choose a different {kind.singular}."]})
        replacement = session.get(kind.model, move_to)
        if replacement is None:
            raise ValidationFailed({"move_to": ["Choose a value from the list."]})
    elif usage.in_use:
        raise ValueInUse(
            f"“{value.name}” is used by {usage.describe()}. "
            f"Choose another {kind.singular} to move them to, then delete."
        )
    changed_forms: list[int] = []
    for ref in kind.used_by:
        column = getattr(ref.model, ref.column)
        if ref.model is WebForm:
            changed_forms = list(session.scalars(select(WebForm.id).where(column == value_id)))
        if replacement is not None:
            session.execute(
                update(ref.model)
                .where(column == value_id)
                .values({ref.column: replacement.id})
                .execution_options(synchronize_session=False)
            )
    if value.is_default:
        _make_only_default(session, kind, replacement or remaining[0])
    session.delete(value)
    session.flush()
    mark_changed(session, changed_forms)
    return changed_forms
