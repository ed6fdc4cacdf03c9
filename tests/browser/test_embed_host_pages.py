"""The snippet on hostile but ordinary host pages: a strict CSP with Trusted Types
enforced, tag managers, the same tag twice, single-page apps, patched globals.

Every host page here comes from a second origin with the policy of
``tests/browser/policies.py`` (unless a test says otherwise), and the ``page``
fixture fails a test on any CSP or Trusted Types violation. Host-page scripts
are files of the host site: its policy allows no inline script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.browser.policies import strict_csp

pytestmark = pytest.mark.browser

FORM = "[data-leadcapture-form]"
THANKS = "Thanks, we'll call you."

# How many forms (or thank-you messages) the snippet shows, across every shadow root.
RENDERED = "() => [...document.querySelectorAll('*')].filter(e => e.shadowRoot && e.shadowRoot.querySelector('.lc')).length"


def tag_manager_csp(api: str) -> str:
    return strict_csp(api).replace("trusted-types 'none'", TAG_MANAGER_POLICY)


def host_script(host_site: Callable[..., str], name: str, js: str) -> str:
    return f'<script src="{host_site(name, js)}"></script>'


def embed(form: dict[str, Any]) -> str:
    return f'<div data-leadcapture-form="{form["key"]}"></div>'


def posts_of(page: Any) -> list[dict[str, list[str]]]:
    bodies: list[dict[str, list[str]]] = []
    page.on(
        "request",
        lambda r: r.method == "POST" and bodies.append(parse_qs(r.post_data or "", keep_blank_values=True)),
    )
    return bodies


def definition_requests(page: Any, form: dict[str, Any]) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: r.url.endswith(f"/f/{form['key']}.json") and urls.append(r.url))
    return urls


def fill_and_send(scope: Any) -> None:
    scope.get_by_label("Name").fill("Ana Popescu")
    scope.get_by_label("Email").fill("ana@example.ro")
    scope.get_by_role("button").click()


# --- the violation collector itself ----------------------------------------------------


def test_a_style_element_in_a_shadow_root_is_reported_as_a_violation(
    page, host_page, host_site, page_problems
):
    """What the snippet did before constructable stylesheets: proves the ``page``
    fixture sees violations raised inside a shadow root."""
    js = """
    const root = document.getElementById('w').attachShadow({mode: 'open'});
    const style = document.createElement('style');
    style.textContent = 'p { color: red }';
    root.append(style, 'styled?');
    """
    page.goto(host_page('<div id="w"></div>' + host_script(host_site, "old.js", js), script=False))
    for _ in range(100):  # the binding call reaches Python asynchronously
        if any("style-src" in p for p in page_problems):
            break
        page.wait_for_timeout(50)
    found = list(page_problems)
    page_problems.clear()
    assert any(p.startswith("CSP violation: style-src-elem") for p in found), found


# --- styles, Trusted Types ------------------------------------------------------------


CONSENT = (
    'I agree to the <a href="https://example.com/privacy?a=1&amp;b=2">privacy policy</a> of '
    "<b>R&amp;D &copy;&nbsp;Acme</b> &lt;3"
)


def test_styled_under_a_strict_csp_with_trusted_types_and_the_consent_is_built_without_html(
    page, host_form, host_page, prospects, drain
):
    form = host_form(button_bg="#d92d20", button_fg="#fffbe6", consent_enabled=True, consent_text=CONSENT)
    page.goto(host_page(embed(form)))
    button = page.locator(f"{FORM} button")
    button.wait_for()

    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(217, 45, 32)", "rgb(255, 251, 230)"]
    name = page.get_by_label("Name")
    assert name.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(132, 141, 151)"
    assert page.locator(f"{FORM} .lc").evaluate("e => getComputedStyle(e).maxWidth") == "512px"  # 32em
    styling = page.locator(FORM).evaluate(
        "h => [h.shadowRoot.adoptedStyleSheets.length, h.shadowRoot.querySelectorAll('style, link, [style]').length]"
    )
    assert styling == [2, 0]  # the shared sheet + this form's button colours; no element, no attribute

    consent = page.locator(f"{FORM} label[for=lc5]")
    assert consent.inner_text() == "I agree to the privacy policy of R&D ©\u00a0Acme <3 *"
    link = consent.locator("a")
    assert [link.get_attribute(a) for a in ("href", "target", "rel")] == [
        "https://example.com/privacy?a=1&b=2",
        "_blank",
        "noopener",
    ]
    assert consent.locator("b").inner_text() == "R&D ©\u00a0Acme"

    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Email").fill("ana@example.ro")
    page.get_by_label("I agree").check()
    page.locator(f"{FORM} button").click()
    page.locator(f"{FORM} .ok").wait_for()
    assert drain() == 1
    [prospect] = prospects()
    assert prospect.consent_given


def test_without_constructable_stylesheets_a_link_to_our_stylesheet_stands_in(
    page, live_server, host_form, host_page, host_site
):
    """Safari < 16.4 and Firefox < 101: the host must then allow our origin in
    style-src; the button colours are CSSOM writes, which CSP allows."""
    form = host_form(button_bg="#d92d20", button_fg="#fffbe6")
    old_browser = host_script(host_site, "old.js", "delete ShadowRoot.prototype.adoptedStyleSheets;")
    page.goto(
        host_page(
            embed(form),
            head=old_browser,
            csp=strict_csp(live_server.url).replace(
                "style-src 'self'", f"style-src 'self' {live_server.url}"
            ),
        )
    )
    button = page.locator(f"{FORM} button")
    button.wait_for()
    assert page.locator(f"{FORM} link").get_attribute("href") == f"{live_server.url}/embed.css"
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('[data-leadcapture-form]').shadowRoot.querySelector('input'))"
        ".borderTopColor === 'rgb(132, 141, 151)'"
    )
    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(217, 45, 32)", "rgb(255, 251, 230)"]
    assert not page.locator(f"{FORM} [hidden] input").is_visible()


# --- the honeypot ---------------------------------------------------------------------


def test_the_honeypot_cannot_be_seen_focused_or_autofilled_even_without_our_styles(
    page, host_form, host_page, prospects, drain
):
    form = host_form()
    bodies = posts_of(page)
    page.goto(host_page(embed(form)))
    page.locator(f"{FORM} button").wait_for()
    trap = page.locator(f"{FORM} form input:not([type=hidden]):not([id])")
    assert trap.count() == 1

    # Nothing for a person, a screen reader or autofill heuristics to go by.
    attributes = trap.evaluate("e => e.getAttributeNames().sort()")
    assert attributes == ["autocomplete", "tabindex"]
    assert trap.get_attribute("autocomplete") == "off" and trap.get_attribute("tabindex") == "-1"
    assert trap.evaluate("e => e.labels.length") == 0
    assert trap.evaluate("e => [e.parentElement.hidden, e.parentElement.inert]") == [True, True]

    for styles in ("ours", "none"):
        if styles == "none":  # as if a host or an extension took our stylesheets away
            page.locator(FORM).evaluate("h => { h.shadowRoot.adoptedStyleSheets = [] }")
        assert not trap.is_visible()
        assert trap.bounding_box() is None
        assert trap.evaluate("e => { e.focus(); return e.getRootNode().activeElement === e }") is False
        assert "textbox" not in page.locator(f"{FORM} form > div:has(> [tabindex='-1'])").aria_snapshot()
        textboxes = page.locator(f"{FORM} form").aria_snapshot().count("textbox")
        assert textboxes == 5, page.locator(f"{FORM} form").aria_snapshot()
        # Tabbing through the whole form never lands on it.
        page.get_by_label("Name").focus()
        visited = []
        for _ in range(7):
            page.keyboard.press("Tab")
            visited.append(page.locator(FORM).evaluate("h => (h.shadowRoot.activeElement || {}).outerHTML"))
        assert not any(v and 'tabindex="-1"' in v for v in visited), visited

    # A person's submission carries an empty _lc_hp and becomes a prospect.
    fill_and_send(page.locator(FORM))
    page.locator(f"{FORM} .ok").wait_for()
    assert [b["_lc_hp"] for b in bodies] == [[""]]
    assert drain() == 1 and len(prospects()) == 1


def test_a_bot_that_fills_the_honeypot_is_answered_like_a_person_and_creates_nothing(
    page, host_form, host_page, prospects, drain
):
    form = host_form()
    bodies = posts_of(page)
    page.goto(host_page(embed(form)))
    page.locator(f"{FORM} button").wait_for()
    page.locator(f"{FORM} [hidden] input").evaluate("e => { e.value = 'https://spam.example' }")
    fill_and_send(page.locator(FORM))
    page.locator(f"{FORM} .ok").wait_for()
    assert bodies[0]["_lc_hp"] == ["https://spam.example"]
    assert drain() == 0 and prospects() == []


# --- exactly one thank-you --------------------------------------------------------------


def test_exactly_one_thank_you_is_shown_and_announced(page, host_form, host_page, prospects, drain):
    form = host_form()
    page.goto(host_page(embed(form)))
    fill_and_send(page.locator(FORM))
    ok = page.locator(f"{FORM} .ok")
    ok.wait_for()
    counts = page.locator(FORM).evaluate(
        """(h, m) => {
          const box = h.shadowRoot.querySelector('.lc');
          const count = s => s.split(m).length - 1;
          const visible = count(box.innerText);
          h.shadowRoot.adoptedStyleSheets = [];  // whatever happens to the styles
          return [visible, count(box.textContent), count(box.innerText), h.shadowRoot.querySelectorAll('[role=status]').length];
        }""",
        THANKS,
    )
    assert counts == [1, 1, 1, 1]
    assert ok.get_attribute("role") == "status"  # the one message is the live region
    assert drain() == 1 and len(prospects()) == 1


def test_a_redirect_happens_once_even_after_a_double_click(
    page, host_form, host_page, host_site, prospects, drain
):
    thanks = host_site("thanks.html", "<!doctype html><title>Thanks</title><h1>Merci</h1>")
    form = host_form(success_mode="redirect", redirect_url=thanks)
    bodies = posts_of(page)
    arrivals: list[str] = []
    page.on("request", lambda r: r.url == thanks and arrivals.append(r.url))
    page.goto(host_page(embed(form)))
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("Email").fill("ana@example.ro")
    with page.expect_navigation(url=thanks):
        page.locator(f"{FORM} button").dblclick()
    page.locator("h1").wait_for()
    assert len(bodies) == 1 and arrivals == [thanks]
    assert drain() == 1 and len(prospects()) == 1


# --- the ways sites load scripts ------------------------------------------------------

# On a page that enforces Trusted Types, a tag manager sets a script's src through
# its own policy, which the page's CSP names.
TAG_MANAGER_POLICY = "trusted-types tag-manager"
TAG_MANAGER = """
document.addEventListener('DOMContentLoaded', () => {
  const policy = trustedTypes.createPolicy('tag-manager', { createScriptURL: u => u });
  const s = document.createElement('script');
  s.src = policy.createScriptURL('%(src)s');
  s.async = true;
  s.setAttribute('data-form', '%(key)s');
  document.%(where)s.appendChild(s);
});
"""


@pytest.mark.parametrize(
    "way",
    [
        "tag manager, into body",
        "tag manager, into head, placeholder",
        "same tag twice",
        "tag, then tag manager",
    ],
)
def test_each_way_of_loading_shows_one_form_that_sends_once(
    way, page, live_server, host_form, host_page, host_site, prospects, drain
):
    form = host_form()
    tag = f'<script src="{live_server.url}/embed.js" data-form="{form["key"]}" async></script>'
    manager = TAG_MANAGER % {
        "src": f"{live_server.url}/embed.js",
        "key": form["key"],
        "where": "head" if "head" in way else "body",
    }
    body = {
        "tag manager, into body": host_script(host_site, "gtm.js", manager),
        "tag manager, into head, placeholder": host_script(host_site, "gtm.js", manager) + embed(form),
        "same tag twice": f"<p>Contact</p>{tag}<p>Footer</p>{tag}",
        "tag, then tag manager": tag + host_script(host_site, "gtm.js", manager),
    }[way]
    requests = definition_requests(page, form)
    bodies = posts_of(page)
    page.goto(host_page(body, script=False, csp=tag_manager_csp(live_server.url)))
    page.get_by_role("button", name="Send").wait_for()
    # goto() waited for the load event, which waits for every script inserted before it.
    assert page.evaluate("document.querySelectorAll('script[data-form]').length") == (
        1 if way.startswith("tag manager") else 2
    )
    assert page.evaluate(RENDERED) == 1
    if "placeholder" in way:
        assert page.locator(f"{FORM} form").count() == 1
    assert len(requests) == 1  # the second copy of the script asks for nothing
    fill_and_send(page)
    page.locator(".ok").wait_for()
    assert len(bodies) == 1
    assert drain() == 1 and len(prospects()) == 1


SPA = """
window.__hostApp = {
  mount(key) {
    const el = document.createElement('div');
    el.setAttribute('data-leadcapture-form', key);
    document.getElementById('app').append(el);
    return true;
  },
  unmount() { document.getElementById('app').replaceChildren(); return true; },
  park() { this.parked = document.getElementById('app').firstElementChild; this.parked.remove(); return true; },
  unpark() { document.getElementById('app').append(this.parked); return true; },
  route(key) {  // a view whose markup carries the script tag itself
    this.policy = this.policy || trustedTypes.createPolicy('tag-manager', { createScriptURL: u => u });
    const view = document.createElement('section'), s = document.createElement('script');
    s.src = this.policy.createScriptURL('%(src)s');
    s.setAttribute('data-form', key);
    view.append(s);
    document.getElementById('app').replaceChildren(view);
    return true;
  },
};
"""


def live_forms(page: Any) -> int:
    """Form elements alive in the page's heap after a full garbage collection."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("HeapProfiler.collectGarbage")
        prototype = cdp.send("Runtime.evaluate", {"expression": "HTMLFormElement.prototype"})["result"]
        found = cdp.send("Runtime.queryObjects", {"prototypeObjectId": prototype["objectId"]})["objects"]
        counted = cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": found["objectId"],
                "functionDeclaration": "function () { return this.length }",
                "returnByValue": True,
            },
        )
        return counted["result"]["value"]
    finally:
        cdp.detach()


