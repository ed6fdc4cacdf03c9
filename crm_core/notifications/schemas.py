"""What a user may change about their notifications, and what a form
manager may set for a form's mails."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from crm_core.notifications.messages import LANGUAGES

# How long before a task is due its reminder goes out: the choices offered.
REMINDER_CHOICES = (0, 15, 30, 60, 120, 240, 1440, 2880)
MAX_EXTRA_RECIPIENTS = 10


class PreferencesSchema(Schema):
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    new_prospect = fields.Boolean(load_default=False)
    task_assigned = fields.Boolean(load_default=False)
    task_reminder = fields.Boolean(load_default=False)
    webhook_disabled = fields.Boolean(load_default=False)
    reminder_minutes = fields.Integer(
        required=True,
        validate=validate.OneOf(REMINDER_CHOICES, error="Choose one of the offered reminder times."),
    )


_email = validate.Email(error="{input} is not an e-mail address.")


class FormMailOptionsSchema(Schema):
    notify_owner = fields.Boolean(load_default=False)
    extra_recipients = fields.List(fields.String(validate=[validate.Length(max=254), _email]))
    autoresponder = fields.Boolean(load_default=False)
    autoresponder_subject = fields.String(load_default="", validate=validate.Length(max=200))
    autoresponder_text = fields.String(load_default="", validate=validate.Length(max=5000))

    @validates("extra_recipients")
    def _not_too_many(self, value: list[str], **_: Any) -> None:
        if len(value) > MAX_EXTRA_RECIPIENTS:
            raise ValidationError(f"At most {MAX_EXTRA_RECIPIENTS} extra recipients.")


def split_addresses(text: str) -> list[str]:
    """``"a@x.com, b@y.com\\nc@z.com"`` → the addresses, without repeats."""
    seen: list[str] = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        address = part.strip()
        if address and address.lower() not in (s.lower() for s in seen):
            seen.append(address)
    return seen
