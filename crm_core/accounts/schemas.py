"""What may be typed for an account, and the accounts list's filters."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from crm_core.accounts.models import ACCOUNT_TEXT_FIELDS, AccountType
from crm_core.text.fields import Choice, Line, Lines, OptionalId, email_address, phone_number


def _website(value: str) -> None:
    if value and (
        any(ch.isspace() for ch in value)
        or "." not in value
        or value.lower().startswith(("javascript:", "data:"))
    ):
        raise ValidationError("Enter a web address such as https://example.com.")


class AccountSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = Choice(AccountType, load_default=AccountType.COMPANY)
    name = Line(ACCOUNT_TEXT_FIELDS["name"], required=True)
    registration_code = Line(ACCOUNT_TEXT_FIELDS["registration_code"])
    trade_register_no = Line(ACCOUNT_TEXT_FIELDS["trade_register_no"])
    reference = Line(ACCOUNT_TEXT_FIELDS["reference"])
    address = Line(ACCOUNT_TEXT_FIELDS["address"])
    postal_code = Line(ACCOUNT_TEXT_FIELDS["postal_code"])
    city = Line(ACCOUNT_TEXT_FIELDS["city"])
    county = Line(ACCOUNT_TEXT_FIELDS["county"])
    country = Line(ACCOUNT_TEXT_FIELDS["country"])
    phone = Line(ACCOUNT_TEXT_FIELDS["phone"], validate=phone_number)
    email = Line(ACCOUNT_TEXT_FIELDS["email"], validate=email_address)
    website = Line(ACCOUNT_TEXT_FIELDS["website"], validate=_website)
    description = Lines(ACCOUNT_TEXT_FIELDS["description"])
    owner_id = OptionalId()


ACCOUNT_SORTS = ("created", "name")


class AccountFilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=200))
    owner = fields.List(fields.String(), load_default=list)
    type = fields.List(Choice(AccountType), load_default=list)
    country = fields.String(load_default="", validate=validate.Length(max=100))
    county = fields.String(load_default="", validate=validate.Length(max=100))
    sort = fields.String(
        load_default="-created", validate=validate.OneOf([*ACCOUNT_SORTS, *(f"-{s}" for s in ACCOUNT_SORTS)])
    )


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """Strip an account's text fields (a website without a scheme gets https://)."""
    website = data.get("website", "")
    if website and "://" not in website:
        data["website"] = f"https://{website}"
    return data