def test_a_single_page_app_remounting_the_form_gets_one_form_one_post_and_no_leak(
    page, live_server, host_form, host_page, host_site, prospects, drain
):
    form = host_form()
    key = form["key"]
    bodies = posts_of(page)
    app = host_script(host_site, "app.js", SPA % {"src": f"{live_server.url}/embed.js"})
    page.goto(host_page('<div id="app"></div>' + app))
    for _ in range(8):  # navigate away and back: a fresh element each time
        page.evaluate(f"__hostApp.mount('{key}')")
        page.locator(f"#app {FORM} button").wait_for()
        page.evaluate("__hostApp.unmount()")
    page.evaluate(f"__hostApp.mount('{key}')")
    page.locator(f"#app {FORM} button").wait_for()
    assert page.evaluate(RENDERED) == 1
    assert live_forms(page) == 1  # the eight unmounted forms were collected

    # The same element taken out and put back: the form it holds, as it was.
    page.get_by_label("Name").fill("Ana Popescu")
    for _ in range(3):
        page.evaluate("__hostApp.park()")
        page.evaluate("__hostApp.unpark()")
    assert page.evaluate(RENDERED) == 1
    assert page.get_by_label("Name").input_value() == "Ana Popescu"
    page.get_by_label("Email").fill("ana@example.ro")
    page.get_by_role("button", name="Send").click()
    page.locator(".ok").wait_for()
    assert len(bodies) == 1  # one listener, one request
    assert drain() == 1 and len(prospects()) == 1


