"""Changing web forms: create, update, draft (the unsaved preview), duplicate,
switch on and off, delete. Each change marks the form for publishing
(``crm_core.forms.publishing``), so the live definition follows the commit."""

from __future__ import annotations

import secrets
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from crm_core.db import utcnow
from crm_core.errors import ValidationFailed
from crm_core.forms.models import FormField, WebForm
from crm_core.forms.publishing import mark_changed, mark_deleted
from crm_core.forms.queries import form_config, get_form
from crm_core.forms.schemas import FormConfigSchema
from crm_core.lists.models import Priority, Source, Status
from crm_core.lists.queries import default_priority_id, default_source_id, default_status_id
from crm_core.users.models import User

_config_schema = FormConfigSchema()


def new_form_key() -> str:
    return secrets.token_urlsafe(9)


def _load_config(session: Session, config: dict[str, Any]) -> dict[str, Any]:
    try:
        data = _config_schema.load(config)
    except ValidationError as exc:
        raise ValidationFailed(_flatten(exc.messages)) from exc
    errors: dict[str, list[str]] = {}
    for attr, model in (
        ("status_id", Status),
        ("source_id", Source),
        ("priority_id", Priority),
        ("owner_id", User),
    ):
        if data[attr] is not None and session.get(model, data[attr]) is None:
            errors[attr] = ["Choose a value from the list."]
    if errors:
        raise ValidationFailed(errors)
    return data


def _flatten(messages: Any) -> dict[str, list[str]]:
    """marshmallow nests errors of list items; the admin shows them per field."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            flat.setdefault(prefix, []).extend(str(v) for v in value)
        else:
            flat.setdefault(prefix, []).append(str(value))

    walk("", messages)
    return flat


def _apply(session: Session, form: WebForm, data: dict[str, Any]) -> None:
    field_dicts = data.pop("fields")
    for attr, value in data.items():
        setattr(form, attr, value)
    form.status_id = form.status_id or default_status_id(session)
    form.source_id = form.source_id or default_source_id(session)
    form.priority_id = form.priority_id or default_priority_id(session)
    form.fields = [FormField(position=pos, **item) for pos, item in enumerate(field_dicts)]


def create_form(session: Session, config: dict[str, Any]) -> WebForm:
    data = _load_config(session, config)
    form = WebForm(key=new_form_key())
    _apply(session, form, data)
    session.add(form)
    session.flush()
    mark_changed(session, [form.id])
    return form


def update_form(session: Session, form_id: int, config: dict[str, Any]) -> WebForm:
    form = get_form(session, form_id)
    data = _load_config(session, config)
    _apply(session, form, data)
    session.flush()
    mark_changed(session, [form.id])
    return form


def draft_form(session: Session, config: dict[str, Any]) -> WebForm:
    """A validated form that is never saved: what the live preview shows while
    the admin is still editing. Raises ``ValidationFailed`` like a save would."""
    data = _load_config(session, config)
    form = WebForm(key=new_form_key(), updated_at=utcnow())
    _apply(session, form, data)
    return form


def duplicate_form(session: Session, form_id: int) -> WebForm:
    """A copy with a new key, switched off until someone reviews and activates it."""
    config = form_config(get_form(session, form_id))
    config.update(name=f"Copy of {config['name']}"[:200], active=False)
    return create_form(session, config)


def set_form_active(session: Session, form_id: int, active: bool) -> WebForm:
    form = get_form(session, form_id)
    form.active = active
    form.updated_at = utcnow()
    session.flush()
    mark_changed(session, [form.id])
    return form


def delete_form(session: Session, form_id: int) -> str:
    """Delete a form and its fields; prospects it created stay (their form_id
    becomes NULL). Returns the key, so the caller can drop the cached definition."""
    form = get_form(session, form_id)
    key = form.key
    session.delete(form)
    session.flush()
    mark_deleted(session, key)
    return key
