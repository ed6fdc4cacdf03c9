"""The application factory: a table of contents of the service."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, redirect, url_for
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from capture import database, redis_client, security_headers
from capture.admin import bp as admin_bp
from capture.cookie_session import CookieSessionInterface
from capture.form_cache import FormCache
from capture.health import bp as health_bp
from capture.public import bp as public_bp
from capture.public.json_path import JsonSubmitPath
from capture.public.render_token import RenderTokens
from capture.public.submitting import Submitter
from capture.settings import Settings, SettingsError

csrf = CSRFProtect()


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(__name__)
    app.session_interface = CookieSessionInterface()
    if settings.is_production and app.debug:
        raise SettingsError(
            "Debug mode (FLASK_DEBUG) must be off in production: it runs code from any error page."
        )
    app.config.update(
        LC_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,
    )
    database.init_app(app)
    redis_client.init_app(app)
    app.extensions["lc_form_cache"] = FormCache(app.extensions["lc_redis"], app.extensions["lc_db"])
    app.extensions["lc_render_tokens"] = RenderTokens(settings.secret_key, settings.spam_min_seconds)
    csrf.init_app(app)
    csrf.exempt(public_bp)
    security_headers.init_app(app)

    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(admin_bp)
    app.add_url_rule("/", "index", _index)

    # Submissions from the snippet are answered ahead of Flask (see json_path);
    # ProxyFix goes outside it, so both see the client's address and scheme.
    submitter = Submitter(
        app.config,
        app.extensions["lc_form_cache"],
        app.extensions["lc_admitter"],
        app.extensions["lc_render_tokens"],
        app.extensions["lc_redis"],
        app.logger,
    )
    app.extensions["lc_submitter"] = submitter
    app.wsgi_app = JsonSubmitPath(app.wsgi_app, submitter, app.logger)  # type: ignore[method-assign]
    if settings.trusted_proxy_hops:
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _index() -> Response:
    return redirect(url_for("admin.prospects"))
