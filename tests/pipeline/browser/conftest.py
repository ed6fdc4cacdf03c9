"""Browser fixtures for the board, reports and home pages: Debian's chromium
through Playwright on SQLite (the database is not what these tests exercise),
a signed-in page per test that fails the test on any Content-Security-Policy
violation, page error or dialog, and a screenshot when a test fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.chromium import ARTIFACTS, _engine_factory, database_url, launch_chromium  # noqa: F401
from tests.prospects.conftest import PASSWORD

# Runs in every document before its own scripts; the console message Chromium
# also prints is a second net.
VIOLATION_LISTENER = """
document.addEventListener('securitypolicyviolation', e => window.__lcViolation(
  [e.effectiveDirective, e.blockedURI, JSON.stringify(e.sample), e.sourceFile + ':' + e.lineNumber].join(' ')
), true);
"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture
def problems() -> list[str]:
    return []


SignedIn = Callable[..., Any]


@pytest.fixture
def signed_in(
    browser: Any, live_server: Any, staff: dict[str, Any], problems: list[str], request: pytest.FixtureRequest
) -> Iterator[SignedIn]:
    """``signed_in("admin", width=1440, locale="en-US", javascript=True)`` → a page
    signed in as that staff member. Every page of its context is watched."""
    contexts: list[Any] = []

    def open_page(who: str = "admin", width: int = 1440, height: int = 900, **options: Any) -> Any:
        javascript = options.pop("javascript", True)
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        context.expose_function("__lcViolation", lambda text: problems.append(f"CSP violation: {text}"))
        context.add_init_script(VIOLATION_LISTENER)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.on(
            "console",
            lambda m: m.type == "error" and "Content Security Policy" in m.text and problems.append(m.text),
        )
        page.goto(f"{live_server.url}/admin/login")
        page.get_by_label("Email").fill(staff[who].email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/admin/home")
        return page

    yield open_page
    failed = request.node.stash.get(_FAILED, False)
    for number, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                try:
                    page.screenshot(
                        path=str(ARTIFACTS / f"FAILED-{request.node.name}-{number}.png"), full_page=True
                    )
                except Exception as exc:  # an artifact must never hide the real failure
                    print(f"screenshot failed: {exc}")
        context.close()
    if problems:
        pytest.fail("the pages reported: " + "; ".join(problems))


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


def no_page_scroll(page: Any) -> None:
    """The page itself never scrolls sideways (a board or a table may, inside its own box)."""
    width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0, f"{page.url} scrolls {width}px sideways"
