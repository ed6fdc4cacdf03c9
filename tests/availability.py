"""What the suite needs from the machine besides Python packages.

On a developer machine a missing server or tool skips the tests that need it.
In CI, where ``.ci/run`` installs and starts all of them, it fails those tests
instead, so CI can never pass by skipping."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("LEADCAPTURE_TEST_POSTGRES_URL")


def missing(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"{reason}; CI must provide it (see .ci/run)")
    pytest.skip(reason)


def postgres_url() -> str:
    """A PostgreSQL login that may ``CREATE DATABASE``."""
    if not POSTGRES_URL:
        missing("PostgreSQL tests need LEADCAPTURE_TEST_POSTGRES_URL (a login that may CREATE DATABASE)")
    return POSTGRES_URL
