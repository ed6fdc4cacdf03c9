"""Each user's personal API tokens: create (shown once), list, revoke."""

from flask import Blueprint

bp = Blueprint("tokens", __name__)

from capture.admin.tokens import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
