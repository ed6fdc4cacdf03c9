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

from capture import redis_client
from capture.form_cache import FormCache
from capture.public.answers import error, wants_html
from capture.public.intake import SubmissionInvalid, build_submission, parse_urlencoded
from capture.public.render_token import RenderTokens
from capture.public.spam import quarantine
from crm_core.domains import origin_allowed, origin_of
from crm_core.forms import public_definition

bp = Blueprint("public", __name__)

UNAVAILABLE = "The form is temporarily unavailable. Please try again in a moment."


def form_cache() -> FormCache:
    return current_app.extensions["lc_form_cache"]


@cache
def _embed_script() -> tuple[bytes, str]:
    body = resources.files("embed").joinpath("embed.js").read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:20]


@bp.get("/embed.js")
def embed_js() -> Response:
    body, etag = _embed_script()
    response = Response(body, mimetype="application/javascript")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300, stale-while-revalidate=86400"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


def _own_origin() -> str:
    base = current_app.config["LC_SETTINGS"].public_base_url or request.host_url
    return origin_of(base) or ""


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
        response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:20])
        # Revalidated on every load (a 304 when unchanged) so each view is counted
        # and carries a fresh render token in a header.
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-LC-Token"] = render_tokens().issue(key)
        response.headers["Access-Control-Expose-Headers"] = "X-LC-Token"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@bp.get("/f/<key>")
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


def _request_origin() -> str | None:
    origin = request.headers.get("Origin")
    if origin is None and request.referrer:
        origin = origin_of(request.referrer)
    return origin


def _origin_ok(definition: dict[str, Any], origin: str | None) -> bool:
    # The form's own domains first: our own origin (the no-JS page, the
    # preview) needs the request's host URL, which costs more to build.
    return origin is not None and (
        origin_allowed(origin, definition["allowed_domains"]) or origin == _own_origin()
    )


def _with_cors(response: Response, origin: str | None) -> Response:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        response.headers["Vary"] = "Origin"
    return response


def _form_data() -> dict[str, Any] | None:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else None
    if request.mimetype == "application/x-www-form-urlencoded":
        # What the snippet sends: parsed directly, at half the cost of request.form.
        return parse_urlencoded(request.get_data(as_text=True))
    return request.form.to_dict(flat=True)


@bp.route("/f/<key>", methods=["OPTIONS"])
def preflight(key: str) -> Response:
    """Only JSON posts need a preflight; the snippet posts form-encoded and never does."""
    origin = request.headers.get("Origin")
    try:
        definition = _load_definition(key)
    except (RedisError, SQLAlchemyError):
        return error(503, UNAVAILABLE, retry_after=5)
    if definition is None or not _origin_ok(definition, origin):
        return Response(status=403)
    response = _with_cors(Response(status=204), origin)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.post("/f/<key>")
def submit(key: str) -> Response | str:
    settings = current_app.config["LC_SETTINGS"]
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return error(413, "The submission is too large.")
    try:
        definition = form_cache().recent_definition(key)
    except (RedisError, SQLAlchemyError):
        return error(503, UNAVAILABLE, retry_after=5)
    if definition is None or not definition["active"]:
        return error(404, "This form does not exist or is not active.")
    origin = _request_origin()
    if not _origin_ok(definition, origin):
        # Readable cross-origin (never for "null"), so the snippet can say why; nothing is created.
        refused = error(403, "This form does not accept submissions from this website.")
        return _with_cors(refused, origin_of(origin or ""))
    data = _form_data()
    if data is None:
        return _with_cors(error(400, "Send the form as form fields or a JSON object.", fields={}), origin)
    cache = form_cache()
    try:
        submission = build_submission(definition, cache.validator(definition), data)
    except SubmissionInvalid as exc:
        if wants_html():
            return Response(
                render_template(
                    "public/form_page.html",
                    form=definition,
                    values=data,
                    errors=exc.fields,
                    message=str(exc),
                    client_key=data.get("_lc_id") or str(uuid.uuid4()),
                    render_token=render_tokens().issue(key),
                ),
                status=400,
            )
        return _with_cors(error(400, str(exc), fields=exc.fields), origin)
    spam_reason = "honeypot" if submission.is_spam else _render_token_problem(key, data.get("_lc_ts"))
    try:
        if spam_reason:
            quarantine(redis_client.redis(), key, spam_reason, submission.payload)
        else:
            admission = redis_client.admitter().admit(submission.payload, request.remote_addr or "unknown")
            if admission.limited:
                return _with_cors(
                    error(
                        429,
                        "Too many submissions. Please try again in a minute.",
                        retry_after=admission.retry_after,
                    ),
                    origin,
                )
    except RedisError:
        current_app.logger.warning("queue unreachable; answered 503 for form %s", key)
        return _with_cors(error(503, UNAVAILABLE, retry_after=5), origin)
    return _with_cors(_accepted(definition, submission.submission_id), origin)


def render_tokens() -> RenderTokens:
    return current_app.extensions["lc_render_tokens"]


def _render_token_problem(key: str, token: Any) -> str | None:
    if not token:
        return "no render token" if current_app.config["LC_SETTINGS"].require_render_token else None
    return None if render_tokens().is_plausible(key, str(token)) else "implausible render time"


def _accepted(definition: dict[str, Any], sid: str) -> Response:
    success = definition["success"]
    if wants_html():
        target = (
            success["url"]
            if success["mode"] == "redirect"
            else url_for("public.thanks", key=definition["key"], frame=request.args.get("frame"))
        )
        return redirect(target, code=303)
    body: dict[str, Any] = {"id": sid}
    if success["mode"] == "redirect":
        body["redirect"] = success["url"]
    else:
        body["message"] = success["message"]
    return Response(json.dumps(body, ensure_ascii=False), status=202, mimetype="application/json")


@bp.get("/demo/<key>")
def demo_page(key: str) -> str:
    if not current_app.config["LC_SETTINGS"].demo_pages:
        abort(404)
    return render_template("public/demo.html", key=key)
