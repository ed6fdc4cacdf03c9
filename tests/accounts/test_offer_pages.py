"""An offer's pages: add it on an account (its contact one of the account's),
lines from the catalogue (name, unit and price copied) or free, a line's
quantity / price / discount changed, removed, the total in the offer's
currency to the cent, status, edit, delete, the printable page and the list's
filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm_core.accounts.services import create_account
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.lists.models import OfferStatus, OfferStatusKind
from crm_core.offers.models import Offer, OfferLine
from crm_core.offers.services import create_offer
from crm_core.parents import Parent, ParentType
from crm_core.products.models import Product
from crm_core.products.services import create_product
from tests.accounts.pages import count, post, text


@pytest.fixture
def account(session_factory, staff) -> dict[str, int]:
    with transaction(session_factory) as session:
        account = create_account(
            session,
            staff["admin"],
            {"name": "Carpați Soft SRL", "registration_code": "RO123", "city": "Cluj-Napoca"},
        )
        dana = add_contact(
            session,
            staff["admin"],
            Parent(ParentType.ACCOUNT, account.id),
            {"name": "Dana", "email": "d@c.ro"},
        )
        other = create_account(session, staff["admin"], {"name": "Other SRL"})
        stranger = add_contact(session, staff["admin"], Parent(ParentType.ACCOUNT, other.id), {"name": "Eve"})
        web = create_product(
            session,
            {
                "code": "WEB",
                "name": "Website",
                "price": "1999.99",
                "currency": "RON",
                "unit": "pc",
                "active": "1",
            },
        )
        hosting = create_product(
            session,
            {
                "code": "HOST",
                "name": "Hosting",
                "price": "0.10",
                "currency": "RON",
                "unit": "month",
                "active": "1",
            },
        )
        euro = create_product(
            session,
            {"code": "EU", "name": "Audit", "price": "500", "currency": "EUR", "unit": "pc", "active": "1"},
        )
        return {
            "account": account.id,
            "dana": dana.id,
            "stranger": stranger.id,
            "web": web.id,
            "hosting": hosting.id,
            "euro": euro.id,
        }


def test_add_an_offer_with_lines_and_a_total_to_the_cent(as_user, account, db, staff) -> None:
    admin = as_user("admin")
    new = f"/admin/accounts/{account['account']}/offers/new"
    form = text(admin.get(new))
    assert 'value="EUR"' in form, "the instance's default currency"
    assert f'<option value="{account["dana"]}"' in form and "Eve" not in form
    refused = post(admin, new, {"name": "Site", "currency": "RON", "contact_id": str(account["stranger"])})
    assert refused.status_code == 400 and "Choose one of the account&#39;s contacts." in text(refused)
    assert count(db, Offer) == 0

    response = post(
        admin,
        new,
        {
            "name": "Website 2027",
            "currency": "ron",
            "contact_id": str(account["dana"]),
            "expiry_date": "2030-01-31",
            "probability": "70",
            "owner_id": str(staff["sales"].id),
        },
    )
    assert response.status_code == 302, text(response)
    offer = db.scalars(select(Offer)).one()
    assert (offer.currency, offer.probability, offer.contact_id, offer.expiry_date) == (
        "RON",
        70,
        account["dana"],
        date(2030, 1, 31),
    )
    page_url = f"/admin/offers/{offer.id}"
    page = text(admin.get(page_url))
    assert "Website (WEB)" in page and "In other currencies" in page

    lines = f"{page_url}/lines"
    added = post(
        admin, lines, {"product_id": str(account["web"]), "quantity": "3", "discount_pct": "12,5"}, page_url
    )
    assert added.status_code == 302 and added.headers["Location"].endswith(f"{page_url}#lines")
    post(admin, lines, {"product_id": str(account["hosting"]), "quantity": "12", "unit_price": ""}, page_url)
    post(
        admin,
        lines,
        {"product_id": "", "name": "Setup, on site", "unit": "day", "quantity": "1,5", "unit_price": "100"},
        page_url,
    )
    db.expire_all()
    rows = db.scalars(select(OfferLine).order_by(OfferLine.position)).all()
    assert [(r.name, r.unit, r.unit_price, r.line_total) for r in rows] == [
        ("Website", "pc", Decimal("1999.9900"), Decimal("5249.9700")),  # 3 x 1999.99 x 0.875 = 5249.97375
        ("Hosting", "month", Decimal("0.1000"), Decimal("1.2000")),
        ("Setup, on site", "day", Decimal("100.0000"), Decimal("150.0000")),
    ]
    assert db.get(Offer, offer.id).total == Decimal("5401.17")
    page = text(admin.get(page_url))
    assert "5,401.17\xa0RON" in page and "5,249.97\xa0RON" in page
    assert 'value="1999.99"' in page and 'value="12.5"' in page and 'value="1.5"' in page

    # A later catalogue price does not alter the offer.
    db.get(Product, account["web"]).price = Decimal("2500")
    db.commit()
    website = rows[0].id
    response = post(
        admin, f"{lines}/{website}", {"quantity": "2", "unit_price": "1999.99", "discount_pct": "0"}, page_url
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(OfferLine, website).line_total == Decimal("3999.98")
    assert db.get(Offer, offer.id).total == Decimal("4151.18")

    response = post(admin, f"{lines}/{website}", {"quantity": "0", "unit_price": "abc"}, page_url)
    assert response.status_code == 400
    page = text(response)
    assert "Use a quantity above 0." in page and "Use a price of 0 or more." in page and 'value="abc"' in page
    db.expire_all()
    assert db.get(Offer, offer.id).total == Decimal("4151.18")

    response = post(admin, f"{lines}/{website}/delete", {}, page_url)
    assert response.status_code == 302
    db.expire_all()
    assert count(db, OfferLine) == 2 and db.get(Offer, offer.id).total == Decimal("151.20")


def test_a_product_in_another_currency_needs_its_price_typed(
    as_user, account, db, session_factory, staff
) -> None:
    with transaction(session_factory) as session:
        offer_id = create_offer(
            session, staff["admin"], account["account"], {"name": "O", "currency": "RON"}
        ).id
    admin = as_user("admin")
    page_url = f"/admin/offers/{offer_id}"
    refused = post(
        admin, f"{page_url}/lines", {"product_id": str(account["euro"]), "quantity": "1"}, page_url
    )
    assert refused.status_code == 400
    assert "“Audit” is priced in EUR; enter its price in RON." in text(refused)
    assert count(db, OfferLine) == 0
    accepted = post(
        admin, f"{page_url}/lines", {"product_id": str(account["euro"]), "unit_price": "2487.50"}, page_url
    )
    assert accepted.status_code == 302
    assert db.scalars(select(OfferLine)).one().unit_price == Decimal("2487.5")


def test_status_edit_and_delete(as_user, account, db, session_factory, staff) -> None:
    with transaction(session_factory) as session:
        offer_id = create_offer(
            session, staff["admin"], account["account"], {"name": "O", "currency": "RON"}
        ).id
    sent = db.scalar(select(OfferStatus.id).where(OfferStatus.kind == OfferStatusKind.SENT))
    admin = as_user("admin")
    page_url = f"/admin/offers/{offer_id}"
    assert post(admin, f"{page_url}/status", {"status_id": "999999"}, page_url).status_code == 400
    response = post(admin, f"{page_url}/status", {"status_id": str(sent)}, page_url)
    assert response.status_code == 302
    assert "Status set to “Sent”." in text(admin.get(page_url))
    db.expire_all()
    assert db.get(Offer, offer_id).status_id == sent

    edit = f"{page_url}/edit"
    response = post(admin, edit, {"name": "Renamed", "currency": "EUR", "probability": "140"}, edit)
    assert response.status_code == 400 and "Use a percentage from 0 to 100." in text(response)
    response = post(
        admin, edit, {"name": "Renamed", "currency": "EUR", "probability": "90", "status_id": str(sent)}
    )
    assert response.status_code == 302
    db.expire_all()
    assert (db.get(Offer, offer_id).name, db.get(Offer, offer_id).currency) == ("Renamed", "EUR")

    confirm = text(admin.get(f"{page_url}/delete"))
    assert "Delete this offer?" in confirm and "Renamed" in confirm
    response = post(admin, f"{page_url}/delete", {}, f"{page_url}/delete")
    assert response.headers["Location"].endswith(f"/admin/accounts/{account['account']}")
    assert count(db, Offer) == 0


def test_the_printable_page(as_user, account, session_factory, staff, app) -> None:
    from dataclasses import replace

    app.config["LC_SETTINGS"] = replace(
        app.config["LC_SETTINGS"],
        company_name="Leadcapture Demo SRL",
        company_registration="CUI RO000111 · J40/1/2020",
        company_address="Str. Lungă 1, București",
    )
    with transaction(session_factory) as session:
        offer = create_offer(
            session,
            staff["admin"],
            account["account"],
            {
                "name": "Website 2027",
                "currency": "RON",
                "expiry_date": "2030-01-31",
                "contact_id": str(account["dana"]),
            },
        )
        from crm_core.offers.services import add_line

        add_line(session, staff["admin"], offer.id, {"product_id": str(account["web"]), "quantity": "3"})
        offer_id = offer.id
    page = text(as_user("admin").get(f"/admin/offers/{offer_id}/print"))
    assert 'href="/static/offer-print.css" media="print"' in page
    assert "<script>" not in page and "style=" not in page
    for expected in (
        "Leadcapture Demo SRL",
        "CUI RO000111 · J40/1/2020",
        "Str. Lungă 1, București",
        "Carpați Soft SRL",
        "Registration code: RO123",
        "Attn: Dana",
        "Website 2027",
        "Valid until",
        "2030-01-31",
        "1,999.99\xa0RON",
        "5,999.97\xa0RON",
    ):
        assert expected in page, expected


def test_offer_list_filters(as_user, account, session_factory, staff) -> None:
    with transaction(session_factory) as session:
        for i in range(6):
            create_offer(
                session,
                staff["admin"],
                account["account"],
                {
                    "name": f"Offer {i}",
                    "currency": "EUR" if i % 2 else "RON",
                    "probability": str(i * 20),
                    "expiry_date": f"2030-0{i + 1}-15",
                },
            )
    admin = as_user("admin")
    page = text(admin.get("/admin/offers?currency=eur&probability_min=30&expiry_to=2030-05-31"))
    assert [f"Offer {i}" in page for i in range(6)] == [False, False, False, True, False, False]
    page = text(admin.get(f"/admin/offers?account={account['account']}&sort=expiry"))
    assert page.index("Offer 0") < page.index("Offer 5") and "of Carpați Soft SRL" in page
    page = text(admin.get("/admin/offers?probability_min=lots"))
    assert "Ignored “probability_min”" in page and "Offer 5" in page
