"""The REST API, ``/api/v1``: one flask-smorest blueprint per resource under
one parent blueprint (``api``), whose ``before_request`` checks the personal
token, its rate limit and scope for every route (``auth``). The OpenAPI
document is built from the marshmallow schemas and served with its docs page
(``spec``); every error is problem details (``problems``); writes commit once,
and a create may carry an ``Idempotency-Key`` (``writes``).

CSRF does not apply (the API never reads the session cookie, only the token);
the app's strict security headers do; there is no CORS (token clients are
servers, not pages)."""

from __future__ import annotations

from flask import Flask, Response
from flask_smorest import Blueprint
from flask_wtf import CSRFProtect

from capture.api import (
    accounts,
    activities,
    contacts,
    forms,
    lists,
    notes,
    offers,
    products,
    prospects,
    tasks,
    users,
)
from capture.api.auth import authenticate_request
from capture.api.resource import IdConverter, id_parameter_schema
from capture.api.schemas import DecimalString
from capture.api.spec import PREFIX, LeadApi

RESOURCES = (prospects, contacts, activities, tasks, notes, accounts, offers, products, forms, lists, users)

bp = Blueprint("api", __name__, url_prefix=PREFIX)
for resource in RESOURCES:
    bp.register_blueprint(resource.bp)
bp.before_request(authenticate_request)


@bp.after_request
def _no_store(response: Response) -> Response:
    # Answers carry a user's data: never kept by a browser or a proxy.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    app.url_map.converters["id"] = IdConverter
    api = LeadApi(app)
    api.register_converter(IdConverter, id_parameter_schema)
    api.register_field(DecimalString, "string", "decimal")
    api.register_blueprint(bp)
    # The parent blueprint's tag has no operations of its own: each resource has its tag.
    api.spec._tags[:] = [tag for tag in api.spec._tags if tag["name"] != bp.name]
    for resource in RESOURCES:
        csrf.exempt(resource.bp)
        api.spec.tag({"name": resource.bp.tag, "description": resource.bp.description})
    csrf.exempt(bp)
    app.extensions["lc_api"] = api


__all__ = ["bp", "init_app"]
