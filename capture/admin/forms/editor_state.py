"""The form editor's HTML inputs, to and from the configuration
``crm_core.forms.services`` validates. The editor state keeps what the admin typed, so
a page re-rendered with errors (or after a no-JavaScript add/move/remove
button) shows their input unchanged."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from crm_core.forms.models import WebForm
from crm_core.forms.schemas import slugify
from crm_core.prospects.labels import FIELD_LABELS
from crm_core.prospects.models import PROSPECT_TEXT_FIELDS

CUSTOM = "custom"
_FIELD_INPUT = re.compile(r"^fields-(\d{1,4})-([a-z_]+)$")
FORM_DATA_KEYS = frozenset(
    {
        "name",
        "active",
        "name_prefix",
        "status_id",
        "source_id",
        "priority_id",
        "owner_id",
        "success_mode",
        "duplicate_mode",
        "success_message",
        "redirect_url",
        "allowed_domains",
    }
)
CUSTOMIZATION_KEYS = frozenset(
    {"fields", "language", "button_text", "button_bg", "button_fg", "consent_enabled", "consent_text"}
)
_FLAG_KEYS = ("active", "consent_enabled")
# Every posted text input of the two tabs (flags and field rows are read apart).
_TEXT_KEYS = tuple(sorted((FORM_DATA_KEYS | CUSTOMIZATION_KEYS) - set(_FLAG_KEYS) - {"fields"}))

FIELD_TYPE_LABELS = {
    "": "Automatic",
    "text": "Short text",
    "email": "Email address",
    "tel": "Phone number",
    "textarea": "Long text",
    "select": "Drop-down list",
    "checkbox": "Checkbox",
    "hidden": "Hidden (sends the placeholder)",
}
# The prospect fields a form field can fill, labelled as everywhere else.
PROSPECT_FIELD_LABELS = {name: FIELD_LABELS[name] for name in PROSPECT_TEXT_FIELDS}
LANGUAGE_LABELS = {"en": "English", "ro": "Română", "lt": "Lietuvių", "fr": "Français"}

# marshmallow's generic wording, said in plain words for the editor.
_PLAIN = {
    "Missing data for required field.": "Fill this in.",
    "Not a valid integer.": "Choose a value from the list.",
    "Not a valid string.": "Fill this in.",
}
_LENGTH = re.compile(r"^Length must be between 1 and (\d+)\.$")
_LONGER = re.compile(r"^Longer than maximum length (\d+)\.$")


def plain_words(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    def say(message: str) -> str:
        if match := _LENGTH.match(message):
            return f"Fill this in (at most {match[1]} characters)."
        if match := _LONGER.match(message):
            return f"Use at most {match[1]} characters."
        return _PLAIN.get(message, message)

    return {key: [say(m) for m in messages] for key, messages in errors.items()}


def blank_row(name: str = "", label: str = "") -> dict[str, Any]:
    mapped = name if name in PROSPECT_TEXT_FIELDS else (CUSTOM if name else "")
    return {
        "map": mapped or CUSTOM,
        "custom": name if mapped == CUSTOM else "",
        "label": label,
        "type": "",
        "required": False,
        "placeholder": "",
        "max_length": "",
        "options": "",
    }


def state_from_form(form: WebForm) -> dict[str, Any]:
    state: dict[str, Any] = {
        "name": form.name,
        "active": form.active,
        "language": form.language,
        "name_prefix": form.name_prefix,
        "status_id": str(form.status_id or ""),
        "source_id": str(form.source_id or ""),
        "priority_id": str(form.priority_id or ""),
        "owner_id": str(form.owner_id or ""),
        "success_mode": form.success_mode,
        "duplicate_mode": form.duplicate_mode,
        "success_message": form.success_message,
        "redirect_url": form.redirect_url,
        "allowed_domains": "\n".join(form.allowed_domains or []),
        "button_text": form.button_text,
        "button_bg": form.button_bg,
        "button_fg": form.button_fg,
        "consent_enabled": form.consent_enabled,
        "consent_text": form.consent_text,
    }
    rows = []
    for field in form.fields:
        row = blank_row(field.name, field.label)
        row.update(
            type=field.type,
            required=field.required,
            placeholder=field.placeholder,
            max_length=str(field.max_length or ""),
            options="\n".join(field.options or []),
        )
        rows.append(row)
    state["rows"] = rows
    return state


def state_from_request(posted: MultiDict[str, str]) -> dict[str, Any]:
    # A key the request leaves out gets the schema's default, not "".
    state: dict[str, Any] = {key: posted[key] for key in _TEXT_KEYS if key in posted}
    state.update({key: posted.get(key) in ("on", "1", "true") for key in _FLAG_KEYS})
    # Rows come in page order (the order the browser sends the inputs), which
    # is how the JavaScript reorders them: it only moves the row elements.
    rows: dict[str, dict[str, Any]] = {}
    for key in posted:
        if match := _FIELD_INPUT.match(key):
            row = rows.setdefault(match[1], {"index": match[1]})
            row[match[2]] = posted.get(key, "")
    state["rows"] = [
        {**blank_row(), **{k: v for k, v in row.items() if k in blank_row()}, "required": "required" in row}
        for row in rows.values()
    ]
    state["_indexes"] = list(rows)
    return state


def apply_row_action(state: dict[str, Any], action: str) -> bool:
    """The no-JavaScript buttons: ``add``, ``remove-N``, ``up-N``, ``down-N``
    (N is the row's input index). Returns whether anything changed."""
    rows: list[dict[str, Any]] = state["rows"]
    if action == "add":
        rows.append(blank_row())
        return True
    verb, _, index = action.partition("-")
    indexes: list[str] = state.get("_indexes", [])
    if index not in indexes:
        return False
    pos = indexes.index(index)
    if verb == "remove":
        rows.pop(pos)
    elif verb == "up" and pos > 0:
        rows[pos - 1], rows[pos] = rows[pos], rows[pos - 1]
    elif verb == "down" and pos < len(rows) - 1:
        rows[pos + 1], rows[pos] = rows[pos], rows[pos + 1]
    else:
        return False
    return True


def _custom_name(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text.startswith("cf_") else "cf_" + slugify(text)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def config_from_state(state: dict[str, Any]) -> dict[str, Any]:
    """What ``create_form`` / ``update_form`` take; the schema does the checking."""
    config: dict[str, Any] = {key: state[key] for key in _TEXT_KEYS if key in state}
    for key in ("status_id", "source_id", "priority_id", "owner_id"):
        config[key] = config.get(key, "").strip() or None
    # One per line (commas tolerated); a space inside an entry stays, so the
    # schema names it as not a domain.
    domains = re.split(r"[\r\n,]+", config.get("allowed_domains", ""))
    config["allowed_domains"] = [d.strip() for d in domains if d.strip()]
    config.update({key: bool(state.get(key)) for key in _FLAG_KEYS})
    config["fields"] = [
        {
            "name": _custom_name(row["custom"]) if row["map"] == CUSTOM else row["map"],
            "label": row["label"],
            "type": row["type"],
            "required": bool(row["required"]),
            "placeholder": row["placeholder"],
            "max_length": row["max_length"].strip() or None,
            "options": _lines(row["options"]),
        }
        for row in state["rows"]
    ]
    return config


def tabs_with_errors(errors: dict[str, list[str]]) -> list[str]:
    tabs = []
    if any(key in FORM_DATA_KEYS for key in errors):
        tabs.append("form-data")
    if any(key in CUSTOMIZATION_KEYS or key.startswith("fields.") for key in errors):
        tabs.append("customization")
    return tabs


_LABELS = {
    "name": "Form name",
    "active": "Active",
    "name_prefix": "Name prefix",
    "status_id": "Status",
    "source_id": "Source",
    "priority_id": "Priority",
    "owner_id": "Owner",
    "success_mode": "After a visitor submits",
    "duplicate_mode": "Same email as an existing prospect",
    "success_message": "Thank-you message",
    "redirect_url": "Page address",
    "allowed_domains": "Allowed websites",
    "fields": "Fields",
    "language": "Form language",
    "button_text": "Button text",
    "button_bg": "Button colour",
    "button_fg": "Button text colour",
    "consent_enabled": "Consent",
    "consent_text": "Consent text",
}
_FIELD_LABELS = {
    "name": ("map", "Saved in"),
    "label": ("label", "Label"),
    "type": ("type", "Type"),
    "placeholder": ("placeholder", "Placeholder"),
    "max_length": ("max_length", "Max characters"),
    "options": ("options", "Options"),
}


def error_summary(errors: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """``(where, message, input id)`` for the list at the top of the editor."""
    summary = []
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "fields" and len(parts) >= 3 and parts[1].isdigit():
            suffix, label = _FIELD_LABELS.get(parts[2], ("label", parts[2]))
            where, anchor = f"Field {int(parts[1]) + 1}: {label}", f"fields-{parts[1]}-{suffix}"
        else:
            where, anchor = _LABELS.get(key, "Form"), key if key in _LABELS else ""
        summary.append((where, " ".join(messages), anchor))
    return summary
