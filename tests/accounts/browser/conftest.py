"""Browser fixtures for the accounts and offers pages: Debian's chromium
through Playwright against the live capture app, on SQLite only. Every page
fails its test on a Content-Security-Policy violation (the admin's policy
allows no inline script or style), an uncaught error or a dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import ARTIFACTS, _engine_factory, database_url, launch_chromium  # noqa: F401

# Runs in every document before its own scripts; the events bubble to the document.
VIOLATION_LISTENER = """
document.addEventListener('securitypolicyviolation', e => window.__lcViolation(
  [e.effectiveDirective, e.blockedURI, JSON.stringify(e.sample), e.sourceFile + ':' + e.lineNumber].join(' ')
), true);
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped, so it is closed before another directory's Playwright starts."""
    yield from launch_chromium()


@pytest.fixture
def page_problems() -> list[str]:
    return []


@pytest.fixture
def open_page(browser: Any, page_problems: list[str]) -> Iterator[Callable[..., Any]]:
    """``open_page(width=1440)`` → a page in a fresh context of that viewport.
    The test fails on any CSP violation (event or console message), page error or dialog."""
    contexts: list[Any] = []

    def make(width: int = 1440, height: int = 1000) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        context.expose_function("__lcViolation", lambda text: page_problems.append(f"CSP violation: {text}"))
        context.add_init_script(VIOLATION_LISTENER)
        page = context.new_page()
        page.on("pageerror", lambda exc: page_problems.append(f"pageerror: {exc}"))
        page.on("dialog", lambda d: (page_problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and _is_policy_message(m.text)
                and page_problems.append(f"console: {m.text}")
            ),
        )
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    if page_problems:
        pytest.fail("the page reported: " + "; ".join(page_problems))


def _is_policy_message(text: str) -> bool:
    """Chromium's console note of a blocked script, style or Trusted Types sink
    (a 409 page's "Failed to load resource" is an answer, not a problem)."""
    return "Content Security Policy" in text or "Trusted Type" in text


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
