"""Daily housekeeping, on RQ's own scheduler (workers run ``with_scheduler``):
each daily job is scheduled for its hour in the instance's time zone under a
job id that names the day, so several workers (or a restarted one) schedule
it once, and each run schedules the next day's.

Sent offers past their expiry date become "expired"; uploaded import files and
prepared exports past their retention are deleted."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rq import Queue
from rq.job import Job

from crm_core.clock import now
from crm_core.db import transaction
from crm_core.offers.services import expire_offers as expire_sent_offers
from crm_core.transfer.services import delete_expired_files as delete_expired_transfer_files
from worker import runtime
from worker.queues import DELETE_EXPIRED_FILES, EXPIRE_OFFERS, maintenance_queue

log = logging.getLogger(__name__)

EXPIRY_HOUR = time(0, 5)  # just after midnight: "past its expiry date" is decided by the date
CLEANUP_HOUR = time(3, 30)  # a quiet hour


def next_run(after: datetime, zone: ZoneInfo, at: time = EXPIRY_HOUR) -> datetime:
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


def schedule_expiry(queue: Queue, zone: ZoneInfo, after: datetime | None = None) -> str:
    """Schedule the next expiry run once; returns its job id."""
    when = next_run(after or now(), zone)
    job_id = f"daily-expire-offers-{when.date().isoformat()}"
    if not Job.exists(job_id, connection=queue.connection):
        queue.enqueue_at(when, EXPIRE_OFFERS, job_id=job_id, result_ttl=7 * 24 * 3600)
    return job_id


def expire_offers() -> int:
    """The daily job: expire what is due today, then schedule tomorrow."""
    zone = runtime.zone()
    with transaction(runtime.session_factory()) as session:
        expired = expire_sent_offers(session, now().astimezone(zone).date())
    log.info("offers expired: %d", expired)
    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        schedule_expiry(maintenance_queue(job.connection), zone)
    return expired


def schedule_file_cleanup(queue: Queue, zone: ZoneInfo, after: datetime | None = None) -> str:
    """Schedule the next deletion of expired import and export files once; returns its job id."""
    when = next_run(after or now(), zone, CLEANUP_HOUR)
    job_id = f"daily-delete-expired-files-{when.date().isoformat()}"
    if not Job.exists(job_id, connection=queue.connection):
        queue.enqueue_at(when, DELETE_EXPIRED_FILES, job_id=job_id, result_ttl=7 * 24 * 3600)
    return job_id


def delete_expired_files() -> int:
    """The daily job: uploaded files and exports past their retention go, then schedule tomorrow."""
    with transaction(runtime.session_factory()) as session:
        deleted = delete_expired_transfer_files(session)
    log.info("expired import / export files deleted: %d", deleted)
    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        schedule_file_cleanup(maintenance_queue(job.connection), runtime.zone())
    return deleted
