"""Settings (admins only): the statuses, sources and priorities lists, and the
task templates a status creates tasks from."""

from flask import Blueprint

bp = Blueprint("settings", __name__)

from capture.admin.settings import task_templates, views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
