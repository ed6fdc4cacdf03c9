"""Prospects: the list (HTML and JSON) with filters, columns and bulk actions,
saved filters, and one prospect's page — its card (``card``, ``detail``) with
its contacts, activities, tasks and notes — add, edit, delete."""

from flask import Blueprint

bp = Blueprint("prospects", __name__)

from capture.admin.prospects import (  # noqa: E402, F401 (register the routes on bp)
    activities,
    card_tasks,
    contacts,
    detail,
    notes,
    saved_filters,
    views,
)

__all__ = ["bp"]
