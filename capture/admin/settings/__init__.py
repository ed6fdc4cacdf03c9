"""Settings (admins only): the statuses, sources and priorities lists."""

from flask import Blueprint

bp = Blueprint("settings", __name__)

from capture.admin.settings import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
