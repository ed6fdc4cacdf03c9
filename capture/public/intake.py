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

from crm_core.forms.messages import text
from crm_core.forms.validation import SubmissionValidator
from crm_core.prospects.models import ATTRIBUTION_PARAMS

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


def parse_urlencoded(body: str) -> dict[str, str] | None:
    """A url-encoded body as a dict, the first value of a repeated name winning
    (as ``request.form.to_dict()``); ``None`` when it has absurdly many fields."""
    try:
        pairs = parse_qsl(body, keep_blank_values=True, errors="replace", max_num_fields=MAX_FIELDS)
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


def build_submission(
    definition: dict[str, Any], validator: SubmissionValidator, data: Mapping[str, Any]
) -> Submission:
    answers = {k: v for k, v in data.items() if k not in META_FIELDS and k not in ATTRIBUTION_PARAMS}
    sid = submission_id(definition["key"], str(data.get("_lc_id") or "") or None)
    if str(data.get("_lc_hp") or "").strip():
        return Submission(sid, {}, is_spam=True)
    language = definition["language"]
    try:
        values = validator.validate(answers)
    except ValidationError as exc:
        fields = {str(k): [str(m) for m in v] for k, v in exc.messages.items()}  # type: ignore[union-attr]
        errors = fields
    else:
        errors = {}
    consent = definition.get("consent")
    consent_given = consent is not None and _flag(data.get("_lc_consent"))
    if consent is not None and consent.get("required") and not consent_given:
        errors["_lc_consent"] = [text(language, "checked")]
    if errors:
        raise SubmissionInvalid(text(language, "invalid"), errors)
    attribution = {
        name: str(data[name]).strip()[:200]
        for name in ATTRIBUTION_PARAMS
        if str(data.get(name) or "").strip()
    }
    payload = {
        "v": 1,
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
