"""What the API's resources share: pages of a keyset-paged list, the
arguments that ask for one, PATCH schemas made from create schemas, the UTC
date-time field of every answer, and the adapter that hands JSON input to the
domain's services in the shape the admin's forms post.

The domain validates everything again (``crm_core``'s schemas and rules, the
same messages as the admin); the schemas here describe the JSON for the
OpenAPI document and refuse wrong types before a service runs."""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from marshmallow.utils import missing

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Strict(Schema):
    """JSON input: an unknown field is an error (a typo is never silently dropped)."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        # The admin's text fields say "Fill this in." for any bad value (a form
        # posts only text); a JSON client deserves to hear it sent the wrong type.
        if isinstance(field_obj, fields.String):
            field_obj.error_messages = {**field_obj.error_messages, "invalid": "Not a valid string."}


class PageArgs(Schema):
    after = fields.String(
        validate=validate.Length(max=500), metadata={"description": "The `next_cursor` of the page before."}
    )
    before = fields.String(
        validate=validate.Length(max=500), metadata={"description": "The `prev_cursor` of the page after."}
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Rows per page, 1 to {MAX_LIMIT}."},
    )


class PageSchema(Schema):
    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as `after` for the next page; null on the last."},
    )
    prev_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as `before` for the page before; null on the first."},
    )


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """``{items: [item], next_cursor, prev_cursor}`` as a named schema."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item), required=True)})


def patch_of(base: type[Schema], name: str) -> type[Schema]:
    """The same fields, each optional and without a default: a PATCH changes
    only what it sends (the field rules still apply to what it sends)."""
    declared: dict[str, Any] = {}
    for field_name, field in base._declared_fields.items():
        clone = copy.copy(field)
        clone.required = False
        clone.load_default = missing
        declared[field_name] = clone
    return type(name, (Strict,), declared)


def Timestamp(**kwargs: Any) -> fields.DateTime:
    """A UTC moment, ISO 8601 with its offset."""
    return fields.AwareDateTime(format="iso", default_timezone=UTC, **kwargs)


def form_values(loaded: Mapping[str, Any], zone: ZoneInfo | None = None) -> dict[str, Any]:
    """Typed JSON values → what the admin's form posts (the services' input):
    text as is, numbers and ids as text, none as "", booleans as "1" / "0",
    dates ISO, date-times as the instance's wall-clock time."""
    return {name: _form_value(value, zone) for name, value in loaded.items()}


def _form_value(value: Any, zone: ZoneInfo | None) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is not None and zone is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, list):
        return [_form_value(item, zone) if not isinstance(item, int) else item for item in value]
    if isinstance(value, dict):
        return {key: _form_value(item, zone) for key, item in value.items()}
    return value


def Id(**kwargs: Any) -> fields.Integer:
    """A record's id in JSON input: a whole number (null to clear, where allowed)."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class IdOnly(Schema):
    """For a list of related ids (``fields.Pluck(IdOnly, "id", many=True)``)."""

    id = fields.Integer(required=True)


class DecimalString(fields.Decimal):
    """An amount as a decimal string (``"1250.5000"``, at the column's scale,
    the same from either database): exact, never a float.
    Documented as ``type: string, format: decimal`` (``capture.api.init_app``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)


MAX_ID = 2**31 - 1


def owner_tokens(*, allow_none: bool) -> fields.List:
    """The lists' ``owner`` filter: user ids or ``me`` (and ``none`` where
    unassigned records exist), ids within the database's integer range."""
    words = "me|none" if allow_none else "me"

    def check(value: str) -> None:
        if value in words.split("|"):
            return
        if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise ValidationError(f"Use a user id or {' or '.join(f'“{w}”' for w in words.split('|'))}.")

    return fields.List(
        fields.String(validate=check),
        metadata={"description": f"User ids or {words.replace('|', ', ')}; repeat for several."},
    )


def id_list(description: str) -> fields.List:
    return fields.List(
        fields.Integer(strict=False, validate=validate.Range(min=1, max=MAX_ID)),
        metadata={"description": description},
    )
