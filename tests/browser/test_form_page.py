"""The standalone form page: the no-JavaScript fallback and the iframe variant."""

from __future__ import annotations

import urllib.request

import pytest

from tests.browser.policies import strict_csp

pytestmark = pytest.mark.browser

THANKS = "Thanks, we'll call you."


def test_without_javascript_the_plain_form_posts_and_lands_on_the_thank_you_page(
    browser, live_server, make_form, prospects, drain
):
    form = make_form()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/f/{form['key']}")
        assert page.locator("script").count() == 0

        # Nothing typed: the server answers 400 with the page again, errors next to the fields.
        with page.expect_response(lambda r: r.request.method == "POST") as refused:
            page.get_by_role("button", name="Send").click()
        assert refused.value.status == 400
        assert page.locator("#lc-name-err").inner_text() == "This field is required."
        assert page.locator("#lc-name").get_attribute("aria-describedby") == "lc-name-err"

        page.get_by_label("Name").fill("Ana Popescu ș ț")
        page.get_by_label("Email").fill("ana@example.ro")
        with page.expect_response(lambda r: r.request.method == "POST") as accepted:
            page.get_by_role("button", name="Send").click()
        assert accepted.value.status == 303
        page.wait_for_url(f"{live_server.url}/f/{form['key']}/thanks")
        assert page.locator("[role=status]").inner_text() == THANKS
    finally:
        context.close()
    assert drain() == 1
    [prospect] = prospects()
    assert (prospect.name, prospect.email) == ("[Web] Ana Popescu ș ț", "ana@example.ro")


# The README's listener, as a file of the host site: its CSP allows no inline script.
HOST_LISTENER = """
window.heights = [];
addEventListener('message', e => {
  if (e.origin !== '%(origin)s' || (e.data || {}).type !== 'leadcapture:height') return;
  heights.push(e.data);
  document.querySelectorAll('iframe').forEach(f => f.contentWindow === e.source && (f.style.height = e.data.height + 'px'));
});
"""
FRAME_CSS = "iframe { width: 100%; border: 0; height: 50px; }"


def test_iframe_variant_reports_its_height_to_the_host(
    page, live_server, host_form, host_page, host_site, prospects, drain
):
    """On a host with a strict CSP: ``frame-src`` our origin is all the iframe needs."""
    form = host_form()
    src = f"{live_server.url}/f/{form['key']}?frame=1"
    listener = host_site("listener.js", HOST_LISTENER % {"origin": live_server.url})
    css = host_site("frame.css", FRAME_CSS)
    page.goto(
        host_page(
            f'<iframe src="{src}" title="Contact us"></iframe>',
            head=f'<link rel="stylesheet" href="{css}"><script src="{listener}"></script>',
            script=False,
            csp=strict_csp(live_server.url, f"frame-src {live_server.url}"),
        )
    )
    # Predicates as functions: Playwright evaluates a function once, but an expression again
    # at every poll, from the page, where the host's CSP (no 'unsafe-eval') refuses it.
    page.wait_for_function("() => window.heights.length > 0")
    first = page.evaluate("heights[heights.length - 1]")
    assert first["key"] == form["key"]
    assert first["height"] > 100
    page.wait_for_function(
        f"() => document.querySelector('iframe').getBoundingClientRect().height === {first['height']}"
    )

    frame = page.frame_locator("iframe")
    frame.get_by_label("Name").fill("Ana")
    frame.get_by_label("Email").fill("ana@example.com")
    seen = page.evaluate("heights.length")
    frame.get_by_role("button", name="Send").click()
    frame.get_by_role("status").filter(has_text=THANKS).wait_for()
    page.wait_for_function(f"() => heights.length > {seen}")
    thanks = page.evaluate("heights[heights.length - 1]")
    assert thanks["key"] == form["key"]
    assert 50 < thanks["height"] < first["height"]  # the host shrinks the iframe to the message
    assert drain() == 1 and len(prospects()) == 1


def test_the_plain_page_loads_no_frame_script(live_server, make_form):
    form = make_form()
    with urllib.request.urlopen(f"{live_server.url}/f/{form['key']}") as response:
        plain = response.read().decode()
    with urllib.request.urlopen(f"{live_server.url}/f/{form['key']}?frame=1") as response:
        framed = response.read().decode()
        csp = response.headers["Content-Security-Policy"]
    assert "frame.js" not in plain and "frame=1" not in plain
    assert "frame.js" in framed and f'action="/f/{form["key"]}?frame=1"' in framed
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp


def test_the_plain_pages_honeypot_stays_hidden_without_its_stylesheet(browser, live_server, make_form, drain):
    """A visitor whose browser did not load public.css (blocked, slow, reader
    mode) must never see, reach or fill the honeypot: that would quarantine a
    real lead as spam."""
    form = make_form()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.route("**/*.css", lambda route: route.abort())
        page.goto(f"{live_server.url}/f/{form['key']}")
        trap = page.locator("input[name=_lc_hp]")
        assert trap.count() == 1 and not trap.is_visible()
        assert page.get_by_label("Website").count() == 0
        for _ in range(8):  # Tab through the whole form: the trap never takes focus
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement && document.activeElement.name") != "_lc_hp"
    finally:
        context.close()
