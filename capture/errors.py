"""Domain errors and HTTP errors mapped to answers in one place, instead of
each view catching ``NotFound`` and calling ``abort(404)``:

- ``NotFound`` → 404, ``ValidationFailed`` → 400, any other ``DomainError`` → 409;
- in the admin, as a page in the admin's look (``admin/error.html``), and a
  refused CSRF check as "reload and try again";
- in the REST API (``/api/``), every error — domain, HTTP, validation, a
  crash — as RFC 9457 ``application/problem+json`` (``capture.api.problems``);
- elsewhere (the public endpoints), as JSON ``{"error": …}``
  (with ``fields`` for a validation error).

Views still catch ``ValidationFailed`` where they show the form again with the
messages beside its fields; what reaches here is everything else."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from capture.api import problems
from crm_core.errors import DomainError, NotFound, ValidationFailed

_TITLES = {400: "Please check your input", 403: "Not allowed", 404: "Not found", 409: "Not possible"}
_MESSAGES = {
    403: "Your role does not give access to this page.",
    404: "This page does not exist, or what it showed was deleted.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(403, _http_error)
    app.register_error_handler(404, _http_error)
    app.register_error_handler(HTTPException, _any_http_error)
    app.register_error_handler(InternalServerError, _server_error)


def _in_admin() -> bool:
    return "admin" in request.blueprints or request.path.startswith("/admin/")


def _status(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ValidationFailed):
        return 400
    return 409


def _answer(status: int, message: str, **extra: object) -> tuple[str, int] | tuple[Response, int]:
    if _in_admin():
        return render_template(
            "admin/error.html", title=_TITLES.get(status, "Error"), message=message
        ), status
    return jsonify({"error": message, **extra}), status


def _domain_error(exc: DomainError) -> Response | tuple[str, int] | tuple[Response, int]:
    if problems.is_api_request():
        return problems.from_domain_error(exc)
    extra = {"fields": exc.fields} if isinstance(exc, ValidationFailed) else {}
    message = str(exc)
    if isinstance(exc, ValidationFailed) and _in_admin():
        message = " ".join(m for messages in exc.fields.values() for m in messages) or message
    return _answer(_status(exc), message, **extra)


def _http_error(exc: HTTPException) -> HTTPException | Response | tuple[str, int] | tuple[Response, int]:
    if problems.is_api_request():
        return problems.from_http_exception(exc)
    if not _in_admin():
        return exc  # Flask's own answer, as before (the public views answer their own errors)
    status = exc.code or 500
    return _answer(status, _MESSAGES.get(status, exc.description or ""))


def _any_http_error(exc: HTTPException) -> HTTPException | Response:
    """Other statuses (400, 405, 413, 415, 422, 429 …): problem details in the
    API, Flask's own answer elsewhere, as before."""
    return problems.from_http_exception(exc) if problems.is_api_request() else exc


def _server_error(exc: InternalServerError) -> InternalServerError | Response:
    return problems.from_http_exception(exc) if problems.is_api_request() else exc


def _csrf_refused(_exc: CSRFError) -> tuple[str, int] | tuple[Response, int]:
    if not _in_admin():
        return jsonify({"error": "The security check failed; reload the page and try again."}), 400
    return (
        render_template(
            "admin/error.html",
            title="Please try again",
            message="The page was out of date (its CSRF security check failed), so nothing was changed. "
            "Go back, reload the page and try again.",
        ),
        400,
    )
