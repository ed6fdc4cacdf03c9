"""The demo page a newcomer opens first: a small company site embedding the demo
form under a strict CSP (no inline anything, Trusted Types enforced)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crm_core.forms.demo import demo_form_config

pytestmark = pytest.mark.browser

FORM = "script[data-form] + div"


@pytest.fixture
def demo_url(live_server, make_form) -> str:
    host = urlsplit(live_server.url).netloc
    form = make_form(**{**demo_form_config([host], None), "button_bg": "#0b7a75", "button_fg": "#ffffff"})
    return f"{live_server.url}/demo/{form['key']}"


def test_the_demo_page_under_its_strict_csp_shows_a_styled_form_and_nothing_fails(
    page, demo_url, prospects, drain, screenshot
):
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    with page.expect_response(lambda r: r.url.endswith("/favicon.svg")) as icon:
        response = page.goto(demo_url)
    assert icon.value.status == 200
    csp = response.headers["content-security-policy"]
    assert "style-src 'self';" in csp and "unsafe-inline" not in csp
    assert "require-trusted-types-for 'script'" in csp

    # A small company site: header with navigation, hero, the form beside a short text, footer.
    assert page.get_by_role("navigation", name="Main").get_by_role("link").count() == 3
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator("footer").is_visible()
    button = page.locator(FORM).get_by_role("button", name="Send")
    button.wait_for()
    text, form = page.locator(".contact-text").bounding_box(), page.locator(".contact-form").bounding_box()
    assert form["x"] >= text["x"] + text["width"] and abs(form["y"] - text["y"]) < 5  # side by side

    # Styled by the snippet under style-src 'self': the configured colours, our field borders.
    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(11, 122, 117)", "rgb(255, 255, 255)"]
    assert (
        page.get_by_label("Email").evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(132, 141, 151)"
    )
    # No honeypot to see or to reach with the keyboard.
    assert page.locator(FORM).get_by_role("textbox").count() == 5
    assert page.locator(f"{FORM} form input:not([type=hidden]):not([id])").is_hidden()
    screenshot(page, "demo-page", full_page=True)

    page.get_by_label("Full name").fill("Ana Popescu")
    page.get_by_label("Email").fill("ana@example.ro")
    page.get_by_label("I agree").check()
    button.click()
    page.locator(f"{FORM} .ok").wait_for()
    assert page.locator(f"{FORM} .lc").inner_text().count("Thank you!") == 1
    assert drain() == 1 and [p.name for p in prospects()] == ["[Web] Ana Popescu"]
    assert failed == []


@pytest.mark.parametrize("width", [390, 1440])
def test_the_embed_code_wraps_instead_of_running_off_the_edge(page, demo_url, width, screenshot):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_url)
    page.locator(FORM).get_by_role("button").wait_for()
    code = page.locator(".embed-code pre")
    assert "embed.js" in code.inner_text()
    assert code.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(page, f"demo-page-{width}", full_page=True)
