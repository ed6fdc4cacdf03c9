"""The products catalogue: admins edit it; everyone picks from it on an offer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from crm_core.accounts.services import create_account
from crm_core.db import transaction
from crm_core.offers.models import Offer, OfferLine
from crm_core.offers.services import add_line, create_offer
from crm_core.products.models import Product
from tests.accounts.pages import count, post, text


def test_admins_add_edit_deactivate_and_delete_products(as_user, db, session_factory, staff) -> None:
    admin = as_user("admin")
    form = text(admin.get("/admin/products/new"))
    assert 'value="EUR"' in form and "checked" in form
    refused = post(admin, "/admin/products/new", {"code": "", "name": "X", "price": "-1", "currency": "ZZZ"})
    assert refused.status_code == 400
    for message in (
        "Fill this in.",
        "Use a price of 0 or more.",
        "Use a currency code such as RON, EUR or USD.",
    ):
        assert message in text(refused)
    assert count(db, Product) == 0

    data = {
        "code": "WEB-1",
        "name": "Website",
        "price": "1 999,99",
        "currency": "ron",
        "unit": "",
        "active": "1",
    }
    assert post(admin, "/admin/products/new", data).status_code == 302
    product = db.scalars(select(Product)).one()
    assert (product.price, product.currency, product.unit, product.active) == (
        Decimal("1999.99"),
        "RON",
        "pc",
        True,
    )
    clash = post(admin, "/admin/products/new", {**data, "code": "web-1"})
    assert clash.status_code == 400 and "Another product already has the code “web-1”." in text(clash)
    listing = text(admin.get("/admin/products"))
    assert "Website" in listing and "1,999.99\xa0RON" in listing

    with transaction(session_factory) as session:
        account = create_account(session, staff["admin"], {"name": "A"})
        offer = create_offer(session, staff["admin"], account.id, {"name": "O", "currency": "RON"})
        add_line(session, staff["admin"], offer.id, {"product_id": str(product.id)})
        offer_id = offer.id

    edit = f"/admin/products/{product.id}/edit"
    assert 'value="1999.99"' in text(admin.get(edit))
    assert post(admin, edit, {**data, "name": "Website Pro", "price": "2500"}).status_code == 302
    assert (
        post(admin, f"/admin/products/{product.id}/active", {"active": ""}, "/admin/products").status_code
        == 302
    )
    db.expire_all()
    assert (db.get(Product, product.id).name, db.get(Product, product.id).active) == ("Website Pro", False)
    line = db.scalars(select(OfferLine)).one()
    assert (line.name, line.unit_price) == ("Website", Decimal("1999.99")), (
        "the offer keeps what it was given"
    )
    offer_page = text(admin.get(f"/admin/offers/{offer_id}"))
    assert "Website Pro (WEB-1)" not in offer_page, "an inactive product is not offered for new lines"

    confirm = text(admin.get(f"/admin/products/{product.id}/delete"))
    assert "1 offer line came from it" in confirm
    assert post(admin, f"/admin/products/{product.id}/delete", {}).status_code == 302
    assert count(db, Product) == 0
    assert db.scalars(select(OfferLine)).one().product_id is None
    assert db.get(Offer, offer_id).total == Decimal("1999.99")


@pytest.mark.parametrize("who", ["marketing", "sales"])
def test_only_admins_edit_the_catalogue_but_everyone_picks_from_it(
    as_user, session_factory, staff, who
) -> None:
    with transaction(session_factory) as session:
        product = session.merge(
            Product(code="H", name="Hosting", price=Decimal("10"), currency="EUR", unit="month")
        )
        account = create_account(session, staff[who], {"name": "Mine", "owner_id": str(staff[who].id)})
        offer = create_offer(session, staff[who], account.id, {"name": "O", "currency": "EUR"})
        session.flush()
        ids = {"product": product.id, "offer": offer.id}
    client = as_user(who)
    for path in ("/admin/products", "/admin/products/new", f"/admin/products/{ids['product']}/edit"):
        assert client.get(path).status_code == 403, path
    assert "/admin/products" not in text(client.get("/admin/offers")), "no nav item"
    page_url = f"/admin/offers/{ids['offer']}"
    assert "Hosting (H)" in text(client.get(page_url))
    assert (
        post(
            client, f"{page_url}/lines", {"product_id": str(ids["product"]), "quantity": "2"}, page_url
        ).status_code
        == 302
    )
    with session_factory() as session:
        assert session.get(Offer, ids["offer"]).total == Decimal("20.00")
