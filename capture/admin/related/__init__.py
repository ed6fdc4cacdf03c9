"""Contacts, activities, tasks and notes on an account's card and an offer's
page: one set of views (``views``) registered once per kind of parent, whose
URLs name the parent (``/admin/accounts/<id>/contacts``,
``/admin/offers/<id>/notes``), rendering the prospect card's panel templates
with that parent's ``CardLinks``. The pages themselves (``accounts.detail``,
``offers.views``) add the panels with ``capture.admin.related_panels``."""

from flask import Blueprint

bp = Blueprint("related", __name__)

from capture.admin.related import views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
