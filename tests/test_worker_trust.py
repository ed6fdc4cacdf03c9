"""The queue is a trust boundary: the worker runs only Leadcapture's own job
functions, and only JSON job data — a pickle or a job naming another callable
never runs."""

from __future__ import annotations

from pathlib import Path

from rq import Queue

from worker.queues import SUBMISSIONS


def test_json_job_naming_another_callable_fails_without_running(redis, drain, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    job = queue.enqueue("os.system", f"touch {marker}", retry=None)
    drain()
    assert not marker.exists()
    job.refresh()
    assert job.is_failed
    assert "is not a Leadcapture job" in (job.latest_result().exc_string or "")
    assert job.retries_left in (None, 0)


def test_pickled_job_is_never_unpickled(redis, drain, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    pickled = Queue(SUBMISSIONS, connection=redis)  # RQ's default: pickle
    pickled.enqueue("os.system", f"touch {marker}")
    drain()
    assert not marker.exists()
