"""The printable offer: a page of its own (no admin chrome) that the browser
prints or saves as PDF, with a print stylesheet — the seller (settings), the
account, the lines, the total and the expiry date."""

from __future__ import annotations

from flask import render_template

from capture.admin.auth import login_required, viewer
from capture.admin.offers import bp
from capture.database import db_session
from capture.instance import settings
from crm_core.clock import today
from crm_core.offers.visibility import get_visible_offer


@bp.get("/offers/<int:offer_id>/print", endpoint="print")
@login_required
def offer_print(offer_id: int) -> str:
    offer = get_visible_offer(db_session(), viewer(), offer_id)
    config = settings()
    seller = [
        line for line in (config.company_registration, config.company_address, config.company_contact) if line
    ]
    return render_template(
        "admin/offers/print.html",
        offer=offer,
        seller_name=config.company_name,
        seller_lines=seller,
        printed_on=today(config.zone),
    )
