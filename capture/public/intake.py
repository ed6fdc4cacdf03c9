"""From a raw submission to a queued job: split meta fields from answers,
validate, and build the JSON payload the worker turns into a prospect.
No database work happens here."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from marshmallow import ValidationError

from crm_core.forms.definition import FormDefinition
from crm_core.forms.messages import text
from crm_core.forms.validation import SubmissionValidator
from crm_core.prospects.models import ATTRIBUTION_PARAMS
from crm_core.prospects.payload import PAYLOAD_VERSION, SubmissionPayload
from crm_core.text.storable import is_storable, marked

# Submission ids derive from (form key, client idempotency key): the same key
# retried is the same submission; the same key on another form is not.
_NAMESPACE = uuid.UUID("9f1d3c4e-6a57-4b8e-9a43-2f0c1b7d5e10")
META_FIELDS = frozenset(
    {
        "_lc_id",
        "_lc_hp",
        "_lc_t",
        "_lc_ts",
        "_lc_page",
        "_lc_ref",
        "_lc_consent",
        "_lc_consent_text",
        "csrf_token",
    }
)
MAX_FIELDS = 200  # a form has at most a few dozen fields plus meta and UTM parameters
# An error answer stays small, whatever was sent: this many unknown fields are
# named (then "other fields: N"), each name cut to this many characters.
LISTED_UNKNOWN = 5
SHOWN_NAME = 100
_TRUE = {"1", "on", "true", "yes"}


class SubmissionInvalid(Exception):
    def __init__(self, message: str, fields: dict[str, list[str]]):
        super().__init__(message)
        self.fields = fields


@dataclass(frozen=True)
class Submission:
    submission_id: str
    payload: dict[str, Any]
    is_spam: bool


def parse_urlencoded(body: str, encoding: str = "utf-8") -> dict[str, str] | None:
    """A url-encoded body as a dict, the first value of a repeated name winning
    (as ``request.form.to_dict()``); ``None`` when it has absurdly many fields.
    Percent-escapes are decoded with ``encoding``; bytes it cannot decode become
    lone surrogates (as ``body`` should be decoded), which validation refuses."""
    try:
        pairs = parse_qsl(
            body,
            keep_blank_values=True,
            encoding=encoding,
            errors="surrogateescape",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError:
        return None
    data: dict[str, str] = {}
    for name, value in pairs:
        data.setdefault(name, value)
    return data


def submission_id(form_key: str, client_key: str | None) -> str:
    if client_key:
        try:
            return str(uuid.uuid5(_NAMESPACE, f"{form_key}:{uuid.UUID(client_key)}"))
        except ValueError:
            pass
    return str(uuid.uuid4())


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def shown_name(name: str) -> str:
    """A field name as an error answer can carry it: encodable, and short."""
    name = marked(name)
    return name if len(name) <= SHOWN_NAME else name[: SHOWN_NAME - 1] + "…"


def _unreadable(data: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """Fields whose name, or whose value outside the answers (the meta fields the
    worker stores), holds text no person can type; the answers' values are the
    validator's."""
    return [
        name
        for name, value in data.items()
        if not is_storable(name)
        or (name not in answers and isinstance(value, str) and not is_storable(value))
    ]


def _answer_errors(
    exc: ValidationError, answers: Mapping[str, Any], validator: SubmissionValidator, language: str
) -> tuple[dict[str, list[str]], int]:
    """The validator's messages, the form's fields first; at most ``LISTED_UNKNOWN``
    unknown fields, in the order they were sent (marshmallow reports them from a
    set), and how many more there were."""
    messages: dict[str, Any] = exc.messages  # type: ignore[assignment]
    known = validator.schema.fields
    errors = {name: [str(m) for m in messages[name]] for name in known if name in messages}
    unknown = [name for name in answers if name not in known]
    for name in unknown[:LISTED_UNKNOWN]:
        errors[shown_name(name)] = [text(language, "unknown")]
    return errors, max(len(unknown) - LISTED_UNKNOWN, 0)


def build_submission(
    definition: FormDefinition, validator: SubmissionValidator, data: Mapping[str, Any]
) -> Submission:
    answers = {k: v for k, v in data.items() if k not in META_FIELDS and k not in ATTRIBUTION_PARAMS}
    sid = submission_id(definition["key"], str(data.get("_lc_id") or "") or None)
    if str(data.get("_lc_hp") or "").strip():
        return Submission(sid, {}, is_spam=True)
    language = definition["language"]
    unreadable = _unreadable(data, answers)
    errors = {shown_name(name): [text(language, "untypable")] for name in unreadable}
    for name in unreadable:
        answers.pop(name, None)  # reported above, not again as unknown
    unlisted = 0
    values: dict[str, Any] = {}
    try:
        values = validator.validate(answers)
    except ValidationError as exc:
        answer_errors, unlisted = _answer_errors(exc, answers, validator, language)
        errors.update(answer_errors)
    consent = definition.get("consent")
    consent_given = consent is not None and _flag(data.get("_lc_consent"))
    if consent is not None and consent.get("required") and not consent_given:
        errors["_lc_consent"] = [text(language, "checked")]
    if errors:
        message = text(language, "invalid")
        if unlisted:
            message += " " + text(language, "more_unknown", n=unlisted)
        raise SubmissionInvalid(message, errors)
    attribution = {
        name: str(data[name]).strip()[:200]
        for name in ATTRIBUTION_PARAMS
        if str(data.get(name) or "").strip()
    }
    payload: SubmissionPayload = {
        "v": PAYLOAD_VERSION,
        "submission_id": sid,
        "form_key": definition["key"],
        "form_id": definition["form_id"],
        "received_at": datetime.now(UTC).isoformat(),
        "values": values,
        "presets": definition["presets"],
        "meta": {
            "page_url": str(data.get("_lc_page") or "")[:2000],
            "referrer": str(data.get("_lc_ref") or "")[:2000],
            "attribution": attribution,
            "consent_given": consent_given,
            # The exact (sanitised) text the visitor agreed to, as configured at this moment.
            "consent_text": consent["text"] if consent_given and consent else "",
        },
    }
    return Submission(sid, payload, is_spam=False)
