"""The related-records routes of accounts and offers, one view function per
action, registered once per kind of parent (``KINDS``): the URL names the
parent, the view gets it as a ``Parent``. A form that fails validation shows
the parent's page again (400) with that form open, what was typed kept and the
messages beside its fields, as the prospect card does.

Every service checks that the user may see the parent
(``crm_core.related.check_parent_visible``): someone who may not gets 404, and
a record reached through another parent's URL is a 404 too.

Contacts are the account's: an offer shows its account's contacts (the one it
is sent to is one of them) and links to the account to change them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from capture.admin.accounts.detail import render_account
from capture.admin.auth import login_required, viewer
from capture.admin.offers.views import render_offer
from capture.admin.record_card import (
    KIND_LABELS,
    FormState,
    activity_values,
    card_vocabulary,
    failed,
    posted,
    user_options,
)
from capture.admin.related import bp
from capture.admin.related_panels import RECORD_FILTERS, links_of
from capture.database import db_session
from capture.instance import zone
from crm_core.activities.models import Activity
from crm_core.activities.queries import get_visible_activity
from crm_core.activities.services import delete_activity, log_activity, record_outcome, update_activity
from crm_core.contacts.models import Contact
from crm_core.contacts.queries import contacts_of, get_visible_contact
from crm_core.contacts.services import add_contact, delete_contact, update_contact
from crm_core.errors import DomainError, NotFound, ValidationFailed
from crm_core.notes.models import Note
from crm_core.notes.queries import get_visible_note
from crm_core.notes.services import add_note, delete_note, update_note
from crm_core.offers.visibility import get_visible_offer
from crm_core.parents import Parent, ParentType
from crm_core.permissions import can_edit_note
from crm_core.related import check_parent_visible
from crm_core.tasks.models import TaskStatus
from crm_core.tasks.queries import get_visible_task
from crm_core.tasks.services import create_task, set_task_status
from crm_core.timeline import timeline_page
from crm_core.users.models import User
from crm_core.users.queries import active_users

CONTACT_FIELDS = ("name", "job_title", "department", "phone", "email")
# Only what the quick-add form has: a crafted post cannot set, say, a status.
QUICK_TASK_FIELDS = ("name", "due_date", "owner_id", "priority_id")
# The card's two forms that log or plan an activity.
ACTIVITY_FORMS = ("log_call", "activity")
NOT_YOURS = "Only the note's author or an admin can change it."


@dataclass(frozen=True)
class Kind:
    type: ParentType
    path: str  # the URL's first part: "accounts"
    arg: str  # the URL's argument naming the parent: "account_id"
    word: str  # "account", in sentences
    render: Callable[..., tuple[str, int]]  # the parent's page, with related_context's arguments


def _render_offer(offer_id: int, *, status: int = 200, **related: Any) -> tuple[str, int]:
    return render_offer(get_visible_offer(db_session(), viewer(), offer_id), status=status, related=related)


ACCOUNT = Kind(ParentType.ACCOUNT, "accounts", "account_id", "account", render_account)
OFFER = Kind(ParentType.OFFER, "offers", "offer_id", "offer", _render_offer)
KINDS = (ACCOUNT, OFFER)


def _route(rule: str, action: str, methods: list[str], kinds: tuple[Kind, ...] = KINDS) -> Callable[..., Any]:
    """Register ``view(kind, parent, **rest)`` at ``/<kind.path>/<id><rule>`` for each kind,
    as the endpoint ``<kind>_<action>`` (``admin.related.account_note_add``)."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        for kind in kinds:

            def bound(_view: Callable[..., Any] = view, _kind: Kind = kind, **values: Any) -> Any:
                return _view(_kind, Parent(_kind.type, values.pop(_kind.arg)), **values)

            endpoint = f"{kind.type.value}_{action}"
            bound.__name__ = endpoint
            bp.add_url_rule(
                f"/{kind.path}/<int:{kind.arg}>{rule}",
                endpoint=endpoint,
                view_func=login_required(bound),
                methods=methods,
            )
        return view

    return register


