"""Prospects: the list (HTML and JSON) with filters, columns and bulk actions,
saved filters, and one prospect's page: detail, add, edit, delete."""

from flask import Blueprint

bp = Blueprint("prospects", __name__)

from capture.admin.prospects import conversion, detail, saved_filters, views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
