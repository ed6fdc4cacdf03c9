"""The application factory: a table of contents of the service."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, redirect, url_for
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from capture import (
    admin,
    api,
    database,
    errors,
    event_wakeup,
    health,
    public,
    reader_locale,
    redis_client,
    request_logging,
    security_headers,
    submission_log,
)
from capture.cookie_session import CookieSessionInterface
from crm_core.settings import Settings, SettingsError

csrf = CSRFProtect()


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(__name__)
    _configure(app, settings)
    database.init_app(app)
    redis_client.init_app(app)
    event_wakeup.init_app(app)
    csrf.init_app(app)
    request_logging.init_app(app)
    security_headers.init_app(app)
    errors.init_app(app)
    public.init_app(app, csrf)
    submission_log.init_app(app)  # around the JSON fast path, when the feed is on
    health.init_app(app)
    reader_locale.init_app(app)
    admin.init_app(app)
    api.init_app(app, csrf)
    app.add_url_rule("/", "index", _index)
    if settings.trusted_proxy_hops:
        # Outermost, so the JSON fast path and Flask both see the client's address and scheme.
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _configure(app: Flask, settings: Settings) -> None:
    if settings.is_production and app.debug:
        raise SettingsError(
            "Debug mode (FLASK_DEBUG) must be off in production: it runs code from any error page."
        )
    app.session_interface = CookieSessionInterface()
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


def _index() -> Response:
    return redirect(url_for("admin.home.index"))
