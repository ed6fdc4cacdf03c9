"""The products and services catalogue offer lines are picked from: admins
add, edit, deactivate and delete; everyone picks from it on an offer's page."""

from flask import Blueprint

bp = Blueprint("products", __name__)

from capture.admin.products import views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
