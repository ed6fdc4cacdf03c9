"""Entry point for gunicorn: ``gunicorn --config python:capture.gunicorn_conf capture.wsgi:app``
(``leadcapture serve`` runs the same, with its settings in the environment)."""

from capture.app import create_app
from capture.health import log_startup_health
from crm_core.log_context import configure_logging
from crm_core.settings import Settings

settings = Settings.from_env()
configure_logging(submissions=settings.log_submissions)
app = create_app(settings)
with app.app_context():
    log_startup_health()
