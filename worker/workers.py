"""The worker class and how a worker process is started."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from redis import Redis
from rq import SimpleWorker
from rq.job import Job
from rq.queue import Queue
from rq.serializers import JSONSerializer
from rq.utils import now

from crm_core.events.wakeup import on_events_committed
from crm_core.log_context import configure_logging, log_context
from crm_core.settings import Settings
from worker import outbound, runtime
from worker.batches import BATCH_SIZE, Batch, BatchClaimer, current_batch
from worker.enqueueing import wake_dispatcher
from worker.periodic import schedule_expiry, schedule_file_cleanup
from worker.queues import (
    JOB_TIMEOUT,
    KNOWN_JOBS,
    LONG_JOBS,
    MAINTENANCE,
    OUTBOUND,
    PROCESS_SUBMISSION,
    RESULT_TTL,
    SUBMISSIONS,
    TRANSFER_HEARTBEAT,
    TRANSFER_HEARTBEAT_EVERY,
    TRANSFERS,
    maintenance_queue,
)
from worker.sweep import schedule_purge, schedule_sweep

log = logging.getLogger(__name__)

# A job orphaned by a killed worker is noticed when its heartbeat expires
# (job timeout + HEARTBEAT_MARGIN) at the next maintenance pass, then retried;
# these keep that well under three minutes even on an idle queue.
MAINTENANCE_INTERVAL = 30
WORKER_TTL = 45
HEARTBEAT_MARGIN = 15
# How long a submission may wait, from its enqueue, for others to share its
# transaction. Each transaction costs RQ's bookkeeping for the job that leads it
# plus a commit, whatever its size, so a worker that takes every submission the
# moment it arrives spends most of its CPU on that (see bench/README.md, End to end).
BATCH_LINGER = 0.05


class UnknownJobError(RuntimeError):
    pass


class LeadJob(Job):
    """A job that only runs Leadcapture's own functions: the queue is a trust
    boundary, so a job naming any other callable fails without running (and
    without retries)."""

    def perform(self):  # type: ignore[no-untyped-def]
        if self.func_name not in KNOWN_JOBS:
            self.retries_left = 0
            raise UnknownJobError(f"refused job {self.id}: {self.func_name!r} is not a Leadcapture job")
        return super().perform()


class LeadWorker(SimpleWorker):
    """Runs jobs in-process (no fork per job, ~30x faster than RQ's forking
    worker) and drains submissions in batches (see ``worker.batches``)."""

    job_class = LeadJob
    batch_size = BATCH_SIZE
    linger = BATCH_LINGER

    def execute_job(self, job: Job, queue: Queue) -> None:  # type: ignore[override]
        with log_context(job=job.id):
            return self._execute_job(job, queue)

    def _execute_job(self, job: Job, queue: Queue) -> None:
        if job.func_name in LONG_JOBS:
            with Heartbeat(lambda: self._beat(job), TRANSFER_HEARTBEAT_EVERY):
                return super().execute_job(job, queue)
        if job.func_name != PROCESS_SUBMISSION or self.batch_size <= 1:
            return super().execute_job(job, queue)
        claimer = self._batch_claimer()
        riders = claimer.claim(queue, self.name, self.batch_size - 1)
        room = self.batch_size - 1 - len(riders)
        wait = self.linger - self._age(job) if room else 0.0
        if wait > 0:
            self.wait_for_company(wait)
            riders += claimer.claim(queue, self.name, room)
        strangers = [rider for rider in riders if rider.func_name != PROCESS_SUBMISSION]
        if strangers:
            reason = "refused: not a Leadcapture job"
            log.error("%s: %s", reason, ", ".join(f"{r.job_id} ({r.func_name!r})" for r in strangers))
            claimer.fail(queue, strangers, self.name, reason, retry=False)
        batch = Batch([rider for rider in riders if rider.func_name == PROCESS_SUBMISSION])
        token = current_batch.set(batch)
        try:
            super().execute_job(job, queue)
        finally:
            current_batch.reset(token)
        if not batch.riders:
            return None
        if batch.committed:
            claimer.finish(queue, [rider for rider in batch.riders if rider.job_id not in batch.refused])
            for rider in batch.riders:
                if rider.job_id in batch.refused:
                    claimer.fail(queue, [rider], self.name, batch.refused[rider.job_id])
        else:
            claimer.fail(queue, batch.riders, self.name, f"batch led by job {job.id} failed; retrying")
        return None

    def wait_for_company(self, seconds: float) -> None:
        """The linger: give other submissions ``seconds`` to arrive for this transaction."""
        time.sleep(seconds)

    @staticmethod
    def _age(job: Job) -> float:
        """Seconds since the job was enqueued (0 if unknown)."""
        return (now() - job.enqueued_at).total_seconds() if job.enqueued_at else 0.0

    def _batch_claimer(self) -> BatchClaimer:
        if getattr(self, "_claimer", None) is None:
            self._claimer = BatchClaimer(self.connection, JOB_TIMEOUT + HEARTBEAT_MARGIN, RESULT_TTL)
        return self._claimer

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        # Re-seed the outbox sweep's chain should a run have been lost.
        try:
            schedule_sweep(maintenance_queue(self.connection))
        except Exception:  # maintenance must never stop the worker
            log.warning("could not schedule the outbox sweep", exc_info=True)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        if job.func_name in LONG_JOBS:
            return TRANSFER_HEARTBEAT  # kept alive by a Heartbeat thread while it runs
        # The job runs in this thread, so nothing refreshes its heartbeat while it
        # runs: it must outlive the job's timeout, but no longer than needed.
        return int(job.timeout or JOB_TIMEOUT) + HEARTBEAT_MARGIN

    def _beat(self, job: Job) -> None:
        execution = self.execution
        if execution is not None:
            self.maintain_heartbeats(job, execution)


class Heartbeat:
    """Calls ``beat`` every ``interval`` seconds on a thread while a long job runs in the
    worker's own thread (RQ's SimpleWorker has no monitor to do it). A killed process takes
    the thread with it, so the job's registration expires and RQ retries it."""

    def __init__(self, beat: Callable[[], None], interval: float) -> None:
        self._beat = beat
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lc-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(self._interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._beat()
            except Exception:  # a missed beat is retried next time; the job must not notice
                log.warning("heartbeat failed", exc_info=True)


def run_worker(settings: Settings, *, burst: bool = False, name: str | None = None) -> bool:
    configure_logging(submissions=settings.log_submissions)
    runtime.configure(settings.database_url, settings.time_zone)
    outbound.configure(settings)
    connection = Redis.from_url(settings.redis_url)
    # Events this worker commits (prospects from submissions, …) wake the dispatcher.
    on_events_committed(runtime.session_factory(), lambda: wake_dispatcher(connection))
    schedule_expiry(maintenance_queue(connection), runtime.zone())
    schedule_sweep(maintenance_queue(connection))
    schedule_purge(maintenance_queue(connection), runtime.zone())
    schedule_file_cleanup(maintenance_queue(connection), runtime.zone())
    worker = LeadWorker(
        [SUBMISSIONS, OUTBOUND, TRANSFERS, MAINTENANCE],
        connection=connection,
        serializer=JSONSerializer,
        name=name,
        maintenance_interval=MAINTENANCE_INTERVAL,
        worker_ttl=WORKER_TTL,
    )
    log.info("worker %s (pid %d) draining the %s queue", worker.name, os.getpid(), SUBMISSIONS)
    # WARNING: RQ sets its own loggers to this level (see log_context.QUIET_LOGGERS).
    return worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
