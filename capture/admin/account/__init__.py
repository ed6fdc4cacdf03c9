"""Signing in and out, and changing one's own password (throttled logins)."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from capture.admin.account import views  # noqa: E402, F401 (registers the routes on bp)

__all__ = ["bp"]
