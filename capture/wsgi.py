"""Entry point for gunicorn: ``gunicorn "capture.wsgi:app"``."""

from capture.app import create_app

app = create_app()
