"""The API's docs page: the vendored Swagger UI renders the served OpenAPI
document under the app's strict Content-Security-Policy — no violation, no
script error, nothing fetched from another origin — and "Try it out" calls the
API with a personal token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from crm_core.models import Role
from tests.admin.conftest import UserFactory
from tests.api.conftest import TokenFactory

pytestmark = pytest.mark.browser

VIOLATIONS = """
document.addEventListener('securitypolicyviolation', e => window.__violation(
  [e.effectiveDirective, e.blockedURI, JSON.stringify(e.sample), e.sourceFile + ':' + e.lineNumber].join(' ')
), true);
"""


def test_the_docs_page_works_under_the_strict_csp(
    browser: Any, live_server: Any, make_user: UserFactory, make_token: TokenFactory
) -> None:
    user = make_user(Role.MARKETING, name="Maria")
    token = make_token(user, scopes="read")
    problems: list[str] = []
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(15_000)
    context.expose_function("__violation", lambda text: problems.append(f"CSP violation: {text}"))
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("request", lambda r: requests.append(r.url))

    answer = page.goto(f"{live_server.url}/api/v1/docs")
    assert answer is not None and answer.status == 200
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"]
    assert "script-src 'self'" in answer.headers["content-security-policy"]

    for tag in ("Prospects", "Contacts", "Tasks", "Offers", "Settings lists"):
        expect(page.locator(".opblock-tag", has_text=tag).first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/prospects").first).to_be_visible()

    # Authorize with the token, then call GET /users/me from the page.
    page.get_by_role("button", name="Authorize").first.click()
    page.locator("#auth-bearer-value").fill(token)
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".auth-btn-wrapper").get_by_role("button", name="Close").click()
    operation = page.locator(
        ".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/users/me")
    )
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table .microlight").first).to_contain_text("Maria")

    origin = urlsplit(live_server.url).netloc
    foreign = [
        url for url in requests if urlsplit(url).netloc not in (origin, "") and not url.startswith("data:")
    ]
    context.close()
    assert foreign == [], foreign
    assert problems == [], problems