def _page(kind: Kind, parent: Parent, form: str, state: FormState) -> tuple[str, int]:
    return kind.render(parent.id, form=form, state=state, status=400)


def _back(parent: Parent, anchor: str) -> Response:
    return redirect(links_of(parent).card(_anchor=anchor))


def _check_on(record_parent: Parent | None, parent: Parent) -> None:
    """A record reached through a parent's URL must be that parent's."""
    if record_parent != parent:
        raise NotFound("This record is not on this page.")


def _confirm(kind: Kind, parent: Parent, **page: Any) -> str:
    """ "Delete this …?" with a button that posts to the same address."""
    record = check_parent_visible(db_session(), viewer(), parent)
    return render_template("admin/prospects/confirm_delete.html", p=record, links=links_of(parent), **page)


@_route("/timeline", "timeline", ["GET"])
def timeline(kind: Kind, parent: Parent) -> str:
    """The timeline's next page alone, for the page's script to append ("Show older")."""
    session = db_session()
    record = check_parent_visible(session, viewer(), parent)
    filter_key = request.args.get("filter", "all")
    filter_key = filter_key if filter_key in RECORD_FILTERS else "all"
    page = timeline_page(session, parent, filter_key=filter_key, after=request.args.get("after") or None)
    return render_template(
        "admin/prospects/_timeline_page.html",
        p=record,
        page=page,
        users={u.id: u for u in session.scalars(select(User))},
        labels={},
        filter_key=filter_key,
        links=links_of(parent),
        **{**card_vocabulary(), "filters": RECORD_FILTERS},
    )


# Contacts: the account's own (an offer shows its account's).


def _contact(parent: Parent, contact_id: int) -> Contact:
    session = db_session()
    check_parent_visible(session, viewer(), parent)
    contact = get_visible_contact(session, viewer(), contact_id)
    _check_on(contact.parent, parent)
    return contact


@_route("/contacts", "contact_add", ["POST"], kinds=(ACCOUNT,))
def contact_add(kind: Kind, parent: Parent) -> Response | tuple[str, int]:
    session = db_session()
    values = posted(request.form)
    try:
        contact = add_contact(session, viewer(), parent, values)
    except ValidationFailed as exc:
        session.rollback()
        return _page(kind, parent, "contact", failed(values, exc.fields))
    session.commit()
    flash(f"Contact “{contact.name}” added.", "info")
    return _back(parent, "contacts")


def _contact_page(parent: Parent, contact_id: int, state: FormState, status: int = 200) -> tuple[str, int]:
    record = check_parent_visible(db_session(), viewer(), parent)
    page = render_template(
        "admin/prospects/contact_edit.html",
        p=record,
        contact_id=contact_id,
        state=state,
        links=links_of(parent),
    )
    return page, status


@_route("/contacts/<int:contact_id>/edit", "contact_edit", ["GET", "POST"], kinds=(ACCOUNT,))
def contact_edit(kind: Kind, parent: Parent, contact_id: int) -> Response | tuple[str, int]:
    contact = _contact(parent, contact_id)
    if request.method == "GET":
        values = {name: getattr(contact, name) for name in CONTACT_FIELDS}
        values["is_primary"] = "1" if contact.is_primary else ""
        return _contact_page(parent, contact_id, FormState(values))
    session = db_session()
    values = posted(request.form)
    try:
        update_contact(session, viewer(), contact.id, values)
    except ValidationFailed as exc:
        session.rollback()
        return _contact_page(parent, contact_id, failed(values, exc.fields), 400)
    session.commit()
    flash("Contact saved.", "info")
    return _back(parent, "contacts")


@_route("/contacts/<int:contact_id>/delete", "contact_delete", ["GET", "POST"], kinds=(ACCOUNT,))
def contact_delete(kind: Kind, parent: Parent, contact_id: int) -> Response | str:
    contact = _contact(parent, contact_id)
    if request.method == "GET":
        return _confirm(
            kind,
            parent,
            title="Delete this contact?",
            what=contact.name,
            detail=" · ".join(v for v in (contact.job_title, contact.department) if v),
            consequence=(
                f"The contact is removed from this {kind.word}, from the calls and meetings it was part "
                "of, and from the offers sent to it."
            ),
            button="Delete contact",
            back="contacts",
        )
    session = db_session()
    name = contact.name
    delete_contact(session, viewer(), contact.id)
    session.commit()
    flash(f"Contact “{name}” deleted.", "info")
    return _back(parent, "contacts")


