"""Kill the worker tree in the middle of a delivery, restart it: every event
still reaches the receiver, each endpoint gets one delivery per event, and
the only repeat a receiver sees is the request that was in flight when the
worker died — under the same ``webhook-id``, so it can drop it."""

from __future__ import annotations

import collections
import os
import signal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.prospects.services import create_prospect
from crm_core.settings import Settings
from crm_core.webhooks.models import DeliveryState
from tests.connect.conftest import Receiver
from tests.connect.factories import add_endpoint, add_user, deliveries
from tests.faults import start_worker, wait_until
from tests.processes import stop_tree

pytestmark = pytest.mark.faults

EVENTS = 20


def test_killing_the_worker_mid_delivery_loses_and_duplicates_nothing(
    tmp_path: Path,
    database_url: str,
    redis_url: str,
    session_factory: sessionmaker[Session],
    connect_settings: Settings,
    receiver: Receiver,
) -> None:
    _, receiver.secret = add_endpoint(session_factory, connect_settings, receiver.url)
    admin = add_user(session_factory, "admin@example.com")
    with transaction(session_factory) as session:
        for n in range(EVENTS):
            create_prospect(session, admin, {"name": f"Lead {n}"})
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": connect_settings.secret_key,
        "LEADCAPTURE_ENV": "test",
        "WEBHOOK_ALLOWED_TARGETS": "127.0.0.1/32",
    }
    log = tmp_path / "worker.log"
    receiver.slow = 2.0  # so the kill lands while a request waits for its answer
    worker = start_worker(env, log)  # nobody woke the dispatcher: its first sweep finds the events
    try:
        wait_until(lambda: len(receiver.requests) >= 3, 150, 0.05)
        os.killpg(worker.pid, signal.SIGKILL)  # the whole tree, mid-request
        worker.wait()
    finally:
        stop_tree(worker)
    in_flight = receiver.requests[-1].headers["webhook-id"]
    receiver.slow = 0.0
    worker = start_worker(env, log)
    try:
        wait_until(
            lambda: (
                len(deliveries(session_factory)) == EVENTS
                and all(d.state == DeliveryState.DELIVERED for d in deliveries(session_factory))
            ),
            240,
        )
    finally:
        stop_tree(worker)
    received = collections.Counter(receiver.event_ids())
    assert len(received) == EVENTS, "every event reached the receiver"
    repeats = {event_id for event_id, n in received.items() if n > 1}
    assert repeats == {in_flight}, "only the request in flight when the worker died came twice"
    assert all(r.verified for r in receiver.requests)
    print(f"{len(receiver.requests)} requests for {EVENTS} events; repeated: {sorted(repeats)}")
