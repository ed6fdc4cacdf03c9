"""Strict security headers everywhere, relaxed only on routes meant to be
embedded in other sites, and on the admin's sandboxed form preview."""

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
# The admin's live preview runs the real snippet inside the editor's own iframe,
# under as strict a policy as a careful customer site: the snippet styles its
# Shadow DOM with constructable stylesheets, which style-src does not govern.
# The sandbox gives it an opaque origin, so the submit endpoint refuses a test
# submission from it.
PREVIEW_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'; sandbox allow-scripts allow-forms"
)
# The demo page stands for a careful customer site embedding the snippet: the
# strict policy, plus Trusted Types enforced.
DEMO_CSP = f"{STRICT_CSP}; require-trusted-types-for 'script'; trusted-types 'none'"
_EMBEDDABLE_CSP_NO_INLINE = EMBEDDABLE_CSP.replace(" 'nonce-{nonce}'", "")
_EMBEDDABLE_ENDPOINTS = {"public.form_page", "public.submit", "public.thanks"}
_PREVIEW_ENDPOINTS = {"admin.forms.preview"}
_DEMO_ENDPOINTS = {"public.demo_page"}
_UNRESTRICTED_ENDPOINTS = {
    "public.embed_js",
    "public.embed_css",
    "public.definition_json",
    "public.preflight",
}


_ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def embeddable_answer_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers of a JSON answer on an embeddable route, for the submit
    path that answers before Flask (``capture.public.json_path``)."""
    headers = [*_ALWAYS, ("Content-Security-Policy", _EMBEDDABLE_CSP_NO_INLINE)]
    if secure:
        headers.append(_HSTS)
    return headers


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce})


def csp_nonce() -> str:
    """Per-response nonce for the one inline style block (the form's colours)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _set_headers(response: Response) -> Response:
    endpoint = request.endpoint
    wanted = list(_ALWAYS)
    if endpoint in _EMBEDDABLE_ENDPOINTS:
        # A nonce only when a page used one: the submit path's JSON answers need none.
        nonce = g.get("csp_nonce")
        csp = EMBEDDABLE_CSP.format(nonce=nonce) if nonce else _EMBEDDABLE_CSP_NO_INLINE
        wanted.append(("Content-Security-Policy", csp))
    elif endpoint in _UNRESTRICTED_ENDPOINTS:
        pass
    elif endpoint in _PREVIEW_ENDPOINTS:
        wanted += [("Content-Security-Policy", PREVIEW_CSP), ("X-Frame-Options", "SAMEORIGIN")]
    elif endpoint in _DEMO_ENDPOINTS:
        wanted += [("Content-Security-Policy", DEMO_CSP), ("X-Frame-Options", "DENY")]
    else:
        wanted += [("Content-Security-Policy", STRICT_CSP), ("X-Frame-Options", "DENY")]
    if "admin" in request.blueprints or request.path.startswith("/admin"):
        # Signed-in pages: never stored by the browser or a proxy, so the back
        # button after logging out shows nothing, and no opener can script them.
        wanted += [("Cache-Control", "no-store"), ("Cross-Origin-Opener-Policy", "same-origin")]
    if request.is_secure:
        wanted.append(_HSTS)
    # Headers a view set win. One pass over the response's headers instead of
    # a setdefault (a scan) per header: this runs on every submission.
    headers = response.headers
    present = {name.lower() for name, _ in headers}
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response
