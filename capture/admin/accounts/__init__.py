"""Accounts: the list (filters in the URL, keyset pages, saved filters), the
account card (its contacts, the prospects that led to it, its offers), add,
edit and delete."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from capture.admin.accounts import detail, views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
