"""Strict security headers everywhere, relaxed only on routes meant to be
embedded in other sites."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# The standalone form page may be framed anywhere (iframe embed) and, after a
# submit, redirects to the thank-you address the admin configured.
EMBEDDABLE_CSP = (
    "default-src 'none'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self' https: http:; frame-ancestors *; base-uri 'none'"
)
_EMBEDDABLE_ENDPOINTS = {"public.form_page", "public.submit", "public.thanks"}


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce})


def csp_nonce() -> str:
    """Per-response nonce for the one inline style block (the form's colours)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.endpoint in _EMBEDDABLE_ENDPOINTS:
        headers.setdefault("Content-Security-Policy", EMBEDDABLE_CSP.format(nonce=csp_nonce()))
    elif request.endpoint in ("public.embed_js", "public.definition_json", "public.preflight"):
        pass
    else:
        headers.setdefault("Content-Security-Policy", STRICT_CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
