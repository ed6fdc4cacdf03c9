"""Reading forms: by id or key, the list, what each form has produced, and a
saved form's configuration in the shape ``create_form`` takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.forms.models import WebForm
from crm_core.prospects.models import Prospect


def get_form(session: Session, form_id: int) -> WebForm:
    form = session.get(WebForm, form_id)
    if form is None:
        raise NotFound("This form no longer exists.")
    return form


def get_form_by_key(session: Session, key: str) -> WebForm | None:
    return session.scalar(select(WebForm).where(WebForm.key == key))


def list_forms(session: Session) -> list[WebForm]:
    return list(session.scalars(select(WebForm).order_by(WebForm.name, WebForm.id)))


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
