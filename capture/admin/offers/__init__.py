"""Offers: the list (filters in the URL, keyset pages), an offer's page with
its lines (from the catalogue or free), status, add / edit / delete, and the
printable page. Amounts reach templates through the ``money`` and ``price``
filters (``Decimal`` in, text out)."""

from flask import Blueprint

from capture.admin.offers.amounts import money_text, plain_number, price_text

bp = Blueprint("offers", __name__)
bp.add_app_template_filter(money_text, "money")
bp.add_app_template_filter(price_text, "price")
bp.add_app_template_filter(plain_number, "number")

from capture.admin.offers import lines, printable, views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
