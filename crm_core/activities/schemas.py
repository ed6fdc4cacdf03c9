"""What may be typed for a call, email or meeting."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from crm_core.activities.models import ActivityKind, ActivityStatus, Direction
from crm_core.text.fields import Choice, Line, Lines, LocalDateTime, OptionalId


class _OptionalChoice(Choice):
    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


class ActivitySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = Choice(ActivityKind, required=True)
    subject = Line(200)  # empty: "Call", "Email" or "Meeting"
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(load_default=None, allow_none=True)
    duration_minutes = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=False,
        validate=validate.Range(min=0, max=24 * 60, error="Use minutes from 0 to 1440."),
        error_messages={"invalid": "Use minutes from 0 to 1440."},
    )
    status = Choice(ActivityStatus, load_default=ActivityStatus.PLANNED)
    direction = _OptionalChoice(Direction, load_default=None, allow_none=True)
    contact_ids = fields.List(fields.Integer(strict=False), load_default=list)
    owner_id = OptionalId()
    outcome = Lines(5000)

    @validates_schema
    def check_times(self, data: dict[str, Any], **_: Any) -> None:
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            raise ValidationError({"ends_at": ["The end is before the start."]})


def blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    """Form posts send "" for an empty optional input."""
    return {
        key: (None if value == "" and key in ("ends_at", "duration_minutes") else value)
        for key, value in data.items()
    }


class OutcomeSchema(Schema):
    """Marking a planned call or meeting as held or not held, with what came of it."""

    class Meta:
        unknown = EXCLUDE

    status = Choice(ActivityStatus, required=True)
    outcome = Lines(5000)
