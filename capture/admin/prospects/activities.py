"""A prospect's calls, emails and meetings from its card: log or plan one (the
"Log call" form comes pre-filled: now, held, outbound, the primary contact),
mark a planned one held or not held with its outcome, edit, delete after a
confirmation. Times typed in ``<input type=datetime-local>`` are wall-clock
times in the instance's zone (``capture.instance.zone``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, viewer
from capture.admin.prospects import bp
from capture.admin.prospects.card import card_url, check_on_prospect, prospect_links, render_card
from capture.admin.record_card import (
    KIND_LABELS,
    FormState,
    activity_values,
    card_vocabulary,
    failed,
    posted,
    user_options,
)
from capture.database import db_session
from capture.instance import zone
from crm_core.activities.models import Activity
from crm_core.activities.queries import get_visible_activity
from crm_core.activities.services import delete_activity, log_activity, record_outcome, update_activity
from crm_core.contacts.queries import contacts_of
from crm_core.errors import ValidationFailed
from crm_core.parents import Parent
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.users.queries import active_users

# The card's two forms that log or plan an activity.
CARD_FORMS = ("log_call", "activity")


def _activity(prospect_id: int, activity_id: int) -> Activity:
    session = db_session()
    get_visible_prospect(session, viewer(), prospect_id)
    activity = get_visible_activity(session, viewer(), activity_id)
    check_on_prospect(activity.parent, prospect_id)
    return activity


@bp.post("/prospects/<int:prospect_id>/activities", endpoint="activity_add")
@login_required
def activity_add(prospect_id: int) -> Response | tuple[str, int]:
    session = db_session()
    values = posted(request.form)
    form = values.get("card_form") if values.get("card_form") in CARD_FORMS else "activity"
    try:
        activity = log_activity(session, viewer(), Parent.prospect(prospect_id), values, zone())
    except ValidationFailed as exc:
        session.rollback()
        return render_card(prospect_id, form=form, state=failed(values, exc.fields), status=400)
    session.commit()
    flash(f"{KIND_LABELS[activity.kind]} “{activity.subject}” saved.", "info")
    return redirect(card_url(prospect_id, "activities"))


@bp.post("/prospects/<int:prospect_id>/activities/<int:activity_id>/outcome", endpoint="activity_outcome")
@login_required
def activity_outcome(prospect_id: int, activity_id: int) -> Response | tuple[str, int]:
    """ "Held" / "Not held" on a planned call or meeting, with what came of it."""
    activity = _activity(prospect_id, activity_id)
    session = db_session()
    values = posted(request.form)
    try:
        record_outcome(session, viewer(), activity.id, values)
    except ValidationFailed as exc:
        session.rollback()
        return render_card(
            prospect_id, form=f"outcome_{activity_id}", state=failed(values, exc.fields), status=400
        )
    session.commit()
    flash(f"“{activity.subject}” marked {activity.status.value.replace('_', ' ')}.", "info")
    return redirect(card_url(prospect_id, "activities"))


def _edit_page(activity: Activity, state: FormState, status: int = 200) -> tuple[str, int]:
    session = db_session()
    prospect = get_visible_prospect(session, viewer(), activity.parent_id)
    users = active_users(session)
    if activity.owner is not None and activity.owner not in users:
        users.append(activity.owner)  # a deactivated owner stays until someone picks another
    return render_template(
        "admin/prospects/activity_edit.html",
        p=prospect,
        activity_id=activity.id,
        state=state,
        contacts=contacts_of(session, Parent.prospect(prospect.id)),
        links=prospect_links(prospect.id),
        user_options=user_options(users),
        **card_vocabulary(),
    ), status


@bp.route(
    "/prospects/<int:prospect_id>/activities/<int:activity_id>/edit",
    methods=["GET", "POST"],
    endpoint="activity_edit",
)
@login_required
def activity_edit(prospect_id: int, activity_id: int) -> Response | tuple[str, int]:
    activity = _activity(prospect_id, activity_id)
    if request.method == "GET":
        return _edit_page(activity, FormState(activity_values(activity)))
    session = db_session()
    values = posted(request.form)
    try:
        update_activity(session, viewer(), activity.id, values, zone())
    except ValidationFailed as exc:
        session.rollback()
        return _edit_page(_activity(prospect_id, activity_id), failed(values, exc.fields), 400)
    session.commit()
    flash("Activity saved.", "info")
    return redirect(card_url(prospect_id, "activities"))


@bp.route(
    "/prospects/<int:prospect_id>/activities/<int:activity_id>/delete",
    methods=["GET", "POST"],
    endpoint="activity_delete",
)
@login_required
def activity_delete(prospect_id: int, activity_id: int) -> Response | str:
    activity = _activity(prospect_id, activity_id)
    if request.method == "GET":
        return render_template(
            "admin/prospects/confirm_delete.html",
            p=get_visible_prospect(db_session(), viewer(), prospect_id),
            links=prospect_links(prospect_id),
            title=f"Delete this {KIND_LABELS[activity.kind].lower()}?",
            what=activity.subject,
            when=activity.starts_at,
            consequence="It is removed from the prospect's activities and timeline.",
            button=f"Delete {KIND_LABELS[activity.kind].lower()}",
            back="activities",
        )
    session = db_session()
    delete_activity(session, viewer(), activity.id)
    session.commit()
    flash(f"{KIND_LABELS[activity.kind]} “{activity.subject}” deleted.", "info")
    return redirect(card_url(prospect_id, "activities"))
