"""What may be typed for a new token: a name, read or read-and-write, and how
many days it lives (a token without an end is one nobody remembers to revoke)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from crm_core.text.fields import Line

EXPIRY_CHOICES = (7, 30, 90, 180, 365)
DEFAULT_EXPIRY_DAYS = 90
SCOPE_CHOICES = {"read": "Read only", "read write": "Read and write"}


class NewTokenSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = Line(100, required=True)
    scopes = fields.String(
        load_default="read",
        validate=validate.OneOf(list(SCOPE_CHOICES), error="Choose read only, or read and write."),
    )
    expires_in_days = fields.Integer(
        load_default=DEFAULT_EXPIRY_DAYS,
        strict=False,
        validate=validate.OneOf(EXPIRY_CHOICES, error="Choose one of the offered lifetimes."),
        error_messages={"invalid": "Choose one of the offered lifetimes."},
    )
