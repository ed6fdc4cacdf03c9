"""How the public endpoints answer: JSON for the snippet and API clients, HTML
pages and 303 redirects for a plain browser form post (JavaScript off)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header


def is_json(mimetype: str) -> bool:
    """As werkzeug's ``Request.is_json``, for a bare mimetype."""
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def cors_headers(origin: str | None) -> list[tuple[str, str]]:
    """What lets the page at ``origin`` read our answer, Retry-After included."""
    if not origin:
        return []
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Expose-Headers", "Retry-After"),
        ("Vary", "Origin"),
    ]


def prefers_html(environ: dict[str, Any]) -> bool:
    accept = environ.get("HTTP_ACCEPT", "")
    if "html" not in accept and "text/*" not in accept:
        # The snippet's "application/json" (and "*/*", where JSON is listed first)
        # never prefers HTML: skip parsing the header on the submit path.
        return False
    if is_json(parse_options_header(environ.get("CONTENT_TYPE", ""))[0]):
        return False
    return (
        parse_accept_header(accept, MIMEAccept).best_match(["application/json", "text/html"]) == "text/html"
    )


def wants_html() -> bool:
    return prefers_html(request.environ)


def error(status: int, message: str, *, retry_after: int | None = None, **extra: Any) -> Response:
    if wants_html():
        response = Response(
            render_template("public/message.html", title=message, message=message), status=status
        )
    else:
        response = jsonify({"error": message, **extra})
        response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
