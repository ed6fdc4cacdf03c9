"""Each token has its own request budget per window (``API_RATE_LIMIT``),
counted in Redis; over it: 429 with ``Retry-After``."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from redis import Redis

from capture import redis_keys
from capture.api.rate_limit import count_request
from crm_core.models import Role
from crm_core.settings import Settings, SettingsError
from tests.api.conftest import ApiClient, ClientFactory, assert_problem


def test_over_the_limit_is_a_429_with_retry_after_per_token(app: Flask, api_as: ClientFactory) -> None:
    app.config["LC_SETTINGS"] = replace(app.config["LC_SETTINGS"], api_rate_limit="3/60")
    busy, other = api_as(Role.ADMIN), api_as(Role.ADMIN)
    assert [busy.get("/api/v1/users/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/api/v1/users/me")
    body = assert_problem(refused, 429, "rate-limited")
    assert "3 requests in 60 seconds" in body["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert other.get("/api/v1/users/me").status_code == 200  # another token has its own budget


def test_the_window_rolls_over(redis: Redis) -> None:
    assert count_request(redis, 7, 2, 60, now=120.0).allowed
    assert count_request(redis, 7, 2, 60, now=150.0).allowed
    late = count_request(redis, 7, 2, 60, now=179.5)
    assert not late.allowed and late.retry_after == 1
    assert count_request(redis, 7, 2, 60, now=180.0).allowed  # the next window
    assert redis.ttl(redis_keys.api_requests(7, 3)) > 0  # windows expire on their own


def test_a_malformed_setting_is_refused_at_start() -> None:
    try:
        Settings.from_env({"DATABASE_URL": "sqlite://", "API_RATE_LIMIT": "lots"}, needs=("DATABASE_URL",))
    except SettingsError as exc:
        assert "API token" in str(exc)
    else:
        raise AssertionError("API_RATE_LIMIT=lots was accepted")


def test_redis_down_is_a_503_not_a_500(
    app: Flask, admin_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    monkeypatch.setitem(app.extensions, "lc_redis", dead)
    answer = admin_api.get("/api/v1/users/me")
    dead.close()
    assert_problem(answer, 503, "unavailable")
    assert answer.headers["Retry-After"] == "1"
