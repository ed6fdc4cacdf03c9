"""Visitor journeys through the real embed.js into the real capture service,
the queue and the worker: validation, server errors, success, redirect."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from capture.public.form_cache import publish
from crm_core.db import transaction
from crm_core.forms.definition import form_definition
from crm_core.forms.services import update_form
from tests.conftest import form_config

pytestmark = pytest.mark.browser

FORM = "[data-leadcapture-form]"
THANKS = "Thanks, we'll call you."


def embed(form: dict) -> str:
    return f'<div data-leadcapture-form="{form["key"]}"></div>'


def posts_of(page) -> list[dict[str, list[str]]]:
    """Collects the bodies of every POST the page sends."""
    bodies: list[dict[str, list[str]]] = []
    page.on("request", lambda r: r.method == "POST" and bodies.append(parse_qs(r.post_data or "")))
    return bodies


def shadow_focus(page, host: str = FORM) -> str | None:
    return page.evaluate(
        "s => { const a = document.querySelector(s).shadowRoot.activeElement; return a && (a.id || a.className) }",
        host,
    )


def send_as_ana(page, prospects, drain) -> list:  # type: ignore[no-untyped-def]
    """Fills in the required fields, sends, waits for the thank-you and drains:
    the prospects created."""
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Email").fill("ana@example.com")
    page.locator(f"{FORM} button").click()
    page.locator(f"{FORM} .ok").wait_for()
    assert drain() == 1
    return prospects()


def test_client_side_validation_blocks_the_post_and_focuses_the_first_invalid_field(
    page, host_form, host_page, prospects, drain
):
    form = host_form()
    bodies = posts_of(page)
    page.goto(host_page(embed(form)))
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Phone").fill("12")
    page.locator(f"{FORM} button").click()

    name = page.get_by_label("Name")
    assert shadow_focus(page) == name.get_attribute("id")
    assert name.get_attribute("aria-invalid") == "true"
    errors = page.locator(f"{FORM} .er")
    assert errors.all_inner_texts()[:3] == [
        "This field is required.",
        "Enter a valid email address.",
        "Enter a valid phone number.",
    ]
    # Each message is the description of its field (read when the field gets focus).
    assert page.locator(f"{FORM} #{name.get_attribute('aria-describedby')}").inner_text() == (
        "This field is required."
    )
    name.fill("Ana")  # typing clears that field's error
    assert name.get_attribute("aria-invalid") is None
    assert bodies == []
    assert drain() == 0 and prospects() == []


def test_server_field_errors_appear_next_to_the_fields(page, host_form, host_page, prospects, drain):
    """An address the client's loose check accepts but the server's refuses."""
    form = host_form()
    page.goto(host_page(embed(form)))
    page.get_by_label("Name").fill("Ana Popescu")
    email = page.get_by_label("Email")
    email.fill("ana@example.c")  # one-letter top-level domain: the server says no
    page.locator(f"{FORM} button").click()

    error = page.locator(f"{FORM} #{email.get_attribute('aria-describedby')}")
    error.filter(has_text="Enter a valid email address.").wait_for()
    assert email.get_attribute("aria-invalid") == "true"
    assert (
        page.locator(f"{FORM} [role=status]").inner_text().strip() == "Please correct the highlighted fields."
    )
    assert shadow_focus(page) == email.get_attribute("id")
    assert page.locator(f"{FORM} button").is_enabled()

    email.fill("ana@example.com")  # fixing it and sending again works
    page.locator(f"{FORM} button").click()
    page.locator(f"{FORM} .ok").wait_for()
    assert drain() == 1 and len(prospects()) == 1


def test_option_removed_by_the_admin_while_the_page_was_open(
    page, host_form, host_page, session_factory, redis, prospects, drain, allowed_host
):
    fields = [
        {"name": "name", "required": True},
        {"name": "cf_budget", "label": "Budget", "type": "select", "options": ["small", "large"]},
    ]
    form = host_form(fields=fields)
    page.goto(host_page(embed(form)))
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Budget").select_option("small")

    # The admin saves the form with a new list: exactly what saving in the admin does.
    fields[1]["options"] = ["medium", "large"]
    with transaction(session_factory) as session:
        config = form_config(fields=fields, allowed_domains=[allowed_host])
        publish(redis, form_definition(update_form(session, form["form_id"], config)))

    page.locator(f"{FORM} button").click()
    budget = page.get_by_label("Budget")
    page.locator(f"{FORM} #{budget.get_attribute('aria-describedby')}").filter(
        has_text="Choose one of the options."
    ).wait_for()
    assert budget.get_attribute("aria-invalid") == "true"
    assert shadow_focus(page) == budget.get_attribute("id")
    assert drain() == 0 and prospects() == []


def test_keyboard_only_fill_and_submit_announces_the_thank_you(page, host_form, host_page, prospects, drain):
    form = host_form()
    page.goto(host_page(embed(form)))
    page.locator(f"{FORM} button").wait_for()
    keyboard = page.keyboard
    keyboard.press("Tab")
    keyboard.type("Jūratė Žemaitė")
    keyboard.press("Tab")
    keyboard.type("jurate@example.lt")
    keyboard.press("Tab")
    keyboard.type("+370 600 00000")
    keyboard.press("Enter")  # implicit submission from a text field

    ok = page.locator(f"{FORM} .ok")
    ok.wait_for()
    assert ok.inner_text() == THANKS
    # The live region itself becomes the message: announced, and focused (the
    # button that had focus went away with the form).
    assert ok.get_attribute("role") == "status" and ok.get_attribute("aria-live") == "polite"
    assert shadow_focus(page) == "st ok"
    assert page.locator(f"{FORM} form").count() == 0

    assert drain() == 1
    [prospect] = prospects()
    assert (prospect.name, prospect.email, prospect.phone) == (
        "[Web] Jūratė Žemaitė",
        "jurate@example.lt",
        "+370 600 00000",
    )


def test_redirect_mode_navigates_the_host_page(page, host_form, host_page, host_site, prospects, drain):
    thanks = host_site("thanks.html", "<!doctype html><title>Thanks</title><h1>Merci</h1>")
    form = host_form(success_mode="redirect", redirect_url=thanks, language="fr")
    page.goto(host_page(embed(form)))
    page.get_by_label("Name").fill("Élodie Brûlé")
    page.get_by_label("Email").fill("elodie@example.fr")
    with page.expect_navigation(url=thanks):
        page.locator(f"{FORM} button").click()
    assert page.locator("h1").inner_text() == "Merci"
    assert drain() == 1
    assert prospects()[0].name == "[Web] Élodie Brûlé"


def test_utm_parameters_of_the_landing_url_reach_the_prospect(page, host_form, host_page, prospects, drain):
    form = host_form()
    url = (
        host_page(embed(form))
        + "?utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale&gclid=G-1"
    )
    page.goto(url)
    [prospect] = send_as_ana(page, prospects, drain)
    assert prospect.attribution == {
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring sale",
        "gclid": "G-1",
    }
    assert prospect.page_url == url


def test_first_touch_attribution_survives_navigation_and_is_not_overwritten(
    page, host_form, host_page, prospects, drain
):
    """Landing page with a campaign, no form; a later page with another campaign;
    the form on a third page without parameters: the first campaign wins."""
    form = host_form()
    landing = host_page("<p>Welcome</p>", name="landing.html") + "?utm_source=newsletter&utm_campaign=spring"
    later = host_page("<p>Pricing</p>", name="pricing.html") + "?utm_source=ads&gclid=G-2"
    contact = host_page(embed(form), name="contact.html")
    for url in (landing, later, contact):
        page.goto(url)
    [prospect] = send_as_ana(page, prospects, drain)
    assert prospect.attribution == {"utm_source": "newsletter", "utm_campaign": "spring"}
    assert prospect.page_url == contact


def test_visitor_text_round_trips_unchanged_and_never_runs(page, host_form, host_page, prospects, drain):
    form = host_form()
    name = "Ștefan Țăran ėų é <img src=x onerror=alert(1)>"
    message = "Bună ziua,\n<script>alert(2)</script> & \"quotes\" 'single' — ąčęėįšųūž ÀÉÎÕÜ"
    page.goto(host_page(embed(form)))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill("stefan@example.ro")
    page.get_by_label("Company").fill("Žalgiris <b>UAB</b>")
    page.get_by_label("Message").fill(message)
    page.locator(f"{FORM} button").click()
    page.locator(f"{FORM} .ok").wait_for()
    assert drain() == 1
    [prospect] = prospects()
    assert prospect.name == f"[Web] {name}"
    assert prospect.company == "Žalgiris <b>UAB</b>"
    assert prospect.description == message
    # The page fixture fails the test on any dialog (alert) or page error.


def test_two_forms_on_one_page_submit_independently(page, host_form, host_page, prospects, drain):
    first = host_form(name="Sales", button_text="Ask sales")
    second = host_form(
        name="Support", button_text="Ask support", fields=[{"name": "email", "required": True}]
    )
    page.goto(host_page(f'<div id="a">{embed(first)}</div><div id="b">{embed(second)}</div>'))
    a, b = page.locator(f"#a {FORM}"), page.locator(f"#b {FORM}")
    a.get_by_label("Name").fill("Ana")
    a.get_by_label("Email").fill("ana@example.com")
    b.get_by_label("Email").fill("bob@example.com")
    b.get_by_role("button", name="Ask support").click()
    b.locator(".ok").wait_for()
    assert a.locator("form").count() == 1  # the first form is untouched
    a.get_by_role("button", name="Ask sales").click()
    a.locator(".ok").wait_for()

    assert drain() == 2
    got = {(p.form_id, p.email) for p in prospects()}
    assert got == {(first["form_id"], "ana@example.com"), (second["form_id"], "bob@example.com")}


def test_origin_not_on_the_allowed_list_is_refused_clearly(page, make_form, host_page, prospects, drain):
    form = make_form(allowed_domains=["example.com"])
    page.goto(host_page(embed(form)))
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Email").fill("ana@example.com")
    page.locator(f"{FORM} button").click()
    status = page.locator(f"{FORM} [role=status]")
    status.filter(has_text="This form does not accept submissions from this website.").wait_for(
        timeout=5000
    )  # no 1+2+4 s retry loop first
    assert page.locator(f"{FORM} button").is_enabled()
    assert drain() == 0 and prospects() == []


def test_a_returning_visitor_still_sends_a_valid_render_token(page, host_form, host_page, prospects, drain):
    """The definition is revalidated on every load (304 when unchanged); the fresh
    token rides on the 304, and the browser-cached copy must still carry one."""
    form = host_form()
    url = host_page(embed(form))
    page.goto(url)
    page.locator(f"{FORM} button").wait_for()
    with page.expect_response(lambda r: r.url.endswith(f"/f/{form['key']}.json")) as definition:
        page.reload()
    assert definition.value.headers["x-lc-token"]
    page.locator(f"{FORM} button").wait_for()
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Email").fill("ana@example.com")
    page.locator(f"{FORM} button").click()
    page.locator(f"{FORM} .ok").wait_for()
    assert drain() == 1 and len(prospects()) == 1
