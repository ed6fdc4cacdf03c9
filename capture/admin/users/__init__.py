"""Users (admins only): create, change role, deactivate, reset a password."""

from flask import Blueprint

bp = Blueprint("users", __name__)

from capture.admin.users import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