def test_a_route_that_carries_the_script_tag_renders_again_when_revisited(
    page, live_server, host_form, host_page, host_site
):
    form = host_form()
    app = host_script(host_site, "app.js", SPA % {"src": f"{live_server.url}/embed.js"})
    page.goto(host_page('<div id="app"></div>' + app, csp=tag_manager_csp(live_server.url)))
    for visit in range(3):
        page.evaluate(f"__hostApp.route('{form['key']}')")
        page.locator("#app section > div").get_by_role("button", name="Send").wait_for()
        assert page.evaluate(RENDERED) == 1, f"visit {visit}"


# --- patched globals ------------------------------------------------------------------

PATCHES = {
    "fetch wrapper": """
      const original = window.fetch;
      window.__hostFetchCalls = 0;
      window.fetch = function (input, init) { window.__hostFetchCalls++; return original.apply(this, arguments); };
      window.__hostFetch = window.fetch;
    """,
    "fetch polyfill over XMLHttpRequest": """
      window.__hostFetchCalls = 0;
      window.fetch = (url, init = {}) => new Promise((resolve, reject) => {
        window.__hostFetchCalls++;
        const x = new XMLHttpRequest();
        x.open(init.method || 'GET', url);
        Object.entries(init.headers || {}).forEach(([k, v]) => x.setRequestHeader(k, v));
        x.onload = () => resolve({
          ok: x.status >= 200 && x.status < 300, status: x.status,
          headers: { get: n => x.getResponseHeader(n) },
          text: () => Promise.resolve(x.responseText),
          json: () => Promise.resolve(JSON.parse(x.responseText)),
        });
        x.onerror = () => reject(new TypeError('Network request failed'));
        x.send(init.body == null ? null : init.body);
      });
      window.__hostFetch = window.fetch;
    """,
    "Array.prototype extended": """
      // An old library's additions and "fixes", all enumerable.
      Array.prototype.each = function (f) { for (let i = 0; i < this.length; i++) f(this[i], i); };
      Array.prototype.remove = function (x) { const i = this.indexOf(x); if (i >= 0) this.splice(i, 1); return this; };
      Array.prototype.first = function () { return this[0]; };
      Array.prototype.forEach = function (f, t) { for (let i = 0; i < this.length; i++) if (i in this) f.call(t, this[i], i, this); };
      Array.prototype.map = function (f, t) { const r = []; for (let i = 0; i < this.length; i++) r.push(f.call(t, this[i], i, this)); return r; };
    """,
    "Object.prototype polluted": """
      // Enumerable, and named like keys the snippet reads from the server's answers.
      for (const [k, v] of Object.entries({
        html: '<img src=x onerror=alert(1)>', message: 'polluted message', url: 'https://evil.example/',
        language: 'xx', required: true, placeholder: 'polluted', label: 'polluted', options: ['polluted'],
        max_length: 1, error: 'polluted error', fields: {name: ['polluted']}, each() {},
      })) Object.prototype[k] = v;
    """,
    "a LeadCapture of the host's own": """
      window.LeadCapture = { hostOwned: true };
    """,
}


