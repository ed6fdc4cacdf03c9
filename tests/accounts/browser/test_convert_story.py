"""The issue's story in a real browser: a qualified prospect with two contacts
is converted (the account, its contacts and the offer exist with the data
checked on the page; the prospect is converted and read-only); a second
prospect of the same company is offered the existing account and linked, not
duplicated; the offer gets two catalogue lines and its total is right to the
cent; the printable page shows it with a print stylesheet. Then every page
of the feature fits 1440 px and 390 px without scrolling sideways."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm_core.accounts.models import Account
from crm_core.contacts.models import Contact
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.offers.models import Offer
from crm_core.parents import Parent, ParentType
from crm_core.products.services import create_product
from crm_core.prospects.models import Prospect
from tests.prospects.conftest import PASSWORD

pytestmark = pytest.mark.browser

# The elements wider than the viewport whose parent is not: where a page overflows.
STICKING_OUT = """
[...document.querySelectorAll('body *')].filter(el => {
  const right = el.getBoundingClientRect().right, width = document.documentElement.clientWidth;
  return right > width + 1 && el.parentElement.getBoundingClientRect().right <= width + 1;
}).slice(0, 15).map(el => el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
"""


@pytest.fixture
def story(session_factory, staff, add_prospect, list_ids) -> dict[str, int]:
    first = add_prospect(
        name="[Web] Ana Popescu",
        company="Ștefan & Fiii SRL",
        registration_code="RO 123456",
        trade_register_no="J22/1/2020",
        address="Str. Lăpușneanu 5",
        city="Iasi",
        county="Iași",
        country="România",
        email="ana@stefan.ro",
        phone="+40 722 000 111",
        status_id=list_ids["Qualified"],
        owner_id=staff["sales"].id,
    )
    second = add_prospect(
        name="Mihai Ionescu",
        company="Stefan si Fiii",
        registration_code="ro123456",
        status_id=list_ids["Qualified"],
        owner_id=staff["sales"].id,
    )
    with transaction(session_factory) as session:
        add_contact(
            session, staff["sales"], Parent.prospect(first), {"name": "Ana Popescu", "job_title": "CEO"}
        )
        add_contact(
            session,
            staff["sales"],
            Parent.prospect(first),
            {"name": "Ion Ionescu", "job_title": "CFO", "email": "ion@stefan.ro"},
        )
        web = create_product(
            session, {"code": "WEB", "name": "Website", "price": "1999.99", "currency": "RON", "active": "1"}
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
        return {"first": first, "second": second, "web": web.id, "hosting": hosting.id}


def sign_in(page: Any, base: str, email: str, then: str) -> None:
    page.goto(f"{base}{then}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}{then}")


def test_convert_link_price_and_print(
    live_server, open_page, story, staff, session_factory, artifacts
) -> None:
    base = live_server.url
    page = open_page(1440)
    sign_in(page, base, staff["sales"].email, f"/admin/prospects/{story['first']}")

    # Convert the qualified prospect: the page is pre-filled; check and correct it.
    page.get_by_role("link", name="Convert", exact=True).click()
    page.wait_for_url(re.compile(r"/convert$"))
    expect(page.get_by_label(re.compile(r"^Name"))).to_have_value("Ștefan & Fiii SRL")
    expect(page.get_by_label("Registration code (CUI / tax id)")).to_have_value("RO 123456")
    page.get_by_label("City").fill("Iași")
    page.get_by_role("radio", name=re.compile("Ion Ionescu")).check()
    page.get_by_label(re.compile(r"^Offer name")).fill("Website 2027")
    page.get_by_label("Expiry date").fill("2030-01-31")
    page.get_by_label("Close probability (%)").fill("70")
    page.get_by_label("Currency").fill("RON")
    page.screenshot(path=str(artifacts / "accounts-convert.png"), full_page=True)
    page.get_by_role("button", name="Convert", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/accounts/\d+$"))
    expect(page.locator(".flash.success")).to_contain_text("a new account “Ștefan & Fiii SRL”")
    expect(page.locator("#contacts .contact-list")).to_contain_text("Ion Ionescu")

    with session_factory() as session:
        account = session.scalars(select(Account)).one()
        assert (account.name, account.registration_code, account.city, account.trade_register_no) == (
            "Ștefan & Fiii SRL",
            "RO 123456",
            "Iași",
            "J22/1/2020",
        )
        assert account.owner_id == staff["sales"].id
        names = session.scalars(
            select(Contact.name).where(
                Contact.parent_type == ParentType.ACCOUNT, Contact.parent_id == account.id
            )
        ).all()
        assert sorted(names) == ["Ana Popescu", "Ion Ionescu"]
        offer = session.scalars(select(Offer)).one()
        assert (offer.name, offer.currency, offer.probability, str(offer.expiry_date)) == (
            "Website 2027",
            "RON",
            70,
            "2030-01-31",
        )
        assert offer.contact.name == "Ion Ionescu" and offer.contact.parent_id == account.id
        prospect = session.get(Prospect, story["first"])
        assert prospect.account_id == account.id and prospect.status.kind.value == "converted"
        account_id, offer_id = account.id, offer.id

    # The converted prospect is read-only: no Edit, no Convert; its account instead.
    page.goto(f"{base}/admin/prospects/{story['first']}")
    heading = page.locator(".heading").first
    expect(heading.get_by_role("link", name="Its account")).to_be_visible()
    expect(heading.get_by_role("link", name="Edit")).to_have_count(0)
    expect(heading.get_by_role("link", name="Convert")).to_have_count(0)

    # A second prospect of the same company: the existing account is suggested and linked.
    page.goto(f"{base}/admin/prospects/{story['second']}")
    page.get_by_role("link", name="Convert", exact=True).click()
    page.get_by_label("Currency").fill("RON")
    page.get_by_role("button", name="Convert", exact=True).click()
    matches = page.locator("#matches")
    expect(matches).to_contain_text("This account may already exist")
    page.screenshot(path=str(artifacts / "accounts-convert-duplicate.png"), full_page=True)
    matches.get_by_role("button", name="Link to “Ștefan & Fiii SRL”").click()
    page.wait_for_url(f"{base}/admin/accounts/{account_id}")
    expect(page.locator(".flash.success")).to_contain_text("linked to the existing account")
    with session_factory() as session:
        assert len(session.scalars(select(Account)).all()) == 1
        assert len(session.scalars(select(Offer)).all()) == 2
        assert session.get(Prospect, story["second"]).account_id == account_id
    expect(page.locator("#h-prospects + ul li")).to_have_count(2)

    # The first offer gets two catalogue lines; the total is right to the cent.
    page.goto(f"{base}/admin/offers/{offer_id}")
    page.get_by_label("From the catalogue").select_option(str(story["web"]))
    page.locator("#new-quantity").fill("3")
    page.locator("#new-discount").fill("12,5")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator(".flash.success")).to_contain_text("Line “Website” added.")
    page.get_by_label("From the catalogue").select_option(str(story["hosting"]))
    page.locator("#new-quantity").fill("12")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("[data-line]")).to_have_count(2)
    # 3 x 1999.99 less 12.5 % = 5249.97375 -> 5249.97; 12 x 0.10 = 1.20
    expect(page.locator("[data-line-total]")).to_have_text(["5,249.97\xa0RON", "1.20\xa0RON"])
    expect(page.locator("[data-offer-total]")).to_have_text("5,251.17\xa0RON")
    with session_factory() as session:
        assert session.get(Offer, offer_id).total == Decimal("5251.17")
    page.screenshot(path=str(artifacts / "accounts-offer.png"), full_page=True)

    # The printable page: its print stylesheet, the lines and the total.
    page.get_by_role("link", name="Printable offer").click()
    page.wait_for_url(f"{base}/admin/offers/{offer_id}/print")
    assert page.locator('link[rel=stylesheet][media=print][href$="offer-print.css"]').count() == 1
    rows = page.locator("table.lines tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Website")
    expect(rows.nth(0)).to_contain_text("5,249.97\xa0RON")
    expect(rows.nth(1)).to_contain_text("Hosting")
    expect(page.locator("[data-total]")).to_have_text("5,251.17\xa0RON")
    expect(page.locator(".buyer")).to_contain_text("Ștefan & Fiii SRL")
    expect(page.locator(".facts")).to_contain_text("2030-01-31")
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    expect(page.locator("[data-total]")).to_be_visible()
    page.pdf(path=str(artifacts / "accounts-offer.pdf"))


@pytest.mark.parametrize("width", [1440, 390])
def test_the_pages_fit_the_screen(
    live_server, open_page, story, staff, session_factory, artifacts: Path, width: int
) -> None:
    from crm_core.accounts.services import create_account
    from crm_core.offers.services import add_line, create_offer

    with transaction(session_factory) as session:
        account = create_account(
            session,
            staff["admin"],
            {
                "name": "Societatea Comercială de Construcții și Instalații Carpați-Bucovina SRL",
                "city": "Suceava",
            },
        )
        offer = create_offer(
            session, staff["admin"], account.id, {"name": "Renovare sediu central", "currency": "RON"}
        )
        add_line(
            session,
            staff["admin"],
            offer.id,
            {"name": "Lucrări de amenajare interioară, etaj 2", "quantity": "125.5", "unit_price": "1234.56"},
        )
        ids = {"account": account.id, "offer": offer.id}
    base = live_server.url
    page = open_page(width, 900)
    sign_in(page, base, staff["admin"].email, "/admin/accounts")
    paths = [
        "/admin/accounts",
        f"/admin/accounts/{ids['account']}",
        "/admin/accounts/new",
        f"/admin/accounts/{ids['account']}/delete",
        "/admin/offers",
        f"/admin/offers/{ids['offer']}",
        f"/admin/offers/{ids['offer']}/edit",
        f"/admin/offers/{ids['offer']}/print",
        "/admin/products",
        "/admin/products/new",
        f"/admin/prospects/{story['first']}/convert",
        f"/admin/prospects/{story['first']}/allocate?q=stefan",
        "/admin/settings/offer-statuses",
    ]
    for path in paths:
        page.goto(f"{base}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            page.screenshot(path=str(artifacts / f"overflow-{width}-{path.strip('/').replace('/', '-')}.png"))
        assert overflow <= 0, (
            f"{path} scrolls sideways by {overflow}px at {width}px: {page.evaluate(STICKING_OUT)}"
        )
    for name, path in (
        ("offer", f"/admin/offers/{ids['offer']}"),
        ("account", f"/admin/accounts/{ids['account']}"),
    ):
        page.goto(f"{base}{path}")
        page.screenshot(path=str(artifacts / f"accounts-{name}-{width}.png"), full_page=True)
