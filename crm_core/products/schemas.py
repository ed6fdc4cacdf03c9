"""What may be typed for a product or service in the catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from crm_core.offers.money import is_currency
from crm_core.text.fields import Line


def currency_code(value: str) -> None:
    if not is_currency(value.strip().upper()):
        raise ValidationError("Use a currency code such as RON, EUR or USD.")


class ProductSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    code = Line(50, required=True)
    name = Line(200, required=True)
    price = fields.Decimal(
        places=4,
        required=True,
        validate=validate.Range(min=Decimal(0), max=Decimal("9999999999"), error="Use a price of 0 or more."),
        error_messages={"invalid": "Use a number such as 1250.50.", "required": "Fill this in."},
    )
    currency = Line(3, required=True, validate=currency_code)
    unit = Line(20, load_default="pc")
    active = fields.Boolean(load_default=False, truthy={"1", "on", "true", "yes"}, falsy={"", "0", "off"})

    @post_load
    def normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["currency"] = data["currency"].upper()
        data["unit"] = data["unit"] or "pc"
        return data
