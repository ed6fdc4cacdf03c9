"""Exports (everyone, of what they may see): the prospects list as CSV, streamed, or as
XLSX, prepared in the background and kept for a while."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from capture.admin.exports import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
