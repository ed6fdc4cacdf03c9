"""What may be typed for a user account, with the messages the admin shows.
The uniqueness of the email needs the database and is checked by the service."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates

from crm_core.users.models import Role

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def password_errors(password: str) -> list[str]:
    """The password policy, in plain words; empty when the password is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"Use at most {MAX_PASSWORD_LENGTH} characters."]
    return []


def _role_choice() -> str:
    return f"Choose one of: {', '.join(r.value for r in Role)}."


class NewUserSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    email = fields.String(required=True, error_messages={"required": "Enter a valid email address."})
    name = fields.String(load_default="")
    password = fields.String(required=True, error_messages={"required": password_errors("")[0]})
    role = fields.Enum(Role, by_value=True, error_messages={"unknown": _role_choice()})

    @validates("email")
    def check_email(self, value: str, **_: Any) -> None:
        email = value.strip().lower()
        if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
            raise ValidationError("Enter a valid email address.")

    @validates("name")
    def check_name(self, value: str, **_: Any) -> None:
        if len(value.strip()) > 200:
            raise ValidationError("Use at most 200 characters.")

    @validates("password")
    def check_password(self, value: str, **_: Any) -> None:
        if errors := password_errors(value):
            raise ValidationError(errors)

    @post_load
    def clean(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["email"] = data["email"].strip().lower()
        data["name"] = data["name"].strip()
        return data
