"""Webhook endpoints (admins): add, edit, switch on and off, rotate the
secret, read the delivery log, redeliver."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from capture.admin.webhooks import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
