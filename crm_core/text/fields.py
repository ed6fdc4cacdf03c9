"""marshmallow fields for what people type in the admin: one line of text
(trimmed; a line break refused, as it lets a value forge extra lines in an
email or a CSV export), several lines (kept as typed, CRLF made LF), a phone
number, a choice of an enum, an optional id. Messages in plain words."""

from __future__ import annotations

import enum
import re
from typing import Any

from marshmallow import ValidationError, fields, validate

_PHONE = re.compile(r"^[+()0-9 .\-/]+$")
REQUIRED = "Fill this in."


def _messages(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"required": REQUIRED, "null": REQUIRED, "invalid": "Fill this in.", **(extra or {})}


def _checks(max_length: int, required: bool, extra: Any) -> list[Any]:
    checks: list[Any] = [validate.Length(min=1, error=REQUIRED)] if required else []
    checks.append(validate.Length(max=max_length, error=f"At most {max_length} characters."))
    if extra is not None:
        checks.extend(extra if isinstance(extra, list | tuple) else [extra])
    return checks


class Line(fields.String):
    """One line of text, trimmed. ``required`` also refuses an empty value."""

    def __init__(self, max_length: int, *, required: bool = False, **kwargs: Any):
        checks = _checks(max_length, required, kwargs.pop("validate", None))
        if not required:
            kwargs.setdefault("load_default", "")
        super().__init__(required=required, validate=checks, error_messages=_messages(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if "\n" in text or "\r" in text:
            raise ValidationError("Line breaks are not allowed here.")
        return text


class Lines(fields.String):
    """Several lines of text: kept as typed (CRLF → LF), only trimmed at the ends."""

    def __init__(self, max_length: int, *, required: bool = False, **kwargs: Any):
        checks = _checks(max_length, required, kwargs.pop("validate", None))
        if not required:
            kwargs.setdefault("load_default", "")
        super().__init__(required=required, validate=checks, error_messages=_messages(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).replace("\r\n", "\n").strip()


def phone_number(value: str) -> None:
    if value and (not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 6):
        raise ValidationError("Enter a valid phone number.")


def email_address(value: str) -> None:
    if value:
        validate.Email(error="Enter a valid email address.")(value)


class Choice(fields.Enum):
    """An enum by its value, with the allowed values in the message."""

    def __init__(self, enum_class: type[enum.Enum], **kwargs: Any):
        allowed = ", ".join(str(m.value).replace("_", " ") for m in enum_class)
        super().__init__(
            enum_class,
            by_value=True,
            error_messages={"unknown": f"Choose one of: {allowed}.", "required": REQUIRED},
            **kwargs,
        )


class OptionalId(fields.Integer):
    """A ``<select>``'s value: empty means none."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("load_default", None)
        super().__init__(
            allow_none=True,
            strict=False,
            error_messages={"invalid": "Choose a value from the list."},
            **kwargs,
        )

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


def flatten_errors(messages: Any) -> dict[str, list[str]]:
    """marshmallow's error dict as {field: [messages]} for a page to show."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict | list):
                    walk(prefix, item)
                else:
                    flat.setdefault(prefix or "_schema", []).append(str(item))
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    walk("", messages)
    return flat


class OptionalDate(fields.Date):
    """An ``<input type=date>``: empty means none."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("load_default", None)
        super().__init__(
            allow_none=True, error_messages={"invalid": "Enter a date like 2026-12-31."}, **kwargs
        )

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


class OptionalTime(fields.Time):
    """An ``<input type=time>``: empty means none."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("load_default", None)
        super().__init__(allow_none=True, error_messages={"invalid": "Enter a time like 14:30."}, **kwargs)

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


class LocalDateTime(fields.NaiveDateTime):
    """An ``<input type=datetime-local>`` (``2026-12-01T14:30``): a wall-clock
    time in the instance's zone; the service turns it into UTC."""

    def __init__(self, **kwargs: Any):
        super().__init__(
            error_messages={**_messages(), "invalid": "Enter a date and time like 2026-12-01 14:30."},
            **kwargs,
        )

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(" ", "T", 1)
            if not value:
                value = None
        return super().deserialize(value, attr, data, **kwargs)
