"""Every error of the REST API in one shape: RFC 9457 ``application/problem+json``
with ``type``, ``title``, ``status``, ``detail`` and, for input that breaks a
rule, ``errors`` — ``{field: [messages]}`` with dotted paths for nested
fields (``lines.0.quantity``). ``capture/errors.py`` sends every error of an
``/api/`` request here, whatever raised it: a domain rule, a refused token,
flask-smorest's own validation, an unknown route or method, a body too large."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Response, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from crm_core.api_tokens.idempotency import KeyInFlight, KeyReused
from crm_core.errors import AlreadyConverted, DomainError, NotFound, PossibleDuplicate, ValidationFailed
from crm_core.text.fields import flatten_errors

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"
_URN = "urn:leadcapture:problem:"

# Problem types a client may branch on (besides "about:blank": the status says it all).
VALIDATION = _URN + "validation-failed"
NOT_FOUND = _URN + "not-found"
CONFLICT = _URN + "conflict"
READ_ONLY = _URN + "converted-read-only"
DUPLICATE = _URN + "possible-duplicate"
UNAUTHORIZED = _URN + "invalid-token"
FORBIDDEN = _URN + "forbidden"
INSUFFICIENT_SCOPE = _URN + "insufficient-scope"
RATE_LIMITED = _URN + "rate-limited"
IDEMPOTENCY_REUSED = _URN + "idempotency-key-reused"
UNAVAILABLE = _URN + "unavailable"
MALFORMED = _URN + "malformed-request"
UNSUPPORTED_MEDIA = _URN + "unsupported-media-type"


class ProblemSchema(Schema):
    """RFC 9457 problem details (documentation; answers are built by ``problem``)."""

    type = fields.String(
        required=True, metadata={"description": "A URI naming the kind of problem, or about:blank."}
    )
    title = fields.String(required=True, metadata={"description": "A short summary of that kind."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(required=True, metadata={"description": "What went wrong here, in plain words."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field (dotted paths for nested fields)."},
    )
    matches = fields.List(
        fields.Dict(),
        metadata={"description": "possible-duplicate: the existing records ({id, name}) it would duplicate."},
    )


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(errors: dict[str, list[str]], detail: str = "") -> Response:
    return problem(
        422,
        detail or "Some fields break a rule; see errors.",
        type_=VALIDATION,
        title="Validation failed",
        errors=errors,
    )


def from_domain_error(exc: DomainError) -> Response:
    """``NotFound`` → 404, ``ValidationFailed`` → 422 with ``errors``, a refused
    rule → 409 (a converted prospect's ``converted-read-only``, a
    ``possible-duplicate``); the messages are the domain's own."""
    if isinstance(exc, NotFound):
        return problem(404, str(exc), type_=NOT_FOUND)
    if isinstance(exc, ValidationFailed):
        return validation_problem(exc.fields, str(exc))
    if isinstance(exc, KeyReused):
        return problem(422, str(exc), type_=IDEMPOTENCY_REUSED, title="Idempotency-Key reused")
    if isinstance(exc, KeyInFlight):
        return problem(409, str(exc), type_=CONFLICT, headers={"Retry-After": "1"})
    if isinstance(exc, AlreadyConverted):
        return problem(409, str(exc), type_=READ_ONLY, title="Converted, read-only")
    if isinstance(exc, PossibleDuplicate):
        response = problem(409, str(exc), type_=DUPLICATE, title="Possible duplicate")
        body = json.loads(response.get_data())
        body["matches"] = [{"id": m.id, "name": m.name} for m in exc.matches]  # type: ignore[attr-defined]
        response.set_data(json.dumps(body, ensure_ascii=False))
        return response
    return problem(409, str(exc), type_=CONFLICT, title="Not possible")


_DETAILS = {
    400: "The request could not be read.",
    404: "There is no such resource, or it is not yours to see.",
    405: "This resource does not answer that method.",
    413: "The body is larger than the API accepts.",
    415: "Send the body as JSON (Content-Type: application/json).",
    500: "Something failed on our side; nothing was changed. Try again, or tell us the X-Request-ID.",
}
_TYPES = {400: MALFORMED, 404: NOT_FOUND, 415: UNSUPPORTED_MEDIA}


def from_http_exception(exc: HTTPException) -> Response:
    """Werkzeug's errors, and flask-smorest's (webargs keeps its messages in ``exc.data``)."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # type: ignore[attr-defined]
    if isinstance(messages, dict) and status == 422:
        return validation_problem(_without_locations(messages))
    if isinstance(messages, dict) and status == 400:
        detail = " ".join(m for msgs in _without_locations(messages).values() for m in msgs)
        return problem(400, detail or _DETAILS[400], type_=MALFORMED, headers=headers)
    detail = _DETAILS.get(status) or (exc.description or HTTPStatus(status).phrase)
    return problem(status, detail, type_=_TYPES.get(status, "about:blank"), headers=headers)


def _without_locations(messages: dict[str, Any]) -> dict[str, list[str]]:
    """webargs nests messages under their location (``json``, ``query``); a
    client knows where it put each field, so the paths start at the field."""
    merged: dict[str, list[str]] = {}
    for location, inner in messages.items():
        if isinstance(inner, dict):
            for name, found in flatten_errors(inner).items():
                merged.setdefault(name, []).extend(found)
        else:
            merged.setdefault(location if location not in ("json", "query") else "_schema", []).extend(
                flatten_errors(inner).get("_schema", [])
            )
    return merged
