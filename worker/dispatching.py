"""Jobs that turn outbox events into deliveries and mails, and record the
event the submit path cannot (``submission.quarantined``)."""

from __future__ import annotations

import logging
from typing import Any

from rq import get_current_job

from crm_core.db import transaction
from crm_core.events.dispatch import Dispatched, dispatch_pending
from crm_core.events.services import derived_event_id, record_event_once
from worker import outbound, runtime
from worker.enqueueing import DISPATCH_QUEUED_KEY, enqueue_deliveries, enqueue_mails

log = logging.getLogger(__name__)


def dispatch_events() -> int:
    """Hand out every pending event, a batch per transaction; the jobs for
    what each batch made are queued after its commit."""
    job = get_current_job()
    if job is not None:
        job.connection.delete(DISPATCH_QUEUED_KEY)  # a commit from now on queues another run
    return dispatch_all(job.connection if job is not None else None)


def dispatch_all(connection: Any) -> int:
    total = 0
    while True:
        with transaction(runtime.session_factory()) as session:
            done: Dispatched = dispatch_pending(session, outbound.current().mails, runtime.zone())
        total += done.events
        if connection is not None:
            enqueue_deliveries(connection, [(delivery_id, 0) for delivery_id in done.deliveries])
            enqueue_mails(connection, [(mail_id, 0) for mail_id in done.mails])
        if done.events:
            log.info(
                "dispatched %d event(s): %d delivery(ies), %d mail(s)",
                done.events, len(done.deliveries), len(done.mails),
            )  # fmt: skip
        if not done.more:
            return total


def record_quarantined(data: dict[str, Any]) -> bool:
    """``submission.quarantined``, once per quarantined submission even if this job runs twice."""
    submission_id = str(data.get("submission_id") or "")
    event_id = derived_event_id(f"quarantined:{submission_id}:{data.get('at', '')}")
    with transaction(runtime.session_factory()) as session:
        return record_event_once(session, event_id, "submission.quarantined", data)
