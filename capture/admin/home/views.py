"""``/admin/home``: where signing in lands (``/admin/`` stays the prospects
list). Each figure links into the list, board or page that shows its items."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, url_for
from redis.exceptions import RedisError
from werkzeug.routing import BuildError

from capture import redis_client, redis_keys
from capture.admin.auth import login_required, viewer
from capture.admin.home import bp
from capture.database import db_session
from capture.instance import zone
from crm_core.forms.queries import list_forms
from crm_core.permissions import can_manage_settings
from crm_core.prospects.filters import OWNER_ME
from crm_core.reports.dashboard import home
from worker import registries
from worker.queues import submissions_queue

FAILED_LOOKED_AT = 500  # the newest failed jobs read per visit


@dataclass(frozen=True)
class FormAttention:
    form_id: int
    name: str
    failed: int
    quarantined: int


def forms_needing_attention() -> tuple[list[FormAttention], str]:
    """Forms with failed submissions or spam held for review (admins). Redis
    being down is said, not fatal: the rest of the page still shows."""
    forms = list_forms(db_session())
    connection = redis_client.redis()
    try:
        failed_by_key: dict[str, int] = {}
        for job in registries.failed(submissions_queue(connection), limit=FAILED_LOOKED_AT):
            failed_by_key[job.form_key] = failed_by_key.get(job.form_key, 0) + 1
        pipe = connection.pipeline(transaction=False)
        for form in forms:
            pipe.llen(redis_keys.quarantine(form.key))
        held = pipe.execute()
    except RedisError:
        return [], "The queue cannot be read right now, so failed and held submissions are not shown."
    found = [
        FormAttention(form.id, form.name, failed_by_key.get(form.key, 0), int(count))
        for form, count in zip(forms, held, strict=True)
        if failed_by_key.get(form.key) or count
    ]
    return found, ""


def _list(**values: str) -> str:
    return url_for("admin.prospects.index", **values)


def optional_url(endpoint: str, **values: str) -> str | None:
    """A page another feature provides (the Tasks page), when it is there."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.get("/home", endpoint="index")
@login_required
def home_page() -> str:
    user = viewer()
    local_zone = zone()
    figures = home(db_session(), user, local_zone)
    attention, attention_problem = forms_needing_attention() if can_manage_settings(user) else ([], "")
    new = figures.new
    return render_template(
        "admin/home/home.html",
        figures=figures,
        new=new,
        attention=attention,
        attention_problem=attention_problem,
        links={
            "today": _list(created_from=new.today_date.isoformat()),
            "week": _list(created_from=new.week_start.isoformat()),
            "mine": _list(owner=OWNER_ME),
            "tasks": optional_url("admin.tasks.index"),
            "submissions": url_for("admin.submissions.index"),
        },
        status_link=lambda status_id: _list(status=str(status_id)),
    )
