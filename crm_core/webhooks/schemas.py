"""What an admin may set on an endpoint."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from crm_core.events.schemas import EVENT_TYPES


class EndpointSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    description = fields.String(load_default="", validate=validate.Length(max=200))
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES, error="Unknown event type.")),
        required=True,
        validate=validate.Length(min=1, error="Choose at least one event."),
    )
    active = fields.Boolean(load_default=False)
