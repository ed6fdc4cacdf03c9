"""Browser fixtures for the API's docs page: Debian's chromium through
Playwright, on SQLite only (the database is not what these tests exercise)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.chromium import _engine_factory, database_url, launch_chromium  # noqa: F401


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()
