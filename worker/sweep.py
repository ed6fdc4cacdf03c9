"""The outbox's safety net, on RQ's scheduler: every minute the sweep
returns the deliveries and mails of killed workers to the queue, sends task
reminders that are due, dispatches events whose wake-up was lost (the
process died between its commit and the enqueue, or Redis refused it), and
queues a job for every due delivery or mail that has none. Each run
schedules the next under a job id naming its minute, and every worker
re-checks that it is scheduled at each maintenance pass, so the chain cannot
break for long.

Daily, the outbox is purged: events dispatched more than
``EVENT_RETENTION_DAYS`` ago, finished deliveries (with their log) and sent
or failed mails older than ``DELIVERY_LOG_RETENTION_DAYS``."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from redis import Redis
from rq import Queue, get_current_job
from rq.job import Job

from crm_core.clock import now
from crm_core.db import transaction
from crm_core.events.dispatch import purge_dispatched
from crm_core.notifications.queries import due_mails
from crm_core.notifications.reminders import queue_due_reminders
from crm_core.notifications.services import delete_old_mails, release_expired_mail_leases
from crm_core.webhooks.queries import due_deliveries
from crm_core.webhooks.services import delete_old_deliveries, release_expired_delivery_leases
from worker import outbound, runtime
from worker.dispatching import dispatch_all
from worker.enqueueing import (
    delivery_job_id,
    enqueue_deliveries,
    enqueue_mails,
    mail_job_id,
    without_live_job,
)
from worker.periodic import next_run
from worker.queues import PURGE_OUTBOX, SWEEP_OUTBOX, maintenance_queue

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=1)
PURGE_HOUR = time(3, 30)


def schedule_sweep(queue: Queue, after: datetime | None = None) -> str:
    """The next minute's sweep, once whoever asks."""
    moment = after or now()
    when = moment.replace(second=0, microsecond=0) + SWEEP_EVERY
    job_id = f"sweep-outbox-{when:%Y%m%d%H%M}"
    if not Job.exists(job_id, connection=queue.connection):
        queue.enqueue_at(
            when, SWEEP_OUTBOX, job_id=job_id, job_timeout=300, result_ttl=600, failure_ttl=86400
        )
    return job_id


def schedule_purge(queue: Queue, zone: ZoneInfo, after: datetime | None = None) -> str:
    when = next_run(after or now(), zone, PURGE_HOUR)
    job_id = f"daily-purge-outbox-{when.date().isoformat()}"
    if not Job.exists(job_id, connection=queue.connection):
        queue.enqueue_at(when, PURGE_OUTBOX, job_id=job_id, job_timeout=1800, result_ttl=7 * 24 * 3600)
    return job_id


def sweep_outbox() -> dict[str, int]:
    job = get_current_job()
    connection: Redis | None = job.connection if job is not None else None
    if connection is not None:
        schedule_sweep(maintenance_queue(connection))
    return sweep(connection)


def sweep(connection: Redis | None) -> dict[str, int]:
    context = outbound.current()
    factory = runtime.session_factory()
    with transaction(factory) as session:
        released = release_expired_delivery_leases(session) + release_expired_mail_leases(session)
    with transaction(factory) as session:
        reminders = [mail.id for mail in queue_due_reminders(session, context.mails, runtime.zone())]
    dispatched = dispatch_all(connection)
    with factory() as session:
        deliveries = due_deliveries(session, now())
        mails = due_mails(session, now()) if context.smtp is not None else []
    requeued = 0
    if connection is not None:
        enqueue_mails(connection, [(mail_id, 0) for mail_id in reminders])
        requeued += enqueue_deliveries(connection, without_live_job(connection, delivery_job_id, deliveries))
        requeued += enqueue_mails(
            connection, without_live_job(connection, mail_job_id, [m for m in mails if m[0] not in reminders])
        )
    summary = {
        "released": released,
        "reminders": len(reminders),
        "dispatched": dispatched,
        "requeued": requeued,
    }
    if any(summary.values()):
        log.info("outbox sweep: %s", summary)
    return summary


def purge_outbox() -> dict[str, int]:
    context = outbound.current()
    moment = now()
    with transaction(runtime.session_factory()) as session:
        summary: dict[str, Any] = {
            "events": purge_dispatched(session, moment - timedelta(days=context.event_retention_days)),
            "deliveries": delete_old_deliveries(
                session, moment - timedelta(days=context.delivery_log_retention_days)
            ),
            "mails": delete_old_mails(session, moment - timedelta(days=context.delivery_log_retention_days)),
        }
    log.info("outbox purged: %s", summary)
    job = get_current_job()
    if job is not None:
        schedule_purge(maintenance_queue(job.connection), runtime.zone())
    return summary
