"""Spam and abuse defences on the submission endpoint: honeypot, signed render
timestamps, Redis rate limits behind a trusted number of proxies."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from itsdangerous import TimestampSigner
from rq import Queue

from capture.app import create_app
from worker.queues import SUBMISSIONS

JSON = {"Accept": "application/json"}
ORIGIN = {"Origin": "https://example.com", **JSON}
VISITOR = {"name": "Ana", "email": "ana@example.com"}


def queued(redis) -> int:  # type: ignore[no-untyped-def]
    return Queue(SUBMISSIONS, connection=redis).count


def token_signed_at(app, key: str, seconds_ago: float) -> str:  # type: ignore[no-untyped-def]
    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - seconds_ago)

    return Backdated(app.config["SECRET_KEY"], salt="leadcapture.render").sign(key).decode()


@pytest.fixture
def strict_app(settings):  # type: ignore[no-untyped-def]
    app = create_app(replace(settings, require_render_token=True, rate_limit_ip="3/60", trusted_proxy_hops=1))
    yield app
    app.extensions["lc_redis"].close()
    app.extensions["lc_engine"].dispose()


def test_a_fresh_token_from_the_definition_is_accepted_after_a_human_pause(strict_app, make_form, redis):
    form = make_form()
    client = strict_app.test_client()
    token = client.get(f"/f/{form['key']}.json").headers["X-LC-Token"]
    too_fast = client.post(f"/f/{form['key']}", data={**VISITOR, "_lc_ts": token}, headers=ORIGIN)
    assert too_fast.status_code == 202  # answered like a success …
    assert queued(redis) == 0  # … but not queued: kept for review instead
    [entry] = [json.loads(e) for e in redis.lrange(f"lc:spam:{form['key']}", 0, -1)]
    assert entry["reason"] == "implausible render time"
    assert entry["payload"]["values"]["email"] == "ana@example.com"

    human = token_signed_at(strict_app, form["key"], seconds_ago=20)
    assert (
        client.post(f"/f/{form['key']}", data={**VISITOR, "_lc_ts": human}, headers=ORIGIN).status_code == 202
    )
    assert queued(redis) == 1


@pytest.mark.parametrize(
    "token",
    [
        "missing",
        "tampered",
        "other-form",
        "older-than-a-day",
    ],
)
def test_bad_render_tokens_are_flagged_as_spam(strict_app, make_form, redis, token):
    form = make_form()
    tokens = {
        "missing": None,
        "tampered": token_signed_at(strict_app, form["key"], 60)[:-2] + "xx",
        "other-form": token_signed_at(strict_app, "someotherkey", 60),
        "older-than-a-day": token_signed_at(strict_app, form["key"], 25 * 3600),
    }
    data = dict(VISITOR)
    if tokens[token]:
        data["_lc_ts"] = tokens[token]
    response = strict_app.test_client().post(f"/f/{form['key']}", data=data, headers=ORIGIN)
    assert response.status_code == 202
    assert response.json["message"]
    assert queued(redis) == 0
    assert redis.get("lc:stats:spam") == b"1"
    assert redis.llen(f"lc:spam:{form['key']}") == 1


def test_rate_limit_per_ip_with_retry_after(strict_app, make_form, redis):
    form = make_form()
    client = strict_app.test_client()
    human = token_signed_at(strict_app, form["key"], 30)

    def post(forwarded_for: str) -> int:
        response = client.post(
            f"/f/{form['key']}",
            data={**VISITOR, "_lc_ts": human},
            headers={**ORIGIN, "X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the one trusted proxy
        )
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert "Too many submissions" in response.json["error"]
        return response.status_code

    # The visitor forges a different X-Forwarded-For each time; the proxy appends
    # the real address, and only that last hop is trusted.
    statuses = [post(f"{i}.{i}.{i}.{i}, 203.0.113.7") for i in range(1, 6)]
    assert statuses == [202, 202, 202, 429, 429]
    assert post("198.51.100.9") == 202  # another visitor is not affected
    assert queued(redis) == 4


def test_per_form_and_global_ceilings(settings, make_form, redis):
    app = create_app(replace(settings, rate_limit_form="2/60", rate_limit_global="3/60"))
    client = app.test_client()
    a, b = make_form(), make_form(name="B")

    def post(key: str, ip: str) -> int:
        return client.post(
            f"/f/{key}", data=VISITOR, headers=ORIGIN, environ_base={"REMOTE_ADDR": ip}
        ).status_code

    assert [post(a["key"], f"192.0.2.{i}") for i in range(3)] == [202, 202, 429]  # per form
    assert post(b["key"], "192.0.2.50") == 202
    assert post(b["key"], "192.0.2.51") == 429  # global ceiling (3 accepted in all)
    app.extensions["lc_redis"].close()
    app.extensions["lc_engine"].dispose()


def test_standalone_page_carries_a_render_token(strict_app, make_form):
    form = make_form()
    page = strict_app.test_client().get(f"/f/{form['key']}").get_data(as_text=True)
    assert 'name="_lc_ts" value="' in page
