"""What every browser test directory shares: Debian's chromium through
Playwright, and a SQLite-only database (the database is not what browser tests
exercise). Conftests import these fixtures by name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import make_engine, make_session_factory
from crm_core.migrate import upgrade
from tests.availability import missing

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
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def require_chromium() -> str:
    """Debian's chromium binary (Playwright never downloads a browser here)."""
    if not Path(CHROMIUM).exists():
        missing(f"no chromium at {CHROMIUM} (apt-get install chromium, or set LEADCAPTURE_CHROMIUM)")
    return CHROMIUM


def launch_chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed (pip install -e '.[test]')")
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Overrides the sqlite/postgres parametrised fixture: SQLite only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-sqlite') / 'leadcapture.db'}"
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def _engine_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Overridden together with ``database_url``: pytest caches the parent's
    session-scoped engine under one key whichever ``database_url`` built it, so
    without its own copy a browser directory and the rest of the suite would
    share one engine pointed at the wrong database."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()
