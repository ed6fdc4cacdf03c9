"""Forms (admin and marketing): the list with its counters, and the builder
with its live preview and embed code."""

from flask import Blueprint

bp = Blueprint("forms", __name__)

from capture.admin.forms import builder, views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
