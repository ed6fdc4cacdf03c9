"""Browser fixtures for the admin: Debian's chromium through Playwright, on
SQLite only (the database is not what these tests exercise)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import make_engine, make_session_factory
from crm_core.migrate import upgrade

CHROMIUM = os.environ.get("LEADCAPTURE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Overrides the sqlite/postgres parametrised fixture: SQLite only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('admin-browser') / 'leadcapture.db'}"
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def _engine_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Overridden with ``database_url``: the parent's session-scoped engine is
    cached under one key whichever database built it."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped, so it is closed before another directory's Playwright starts."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium, or set LEADCAPTURE_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
