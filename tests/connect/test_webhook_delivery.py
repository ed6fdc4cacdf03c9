"""Webhooks end to end with real parts: events recorded with a change reach
a real HTTP receiver on loopback, signed per Standard Webhooks (checked with
the README's example receiver), retried on the published schedule, held
while the receiver is down, and the endpoint disabled when it says 410."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from redis import Redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import now
from crm_core.db import transaction
from crm_core.events.models import OutboxEvent
from crm_core.models import Role
from crm_core.notifications.models import MailState, OutboxMail
from crm_core.prospects.services import create_prospect
from crm_core.settings import Settings
from crm_core.webhooks.models import DeliveryState, WebhookEndpoint
from tests.connect.conftest import Receiver
from tests.connect.factories import add_endpoint, add_user, attempts, deliveries, endpoint
from worker.enqueueing import wake_dispatcher


def new_prospect(factory: sessionmaker[Session], redis: Redis, name: str = "Ana", **values: Any) -> int:
    admin = add_user(factory, f"boss-{name.lower()}@example.com")
    with transaction(factory) as session:
        prospect = create_prospect(session, admin, {"name": name, **values})
    wake_dispatcher(redis)  # what the web app's and the worker's after-commit hook do
    return prospect.id


def test_an_event_reaches_the_receiver_signed_with_names_expanded(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    endpoint_id, secret = add_endpoint(session_factory, connect_settings, receiver.url)
    receiver.secret = secret
    prospect_id = new_prospect(session_factory, redis, "Ana <b>Popescu</b>", email="ana@example.ro")
    pump(lambda: len(receiver.requests) == 1)
    [request] = receiver.requests
    assert request.verified, "the example receiver must accept the signature"
    with session_factory() as session:
        [event] = session.scalars(select(OutboxEvent))
        assert event.dispatched_at is not None
    assert request.headers["webhook-id"] == event.event_id
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.body)
    assert body["type"] == "prospect.created" and body["id"] == event.event_id and body["version"] == 1
    prospect = body["data"]["prospect"]
    assert prospect["id"] == prospect_id and prospect["name"] == "Ana <b>Popescu</b>"
    assert prospect["status"]["name"] == "New"
    [delivery] = deliveries(session_factory)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1
    [attempt] = attempts(session_factory)
    assert attempt.status == 200 and attempt.endpoint_id == endpoint_id and attempt.response_excerpt == "ok"


def test_a_500_is_retried_after_five_seconds_with_the_same_id(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    _, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    receiver.answers = [(500, {}, b"database is down")]
    new_prospect(session_factory, redis)
    pump(lambda: len(receiver.requests) == 2, timeout=30)
    first, second = receiver.requests
    assert first.verified and second.verified
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    log = attempts(session_factory)
    assert [(a.attempt, a.status) for a in log] == [(1, 500), (2, 200)]
    assert log[0].response_excerpt == "database is down"
    assert log[0].retry_at is not None
    assert timedelta(seconds=4) <= log[1].attempted_at - log[0].attempted_at < timedelta(seconds=30)
    assert deliveries(session_factory)[0].state == DeliveryState.DELIVERED


def test_a_stopped_receiver_loses_nothing(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    _, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    receiver.stop()
    for name in ("One", "Two", "Three"):
        new_prospect(session_factory, redis, name)
    # Every delivery was tried against the closed port and waits for its retry.
    pump(
        lambda: (
            all(d.attempts == 1 and d.state == DeliveryState.PENDING for d in deliveries(session_factory))
            and len(deliveries(session_factory)) == 3
        )
    )
    assert all(a.status is None and a.error for a in attempts(session_factory))
    receiver.start()  # back on the same port
    pump(lambda: all(d.state == DeliveryState.DELIVERED for d in deliveries(session_factory)), timeout=30)
    names = sorted(json.loads(r.body)["data"]["prospect"]["name"] for r in receiver.requests)
    assert names == ["One", "Three", "Two"]
    assert all(r.verified for r in receiver.requests)


def test_410_disables_the_endpoint_and_tells_the_admins(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    add_user(session_factory, "admin@example.com", language="ro")
    add_user(session_factory, "sam@example.com", role=Role.SALES)
    endpoint_id, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    receiver.answers = [410]
    new_prospect(session_factory, redis)
    pump(lambda: not endpoint(session_factory, endpoint_id).active)
    gone = endpoint(session_factory, endpoint_id)
    assert gone.disabled_reason == "the endpoint answered 410 Gone"
    assert deliveries(session_factory)[0].state == DeliveryState.FAILED
    with session_factory() as session:
        mails = list(session.scalars(select(OutboxMail).where(OutboxMail.kind == "webhook_disabled")))
    # Both admins (the one new_prospect made, and ours in Romanian); not the sales user.
    assert sorted(m.recipient for m in mails) == ["admin@example.com", "boss-ana@example.com"]
    romanian = next(m for m in mails if m.recipient == "admin@example.com")
    assert romanian.subject == f"Endpoint webhook dezactivat: {receiver.url}"
    assert f"https://leads.example.com/admin/webhooks/{endpoint_id}" in romanian.text
    assert romanian.state == MailState.HELD  # no SMTP server configured: kept for the Outbox page
    # Later events are not sent to a disabled endpoint.
    new_prospect(session_factory, redis, "Later")
    pump(lambda: True)
    assert len(receiver.requests) == 1


def test_five_days_of_failures_disable_the_endpoint(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    endpoint_id, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    with transaction(session_factory) as session:
        session.execute(update(WebhookEndpoint).values(failing_since=now() - timedelta(days=5, minutes=1)))
    receiver.answers = [503]
    new_prospect(session_factory, redis)
    pump(lambda: not endpoint(session_factory, endpoint_id).active)
    assert "5 days" in endpoint(session_factory, endpoint_id).disabled_reason
    [delivery] = deliveries(session_factory)
    assert delivery.state == DeliveryState.PENDING  # kept: sent when the endpoint is switched on again


def test_retry_after_is_honoured(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    _, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    receiver.answers = [(429, {"Retry-After": "600"}, b"slow down")]
    new_prospect(session_factory, redis)
    pump(lambda: len(attempts(session_factory)) == 1)
    [attempt] = attempts(session_factory)
    assert attempt.status == 429 and attempt.retry_at is not None
    assert timedelta(seconds=590) < attempt.retry_at - attempt.attempted_at <= timedelta(seconds=601)


def test_a_redirect_is_not_followed(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    elsewhere = Receiver().start()
    try:
        _, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
        receiver.answers = [(302, {"Location": elsewhere.url}, b"")]
        new_prospect(session_factory, redis)
        pump(
            lambda: (
                deliveries(session_factory)[0].state == DeliveryState.FAILED
                if deliveries(session_factory)
                else False
            )
        )
        assert len(receiver.requests) == 1 and elsewhere.requests == []
        assert [a.status for a in attempts(session_factory)] == [302]
    finally:
        elsewhere.stop()