# Activities.


def _activity(parent: Parent, activity_id: int) -> Activity:
    session = db_session()
    check_parent_visible(session, viewer(), parent)
    activity = get_visible_activity(session, viewer(), activity_id)
    _check_on(activity.parent, parent)
    return activity


@_route("/activities", "activity_add", ["POST"])
def activity_add(kind: Kind, parent: Parent) -> Response | tuple[str, int]:
    session = db_session()
    values = posted(request.form)
    form = values.get("card_form") if values.get("card_form") in ACTIVITY_FORMS else "activity"
    try:
        activity = log_activity(session, viewer(), parent, values, zone())
    except ValidationFailed as exc:
        session.rollback()
        return _page(kind, parent, form, failed(values, exc.fields))
    session.commit()
    flash(f"{KIND_LABELS[activity.kind]} “{activity.subject}” saved.", "info")
    return _back(parent, "activities")


@_route("/activities/<int:activity_id>/outcome", "activity_outcome", ["POST"])
def activity_outcome(kind: Kind, parent: Parent, activity_id: int) -> Response | tuple[str, int]:
    """ "Held" / "Not held" on a planned call or meeting, with what came of it."""
    activity = _activity(parent, activity_id)
    session = db_session()
    values = posted(request.form)
    try:
        record_outcome(session, viewer(), activity.id, values)
    except ValidationFailed as exc:
        session.rollback()
        return _page(kind, parent, f"outcome_{activity_id}", failed(values, exc.fields))
    session.commit()
    flash(f"“{activity.subject}” marked {activity.status.value.replace('_', ' ')}.", "info")
    return _back(parent, "activities")


def _activity_page(
    parent: Parent, activity: Activity, state: FormState, status: int = 200
) -> tuple[str, int]:
    session = db_session()
    record = check_parent_visible(session, viewer(), parent)
    users = active_users(session)
    if activity.owner is not None and activity.owner not in users:
        users.append(activity.owner)  # a deactivated owner stays until someone picks another
    page = render_template(
        "admin/prospects/activity_edit.html",
        p=record,
        activity_id=activity.id,
        state=state,
        contacts=contacts_of(session, parent),
        user_options=user_options(users),
        links=links_of(parent),
        **card_vocabulary(),
    )
    return page, status


@_route("/activities/<int:activity_id>/edit", "activity_edit", ["GET", "POST"])
def activity_edit(kind: Kind, parent: Parent, activity_id: int) -> Response | tuple[str, int]:
    activity = _activity(parent, activity_id)
    if request.method == "GET":
        return _activity_page(parent, activity, FormState(activity_values(activity)))
    session = db_session()
    values = posted(request.form)
    try:
        update_activity(session, viewer(), activity.id, values, zone())
    except ValidationFailed as exc:
        session.rollback()
        return _activity_page(parent, _activity(parent, activity_id), failed(values, exc.fields), 400)
    session.commit()
    flash("Activity saved.", "info")
    return _back(parent, "activities")


@_route("/activities/<int:activity_id>/delete", "activity_delete", ["GET", "POST"])
def activity_delete(kind: Kind, parent: Parent, activity_id: int) -> Response | str:
    activity = _activity(parent, activity_id)
    label = KIND_LABELS[activity.kind]
    if request.method == "GET":
        return _confirm(
            kind,
            parent,
            title=f"Delete this {label.lower()}?",
            what=activity.subject,
            when=activity.starts_at,
            consequence=f"It is removed from the {kind.word}'s activities and timeline.",
            button=f"Delete {label.lower()}",
            back="activities",
        )
    session = db_session()
    delete_activity(session, viewer(), activity.id)
    session.commit()
    flash(f"{label} “{activity.subject}” deleted.", "info")
    return _back(parent, "activities")


