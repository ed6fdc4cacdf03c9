"""Web-form services: create, update, look up, and describe a form for the
capture endpoints (the definition cached in Redis and served to browsers)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.db import utcnow
from crm_core.errors import NotFound, ValidationFailed
from crm_core.forms.schemas import FormConfigSchema
from crm_core.lists.defaults import default_priority_id, default_source_id, default_status_id
from crm_core.models import FormField, Priority, Prospect, Source, Status, User, WebForm
from crm_core.text.rich import plain_text

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
    return form


def update_form(session: Session, form_id: int, config: dict[str, Any]) -> WebForm:
    form = session.get(WebForm, form_id)
    if form is None:
        raise NotFound("This form no longer exists.")
    data = _load_config(session, config)
    _apply(session, form, data)
    session.flush()
    return form


def draft_form(session: Session, config: dict[str, Any]) -> WebForm:
    """A validated form that is never saved: what the live preview shows while
    the admin is still editing. Raises ``ValidationFailed`` like a save would."""
    data = _load_config(session, config)
    form = WebForm(key=new_form_key(), updated_at=utcnow())
    _apply(session, form, data)
    return form


def get_form(session: Session, form_id: int) -> WebForm:
    form = session.get(WebForm, form_id)
    if form is None:
        raise NotFound("This form no longer exists.")
    return form


def form_config(form: WebForm) -> dict[str, Any]:
    """The editable configuration of a saved form, shaped like ``create_form``'s input."""
    return {
        "name": form.name,
        "active": form.active,
        "language": form.language,
        "name_prefix": form.name_prefix,
        "status_id": form.status_id,
        "source_id": form.source_id,
        "priority_id": form.priority_id,
        "owner_id": form.owner_id,
        "success_mode": form.success_mode,
        "duplicate_mode": form.duplicate_mode,
        "success_message": form.success_message,
        "redirect_url": form.redirect_url,
        "allowed_domains": list(form.allowed_domains or []),
        "button_text": form.button_text,
        "button_bg": form.button_bg,
        "button_fg": form.button_fg,
        "consent_enabled": form.consent_enabled,
        "consent_text": form.consent_text,
        "fields": [field.as_dict() for field in form.fields],
    }


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
    return form


def delete_form(session: Session, form_id: int) -> str:
    """Delete a form and its fields; prospects it created stay (their form_id
    becomes NULL). Returns the key, so the caller can drop the cached definition."""
    form = get_form(session, form_id)
    key = form.key
    session.delete(form)
    session.flush()
    return key


@dataclass(frozen=True)
class FormActivity:
    prospects: int = 0
    last_submission_at: datetime | None = None


def form_activity(session: Session) -> dict[int, FormActivity]:
    """Prospects created by each form and when the newest arrived."""
    rows = session.execute(
        select(Prospect.form_id, func.count(Prospect.id), func.max(Prospect.created_at))
        .where(Prospect.form_id.is_not(None))
        .group_by(Prospect.form_id)
    )
    return {form_id: FormActivity(count, last) for form_id, count, last in rows}


def get_form_by_key(session: Session, key: str) -> WebForm | None:
    return session.scalar(select(WebForm).where(WebForm.key == key))


def list_forms(session: Session) -> list[WebForm]:
    return list(session.scalars(select(WebForm).order_by(WebForm.name, WebForm.id)))


def form_definition(form: WebForm) -> dict[str, Any]:
    """Everything the submit path needs, so it never has to ask the database:
    the public part browsers see plus the server-only presets and domains."""
    success: dict[str, Any] = (
        {"mode": "redirect", "url": form.redirect_url}
        if form.success_mode == "redirect"
        else {"mode": "message", "message": plain_text(form.success_message)}
    )
    return {
        "key": form.key,
        "form_id": form.id,
        "version": form.updated_at.isoformat(),
        "active": form.active,
        "name": form.name,
        "language": form.language,
        "fields": [field.as_dict() for field in form.fields],
        "consent": {"text": form.consent_text, "required": True} if form.consent_enabled else None,
        "button": {"text": form.button_text, "background": form.button_bg, "color": form.button_fg},
        "success": success,
        "allowed_domains": list(form.allowed_domains or []),
        "presets": {
            "name_prefix": form.name_prefix,
            "status_id": form.status_id,
            "source_id": form.source_id,
            "priority_id": form.priority_id,
            "owner_id": form.owner_id,
            "duplicate_mode": form.duplicate_mode,
        },
    }


PUBLIC_KEYS = ("key", "name", "language", "fields", "consent", "button", "success")


def public_definition(definition: dict[str, Any]) -> dict[str, Any]:
    return {key: definition[key] for key in PUBLIC_KEYS}
