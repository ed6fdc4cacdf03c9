"""The worker's batch path: many queued submissions, one transaction, each job
settled in RQ's registries — and failures go back through RQ's retry policy."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from rq import Queue
from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.utils import now
from sqlalchemy import func, select

from capture.embedded_redis import free_port
from crm_core.models import Prospect
from tests.faults import wait_until
from worker import runtime
from worker.queues import SUBMISSIONS, submission_job
from worker.workers import LeadWorker

ORIGIN = {"Origin": "https://example.com", "Accept": "application/json"}


def submit_many(client, form, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    for i in range(n):
        response = client.post(
            f"/f/{form['key']}",
            data={"name": f"Visitor {i}", "email": f"v{i}@example.com", "_lc_id": str(uuid.uuid4())},
            headers=ORIGIN,
            environ_base={"REMOTE_ADDR": f"198.51.100.{i % 250}"},
        )
        assert response.status_code == 202
        ids.append(response.json["id"])
    return ids


def test_a_batch_settles_every_job(client, make_form, redis, drain, db):
    form = make_form()
    ids = submit_many(client, form, 250)
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    assert drain() == 250
    assert db.scalar(select(func.count(Prospect.id))) == 250
    assert set(db.scalars(select(Prospect.submission_id))) == set(ids)
    assert FinishedJobRegistry(queue=queue).count == 250
    assert StartedJobRegistry(queue=queue).count == 0
    assert all(queue.fetch_job(job_id).get_status() == "finished" for job_id in ids[::25])


def test_a_failed_batch_goes_back_through_retries(client, make_form, redis, database_url, db):
    form = make_form()
    submit_many(client, form, 60)
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    runtime.configure(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/down")  # the database is down
    try:
        LeadWorker([queue], connection=redis, serializer="json").work(burst=True, with_scheduler=False)
    finally:
        runtime.configure(database_url)
    scheduled = ScheduledJobRegistry(queue=queue)
    assert scheduled.count == 60  # every job scheduled for a retry, none lost, none failed
    assert FailedJobRegistry(queue=queue).count == 0
    assert StartedJobRegistry(queue=queue).count == 0
    assert db.scalar(select(func.count(Prospect.id))) == 0

    for job_id in scheduled.get_job_ids():  # what RQ's scheduler does when the time comes
        scheduled.remove(job_id)
        queue.enqueue_job(queue.fetch_job(job_id))
    LeadWorker([queue], connection=redis, serializer="json").work(burst=True, with_scheduler=False)
    db.expire_all()
    assert db.scalar(select(func.count(Prospect.id))) == 60


def test_strangers_riding_in_a_batch_never_run(client, make_form, redis, drain, db, tmp_path: Path):
    form = make_form()
    submit_many(client, form, 3)
    marker = tmp_path / "pwned"
    Queue(SUBMISSIONS, connection=redis, serializer="json").enqueue("os.system", f"touch {marker}")
    Queue(SUBMISSIONS, connection=redis).enqueue("os.system", f"touch {marker}")  # a pickle
    submit_many(client, form, 3)
    drain()
    assert not marker.exists()
    assert db.scalar(select(func.count(Prospect.id))) == 6
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    assert FailedJobRegistry(queue=queue).count == 2
    assert StartedJobRegistry(queue=queue).count == 0


def test_characters_a_database_cannot_store_do_not_sink_a_batch(client, make_form, redis, drain, db):
    """PostgreSQL refuses NUL in text and no driver can encode a lone surrogate;
    a JSON body can carry both. The endpoint refuses them (tests/test_public_edges.py);
    a job that carries them anyway (queued by an older release, or by a script)
    lands without them, and the submissions batched with it land too."""
    form = make_form()
    odd_body = '{"name": "Ana\\u0000 Pop\\ud800escu", "email": "ana@example.com"}'
    refused = client.post(f"/f/{form['key']}", data=odd_body, content_type="application/json", headers=ORIGIN)
    assert refused.status_code == 400
    ids = submit_many(client, form, 5)
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    odd = dict(queue.fetch_job(ids[0]).args[0])
    odd.update(
        submission_id=str(uuid.uuid4()),
        values={**odd["values"], "name": "Ana\x00 Pop\ud800escu", "company": "A\udfff\x00B"},
        meta={**odd["meta"], "page_url": "https://example.com/\x00x"},
    )
    queue.enqueue_job(submission_job(queue, odd))
    ids += submit_many(client, form, 5)
    assert drain() == 11
    assert db.scalar(select(func.count(Prospect.id))) == 11
    prospect = db.scalar(select(Prospect).where(Prospect.submission_id == odd["submission_id"]))
    assert prospect is not None
    assert (prospect.name, prospect.company, prospect.page_url) == (
        "[Web] Ana Popescu",
        "AB",
        "https://example.com/x",
    )
    assert set(db.scalars(select(Prospect.submission_id))) == {*ids, odd["submission_id"]}


def test_a_submission_waits_briefly_for_others_to_share_its_transaction(
    client, make_form, redis, database_url, db
):
    """Under a steady trickle each transaction would otherwise carry one or two
    submissions, and RQ's per-job bookkeeping would cost more than the inserts."""
    form = make_form()
    runtime.configure(database_url)
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    [first] = submit_many(client, form, 1)
    worker = LeadWorker([queue], connection=redis, serializer="json")
    worker.linger = 3.0  # long enough that a slow machine still posts the rest in time
    others: list[str] = []
    # RQ's worker wants the main thread (signal handlers), so the visitors post from another.
    poster = threading.Timer(0.3, lambda: others.extend(submit_many(client, form, 4)))
    poster.start()
    worker.work(burst=True, with_scheduler=False)
    poster.join(30)
    assert queue.fetch_job(first).return_value() == {"created": 5, "attempt": 1, "batched": 4}
    assert set(db.scalars(select(Prospect.submission_id))) == {first, *others}

    [late] = submit_many(client, form, 1)
    waits: list[float] = []
    worker.wait_for_company = waits.append  # type: ignore[method-assign]
    wait_until(lambda: (now() - queue.fetch_job(late).enqueued_at).total_seconds() > 0.5, 10, 0.05)
    worker.linger = 0.5  # already waited that long in the queue: no more waiting
    worker.work(burst=True, with_scheduler=False)
    assert waits == [], "a submission that already waited its linger in the queue does not wait again"
    assert queue.fetch_job(late).return_value() == {"created": 1, "attempt": 1, "batched": 0}


def test_a_submission_the_database_refuses_does_not_hold_back_its_batch(
    client, make_form, redis, drain, db, caplog
):
    """Any payload the insert cannot take (here a job whose timestamp is not one,
    as a bug or an older release might queue) fails alone, through its own
    retries; the others in its batch land."""
    form = make_form()
    ids = submit_many(client, form, 5)
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    bad = dict(queue.fetch_job(ids[0]).args[0])
    bad.update(submission_id=str(uuid.uuid4()), received_at="not a time")
    queue.enqueue_job(submission_job(queue, bad))
    ids += submit_many(client, form, 5)
    assert drain() == 11
    assert set(db.scalars(select(Prospect.submission_id))) == set(ids)
    assert FinishedJobRegistry(queue=queue).count == 10
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == [bad["submission_id"]]  # retried, alone
    assert FailedJobRegistry(queue=queue).count == 0
    assert StartedJobRegistry(queue=queue).count == 0
    assert "inserting its 11 submissions one by one" in caplog.text
