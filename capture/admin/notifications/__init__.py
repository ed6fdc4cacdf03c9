"""Notifications: "My notifications" (everyone: language and which mails),
a form's mail options (form managers), and the Outbox of mails (admins)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from capture.admin.notifications import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
