"""The admin "Submissions" page: queue counts, failed jobs with their error
(retry, discard), and quarantined suspected spam (release, discard)."""

from __future__ import annotations

import json

from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from capture.embedded_redis import free_port
from crm_core.models import Prospect
from worker import runtime
from worker.queues import SUBMISSIONS
from worker.workers import LeadWorker

ORIGIN = {"Origin": "https://example.com", "Accept": "application/json"}


def fail_one_submission(web, form, redis, database_url) -> str:  # type: ignore[no-untyped-def]
    """Accept a submission, then let every retry fail against a dead database."""
    response = web.post(
        f"/f/{form['key']}", data={"name": "Ana <b>Pop</b>", "email": "ana@example.com"}, headers=ORIGIN
    )
    job_id = response.json["id"]
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    job = queue.fetch_job(job_id)
    job.retries_left = 0
    job.save()
    runtime.configure(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/down")
    try:
        LeadWorker([queue], connection=redis, serializer="json").work(burst=True, with_scheduler=False)
    finally:
        runtime.configure(database_url)
    assert FailedJobRegistry(queue=queue).count == 1
    return job_id


def test_counts_failed_jobs_and_retry(admin, make_form, redis, database_url, db, drain):
    form = make_form()
    job_id = fail_one_submission(admin, form, redis, database_url)
    page = admin.get("/admin/submissions").get_data(as_text=True)
    assert job_id in page
    assert "OperationalError" in page  # the error, in plain sight
    assert "Ana &lt;b&gt;Pop&lt;/b&gt;" in page  # visitor text escaped
    assert admin.post(f"/admin/submissions/failed/{job_id}/retry").status_code == 302
    assert FailedJobRegistry(queue=Queue(SUBMISSIONS, connection=redis)).count == 0
    assert drain() == 1
    assert db.scalar(select(func.count(Prospect.id))) == 1


def test_discard_a_failed_job(admin, make_form, redis, database_url):
    form = make_form()
    job_id = fail_one_submission(admin, form, redis, database_url)
    admin.post(f"/admin/submissions/failed/{job_id}/discard")
    assert FailedJobRegistry(queue=Queue(SUBMISSIONS, connection=redis)).count == 0
    assert job_id not in admin.get("/admin/submissions").get_data(as_text=True)


def test_release_a_quarantined_submission(admin, make_form, redis, drain, db):
    form = make_form()
    web_app = admin.application
    web_app.config["LC_SETTINGS"] = __import__("dataclasses").replace(
        web_app.config["LC_SETTINGS"], require_render_token=True
    )
    assert (
        admin.post(
            f"/f/{form['key']}", data={"name": "Real Person", "email": "real@example.com"}, headers=ORIGIN
        ).status_code
        == 202
    )  # no render token: quarantined, answered like a success
    [raw] = redis.lrange(f"lc:spam:{form['key']}", 0, -1)
    page = admin.get("/admin/submissions").get_data(as_text=True)
    assert "Real Person" in page and "no render token" in page
    admin.post("/admin/submissions/quarantine/release", data={"form_key": form["key"], "raw": raw.decode()})
    assert redis.llen(f"lc:spam:{form['key']}") == 0
    assert drain() == 1
    assert db.scalar(select(Prospect.name)) == "[Web] Real Person"
    assert json.loads(raw)["reason"] == "no render token"


def test_only_admins_see_submissions(as_role):
    assert as_role("marketing").get("/admin/submissions").status_code == 403
    assert as_role("sales").get("/admin/submissions").status_code == 403
