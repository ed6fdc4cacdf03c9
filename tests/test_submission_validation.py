"""The submission schema built from a form's fields (unit level)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from crm_core.forms.validation import compile_validator

FIELDS = [
    {"name": "name", "type": "text", "required": True, "max_length": 20},
    {"name": "email", "type": "email", "required": True, "max_length": 254},
    {"name": "phone", "type": "tel", "max_length": 50},
    {"name": "description", "type": "textarea", "max_length": 100},
    {"name": "cf_budget", "type": "select", "options": ["small", "large"]},
    {"name": "cf_terms", "type": "checkbox", "required": True},
]


def errors(data: dict[str, object], language: str = "en") -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        compile_validator(FIELDS, language).validate(data)
    return info.value.messages  # type: ignore[return-value]


def test_text_is_kept_as_typed() -> None:
    values = compile_validator(FIELDS, "en").validate(
        {"name": " Tom & Jerry <b> ", "email": "ștefan@example.ro", "cf_terms": "on", "description": "a\r\nb"}
    )
    assert values["name"] == "Tom & Jerry <b>"  # trimmed, never HTML-escaped
    assert values["description"] == "a\nb"
    assert values["cf_terms"] is True
    assert values["phone"] == ""


def test_each_rule_reports_in_plain_words() -> None:
    messages = errors(
        {"name": "x" * 21, "email": "nope", "phone": "12", "cf_budget": "huge", "cf_terms": "", "extra": "1"}
    )
    assert messages == {
        "name": ["At most 20 characters."],
        "email": ["Enter a valid email address."],
        "phone": ["Enter a valid phone number."],
        "cf_budget": ["Choose one of the options."],
        "cf_terms": ["Please tick this box."],
        "extra": ["This field is not part of the form."],
    }


def test_required_and_line_breaks() -> None:
    messages = errors({"name": "a\nb", "email": "   "})
    assert messages["name"] == ["Line breaks are not allowed here."]
    assert messages["email"] == ["This field is required."]
    assert messages["cf_terms"] == ["This field is required."]


@pytest.mark.parametrize(
    ("language", "required"),
    [
        ("ro", "Acest câmp este obligatoriu."),
        ("lt", "Šis laukas privalomas."),
        ("fr", "Ce champ est obligatoire."),
    ],
)
def test_messages_follow_the_form_language(language: str, required: str) -> None:
    assert errors({}, language)["name"] == [required]


@pytest.mark.parametrize("value", ["Ana\x00", "\ud800", "Ana \udcff Pop", "\udfff"])
@pytest.mark.parametrize("field", ["name", "description", "cf_budget"])
def test_text_no_person_can_type_is_refused_not_altered(value: str, field: str) -> None:
    data = {"name": "Ana", "email": "ana@example.com", "cf_terms": "1", field: value}
    assert errors(data) == {
        field: ["This contains characters that cannot be typed or read as text. Please type it again."]
    }
    assert errors(data, "ro")[field] == [
        "Conține caractere care nu pot fi tastate sau citite ca text. Tastați din nou."
    ]
