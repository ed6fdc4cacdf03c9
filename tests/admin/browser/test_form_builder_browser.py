"""The whole admin story in a real browser: log in, build and style a form
with a custom field, restrict it to a domain, copy the snippet, embed it on
another origin, submit, and see the prospect with the form's presets."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.models import Prospect, Role, WebForm
from tests.admin.conftest import PASSWORD, UserFactory
from tests.processes import wait_for

pytestmark = pytest.mark.browser


def test_build_embed_submit_and_see_the_prospect(
    browser: Any,
    app: Any,
    live_server: Any,
    host_site: Callable[[str, str], str],
    make_user: UserFactory,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
    artifacts: Path,
) -> None:
    marketer = make_user(Role.MARKETING, name="Maria Ionescu")
    make_user(Role.SALES, name="Jonas Petrauskas")
    host_port = urlsplit(host_site("blank.html", "<p>")).port
    base = live_server.url

    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console", lambda msg: msg.type == "error" and "favicon" not in msg.text and errors.append(msg.text)
    )

    # Log in.
    page.goto(f"{base}/admin/forms")
    page.get_by_label("Email").fill(marketer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/forms")

    # Create a form; the editor opens on "Form data".
    page.get_by_label("New form").fill("Quote request")
    page.get_by_role("button", name="Create form").click()
    page.wait_for_url(re.compile(r"/admin/forms/\d+"))
    page.get_by_label("Name prefix").fill("[Quote]")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Source").select_option(label="Event")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Owner").select_option(label="Jonas Petrauskas (sales)")
    page.get_by_label("Allowed websites").fill(f"LOCALHOST:{host_port}")

    # Customization: a custom drop-down field and the button's colours.
    page.get_by_role("tab", name="Customization").click()
    page.get_by_role("button", name="+ Add a field").click()
    row = page.locator("[data-field-row]").last
    row.get_by_label("Label").fill("Budget")
    row.get_by_label("Type").select_option("select")
    row.get_by_label("Options").fill("Under 1000\nîntre 1000 și 5000\nOver 5000")
    row.get_by_role("button", name="Move up").click()  # reordered in place by admin.js
    expect(page.locator("[data-field-row] [data-row-title]")).to_have_text(
        ["Full name", "Email", "Phone", "Budget", "How can we help?"]
    )
    page.get_by_label("Button text", exact=True).fill("Get my quote")
    page.locator("#button_bg").fill("#ffd400")
    warning = page.locator("[data-contrast-warning]")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("contrast of 1.4:1")
    page.locator("#button_fg").fill("#1f2328")
    expect(warning).to_be_hidden()

    # The live preview follows the edits before anything is saved. It refreshes
    # after a pause in typing, so an early refresh can show some edits and not
    # yet others: wait for the last ones to show, not for the first refresh.
    preview = page.frame_locator("[data-preview]")
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile(r"key=pv"))
    expect(preview.get_by_role("button", name="Get my quote")).to_be_visible()
    expect(preview.get_by_label("Budget")).to_be_visible()

    # Saving reloads the editor; until the new page is in, the old one still
    # shows its own flash ("Created …"), so wait for the new flash itself.
    page.get_by_role("button", name="Save changes").first.click()
    expect(page.locator(".flash").first).to_contain_text("Saved. The live form shows the change now.")
    page.get_by_role("tab", name="Form data").click()
    expect(page.get_by_label("Allowed websites")).to_have_value(f"localhost:{host_port}")
    page.get_by_role("tab", name="Customization").click()
    expect(preview.get_by_role("button", name="Get my quote")).to_be_visible()
    expect(preview.get_by_label("Budget")).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-form-builder.png"), full_page=True)
    page.locator(".preview-card").screenshot(path=str(artifacts / "admin-form-preview.png"))

    # Copy the snippet with the page's copy button. "Copied ✓" shows for two
    # seconds only: wait on the clipboard itself.
    page.locator("[data-copy='#code-script']").click()
    snippet = wait_for(
        lambda: (text := page.evaluate("navigator.clipboard.readText()")).startswith("<script") and text,
        10,
        what="the snippet on the clipboard",
    )
    assert snippet.startswith(f'<script src="{base}/embed.js" data-form="')
    form_key = re.search(r'data-form="([^"]+)"', snippet).group(1)  # type: ignore[union-attr]

    # Embed it on another origin and submit as a visitor. The snippet fetches the
    # form with a render token stamped when it was served; a submission sent
    # sooner than a person could type is quarantined as spam. The clock starts at
    # that stamp, not when the page loaded: under load the fetch can come seconds
    # after the load event, so wait until the server itself would find the token
    # old enough (the spam rule's own check), however long that takes.
    shop = host_site("shop.html", f"<!doctype html><html><body><h1>Acme shop</h1>{snippet}</body></html>")
    visitor = context.new_page()
    with visitor.expect_response(lambda answer: answer.url.endswith(f"/f/{form_key}.json")) as definition:
        visitor.goto(shop)
    token = definition.value.headers["x-lc-token"]
    visitor.get_by_label("Full name").fill("Ana Popescu")
    visitor.get_by_label("Email").fill("ana@example.ro")
    visitor.get_by_label("Budget").select_option("între 1000 și 5000")
    button = visitor.get_by_role("button", name="Get my quote")
    expect(button).to_have_css("background-color", "rgb(255, 212, 0)")
    expect(button).to_have_css("color", "rgb(31, 35, 40)")
    render_tokens = app.extensions["lc_render_tokens"]
    wait_for(lambda: render_tokens.is_plausible(form_key, token), 30, what="a person's few seconds of typing")
    button.click()
    expect(visitor.get_by_text("Thank you!").first).to_be_visible()

    assert drain() == 1
    page.goto(f"{base}/admin/")
    lead = page.locator("tr", has_text="[Quote] Ana Popescu")
    expect(lead).to_be_visible()
    row_text = lead.inner_text()
    for preset in ("In progress", "Event", "High", "Jonas Petrauskas"):
        assert preset in row_text, f"{preset!r} missing from {row_text!r}"

    with session_factory() as session:
        saved = session.scalar(select(WebForm).where(WebForm.name == "Quote request"))
        assert saved is not None
        assert [f.name for f in saved.fields] == ["name", "email", "phone", "cf_budget", "description"]
        prospect = session.scalar(select(Prospect).where(Prospect.email == "ana@example.ro"))
        assert prospect is not None
        assert prospect.custom_fields == {"cf_budget": "între 1000 și 5000"}
    assert errors == []
    context.close()
