"""Public routes. The submit path reads only Redis: form definitions come from
the cache, and the submission goes onto the queue."""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from capture.public.answers import cors_headers, error
from capture.public.form_cache import FormCache
from capture.public.render_token import RenderTokens
from capture.public.rich_text_nodes import rich_text_nodes
from capture.public.submitting import UNAVAILABLE, Accepted, Invalid, Submitter, request_origin
from crm_core.forms.definition import public_definition

bp = Blueprint("public", __name__)


def form_cache() -> FormCache:
    return current_app.extensions["lc_form_cache"]


@cache
def _embed_file(name: str) -> tuple[bytes, str]:
    body = resources.files("embed").joinpath(name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:20]


def _embed_asset(name: str, mimetype: str) -> Response:
    """A file host pages load from us: cacheable, revalidated by ETag, and
    loadable by a host that sends Cross-Origin-Embedder-Policy."""
    body, etag = _embed_file(name)
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300, stale-while-revalidate=86400"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@bp.get("/embed.js")
def embed_js() -> Response:
    return _embed_asset("embed.js", "application/javascript")


@bp.get("/embed.css")
def embed_css() -> Response:
    """The snippet's styles, for browsers without constructable stylesheets
    (embed.js carries the same rules inline for all others)."""
    return _embed_asset("embed.css", "text/css")


def _load_definition(key: str, count_view: bool = False) -> dict[str, Any] | None:
    definition = form_cache().definition(key, count_view=count_view)
    if definition is None or not definition["active"]:
        return None
    return definition


def _submit_url(key: str) -> str:
    base = current_app.config["LC_SETTINGS"].public_base_url
    path = url_for("public.submit", key=key)
    return f"{base}{path}" if base else url_for("public.submit", key=key, _external=True)


@bp.get("/f/<key>.json")
def definition_json(key: str) -> Response:
    try:
        definition = _load_definition(key, count_view=True)
    except (RedisError, SQLAlchemyError):
        return error(503, UNAVAILABLE, retry_after=5)
    if definition is None:
        response = jsonify({"error": "This form does not exist or is not active."})
        response.status_code = 404
    else:
        body = {**public_definition(definition), "submit_url": _submit_url(key)}
        if body["consent"]:  # as a tree too: the snippet builds it without parsing HTML
            body["consent"] = {**body["consent"], "nodes": rich_text_nodes(body["consent"]["text"])}
        response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:20])
        # Revalidated on every load (a 304 when unchanged) so each view is counted
        # and carries a fresh render token in a header.
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-LC-Token"] = render_tokens().issue(key)
        response.headers["Access-Control-Expose-Headers"] = "X-LC-Token"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@bp.get("/f/<key>", provide_automatic_options=False)  # OPTIONS is the CORS preflight below
def form_page(key: str) -> Response | str:
    """The form as a plain HTML page: works with JavaScript off, and is the
    target of the iframe embed variant."""
    try:
        definition = _load_definition(key, count_view=True)
    except (RedisError, SQLAlchemyError):
        return error(503, UNAVAILABLE, retry_after=5)
    if definition is None:
        return error(404, "This form does not exist or is not active.")
    return render_template(
        "public/form_page.html",
        form=definition,
        values={},
        errors={},
        client_key=str(uuid.uuid4()),
        render_token=render_tokens().issue(key),
    )


@bp.get("/f/<key>/thanks")
def thanks(key: str) -> Response | str:
    try:
        definition = _load_definition(key)
    except (RedisError, SQLAlchemyError):
        definition = None
    message = (definition or {}).get("success", {}).get("message") or "Thank you!"
    return render_template("public/message.html", title=message, message=message)


def submitter() -> Submitter:
    return current_app.extensions["lc_submitter"]


@bp.route("/f/<key>", methods=["OPTIONS"])
def preflight(key: str) -> Response:
    """Only JSON posts need a preflight; the snippet posts form-encoded and never does.
    Only the canonical form of an allowed origin is repeated."""
    origin = request_origin(request.environ)
    try:
        definition = _load_definition(key)
    except (RedisError, SQLAlchemyError):
        return error(503, UNAVAILABLE, retry_after=5)
    if definition is None or not submitter().origin_ok(definition, origin, request.environ):
        return Response(status=403)
    response = Response(status=204, headers=cors_headers(origin))
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.post("/f/<key>", provide_automatic_options=False)
def submit(key: str) -> Response | str:
    """The form page posted with JavaScript off: answered in HTML (303 to the
    thanks page, or the page again with its errors). JSON clients, the snippet
    among them, are answered before Flask by ``capture.public.json_path``,
    from the same ``Submitter``."""
    outcome = submitter().submit(request.environ, key)
    if isinstance(outcome, Accepted):
        success = outcome.definition["success"]
        if success["mode"] == "redirect":
            return redirect(success["url"], code=303)
        return redirect(url_for("public.thanks", key=key, frame=request.args.get("frame")), code=303)
    if isinstance(outcome, Invalid):
        data = outcome.data
        page = render_template(
            "public/form_page.html",
            form=outcome.definition,
            values=data,
            errors=outcome.error.fields,
            message=str(outcome.error),
            client_key=data.get("_lc_id") or str(uuid.uuid4()),
            render_token=render_tokens().issue(key),
        )
        return Response(page, status=400)
    return error(outcome.status, outcome.message, retry_after=outcome.retry_after)


def render_tokens() -> RenderTokens:
    return current_app.extensions["lc_render_tokens"]


@bp.get("/demo/<key>")
def demo_page(key: str) -> str:
    if not current_app.config["LC_SETTINGS"].demo_pages:
        abort(404)
    return render_template("public/demo.html", key=key)
