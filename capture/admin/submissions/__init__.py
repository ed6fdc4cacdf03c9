"""Submissions (admins only): the queue at a glance, failed jobs, quarantined spam."""

from flask import Blueprint

bp = Blueprint("submissions", __name__)

from capture.admin.submissions import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
