"""flask-smorest's ``Api``, fitted to Leadcapture: the OpenAPI document says
errors are ``application/problem+json`` (``ProblemSchema``), is served with the
docs page under ``/api/v1``, and leaves error handling to ``capture/errors.py``
(flask-smorest would otherwise answer every HTTP error of the whole app, the
admin's pages included, in its own JSON)."""

from __future__ import annotations

import http
from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from capture.api.problems import MEDIA_TYPE, ProblemSchema

PREFIX = "/api/v1"
DESCRIPTION = """\
The Leadcapture REST API: prospects and the records around them, accounts,
offers, products, forms and the settings lists.

**Authentication.** Every call carries a personal API token, created in the
admin under *API tokens*: `Authorization: Bearer lcp_…`. A token acts as its
user, with that user's role (a sales user's token sees only their prospects);
a read-only token may only `GET`. A revoked or expired token, or one whose user
was deactivated, answers `401`.

**Errors** are RFC 9457 problem details (`application/problem+json`): `type`,
`title`, `status`, `detail` and, for input that breaks a rule, `errors` with
the messages per field.

**Lists** are keyset-paged: pass the answer's `next_cursor` as `after` (or
`prev_cursor` as `before`) for the next page; `limit` is 1 to 200.

**Retrying a create** is safe with an `Idempotency-Key` header (any unique
string up to 255 characters, per token, kept a day): the same key and body
answers the first answer again, and only one record exists; the same key with
another body is a `422`.

**Rate limit.** Each token may make `API_RATE_LIMIT` requests per window
(600 a minute by default); over it, `429` with `Retry-After` in seconds.

Times are ISO 8601 in UTC. A date-time sent without an offset is read in the
instance's time zone.
"""


class LeadApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask) -> None:
        app.config.update(
            API_TITLE="Leadcapture API",
            API_VERSION="1",
            OPENAPI_VERSION="3.0.3",
            API_SPEC_OPTIONS={
                "info": {"description": DESCRIPTION},
                "servers": [{"url": "/"}],
                "security": [{"token": []}],
                "components": {
                    "securitySchemes": {
                        "token": {
                            "type": "http",
                            "scheme": "bearer",
                            "description": "A personal API token (lcp_…) from the admin's API tokens page.",
                        }
                    }
                },
            },
        )
        super().__init__(app)

    def _register_error_handlers(self) -> None:
        """None: ``capture/errors.py`` answers errors for every audience."""

    def _register_responses(self) -> None:
        """Like flask-smorest's, with the problem+json media type for errors."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_doc_blueprint(self) -> None:
        """``/api/v1/openapi.json`` and ``/api/v1/docs`` (Swagger UI from
        ``static/vendor``, started by a static script: no inline code)."""
        docs = Blueprint("api_docs", __name__, url_prefix=PREFIX)
        docs.add_url_rule("/openapi.json", endpoint="openapi_json", view_func=self._spec_json)
        docs.add_url_rule("/docs", endpoint="docs", view_func=_docs_page)
        self._app.register_blueprint(docs)

    def _spec_json(self) -> Response:
        document = current_app.extensions.get("lc_api_spec_json")
        if document is None:  # built once: the routes do not change while the app runs
            document = current_app.json.dumps(_numbers(self.spec.to_dict()), indent=2, sort_keys=False)
            current_app.extensions["lc_api_spec_json"] = document
        return current_app.response_class(document, mimetype="application/json")


def _numbers(value: Any) -> Any:
    """apispec copies a ``Range`` of ``Decimal`` bounds as is, which JSON would
    write as strings; ``minimum`` and ``maximum`` must be numbers."""
    if isinstance(value, dict):
        return {key: _numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _docs_page() -> str:
    return render_template("api/docs.html")
