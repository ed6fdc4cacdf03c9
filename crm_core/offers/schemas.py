"""What may be typed for an offer, one of its lines, and the offers list's filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from crm_core.products.schemas import currency_code
from crm_core.text.fields import Line, Lines, OptionalDate, OptionalId


def _decimal(places: int, low: Decimal, high: Decimal, error: str, **kwargs: Any) -> fields.Decimal:
    return fields.Decimal(
        places=places,
        validate=validate.Range(min=low, max=high, error=error),
        error_messages={"invalid": error, "required": "Fill this in."},
        **kwargs,
    )


class OfferSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = Line(200, required=True)
    expiry_date = OptionalDate()
    probability = fields.Integer(
        load_default=50,
        strict=False,
        validate=validate.Range(min=0, max=100, error="Use a percentage from 0 to 100."),
        error_messages={"invalid": "Use a percentage from 0 to 100."},
    )
    priority_id = OptionalId()
    currency = Line(3, required=True, validate=currency_code)
    description = Lines(5000)
    contact_id = OptionalId()
    owner_id = OptionalId()
    status_id = OptionalId()

    @post_load
    def upper(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["currency"] = data["currency"].upper()
        return data


class OfferLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    product_id = OptionalId()
    name = Line(200, load_default="")
    unit = Line(20, load_default="")
    quantity = _decimal(
        3, Decimal("0.001"), Decimal("99999999"), "Use a quantity above 0.", load_default=Decimal(1)
    )
    unit_price = _decimal(
        4, Decimal(0), Decimal("9999999999"), "Use a price of 0 or more.", load_default=None, allow_none=True
    )
    discount_pct = _decimal(
        2, Decimal(0), Decimal(100), "Use a discount from 0 to 100 %.", load_default=Decimal(0)
    )

    @validates_schema(skip_on_field_errors=False)
    def named(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("product_id") and not data.get("name"):
            raise ValidationError({"name": ["Pick a product or name the line."]})


OFFER_SORTS = ("created", "expiry", "name", "total")


class OfferFilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=200))
    owner = fields.List(fields.String(), load_default=list)
    status = fields.List(fields.Integer(strict=False), load_default=list)
    currency = fields.String(load_default="", validate=validate.Length(max=3))
    expiry_from = OptionalDate()
    expiry_to = OptionalDate()
    probability_min = fields.Integer(
        load_default=None, allow_none=True, strict=False, validate=validate.Range(0, 100)
    )
    probability_max = fields.Integer(
        load_default=None, allow_none=True, strict=False, validate=validate.Range(0, 100)
    )
    account = fields.Integer(load_default=None, allow_none=True, strict=False)
    sort = fields.String(
        load_default="-created", validate=validate.OneOf([*OFFER_SORTS, *(f"-{s}" for s in OFFER_SORTS)])
    )
