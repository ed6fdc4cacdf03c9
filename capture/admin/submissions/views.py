"""The "Submissions" page: the queue at a glance, failed jobs to retry or
discard, and quarantined (suspected spam) submissions to release or discard."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from redis import Redis
from rq import Queue

from capture import redis_client, redis_keys
from capture.admin.auth import roles_required
from capture.admin.submissions import bp
from capture.database import db_session
from capture.public import spam
from crm_core.forms.queries import list_forms
from crm_core.users.models import Role
from worker import registries
from worker.queues import submissions_queue


def _queue() -> Queue:
    return submissions_queue(redis_client.redis())


def _counts(connection: Redis, queue: Queue) -> dict[str, int]:
    def number(kind: str) -> int:
        return int(connection.get(redis_keys.stat(kind)) or 0)

    return {"accepted": number("submissions"), **registries.queue_counts(queue), "spam": number("spam")}


@bp.get("/submissions", endpoint="index")
@roles_required(Role.ADMIN)
def submissions() -> str:
    connection, queue = redis_client.redis(), _queue()
    forms = list_forms(db_session())
    return render_template(
        "admin/submissions/list.html",
        counts=_counts(connection, queue),
        failed=registries.failed(queue),
        quarantined=spam.quarantined(connection, [form.key for form in forms]),
        form_names={form.key: form.name for form in forms},
    )


@bp.post("/submissions/failed/<job_id>/retry", endpoint="retry")
@roles_required(Role.ADMIN)
def submission_retry(job_id: str) -> Response:
    if registries.retry_failed(_queue(), job_id):
        flash("The submission is queued again.", "success")
    else:
        flash("That failed submission is no longer there.", "error")
    return redirect(url_for("admin.submissions.index"))


@bp.post("/submissions/failed/<job_id>/discard", endpoint="discard")
@roles_required(Role.ADMIN)
def submission_discard(job_id: str) -> Response:
    if registries.discard_failed(_queue(), job_id):
        flash("The failed submission was discarded.", "success")
    else:
        flash("That failed submission is no longer there.", "error")
    return redirect(url_for("admin.submissions.index"))


@bp.post("/submissions/quarantine/release", endpoint="release")
@roles_required(Role.ADMIN)
def submission_release() -> Response:
    released = spam.release(
        redis_client.redis(),
        _queue(),
        request.form.get("form_key", ""),
        request.form.get("raw", ""),
    )
    flash("Released: it will appear as a prospect shortly." if released else "Already handled.", "success")
    return redirect(url_for("admin.submissions.index"))


@bp.post("/submissions/quarantine/discard", endpoint="discard_quarantined")
@roles_required(Role.ADMIN)
def submission_discard_quarantined() -> Response:
    discarded = spam.discard_quarantined(
        redis_client.redis(), request.form.get("form_key", ""), request.form.get("raw", "")
    )
    flash("Discarded." if discarded else "Already handled.", "success")
    return redirect(url_for("admin.submissions.index"))
