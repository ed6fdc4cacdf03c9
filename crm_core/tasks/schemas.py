"""What may be typed for a task and for a task template."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from crm_core.tasks.models import Assignee, TaskStatus
from crm_core.text.fields import Choice, Line, Lines, OptionalDate, OptionalId, OptionalTime


class TaskSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = Line(200, required=True)
    description = Lines(5000)
    start_date = OptionalDate()
    due_date = OptionalDate()
    due_time = OptionalTime()
    priority_id = OptionalId()
    owner_id = OptionalId()
    status = Choice(TaskStatus, load_default=TaskStatus.OPEN)

    @validates_schema
    def check_dates(self, data: dict[str, Any], **_: Any) -> None:
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            raise ValidationError({"due_date": ["The due date is before the start date."]})
        if data.get("due_time") and not due:
            raise ValidationError({"due_date": ["Give the day too, or leave the time empty."]})


class RescheduleSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    due_date = OptionalDate()
    due_time = OptionalTime()


class TaskTemplateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status_id = fields.Integer(
        required=True,
        strict=False,
        error_messages={"required": "Choose a status.", "invalid": "Choose a status."},
    )
    name = Line(200, required=True)
    description = Lines(5000)
    due_in_days = fields.Integer(
        load_default=0,
        strict=False,
        validate=validate.Range(min=0, max=365, error="Use a number of days from 0 to 365."),
        error_messages={"invalid": "Use a number of days from 0 to 365."},
    )
    priority_id = OptionalId()
    assign_to = Choice(Assignee, load_default=Assignee.OWNER)
    user_id = OptionalId()
    position = fields.Integer(load_default=0, strict=False, validate=validate.Range(min=0, max=10_000))

    # Also when another field is wrong, so the form names every mistake at once.
    @validates_schema(skip_on_field_errors=False)
    def check_assignee(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("assign_to") == Assignee.USER and not data.get("user_id"):
            raise ValidationError({"user_id": ["Choose who gets the task."]})