# Tasks: quick add, complete, reopen (the Tasks page has the full form).


@_route("/tasks", "task_add", ["POST"])
def task_add(kind: Kind, parent: Parent) -> Response | tuple[str, int]:
    session = db_session()
    values = {key: value for key, value in posted(request.form).items() if key in QUICK_TASK_FIELDS}
    try:
        task = create_task(session, viewer(), parent, values)
    except ValidationFailed as exc:
        session.rollback()
        return _page(kind, parent, "task", failed(values, exc.fields))
    session.commit()
    flash(f"Task “{task.name}” added.", "info")
    return _back(parent, "tasks")


def _set_status(parent: Parent, task_id: int, status: TaskStatus, done: str) -> Response:
    session = db_session()
    check_parent_visible(session, viewer(), parent)
    task = get_visible_task(session, viewer(), task_id)
    _check_on(task.parent, parent)
    set_task_status(session, viewer(), task.id, status)
    session.commit()
    flash(f"Task “{task.name}” {done}.", "info")
    return _back(parent, "tasks")


@_route("/tasks/<int:task_id>/complete", "task_complete", ["POST"])
def task_complete(kind: Kind, parent: Parent, task_id: int) -> Response:
    return _set_status(parent, task_id, TaskStatus.DONE, "done")


@_route("/tasks/<int:task_id>/reopen", "task_reopen", ["POST"])
def task_reopen(kind: Kind, parent: Parent, task_id: int) -> Response:
    return _set_status(parent, task_id, TaskStatus.OPEN, "reopened")


# Notes: anyone who may see the parent writes one; its author or an admin changes it.


def _note(parent: Parent, note_id: int) -> Note:
    session = db_session()
    check_parent_visible(session, viewer(), parent)
    note = get_visible_note(session, viewer(), note_id)
    _check_on(note.parent, parent)
    if not can_edit_note(viewer(), note.author_id):
        raise DomainError(NOT_YOURS)
    return note


@_route("/notes", "note_add", ["POST"])
def note_add(kind: Kind, parent: Parent) -> Response | tuple[str, int]:
    session = db_session()
    values = posted(request.form)
    try:
        add_note(session, viewer(), parent, values)
    except ValidationFailed as exc:
        session.rollback()
        return _page(kind, parent, "note", failed(values, exc.fields))
    session.commit()
    flash("Note added.", "info")
    return _back(parent, "timeline")


def _note_page(parent: Parent, note: Note, state: FormState, status: int = 200) -> tuple[str, int]:
    record = check_parent_visible(db_session(), viewer(), parent)
    page = render_template(
        "admin/prospects/note_edit.html", p=record, note=note, state=state, links=links_of(parent)
    )
    return page, status


@_route("/notes/<int:note_id>/edit", "note_edit", ["GET", "POST"])
def note_edit(kind: Kind, parent: Parent, note_id: int) -> Response | tuple[str, int]:
    note = _note(parent, note_id)
    if request.method == "GET":
        return _note_page(parent, note, FormState({"body": note.body}))
    session = db_session()
    values = posted(request.form)
    try:
        update_note(session, viewer(), note.id, values)
    except ValidationFailed as exc:
        session.rollback()
        return _note_page(parent, _note(parent, note_id), failed(values, exc.fields), 400)
    session.commit()
    flash("Note saved.", "info")
    return _back(parent, "timeline")


@_route("/notes/<int:note_id>/delete", "note_delete", ["GET", "POST"])
def note_delete(kind: Kind, parent: Parent, note_id: int) -> Response | str:
    note = _note(parent, note_id)
    if request.method == "GET":
        return _confirm(
            kind,
            parent,
            title="Delete this note?",
            what=note.body if len(note.body) <= 200 else note.body[:200] + "…",
            when=note.created_at,
            consequence="The note is removed for good.",
            button="Delete note",
            back="timeline",
        )
    session = db_session()
    delete_note(session, viewer(), note.id)
    session.commit()
    flash("Note deleted.", "info")
    return _back(parent, "timeline")
