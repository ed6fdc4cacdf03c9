"""``POST /f/<key>`` from the snippet and API clients, answered in JSON before
Flask sees the request.

This is the one endpoint a campaign spike hits, and it needs nothing Flask
gives: no session, no CSRF (it is the public, cross-origin endpoint), no
templates, no URL building. Flask's request context, routing, session
interface and after-request hooks were ~300 µs of the ~680 µs of CPU each
submission cost (bench/README.md, "Intake"). The rules are in
``capture.public.submitting``; this module only writes the answer. Requests
that prefer HTML (the form page posted with JavaScript off) and every other
route go on to Flask."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from capture.public.answers import cors_headers, prefers_html
from capture.public.submitting import Accepted, Invalid, Outcome, Submitter
from capture.request_logging import request_id
from capture.security_headers import embeddable_answer_headers
from crm_core.log_context import log_context

_PREFIX = "/f/"
FAILED = "Something went wrong. Please try again."

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def json_answer(outcome: Outcome) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
    """Status, JSON body and the headers particular to this outcome."""
    headers = cors_headers(outcome.cors_origin)
    if isinstance(outcome, Accepted):
        success = outcome.definition["success"]
        body: dict[str, Any] = {"id": outcome.submission_id}
        if success["mode"] == "redirect":
            body["redirect"] = success["url"]
        else:
            body["message"] = success["message"]
        return 202, body, headers
    if isinstance(outcome, Invalid):
        return 400, {"error": str(outcome.error), "fields": outcome.error.fields}, headers
    body = {"error": outcome.message}
    if outcome.fields is not None:
        body["fields"] = outcome.fields
    if outcome.retry_after is not None:
        headers.append(("Retry-After", str(outcome.retry_after)))
    return outcome.status, body, headers


class JsonSubmitPath:
    def __init__(self, app: WSGIApp, submitter: Submitter, logger: logging.Logger):
        self._app = app
        self._submitter = submitter
        self._logger = logger

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        key = path[len(_PREFIX) :]
        if (
            environ["REQUEST_METHOD"] != "POST"
            or not path.startswith(_PREFIX)
            or not key
            or "/" in key
            or prefers_html(environ)
        ):
            return self._app(environ, start_response)
        rid = request_id(environ.get("HTTP_X_REQUEST_ID"))
        with log_context(req=rid):
            try:
                status, body, headers = json_answer(self._submitter.submit(environ, key))
                data = json.dumps(body, ensure_ascii=False).encode()
            except Exception:
                # What Flask would do for an unhandled error, in the JSON the snippet reads.
                self._logger.exception("submission to form %s failed", key)
                status, headers = 500, []
                data = json.dumps({"error": FAILED}).encode()
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data))),
                ("X-Request-ID", rid),
                *headers,
                *embeddable_answer_headers(environ["wsgi.url_scheme"] == "https"),
            ],
        )
        return [data]
