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


def test_the_environment_of_a_settings_reads_back_as_the_same_settings() -> None:
    """How `leadcapture serve` hands its one Settings to the web app and the worker."""
    serve = Settings(
        database_url="sqlite:////tmp/lc.db",
        redis_url="unix:///tmp/redis.sock?db=0",
        secret_key="s" * 48,
        public_base_url="http://127.0.0.1:5000",
        environment="development",
        max_body_bytes=1000,
        trusted_proxy_hops=1,
        redis_timeout=0.5,
        demo_pages=True,
        rate_limit_ip="5/10",
        rate_limit_form="50/10",
        rate_limit_global="500/10",
        spam_min_seconds=2.5,
        require_render_token=False,
        time_zone="Europe/Bucharest",
        default_currency="RON",
        log_submissions=True,
    )
    assert Settings.from_env(serve.environ()) == serve
    assert Settings.from_env(
        Settings(database_url="sqlite://", redis_url="r", secret_key="k" * 40).environ()
    ) == (Settings(database_url="sqlite://", redis_url="r", secret_key="k" * 40))
