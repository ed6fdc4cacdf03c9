"""The form definition: the typed contract between the admin (which saves a
form), the form cache in Redis, the public endpoints (which serve and validate
without the database) and the worker (which applies the presets).

A ``TypedDict``, not a class, because it travels as JSON through Redis and
the snippet reads the public part as is."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from crm_core.forms.models import WebForm
from crm_core.text.rich import plain_text


class FieldDefinition(TypedDict):
    name: str  # a prospect attribute ("email") or "cf_<slug>" for a custom field
    label: str
    type: str
    required: bool
    placeholder: str
    max_length: int
    options: list[str]


class ConsentDefinition(TypedDict):
    text: str  # sanitised admin rich text (crm_core.text.rich)
    required: bool


class ButtonDefinition(TypedDict):
    text: str
    background: str
    color: str


class SuccessDefinition(TypedDict):
    mode: Literal["message", "redirect"]
    message: NotRequired[str]
    url: NotRequired[str]


class FormPresets(TypedDict):
    """What every prospect of the form gets; never taken from the request."""

    name_prefix: str
    status_id: int | None
    source_id: int | None
    priority_id: int | None
    owner_id: int | None
    duplicate_mode: NotRequired[str]  # "create" | "attach"


class PublicDefinition(TypedDict):
    """What browsers see (``GET /f/<key>.json``)."""

    key: str
    name: str
    language: str
    fields: list[FieldDefinition]
    consent: ConsentDefinition | None
    button: ButtonDefinition
    success: SuccessDefinition


class FormDefinition(PublicDefinition):
    """Everything the submit path needs, so it never asks the database: the
    public part plus the server-only presets and allowed domains."""

    form_id: int | None
    version: str  # the form's updated_at: a saved change is a new version
    active: bool
    allowed_domains: list[str]
    presets: FormPresets


PUBLIC_KEYS = ("key", "name", "language", "fields", "consent", "button", "success")


def form_definition(form: WebForm) -> FormDefinition:
    success: SuccessDefinition = (
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
        "fields": [field.as_dict() for field in form.fields],  # type: ignore[misc]
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


def public_definition(definition: FormDefinition) -> PublicDefinition:
    return {key: definition[key] for key in PUBLIC_KEYS}  # type: ignore[return-value,literal-required]
