"""Entry point for gunicorn: ``gunicorn --config python:capture.gunicorn_conf capture.wsgi:app``."""

from capture.app import create_app
from capture.health import log_startup_health
from crm_core.log_context import configure_logging

configure_logging()
app = create_app()
with app.app_context():
    log_startup_health()
