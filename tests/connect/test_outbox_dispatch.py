"""The outbox's promises: each event makes its deliveries and mails exactly
once; an event whose wake-up was lost (process died after its commit) is
dispatched by the minute sweep; a delivery whose worker died mid-send goes
out again under the same ``webhook-id``; quarantined spam reaches webhooks
without database work on the submit path; secrets are encrypted at rest and
rotatable; old rows are purged."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import now
from crm_core.db import transaction
from crm_core.events.dispatch import dispatch_pending
from crm_core.events.models import OutboxEvent
from crm_core.notifications.services import MailContext
from crm_core.prospects.services import create_prospect
from crm_core.settings import Settings
from crm_core.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from crm_core.webhooks.secret_box import SecretBox, SecretUnreadable
from crm_core.webhooks.services import claim_delivery, rotate_secret
from tests.connect.conftest import Receiver
from tests.connect.factories import add_endpoint, add_user, attempts, deliveries
from worker import outbound
from worker.enqueueing import DISPATCH_QUEUED_KEY
from worker.queues import OUTBOUND
from worker.sweep import purge_outbox, sweep

MAILS = MailContext(base_url="https://leads.example.com", smtp_configured=False)


def record(factory: sessionmaker[Session], n: int = 1) -> None:
    admin = add_user(factory, f"a{now().timestamp()}@example.com")
    with transaction(factory) as session:
        for i in range(n):
            create_prospect(session, admin, {"name": f"P{i}"})


def test_each_event_is_dispatched_once(
    session_factory: sessionmaker[Session], connect_settings: Settings
) -> None:
    wanting, _ = add_endpoint(session_factory, connect_settings, "https://93.184.216.34/a")
    add_endpoint(session_factory, connect_settings, "https://93.184.216.34/b", ["task.created"])
    record(session_factory, 3)
    with transaction(session_factory) as session:
        first = dispatch_pending(session, MAILS, ZoneInfo("UTC"))
    with transaction(session_factory) as session:
        second = dispatch_pending(session, MAILS, ZoneInfo("UTC"))
    assert (first.events, len(first.deliveries), second.events, second.deliveries) == (3, 3, 0, [])
    assert {d.endpoint_id for d in deliveries(session_factory)} == {wanting}
    assert len({d.event_id for d in deliveries(session_factory)}) == 3


def test_a_rolled_back_dispatch_hands_nothing_out(
    session_factory: sessionmaker[Session], connect_settings: Settings
) -> None:
    add_endpoint(session_factory, connect_settings, "https://93.184.216.34/a")
    record(session_factory)
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        dispatch_pending(session, MAILS, ZoneInfo("UTC"))
        raise RuntimeError("the worker died")
    assert deliveries(session_factory) == []
    with transaction(session_factory) as session:
        assert dispatch_pending(session, MAILS, ZoneInfo("UTC")).events == 1
    assert len(deliveries(session_factory)) == 1


def test_a_lost_wake_up_is_covered_by_the_sweep(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    _, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    record(session_factory, 2)
    # The process died between the commit and the enqueue: no dispatch job is waiting.
    Queue(OUTBOUND, connection=redis).empty()
    redis.delete(DISPATCH_QUEUED_KEY)
    summary = sweep(redis)
    assert summary["dispatched"] == 2
    pump(lambda: len(receiver.requests) == 2)
    assert all(r.verified for r in receiver.requests)


def test_a_delivery_whose_worker_died_mid_send_goes_again_with_the_same_id(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    _, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    record(session_factory)
    with transaction(session_factory) as session:
        dispatch_pending(session, MAILS, ZoneInfo("UTC"))
    # A worker claimed it, posted it (the receiver got it), and was killed before recording.
    with transaction(session_factory) as session:
        claimed = claim_delivery(session, deliveries(session_factory)[0].id)
    assert claimed is not None
    from crm_core.webhooks.signing import headers

    body = claimed.body.encode()
    outbound.current().transport.post(
        claimed.url, body, headers(receiver.secret, claimed.event_id, int(now().timestamp()), body)
    )
    assert sweep(redis)["released"] == 0  # still leased: another worker may be on it
    with transaction(session_factory) as session:
        session.execute(update(WebhookDelivery).values(lease_until=now() - timedelta(seconds=1)))
    assert sweep(redis)["released"] == 1
    pump(lambda: deliveries(session_factory)[0].state == DeliveryState.DELIVERED)
    first, again = receiver.requests
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == claimed.event_id
    assert first.body == again.body and again.verified
    assert [a.attempt for a in attempts(session_factory)] == [2]  # the first attempt left no record


def test_quarantined_spam_reaches_webhooks_without_database_work_on_submit(
    app: Any,
    make_form: Callable[..., dict[str, Any]],
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    from dataclasses import replace

    _, receiver.secret = add_endpoint(
        session_factory, connect_settings, receiver.url, ["submission.quarantined"]
    )
    form = make_form()
    app.config["LC_SETTINGS"] = replace(app.config["LC_SETTINGS"], require_render_token=True)
    engine = app.extensions["lc_engine"]
    before = engine.pool.checkedout() if hasattr(engine.pool, "checkedout") else 0
    response = app.test_client().post(
        f"/f/{form['key']}",
        data={"name": "Bot <b>Maybe</b>", "email": "bot@example.com"},
        headers={"Origin": "https://example.com", "Accept": "application/json"},
    )
    assert response.status_code == 202
    with session_factory() as session:
        assert session.scalar(select(func.count(OutboxEvent.id))) == 0  # nothing written by the request
    assert before == (engine.pool.checkedout() if hasattr(engine.pool, "checkedout") else 0)
    pump(lambda: len(receiver.requests) == 1)
    event = json.loads(receiver.requests[0].body)
    assert event["type"] == "submission.quarantined"
    assert event["data"]["reason"] == "no render token"
    assert event["data"]["values"]["name"] == "Bot <b>Maybe</b>"
    assert event["data"]["form"] == {"id": form["form_id"], "name": "Contact us"}
    # Recording it again (a retried job) makes no second event.
    from worker.dispatching import record_quarantined

    with session_factory() as session:
        data = session.scalars(select(OutboxEvent)).one().data
    assert record_quarantined(data) is False


def test_secrets_are_encrypted_at_rest_and_rotation_changes_the_signature(
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
    redis: Redis,
    pump: Callable[..., None],
) -> None:
    endpoint_id, old = add_endpoint(session_factory, connect_settings, receiver.url)
    with session_factory() as session:
        stored = session.get(WebhookEndpoint, endpoint_id)
        assert (
            stored is not None
            and old not in stored.secret_encrypted
            and "whsec_" not in stored.secret_encrypted
        )
        with pytest.raises(SecretUnreadable):
            SecretBox("another-secret-key-of-enough-length-0123456789").open(stored.secret_encrypted)
    with transaction(session_factory) as session:
        new = rotate_secret(session, SecretBox(connect_settings.secret_key), endpoint_id)
    assert new != old and new.startswith("whsec_")
    receiver.secret = new
    record(session_factory)
    sweep(redis)
    pump(lambda: len(receiver.requests) == 1)
    assert receiver.requests[0].verified
    receiver.secret = old
    from tests.connect.conftest import receiver_example

    with pytest.raises(receiver_example.InvalidSignature):
        r = receiver.requests[0]
        receiver_example.verify(old, r.headers, r.body)


def test_the_daily_purge_keeps_what_is_recent(
    session_factory: sessionmaker[Session], connect_settings: Settings, worker_outbound: Any
) -> None:
    add_endpoint(session_factory, connect_settings, "https://93.184.216.34/a")
    record(session_factory, 2)
    with transaction(session_factory) as session:
        dispatch_pending(session, MAILS, ZoneInfo("UTC"))
        old = now() - timedelta(days=40)
        first_event = session.scalar(select(func.min(OutboxEvent.id)))
        session.execute(update(OutboxEvent).where(OutboxEvent.id == first_event).values(dispatched_at=old))
        first_delivery = session.scalar(select(func.min(WebhookDelivery.id)))
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == first_delivery)
            .values(state=DeliveryState.DELIVERED, finished_at=old)
        )
    assert purge_outbox() == {"events": 1, "deliveries": 1, "mails": 0}
    with session_factory() as session:
        assert session.scalar(select(func.count(OutboxEvent.id))) == 1
    assert len(deliveries(session_factory)) == 1
