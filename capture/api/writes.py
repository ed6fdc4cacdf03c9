"""How a write route ends: one commit when it answered 2xx, nothing kept
otherwise — and, for a create sent with an ``Idempotency-Key``, the answer
stored in the same transaction as the record (``crm_core.api_tokens.idempotency``),
so a retry gets that answer back (``Idempotent-Replayed: true``) instead of a
second record.

Place ``@write`` / ``@idempotent_create`` above flask-smorest's ``response``
decorator: they see the finished answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, request

from capture.api import problems
from capture.api.auth import api_token
from capture.database import db_session
from crm_core.api_tokens.idempotency import MAX_KEY_LENGTH, StoredAnswer, claim, complete, fingerprint

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "description": "Any unique string (≤ 255 characters, kept a day per token): "
            "a retry with the same key and body answers the first answer, and creates nothing more.",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        }
    ]
}


def write(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        response = view(*args, **kwargs)
        _finish(response)
        return response

    return wrapped


def idempotent_create(view: Callable[..., Any]) -> Callable[..., Any]:
    """``write``, plus the ``Idempotency-Key`` header (document it with
    ``@bp.doc(**IDEMPOTENCY_DOC)``)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            response = view(*args, **kwargs)
            _finish(response)
            return response
        if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return problems.validation_problem(
                {IDEMPOTENCY_HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable characters."]}
            )
        session = db_session()
        claimed = claim(session, api_token().id, key, _fingerprint())
        if isinstance(claimed, StoredAnswer):
            session.rollback()
            return _replay(claimed)
        response = view(*args, **kwargs)
        if isinstance(response, Response) and 200 <= response.status_code < 300:
            complete(
                session,
                claimed,
                response.status_code,
                response.get_data(as_text=True),
                response.headers.get("Location"),
            )
        _finish(response)
        return response

    return wrapped


def _finish(response: Any) -> None:
    session = db_session()
    if isinstance(response, Response) and 200 <= response.status_code < 300:
        session.commit()
    else:
        session.rollback()


def _fingerprint() -> str:
    """Method, path and body; a JSON body in a canonical form, so the same
    content with other spacing or key order is the same request."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        body = raw
    return fingerprint(request.method, request.full_path.rstrip("?"), body)


def _replay(answer: StoredAnswer) -> Response:
    response = Response(answer.body, status=answer.status_code, mimetype="application/json")
    if answer.location:
        response.headers["Location"] = answer.location
    response.headers["Idempotent-Replayed"] = "true"
    return response
