"""Browser fixtures: Debian's chromium driven by Playwright against the real
capture app (``live_server``) and host pages on a second origin (``host_site``).

Browser tests run on SQLite only: the database is not what they exercise."""

from __future__ import annotations

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
from tests.chromium import ARTIFACTS, _engine_factory, database_url, launch_chromium  # noqa: F401


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
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    if request.node.stash.get(_CALL_FAILED, False):
        _save_screenshot(page, f"FAILED-{request.node.name}")
    context.close()
    if problems:
        pytest.fail("the page reported: " + "; ".join(problems))


def _save_screenshot(page: Any, name: str, **options: Any) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name)}.png"
    try:
        page.screenshot(path=str(path), **options)
    except Exception as exc:  # an artifact must never hide the real failure
        print(f"screenshot {path} failed: {exc}")
    return path


@pytest.fixture
def allowed_host(host_site: Callable[[str, str], str]) -> str:
    """``localhost:<port>`` of the host site: what a form's allowed domains need."""
    return urlsplit(host_site("index.html", "")).netloc


HostPage = Callable[..., str]


@pytest.fixture
def host_page(host_site: Callable[[str, str], str], live_server: Any) -> HostPage:
    """Serve a host page that loads the real embed.js (unless ``script=False``);
    returns its URL: ``host_page(body, head="", name="page.html")``."""

    def add(body: str, head: str = "", name: str = "page.html", script: bool = True) -> str:
        tag = f'<script src="{live_server.url}/embed.js" async></script>' if script else ""
        html = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>{head}</head>'
            f"<body><h1>Acme</h1>{body}{tag}</body></html>"
        )
        return host_site(name, html)

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
