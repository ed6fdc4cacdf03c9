"""The "Submissions" page: the queue at a glance, failed jobs to retry or
discard, and quarantined (suspected spam) submissions to release or discard."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from capture import redis_client, submission_queue
from capture.admin import bp
from capture.admin.auth import roles_required
from capture.database import db_session
from crm_core.forms.services import list_forms
from crm_core.models import Role


@bp.get("/submissions")
@roles_required(Role.ADMIN)
def submissions() -> str:
    connection, queue = redis_client.redis(), redis_client.queue()
    forms = list_forms(db_session())
    return render_template(
        "admin/submissions.html",
        counts=submission_queue.counts(connection, queue),
        failed=submission_queue.failed(queue),
        quarantined=submission_queue.quarantined(connection, [form.key for form in forms]),
        form_names={form.key: form.name for form in forms},
    )


@bp.post("/submissions/failed/<job_id>/retry")
@roles_required(Role.ADMIN)
def submission_retry(job_id: str) -> Response:
    if submission_queue.retry_failed(redis_client.queue(), job_id):
        flash("The submission is queued again.", "success")
    else:
        flash("That failed submission is no longer there.", "error")
    return redirect(url_for("admin.submissions"))


@bp.post("/submissions/failed/<job_id>/discard")
@roles_required(Role.ADMIN)
def submission_discard(job_id: str) -> Response:
    if submission_queue.discard_failed(redis_client.queue(), job_id):
        flash("The failed submission was discarded.", "success")
    else:
        flash("That failed submission is no longer there.", "error")
    return redirect(url_for("admin.submissions"))


@bp.post("/submissions/quarantine/release")
@roles_required(Role.ADMIN)
def submission_release() -> Response:
    released = submission_queue.release(
        redis_client.redis(),
        redis_client.queue(),
        request.form.get("form_key", ""),
        request.form.get("raw", ""),
    )
    flash("Released: it will appear as a prospect shortly." if released else "Already handled.", "success")
    return redirect(url_for("admin.submissions"))


@bp.post("/submissions/quarantine/discard")
@roles_required(Role.ADMIN)
def submission_discard_quarantined() -> Response:
    discarded = submission_queue.discard_quarantined(
        redis_client.redis(), request.form.get("form_key", ""), request.form.get("raw", "")
    )
    flash("Discarded." if discarded else "Already handled.", "success")
    return redirect(url_for("admin.submissions"))
