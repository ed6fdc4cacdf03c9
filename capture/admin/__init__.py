"""Admin pages for signed-in staff: one blueprint, a module per area."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Each module registers its routes on ``bp``.
from capture.admin import forms, prospects, sign_in  # noqa: E402, F401

__all__ = ["bp"]
