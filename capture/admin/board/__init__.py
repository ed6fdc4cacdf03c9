"""The boards: prospects by status (drag or "Move to…" to change status) and
offers by offer status, with per-column counts and sums."""

from flask import Blueprint

bp = Blueprint("board", __name__)

from capture.admin.board import offers, views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
