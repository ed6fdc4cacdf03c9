"""Browser fixtures for the prospect card: Debian's chromium through
Playwright, on SQLite only (the database is not what these tests exercise),
and pages that record every Content-Security-Policy violation, page error and
console error so a test can fail on any."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import ARTIFACTS, _engine_factory, database_url, launch_chromium  # noqa: F401

# Runs in every document before its own scripts: report each CSP violation to
# the test (through the binding) and keep it on the page (for waiting on it).
_RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const what = `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`;
  window.__csp.push(what);
  window.__reportViolation(what);
});
"""


@dataclass
class Problems:
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped, so it is closed before another directory's Playwright starts."""
    yield from launch_chromium()


@pytest.fixture
def open_context(browser: Any) -> Iterator[Callable[..., tuple[Any, Problems]]]:
    """``context, problems = open_context(width, height)``: a fresh browser
    context whose pages record CSP violations, page errors and console errors."""
    contexts: list[Any] = []

    def make(width: int = 1440, height: int = 900) -> tuple[Any, Problems]:
        problems = Problems()
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        context.expose_binding("__reportViolation", lambda _source, what: problems.violations.append(what))
        context.add_init_script(_RECORD_VIOLATIONS)

        def on_page(page: Any) -> None:
            page.on("pageerror", lambda exc: problems.errors.append(f"pageerror: {exc}"))
            page.on("dialog", lambda d: (problems.errors.append(f"dialog: {d.message}"), d.dismiss()))
            page.on(
                "console",
                lambda msg: (
                    msg.type == "error"
                    and "favicon" not in msg.text
                    and problems.errors.append(f"console: {msg.text}")
                ),
            )

        context.on("page", on_page)
        contexts.append(context)
        return context, problems

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
