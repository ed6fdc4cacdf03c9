"""Browser fixtures for the task pages: Debian's chromium through Playwright,
on SQLite only (the database is not what these tests exercise)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.chromium import _engine_factory, database_url, launch_chromium  # noqa: F401


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped, so it is closed before another directory's Playwright starts."""
    yield from launch_chromium()
