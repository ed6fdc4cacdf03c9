"""The home page after login: my tasks for today, new prospects, the pipeline,
and (for admins) forms that need a look."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from capture.admin.home import views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
