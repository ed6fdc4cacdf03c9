"""Browser fixtures: Debian's chromium driven by Playwright against the real
capture app (``live_server``) and host pages on a second origin (``host_site``).

Browser tests run on SQLite only: the database is not what they exercise."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from capture.settings import Settings
from crm_core.db import make_engine, make_session_factory
from crm_core.migrate import upgrade
from crm_core.models import Prospect

CHROMIUM = os.environ.get("LEADCAPTURE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Overrides the sqlite/postgres parametrised fixture: SQLite only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'leadcapture.db'}"
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def _engine_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Overridden together with ``database_url``: pytest caches the parent's
    session-scoped engine under the same key whichever ``database_url`` built it,
    so without its own copy this directory and the rest of the suite would share
    one engine pointed at the wrong database."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _unavailable(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium, or set LEADCAPTURE_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
