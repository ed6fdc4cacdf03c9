"""Contacts, calls, tasks and notes on an account's card and an offer's page in
a real browser: on the account a contact is added, a call logged, a task and a
note added, and all four are seen on the card; on the offer a note and a task.
The pages raise no CSP violation (the ``open_page`` fixture fails the test on
one) and fit 1440 px and 390 px without scrolling sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from crm_core.accounts.services import create_account
from crm_core.db import transaction
from crm_core.offers.services import create_offer
from tests.prospects.conftest import PASSWORD

pytestmark = pytest.mark.browser

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def sign_in(page: Any, base: str, email: str, then: str) -> None:
    page.goto(f"{base}{then}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("width", [1440, 390])
def test_a_sales_day_on_an_account_and_an_offer(  # type: ignore[no-untyped-def]
    live_server, open_page, staff, session_factory, width: int
) -> None:
    with transaction(session_factory) as session:
        admin = session.merge(staff["admin"])
        account = create_account(
            session,
            admin,
            {"name": "Societatea Comercială Carpați-Bucovina SRL", "owner_id": staff["sales"].id},
        )
        offer = create_offer(session, admin, account.id, {"name": "Renovare sediu", "currency": "RON"})
        ids = {"account": account.id, "offer": offer.id}
    base = live_server.url
    page = open_page(width, 900)
    account_path = f"/admin/accounts/{ids['account']}"
    sign_in(page, base, staff["sales"].email, account_path)
    expect(page.get_by_role("heading", name="Societatea Comercială Carpați-Bucovina SRL")).to_be_visible()

    page.get_by_text("Add contact", exact=True).click()
    page.locator("#contact-name").fill("Ion Ionescu")
    page.locator("#contact-job_title").fill("Director tehnic")
    page.locator("#contact-email").fill("ion@carpati.ro")
    page.get_by_role("button", name="Save contact").click()
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("Ion Ionescu")
    expect(contacts).to_contain_text("Primary")

    page.get_by_text("Log call", exact=True).click()
    call = page.locator("#log-call-form")
    expect(call.get_by_label("Ion Ionescu")).to_be_checked()
    call.locator("#call-outcome").fill("Wants a quote for the second floor")
    call.get_by_role("button", name="Save call").click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Wants a quote for the second floor")
    expect(timeline).to_contain_text("with Ion Ionescu")

    page.locator("#task-name").fill("Send the quote")
    page.locator("#task-due_date").fill("2031-05-01")
    page.get_by_role("button", name="Add task").click()
    expect(page.locator("#tasks")).to_contain_text("Send the quote")
    expect(page.locator("#tasks")).to_contain_text("1 open")

    page.locator("#note-body").fill("Met at the fair: https://example.com/fair")
    page.get_by_role("button", name="Save note").click()
    expect(timeline.locator(".note-body")).to_contain_text("Met at the fair")
    expect(timeline.get_by_role("link", name="https://example.com/fair")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0, f"{account_path} scrolls sideways at {width} px"

    offer_path = f"/admin/offers/{ids['offer']}"
    page.goto(f"{base}{offer_path}")
    expect(page.locator("#contacts")).to_contain_text("Ion Ionescu")
    page.locator("#note-body").fill("Price agreed on the phone")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#timeline")).to_contain_text("Price agreed on the phone")
    page.locator("#task-name").fill("Call about the signature")
    page.get_by_role("button", name="Add task").click()
    expect(page.locator("#tasks")).to_contain_text("Call about the signature")
    page.locator("#tasks").get_by_role("button", name="Complete Call about the signature").click()
    expect(page.locator("#tasks")).to_contain_text("Recently done (1)")
    assert page.evaluate(OVERFLOW) <= 0, f"{offer_path} scrolls sideways at {width} px"

    page.goto(f"{base}/admin/tasks")
    expect(page.get_by_role("link", name="Societatea Comercială Carpați-Bucovina SRL")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
