"""The queued submission: the typed, versioned contract between the public
endpoint that accepts it (``capture.public.intake``), the queue that carries
it as JSON (``worker``) and the intake that turns it into a prospect
(``crm_core.prospects.intake``).

``v`` is its version. A worker must read every version still in the queue
(jobs wait through outages of hours), so a change that is not a pure addition
gets a new number and both shapes are read until the old one has drained."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from crm_core.forms.definition import FormPresets

PAYLOAD_VERSION = 1


class SubmissionMeta(TypedDict):
    page_url: str
    referrer: str
    attribution: dict[str, str]  # first-touch UTM parameters, gclid, fbclid
    consent_given: bool
    consent_text: str  # the exact (sanitised) text the visitor agreed to


class SubmissionPayload(TypedDict):
    v: Literal[1]
    submission_id: str  # uuid5(form key, client idempotency key): one id however often it is sent
    form_key: str
    form_id: int | None
    received_at: str  # ISO 8601, UTC
    values: dict[str, Any]  # the validated answers, keyed by field name
    presets: FormPresets
    meta: NotRequired[SubmissionMeta]