@pytest.mark.parametrize("patch", [*PATCHES, "all of them"])
def test_patched_host_globals_neither_break_the_form_nor_get_broken(
    patch, page, host_form, host_page, host_site, prospects, drain
):
    form = host_form()
    js = "\n".join(PATCHES.values()) if patch == "all of them" else PATCHES[patch]
    snapshot = "window.__hostGlobals = Object.getOwnPropertyNames(window);"
    page.goto(
        host_page(
            embed(form) + host_script(host_site, "snapshot.js", snapshot),
            head=host_script(host_site, "patch.js", js),
        )
    )
    fill_and_send(page.locator(FORM))
    ok = page.locator(f"{FORM} .ok")
    ok.wait_for()
    assert ok.inner_text() == THANKS
    assert page.locator(FORM).evaluate("h => h.shadowRoot.querySelectorAll('img').length") == 0
    assert drain() == 1
    [prospect] = prospects()
    assert (prospect.name, prospect.email) == ("[Web] Ana Popescu", "ana@example.ro")

    added = page.evaluate(
        "() => Object.getOwnPropertyNames(window).filter(n => !__hostGlobals.includes(n) && !n.startsWith('__'))"
    )
    if "LeadCapture" in js:
        assert added == []
        assert page.evaluate("window.LeadCapture") == {"hostOwned": True}  # still the host's
    else:
        assert added == ["LeadCapture"]
        assert page.evaluate("typeof LeadCapture.render") == "function"
    if "fetch" in js:
        assert page.evaluate("window.fetch === window.__hostFetch")
        assert page.evaluate("__hostFetchCalls") == 2  # the definition and the submission went through it
