"""Names people type for accounts, offers, lines and products reach every page
inert — the lists, the cards, the printable offer, the convert and allocate
pages, the confirmations — with the payloads of ``tests/prospects/test_escaping.py``."""

from __future__ import annotations

from datetime import UTC, datetime

from crm_core.accounts.services import create_account
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.offers.services import add_line, create_offer
from crm_core.parents import Parent, ParentType
from crm_core.products.services import create_product
from tests.prospects.test_escaping import PAYLOADS

SCRIPT = PAYLOADS["name"]  # <script>alert(1)</script>
IMG = PAYLOADS["company"]  # "><img src=x onerror=alert(1)>
SVG = PAYLOADS["description"]  # </textarea><svg onload=alert(1)>


def test_account_offer_line_and_product_names_are_escaped(
    as_user, session_factory, staff, add_prospect, list_ids
) -> None:
    with transaction(session_factory) as session:
        account = create_account(
            session,
            staff["admin"],
            {"name": SCRIPT, "registration_code": IMG, "city": IMG, "description": SVG},
        )
        add_contact(session, staff["admin"], Parent(ParentType.ACCOUNT, account.id), {"name": IMG})
        product = create_product(
            session, {"code": IMG, "name": SCRIPT, "price": "1", "currency": "EUR", "active": "1"}
        )
        offer = create_offer(
            session, staff["admin"], account.id, {"name": IMG, "currency": "EUR", "description": SVG}
        )
        add_line(session, staff["admin"], offer.id, {"product_id": str(product.id)})
        add_line(session, staff["admin"], offer.id, {"name": SVG, "unit": "<b>", "unit_price": "2"})
        ids = {"account": account.id, "offer": offer.id, "product": product.id}
    pid = add_prospect(name=SCRIPT, company=IMG, registration_code="RO1", status_id=list_ids["Qualified"])
    led = add_prospect(name=SCRIPT, account_id=ids["account"], converted_at=datetime.now(UTC))
    admin = as_user("admin")
    pages = {
        "accounts": "/admin/accounts",
        "accounts search": "/admin/accounts?q=script",
        "account": f"/admin/accounts/{ids['account']}",
        "account edit": f"/admin/accounts/{ids['account']}/edit",
        "account delete": f"/admin/accounts/{ids['account']}/delete",
        "offers": "/admin/offers",
        "offer": f"/admin/offers/{ids['offer']}",
        "offer edit": f"/admin/offers/{ids['offer']}/edit",
        "offer delete": f"/admin/offers/{ids['offer']}/delete",
        "print": f"/admin/offers/{ids['offer']}/print",
        "products": "/admin/products",
        "product edit": f"/admin/products/{ids['product']}/edit",
        "product delete": f"/admin/products/{ids['product']}/delete",
        "convert": f"/admin/prospects/{pid}/convert",
        "allocate": f"/admin/prospects/{pid}/allocate?q=script",
        "converted prospect": f"/admin/prospects/{led}",
    }
    for where, path in pages.items():
        response = admin.get(path)
        assert response.status_code == 200, where
        page = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page, where
        assert "<img src=x" not in page, where
        assert "<svg onload" not in page and "</textarea><svg" not in page, where
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&#34;&gt;&lt;img src=x" in page, where
    offer_page = admin.get(pages["offer"]).get_data(as_text=True)
    assert "&lt;/textarea&gt;&lt;svg onload=alert(1)&gt;" in offer_page and 'value="&lt;b&gt;"' in offer_page
