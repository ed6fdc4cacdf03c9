"""The webhook delivery job: claim the delivery, sign and post it, record
the outcome, and queue what follows (the next attempt, or the mails telling
admins their endpoint was disabled).

A worker killed after the post and before the record leaves the delivery
claimed; its lease runs out and the sweep sends it again with the same
``webhook-id`` — receivers drop it as a duplicate. That is the only way a
receiver sees an event twice."""

from __future__ import annotations

import logging
import time

from rq import get_current_job

from crm_core.db import transaction
from crm_core.webhooks.models import DeliveryState
from crm_core.webhooks.secret_box import SecretUnreadable
from crm_core.webhooks.services import claim_delivery, record_attempt
from crm_core.webhooks.signing import headers
from crm_core.webhooks.transport import Answer
from worker import outbound, runtime
from worker.enqueueing import enqueue_deliveries, enqueue_mails

log = logging.getLogger(__name__)


def deliver_webhook(delivery_id: int) -> str:
    context = outbound.current()
    factory = runtime.session_factory()
    with transaction(factory) as session:
        claimed = claim_delivery(session, delivery_id)
    if claimed is None:
        return "nothing to do"  # delivered, not due yet, endpoint off, or another job has it
    try:
        secret = context.box.open(claimed.secret_encrypted)
    except SecretUnreadable as exc:
        answer = Answer(None, 0, error=str(exc))
    else:
        body = claimed.body.encode()
        answer = context.transport.post(
            claimed.url, body, headers(secret, claimed.event_id, int(time.time()), body)
        )
    with transaction(factory) as session:
        outcome = record_attempt(session, claimed, answer, context.mails)
    job = get_current_job()
    if job is not None:
        if outcome.retry_at is not None:
            enqueue_deliveries(job.connection, [(delivery_id, claimed.attempt)], at=outcome.retry_at)
        enqueue_mails(job.connection, [(mail_id, 0) for mail_id in outcome.mail_ids])
    log.info(
        "delivery %s (%s) attempt %d to endpoint %d: %s -> %s",
        delivery_id, claimed.event_id, claimed.attempt, claimed.endpoint_id,
        answer.status if answer.status is not None else answer.error, outcome.state.value,
    )  # fmt: skip
    if outcome.disabled:
        log.warning("endpoint %d disabled", claimed.endpoint_id)
    return outcome.state.value if outcome.state != DeliveryState.PENDING else f"retry at {outcome.retry_at}"
