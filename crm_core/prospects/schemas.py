"""What may be typed for a prospect: the fields of the add / edit form (the
same trimming, lengths, email and phone rules and messages as a public
form, plus the status, priority, source and owner choices), and the list's
filter parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError, validate
from marshmallow import fields as mf
from sqlalchemy.orm import Session

from crm_core.errors import ValidationFailed
from crm_core.forms.validation import SubmissionValidator, compile_validator
from crm_core.lists.models import Priority, Source, Status
from crm_core.prospects.models import PROSPECT_TEXT_FIELDS
from crm_core.users.models import User

LOOKUP_FIELDS: dict[str, type[Status] | type[Priority] | type[Source] | type[User]] = {
    "status_id": Status,
    "priority_id": Priority,
    "source_id": Source,
    "owner_id": User,
}
EDITABLE_FIELDS = (*PROSPECT_TEXT_FIELDS, *LOOKUP_FIELDS)
# A stored name may carry a form's prefix ("[Web] "), hence longer than a visitor's.
_NAME_MAX = 250
_FIELD_TYPES = {"email": "email", "phone": "tel", "description": "textarea"}
_MAX_TEXT = 200
SORT_KEYS = ("created", "name", "company", "status", "priority", "owner", "source", "email", "phone")


@cache
def edit_validator() -> SubmissionValidator:
    """The capture validator, fed the prospect's own fields. Compiled on first
    use, not at import."""
    return compile_validator(
        [
            {
                "name": name,
                "type": _FIELD_TYPES.get(name, "text"),
                "required": name == "name",
                "max_length": _NAME_MAX if name == "name" else length,
            }
            for name, length in PROSPECT_TEXT_FIELDS.items()
        ],
        "en",
    )


def validate_prospect(
    session: Session, data: Mapping[str, Any], fields: Sequence[str] = EDITABLE_FIELDS
) -> dict[str, Any]:
    """Form data (strings) → clean values for ``fields``, or ``ValidationFailed``."""
    errors: dict[str, list[str]] = {}
    text_fields = [name for name in fields if name in PROSPECT_TEXT_FIELDS]
    values: dict[str, Any] = {}
    try:
        loaded = edit_validator().schema.load(
            {name: str(data.get(name) or "") for name in text_fields}, partial=True
        )
        values.update({name: loaded[name] for name in text_fields})
    except ValidationError as exc:
        messages: dict[str, Any] = exc.messages  # type: ignore[assignment]
        errors.update({name: [str(m) for m in msgs] for name, msgs in messages.items()})
    for name in fields:
        model = LOOKUP_FIELDS.get(name)
        if model is None:
            continue
        raw = str(data.get(name) or "").strip()
        if not raw:
            values[name] = None
        elif not raw.isdigit() or session.get(model, int(raw)) is None:
            errors[name] = ["Choose a value from the list."]
        else:
            values[name] = int(raw)
    if errors:
        raise ValidationFailed(errors)
    return values


# The list's tasks filter, read from the summary the task services keep on each prospect.
TASKS_OPEN = "open"  # has open tasks
TASKS_OVERDUE = "overdue"  # has an open task due before today (in the instance's zone)
TASKS_NONE = "none"  # no open task: nobody is working it


def _tasks_token(value: str) -> None:
    if value not in (TASKS_OPEN, TASKS_OVERDUE, TASKS_NONE):
        raise ValidationError("Choose “open”, “overdue” or “none”.")


def _owner_token(value: str) -> None:
    if value not in ("me", "none") and not value.isdigit():
        raise ValidationError("Choose a user, “me” or “none”.")


class FilterSchema(Schema):
    """A prospects-list query string; unknown parameters are ignored by the caller."""

    q = mf.String(validate=validate.Length(max=_MAX_TEXT))
    created_from = mf.Date()
    created_to = mf.Date()
    owner = mf.List(mf.String(validate=_owner_token))
    status = mf.List(mf.Integer(strict=False))
    priority = mf.List(mf.Integer(strict=False))
    source = mf.List(mf.Integer(strict=False))
    form = mf.List(mf.Integer(strict=False))
    name = mf.String(validate=validate.Length(max=_MAX_TEXT))
    company = mf.String(validate=validate.Length(max=_MAX_TEXT))
    email = mf.String(validate=validate.Length(max=_MAX_TEXT))
    phone = mf.String(validate=validate.Length(max=_MAX_TEXT))
    registration_code = mf.String(validate=validate.Length(max=_MAX_TEXT))
    tasks = mf.String(validate=_tasks_token)
    sort = mf.String(validate=validate.OneOf([*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS)]))
