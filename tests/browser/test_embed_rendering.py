"""The real embed.js, served by the real app, rendering on a page of another origin."""

from __future__ import annotations

import gzip
import json
import re
import urllib.request
from importlib import resources
from urllib.error import HTTPError

import pytest

pytestmark = pytest.mark.browser

FORM = "[data-leadcapture-form]"


def test_script_tag_renders_the_form_right_after_itself(page, live_server, host_form, host_site):
    form = host_form()
    url = host_site(
        "tag.html",
        '<!doctype html><html lang="en"><body><p id="before">Before</p>'
        f'<script src="{live_server.url}/embed.js" data-form="{form["key"]}" async></script>'
        '<p id="after">After</p></body></html>',
    )
    page.goto(url)
    host = page.locator("script[data-form] + div")
    labels = host.locator("label")
    labels.first.wait_for()
    assert labels.all_inner_texts() == ["Name *", "Email *", "Phone", "Company", "Message"]
    assert host.locator("button").inner_text() == "Send"
    # Rendered between the tag and the next element; the host page keeps its own nodes.
    assert page.evaluate("document.querySelector('script[data-form] + div').nextElementSibling.id") == "after"
    assert page.evaluate("Object.keys(window).filter(k => k.startsWith('Lead'))") == ["LeadCapture"]


def test_script_tag_requests_its_definition_once_and_its_token_is_posted(
    page, live_server, host_form, host_site, prospects, drain
):
    """The tag's own definition is requested before the rest of the script runs
    (to overlap the round trip); render() must use that response, not fetch again,
    and its render token must reach the server (tokens are required here)."""
    form = host_form()
    definition_requests: list[str] = []
    page.on(
        "request", lambda r: r.url.endswith(f"/f/{form['key']}.json") and definition_requests.append(r.url)
    )
    page.goto(
        host_site(
            "early.html",
            '<!doctype html><html lang="en"><body>'
            f'<script src="{live_server.url}/embed.js" data-form="{form["key"]}" async></script></body></html>',
        )
    )
    host = page.locator("script[data-form] + div")
    host.get_by_label("Name").fill("Rūta")
    host.get_by_label("Email").fill("ruta@example.lt")
    host.locator("button").click()
    host.locator(".ok").wait_for()
    assert definition_requests == [f"{live_server.url}/f/{form['key']}.json"]
    assert drain() == 1
    assert [p.name for p in prospects()] == ["[Web] Rūta"]


def test_placeholder_div_renders_in_place_and_hides_its_fallback(page, live_server, host_form, host_page):
    form = host_form(name="Ask us", button_text="Ask")
    page.goto(
        host_page(
            f'<div id="lc" data-leadcapture-form="{form["key"]}">'
            f'<a id="fallback" href="{live_server.url}/f/{form["key"]}">Open the form</a></div>'
        )
    )
    button = page.locator(f"{FORM} button")
    button.wait_for()
    assert button.inner_text() == "Ask"
    assert page.locator(f"{FORM} form").get_attribute("aria-label") == "Ask us"
    assert not page.locator("#fallback").is_visible()
    assert page.get_by_label("Email").is_visible()


HOSTILE_CSS = """
* { all: unset; }
html, body { display: block; background: #0b0d12; color: #e6e6e6; font-size: 62.5%; }
input { display: none; }
button { color: inherit; background: transparent; }
div { opacity: .9; }
[hidden] { display: block !important; }
"""


def test_hostile_host_css_does_not_reach_the_form(page, host_form, host_page, host_site, screenshot):
    form = host_form(button_bg="#d92d20", button_fg="#fffbe6", button_text="Get a quote")
    css = host_site("hostile.css", HOSTILE_CSS)
    page.goto(
        host_page(
            f'<div data-leadcapture-form="{form["key"]}"></div>', head=f'<link rel="stylesheet" href="{css}">'
        )
    )
    button = page.locator(f"{FORM} button")
    button.wait_for()
    fields = page.locator(f"{FORM} form > div:not([hidden]) :is(input, textarea)")
    assert fields.count() == 5
    for field in fields.all():
        assert field.is_visible()
        box = field.bounding_box()
        assert box["width"] > 200 and box["height"] >= 30
    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(217, 45, 32)", "rgb(255, 251, 230)"]
    assert button.is_visible()
    # The form keeps its own light surface and readable text on the dark page.
    assert (
        page.locator(f"{FORM} .lc").evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(255, 255, 255)"
    )
    assert page.locator(f"{FORM} label").first.evaluate("e => getComputedStyle(e).color") == "rgb(31, 35, 40)"
    screenshot(page, "hostile-host-page", full_page=True)
    screenshot(page.locator(FORM), "hostile-host-form")


def test_embed_js_fits_the_budget_and_is_served_with_an_etag(live_server):
    with urllib.request.urlopen(f"{live_server.url}/embed.js") as response:
        body = response.read()
        etag = response.headers["ETag"]
        assert response.headers["Content-Type"].startswith("application/javascript")
    assert len(gzip.compress(body, 9)) <= 5120
    assert body.isascii()
    assert etag
    request = urllib.request.Request(f"{live_server.url}/embed.js", headers={"If-None-Match": etag})
    with pytest.raises(HTTPError) as not_modified:
        urllib.request.urlopen(request)
    assert not_modified.value.code == 304
    not_modified.value.close()


def test_embed_css_is_served_and_is_what_embed_js_carries(live_server):
    """One source for the styles: embed.js carries embed.css (inlined by the build),
    and {base}/embed.css serves it to browsers without constructable stylesheets."""
    source = (resources.files("embed") / "embed.css").read_text()
    with urllib.request.urlopen(f"{live_server.url}/embed.css") as response:
        assert response.read().decode() == source
        assert response.headers["Content-Type"].startswith("text/css")
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert response.headers["ETag"]
    # The build's minification: comments out, lines trimmed and joined (dev/build.sh).
    inlined = "".join(line.strip() for line in re.sub(r"/\*.*?\*/", "", source, flags=re.S).split("\n"))
    script = (resources.files("embed") / "embed.js").read_text()
    assert json.dumps(inlined)[1:-1] in script, "embed.js is stale: run sh embed/dev/build.sh"
