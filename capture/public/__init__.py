"""Public, embeddable routes: the snippet, form definitions, the standalone
form page and the submission endpoint — and what they run on: the form
cache, signed render tokens, the admitter (rate limits + enqueue in one Redis
round trip), the submitter (the rules of ``POST /f/<key>``) and the JSON fast
path that answers the snippet ahead of Flask."""

from __future__ import annotations

from flask import Flask
from flask_wtf import CSRFProtect

from capture.public.admission import Admitter, RateLimit
from capture.public.form_cache import FormCache, publish_on_commit
from capture.public.json_path import JsonSubmitPath
from capture.public.render_token import RenderTokens
from capture.public.submitting import Submitter
from capture.public.views import bp
from worker.queues import submissions_queue


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    settings = app.config["LC_SETTINGS"]
    connection = app.extensions["lc_redis"]
    factory = app.extensions["lc_db"]
    queue = submissions_queue(connection)
    limits = tuple(RateLimit.parse(scope, text) for scope, text in settings.rate_limits())
    forms = FormCache(connection, factory)
    publish_on_commit(factory, connection)
    app.extensions.update(
        lc_queue=queue,
        lc_form_cache=forms,
        lc_render_tokens=RenderTokens(settings.secret_key, settings.spam_min_seconds),
        lc_admitter=Admitter(connection, queue, limits),
    )
    submitter = Submitter(
        app.config,
        forms,
        app.extensions["lc_admitter"],
        app.extensions["lc_render_tokens"],
        connection,
        app.logger,
    )
    app.extensions["lc_submitter"] = submitter
    csrf.exempt(bp)  # cross-origin by design; protected by the Origin check and render tokens
    app.register_blueprint(bp)
    # Submissions from the snippet are answered ahead of Flask (see json_path).
    app.wsgi_app = JsonSubmitPath(app.wsgi_app, submitter, app.logger)  # type: ignore[method-assign]


__all__ = ["bp", "init_app"]
