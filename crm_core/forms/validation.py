"""Validation of a visitor's answers, built from a form's field list.

The capture endpoint runs this on every submission without touching the
database, so it works from the plain field dicts of the cached definition and
is compiled once per form version, not once per request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from crm_core.forms.messages import text
from crm_core.text.storable import is_storable

FIELD_TYPES = ("text", "email", "tel", "textarea", "select", "checkbox", "hidden")
_PHONE = re.compile(r"^[+()0-9 .\-/]+$")
_TRUE = {"1", "on", "true", "yes"}
_FALSE = {"", "0", "off", "false", "no"}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool
    max_length: int
    options: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldSpec:
        return cls(
            name=data["name"],
            type=data.get("type", "text"),
            required=bool(data.get("required")),
            max_length=int(data.get("max_length") or 200),
            options=tuple(data.get("options") or ()),
        )


class _Text(fields.String):
    """A string field that trims single-line input and refuses line breaks in
    it (they let a visitor forge extra lines in emails and CSV exports), and
    refuses text no person can type (NUL, a lone surrogate: an undecodable
    byte is read as one) instead of storing it altered."""

    def __init__(self, *, multiline: bool, language: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.multiline = multiline
        self.language = language

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        result = super()._deserialize(value, attr, data, **kwargs)
        if not is_storable(result):
            raise ValidationError(text(self.language, "untypable"))
        if self.multiline:
            return result.replace("\r\n", "\n").strip()
        result = result.strip()
        if "\r" in result or "\n" in result:
            raise ValidationError(text(self.language, "one_line"))
        return result


class _Checkbox(fields.Field):
    def __init__(self, *, language: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.language = language

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValidationError(text(self.language, "choice"))


def _not_blank(language: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value in ("", None, False):
            raise ValidationError(
                text(language, "required") if value is not False else text(language, "checked")
            )

    return check


def _phone(language: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        if value and (not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 6):
            raise ValidationError(text(language, "phone"))

    return check


def _field_for(spec: FieldSpec, language: str) -> fields.Field:
    messages = {"required": text(language, "required"), "invalid": text(language, "invalid")}
    validators: list[Callable[[Any], Any]] = []
    if spec.required:
        validators.append(_not_blank(language))
    common: dict[str, Any] = {"required": spec.required, "error_messages": messages}
    if not spec.required:
        common["load_default"] = False if spec.type == "checkbox" else ""
    if spec.type == "checkbox":
        return _Checkbox(language=language, validate=validators, **common)
    validators.append(
        validate.Length(max=spec.max_length, error=text(language, "too_long", n=spec.max_length))
    )
    if spec.type == "email":
        email = validate.Email(error=text(language, "email"))
        validators.append(lambda value: email(value) if value else value)
    elif spec.type == "tel":
        validators.append(_phone(language))
    elif spec.type == "select" and spec.options:
        choices = validate.OneOf(
            [*spec.options, *([] if spec.required else [""])], error=text(language, "choice")
        )
        validators.append(choices)
    return _Text(multiline=spec.type == "textarea", language=language, validate=validators, **common)


@dataclass(frozen=True)
class SubmissionValidator:
    """Compiled answers-checker for one version of one form."""

    schema: Schema

    def validate(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Return the cleaned answers, or raise ``marshmallow.ValidationError``
        whose ``messages`` map field names to lists of plain-words messages."""
        return self.schema.load(dict(answers), unknown=RAISE)


def compile_validator(field_dicts: list[Mapping[str, Any]], language: str) -> SubmissionValidator:
    specs = [FieldSpec.from_dict(item) for item in field_dicts]
    base = type("SubmissionBase", (Schema,), {"error_messages": {"unknown": text(language, "unknown")}})
    schema_class = base.from_dict(
        {spec.name: _field_for(spec, language) for spec in specs}, name="Submission"
    )
    return SubmissionValidator(schema=schema_class())
