"""What an admin may configure on a form, checked in one schema so the admin
pages, the CLI and future API share the same rules and error messages."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from crm_core.forms.domains import InvalidDomain, normalize_domains
from crm_core.forms.messages import LANGUAGES
from crm_core.forms.validation import FIELD_TYPES
from crm_core.prospects.models import PROSPECT_TEXT_FIELDS
from crm_core.text.rich import clean_rich_text

_CUSTOM_NAME = re.compile(r"^cf_[a-z0-9_]{1,40}$")
_COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a colour like #1f6feb.")
_DEFAULT_TYPES = {"email": "email", "phone": "tel", "description": "textarea"}


def check_redirect_url(url: str) -> str:
    """Only absolute http(s) addresses: no javascript:/data:, no credentials,
    no header-splitting line breaks."""
    url = url.strip()
    if any(ch in url for ch in "\r\n\t") or any(ord(ch) < 32 for ch in url):
        raise ValidationError("The address must not contain line breaks or control characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Use a full address starting with https:// (or http://).")
    if parts.username or parts.password:
        raise ValidationError("The address must not contain a user name or password.")
    return url


def slugify(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return slug[:40] or "field"


class FormFieldSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(load_default="")
    label = fields.String(load_default="", validate=validate.Length(max=200))
    type = fields.String(load_default="", validate=validate.OneOf(("", *FIELD_TYPES)))
    required = fields.Boolean(load_default=False)
    placeholder = fields.String(load_default="", validate=validate.Length(max=200))
    max_length = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=5000))
    options = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)

    @post_load
    def complete(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        name = data["name"].strip() or "cf_" + slugify(data["label"])
        if name not in PROSPECT_TEXT_FIELDS and not _CUSTOM_NAME.match(name):
            raise ValidationError(
                {"name": ["Map the field to a prospect field or give a custom name like cf_budget."]}
            )
        data["name"] = name
        data["type"] = data["type"] or _DEFAULT_TYPES.get(name, "text")
        cap = PROSPECT_TEXT_FIELDS.get(name, 5000)
        default = cap if name in PROSPECT_TEXT_FIELDS else (5000 if data["type"] == "textarea" else 500)
        data["max_length"] = min(data["max_length"] or default, cap)
        if data["type"] == "select" and not data["options"]:
            raise ValidationError({"options": ["A list needs at least one option."]})
        data["label"] = data["label"].strip() or name.removeprefix("cf_").replace("_", " ").capitalize()
        return data


class FormConfigSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    active = fields.Boolean(load_default=True)
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))
    name_prefix = fields.String(load_default="", validate=validate.Length(max=40))
    status_id = fields.Integer(load_default=None, allow_none=True)
    source_id = fields.Integer(load_default=None, allow_none=True)
    priority_id = fields.Integer(load_default=None, allow_none=True)
    owner_id = fields.Integer(load_default=None, allow_none=True)
    success_mode = fields.String(load_default="message", validate=validate.OneOf(("message", "redirect")))
    duplicate_mode = fields.String(load_default="create", validate=validate.OneOf(("create", "attach")))
    success_message = fields.String(load_default="", validate=validate.Length(max=2000))
    redirect_url = fields.String(load_default="", validate=validate.Length(max=2000))
    allowed_domains = fields.List(fields.String(), load_default=list)
    button_text = fields.String(load_default="Send", validate=validate.Length(min=1, max=80))
    button_bg = fields.String(load_default="#1f6feb", validate=_COLOUR)
    button_fg = fields.String(load_default="#ffffff", validate=_COLOUR)
    consent_enabled = fields.Boolean(load_default=False)
    consent_text = fields.String(load_default="", validate=validate.Length(max=2000))
    fields_ = fields.List(fields.Nested(FormFieldSchema), data_key="fields", load_default=list)

    @validates("allowed_domains")
    def check_domains(self, value: list[str], **_: Any) -> None:
        try:
            normalize_domains(value)
        except InvalidDomain as exc:
            raise ValidationError(str(exc)) from exc

    @validates_schema
    def check_combination(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("success_mode") == "redirect":
            try:
                check_redirect_url(data.get("redirect_url", ""))
            except ValidationError as exc:
                raise ValidationError({"redirect_url": exc.messages}) from exc
        if data.get("consent_enabled") and not clean_rich_text(data.get("consent_text", "")):
            raise ValidationError({"consent_text": ["Write the consent text visitors agree to."]})
        names = [f["name"] for f in data.get("fields_", [])]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValidationError({"fields": [f"Each field can appear once: {', '.join(duplicates)}."]})
        if not names:
            raise ValidationError({"fields": ["Add at least one field."]})

    @post_load
    def normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["allowed_domains"] = normalize_domains(data["allowed_domains"])
        data["success_message"] = clean_rich_text(data["success_message"])
        data["consent_text"] = clean_rich_text(data["consent_text"])
        data["redirect_url"] = data["redirect_url"].strip()
        data["fields"] = data.pop("fields_")
        return data
