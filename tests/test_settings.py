"""One ``Settings`` for every entry point, each asking only for what it needs,
and refusing unsafe or malformed values in plain words at start-up."""

from __future__ import annotations

import pytest

from crm_core.settings import WORKER_NEEDS, Settings, SettingsError

BASE = {"DATABASE_URL": "sqlite://", "REDIS_URL": "redis://localhost/0", "SECRET_KEY": "k" * 40}


def test_the_web_app_needs_the_secret_key_and_the_worker_does_not() -> None:
    no_secret = {k: v for k, v in BASE.items() if k != "SECRET_KEY"}
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env(no_secret)
    worker = Settings.from_env(no_secret, needs=WORKER_NEEDS)
    assert worker.database_url == "sqlite://" and worker.redis_url == "redis://localhost/0"


def test_weak_secret_and_malformed_numbers_are_refused_in_plain_words() -> None:
    with pytest.raises(SettingsError, match="shorter than 32"):
        Settings.from_env({**BASE, "SECRET_KEY": "changeme"})
    with pytest.raises(SettingsError, match="not a number"):
        Settings.from_env({**BASE, "MAX_BODY_BYTES": "lots"})
    with pytest.raises(SettingsError, match="20/60"):
        Settings.from_env({**BASE, "RATE_LIMIT_PER_IP": "twenty"})
    assert Settings.from_env({**BASE, "DEMO_PAGES": "1"}).demo_pages
