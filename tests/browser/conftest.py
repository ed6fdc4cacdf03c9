"""Browser fixtures: Debian's chromium driven by Playwright against the real
capture app (``live_server``) and host pages on a second origin (``host_site``),
served with the Content-Security-Policy a careful real site sends.

Every page fails its test on any CSP or Trusted Types violation.

Browser tests run on SQLite only: the database is not what they exercise."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.models import Prospect
from crm_core.settings import Settings
from tests.browser.policies import strict_csp
from tests.chromium import ARTIFACTS, _engine_factory, database_url, launch_chromium  # noqa: F401
from tests.conftest import LiveServer

# Runs in every document before its own scripts. securitypolicyviolation events
# bubble and are composed (they leave shadow roots), so one capturing listener
# on the document sees the page's and every shadow root's; the console message
# Chromium also prints is a second net (page.on("console") below).
VIOLATION_LISTENER = """
document.addEventListener('securitypolicyviolation', e => window.__lcViolation(
  [e.effectiveDirective, e.blockedURI, JSON.stringify(e.sample), e.sourceFile + ':' + e.lineNumber].join(' ')
), true);
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API allows one running instance, and
    another directory's browser tests may come next."""
    yield from launch_chromium()


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context per test. Fails the test on any uncaught page error or
    dialog (an ``alert`` from visitor text would be one); screenshots a failure."""
    context = browser.new_context(viewport={"width": 1000, "height": 1200})
    context.set_default_timeout(10_000)
    problems: list[str] = request.getfixturevalue("page_problems")
    context.expose_function("__lcViolation", lambda text: problems.append(f"CSP violation: {text}"))
    context.add_init_script(VIOLATION_LISTENER)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on(
        "console",
        lambda m: m.type == "error" and _is_policy_message(m.text) and problems.append(f"console: {m.text}"),
    )
    yield page
    if request.node.stash.get(_CALL_FAILED, False):
        _save_screenshot(page, f"FAILED-{request.node.name}")
    context.close()
    if problems:
        pytest.fail("the page reported: " + "; ".join(problems))


@pytest.fixture
def page_problems() -> list[str]:
    """What the ``page`` fixture fails the test on (page errors, dialogs, CSP and
    Trusted Types violations). A test that provokes one on purpose reads and
    clears this list."""
    return []


def _is_policy_message(text: str) -> bool:
    return "Content Security Policy" in text or "Trusted Type" in text


def _save_screenshot(page: Any, name: str, **options: Any) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name)}.png"
    try:
        page.screenshot(path=str(path), **options)
    except Exception as exc:  # an artifact must never hide the real failure
        print(f"screenshot {path} failed: {exc}")
    return path


HostSite = Callable[..., str]


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    """A second origin (localhost:<other port>) serving files written by the test,
    with the headers the test gives: ``url = host_site(name, body, headers=None)``.
    The content type follows the name (``.html``, ``.js``, ``.css``)."""
    files: dict[str, tuple[bytes, list[tuple[str, str]]]] = {}

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        found = files.get(environ["PATH_INFO"].lstrip("/"))
        if found is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", found[1])
        return [found[0]]

    with LiveServer(wsgi, host="localhost") as server:

        def add(name: str, body: str, headers: dict[str, str] | None = None) -> str:
            kind = mimetypes.guess_type(name)[0] or "text/html"
            sent = [("Content-Type", f"{kind}; charset=utf-8"), ("Cache-Control", "no-store")]
            files[name] = (body.encode(), [*sent, *(headers or {}).items()])
            return f"{server.url}/{name}"

        yield add


@pytest.fixture
def host_csp(live_server: Any) -> str:
    """``strict_csp`` for our live server: what ``host_page`` sends by default."""
    return strict_csp(live_server.url)


@pytest.fixture
def allowed_host(host_site: HostSite) -> str:
    """``localhost:<port>`` of the host site: what a form's allowed domains need."""
    return urlsplit(host_site("index.html", "")).netloc


HostPage = Callable[..., str]


@pytest.fixture
def host_page(host_site: HostSite, live_server: Any, host_csp: str) -> HostPage:
    """Serve a host page that loads the real embed.js (unless ``script=False``)
    under ``host_csp`` (or ``csp=...``; ``csp=None`` sends none); returns its URL:
    ``host_page(body, head="", name="page.html")``. Inline script or style is
    refused under that policy: serve them as files with ``host_site``."""

    def add(
        body: str, head: str = "", name: str = "page.html", script: bool = True, csp: str | None = host_csp
    ) -> str:
        tag = f'<script src="{live_server.url}/embed.js" async></script>' if script else ""
        html = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>{head}</head>'
            f"<body><h1>Acme</h1>{body}{tag}</body></html>"
        )
        return host_site(name, html, {"Content-Security-Policy": csp} if csp else None)

    return add


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page_or_locator, name)`` → test-artifacts/<name>.png (git-ignored)."""
    return _save_screenshot


@pytest.fixture
def prospects(db: Session) -> Callable[[], list[Prospect]]:
    """Every prospect in the database, oldest first, read afresh."""

    def read() -> list[Prospect]:
        db.expire_all()
        return list(db.scalars(select(Prospect).order_by(Prospect.id)).unique())

    return read


@pytest.fixture
def host_form(make_form: Callable[..., dict[str, Any]], allowed_host: str) -> Callable[..., dict[str, Any]]:
    """``make_form`` with the host site's origin on the allowed list."""

    def factory(**overrides: Any) -> dict[str, Any]:
        return make_form(**{"allowed_domains": [allowed_host], **overrides})

    return factory


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The real service, with two changes: a submission without a valid render
    token is spam (so every test proves the snippet sends one), and the minimum
    fill time is zero (a robot types faster than the 3 s a person needs)."""
    return replace(settings, spam_min_seconds=0, require_render_token=True)
