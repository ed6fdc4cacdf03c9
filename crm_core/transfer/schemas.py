"""What a person chooses before an import runs — which field each column fills, what to do
with duplicates, defaults and unknown values — checked in one place and stored on the
import as JSON (``ImportOptions``), so the job runs exactly what was shown and chosen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from crm_core.errors import ValidationFailed
from crm_core.transfer.fields import FIELDS_BY_KEY, LANGUAGES, PROSPECT_FIELDS
from crm_core.transfer.limits import DEFAULT_LIMITS, Limits, column_name

DUPLICATE_MODES = ("skip", "update", "create")
DUPLICATE_LABELS = {
    "skip": "Skip the row (keep the existing prospect as it is)",
    "update": "Update the existing prospect with the row's filled cells",
    "create": "Create a new prospect anyway",
}
# What a duplicate is matched on, and the field whose column it needs.
MATCH_KEYS = {"email": "email", "phone": "phone", "registration_code": "registration_code"}
MATCH_LABELS = {"email": "Email", "phone": "Phone (digits only)", "registration_code": "Registration code"}
# Fields whose values are names of existing choices (matched in any language).
LIST_FIELDS = ("status", "source", "priority", "owner")
LIST_LABELS = {"status": "Status", "source": "Source", "priority": "Priority", "owner": "Owner"}
UNKNOWN_IS_ERROR = "error"


@dataclass(frozen=True)
class ImportOptions:
    duplicates: str = "skip"
    match_on: tuple[str, ...] = ("email",)
    # list field → the id a blank (or missing) cell gets; None: the list's own default
    # (owner: nobody).
    defaults: dict[str, int | None] = field(default_factory=dict)
    # list field → the id an unknown name is mapped to; None: the row fails with an error.
    unknown: dict[str, int | None] = field(default_factory=dict)
    language: str = "en"
    limits: Limits = DEFAULT_LIMITS

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["match_on"] = list(self.match_on)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ImportOptions:
        data = dict(data or {})
        limits = Limits(**data.pop("limits", {}) or {})
        return cls(
            duplicates=str(data.get("duplicates", "skip")),
            match_on=tuple(data.get("match_on", ("email",))),
            defaults={k: _id_or_none(v) for k, v in (data.get("defaults") or {}).items()},
            unknown={k: _id_or_none(v) for k, v in (data.get("unknown") or {}).items()},
            language=str(data.get("language", "en")),
            limits=limits,
        )


def _id_or_none(value: object) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def mapping_from_form(form: Mapping[str, Any], columns: int) -> list[str | None]:
    """``column_0=name&column_1=&…`` → ``["name", None, …]`` (unknown keys are ignored)."""
    mapping: list[str | None] = []
    for index in range(columns):
        key = str(form.get(f"column_{index}", "") or "").strip()
        mapping.append(key if key in FIELDS_BY_KEY else None)
    return mapping


def options_from_form(
    form: Mapping[str, Any], *, language: str, limits: Limits, choices: Mapping[str, Mapping[int, str]]
) -> ImportOptions:
    """The options part of the set-up form; ids not among ``choices`` (per list field) are
    refused with a message, as the form's own selects would never send them."""
    errors: dict[str, list[str]] = {}
    duplicates = str(form.get("duplicates", "skip"))
    if duplicates not in DUPLICATE_MODES:
        errors["duplicates"] = ["Choose what to do with duplicates."]
    getlist = getattr(form, "getlist", None)
    raw_match = getlist("match_on") if getlist else form.get("match_on", [])
    match_on = tuple(key for key in MATCH_KEYS if key in (raw_match or []))
    defaults: dict[str, int | None] = {}
    unknown: dict[str, int | None] = {}
    for name in LIST_FIELDS:
        for prefix, target in (("default", defaults), ("unknown", unknown)):
            raw = str(form.get(f"{prefix}_{name}", "") or "").strip()
            if not raw or raw == UNKNOWN_IS_ERROR:
                target[name] = None
            elif raw.isdigit() and int(raw) in choices.get(name, {}):
                target[name] = int(raw)
            else:
                errors[f"{prefix}_{name}"] = ["Choose a value from the list."]
    if errors:
        raise ValidationFailed(errors)
    return ImportOptions(
        duplicates=duplicates,
        match_on=match_on,
        defaults=defaults,
        unknown=unknown,
        language=language if language in LANGUAGES else "en",
        limits=limits,
    )


def check_setup(header: Sequence[str], mapping: Sequence[str | None], options: ImportOptions) -> None:
    """Refuse a mapping and options the job could not run sensibly, saying what to change."""
    errors: dict[str, list[str]] = {}
    columns_of: dict[str, list[int]] = {}
    for index, key in enumerate(mapping):
        if key is not None:
            columns_of.setdefault(key, []).append(index)
    for key, indexes in columns_of.items():
        if len(indexes) > 1:
            names = " and ".join(_column_label(header, i) for i in indexes)
            errors[f"column_{indexes[1]}"] = [
                f"Columns {names} are both mapped to {_field_label(key)}; map one of them and ignore the other."
            ]
    for required in (f for f in PROSPECT_FIELDS if f.required):
        if required.key not in columns_of:
            errors["mapping"] = [f"Map a column to {_field_label(required.key)}: every prospect needs one."]
    if options.duplicates != "create":
        if not options.match_on:
            errors["match_on"] = [
                "Choose what makes two prospects the same (email, phone or registration code), "
                "or choose to create every row anyway."
            ]
        for key in options.match_on:
            if MATCH_KEYS[key] not in columns_of:
                errors["match_on"] = [
                    f"Duplicates cannot be matched on {MATCH_LABELS[key].lower()}: no column is mapped to it."
                ]
    if errors:
        raise ValidationFailed(errors)


def _column_label(header: Sequence[str], index: int) -> str:
    name = header[index] if index < len(header) else ""
    return f"{column_name(index)} ({name})" if name else column_name(index)


def _field_label(key: str) -> str:
    return FIELDS_BY_KEY[key].header("en")
