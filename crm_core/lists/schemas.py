"""What an admin may type for a list value (name, position, default flag,
colour, status kind), with the messages the settings page shows."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from crm_core.lists.models import OfferStatusKind, StatusKind

_COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a colour like #1f6feb.")


class ListValueSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80, error="Fill this in (at most 80 characters)."),
        error_messages={"required": "Fill this in (at most 80 characters)."},
    )
    position = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=10_000, error="Use a number from 0 to 10000."),
        error_messages={"invalid": "Use a number from 0 to 10000."},
    )
    is_default = fields.Boolean(load_default=False)


class ColouredValueSchema(ListValueSchema):
    color = fields.String(load_default="#6b7280", validate=_COLOUR)


class StatusSchema(ColouredValueSchema):
    kind = fields.Enum(
        StatusKind,
        by_value=True,
        load_default=StatusKind.OPEN,
        error_messages={"unknown": "Choose open, qualified, converted or junk."},
    )


class OfferStatusSchema(ColouredValueSchema):
    kind = fields.Enum(
        OfferStatusKind,
        by_value=True,
        load_default=OfferStatusKind.DRAFT,
        error_messages={"unknown": "Choose draft, sent, accepted, rejected or expired."},
    )


SCHEMAS: dict[str, ListValueSchema] = {
    "statuses": StatusSchema(),
    "sources": ListValueSchema(),
    "priorities": ColouredValueSchema(),
    "offer-statuses": OfferStatusSchema(),
}
