"""The prospect card over HTTP, on SQLite and PostgreSQL: contacts, activities
(the two-click "Log call"), the task panel and notes posted as the card's own
forms post them (CSRF token included), errors shown beside the fields with
what was typed kept, times as wall clock in the instance's zone, and the
timeline in order, paged and filtered."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.activities.models import Activity, ActivityKind, ActivityStatus, Direction
from crm_core.clock import today
from crm_core.contacts.models import Contact
from crm_core.db import transaction
from crm_core.notes.models import Note
from crm_core.prospects.models import Prospect
from crm_core.tasks.models import Task, TaskStatus
from tests.admin.html_forms import read_form, with_values

Client = Any

_KINDS = re.compile(r'<li class="entry kind-\w+" data-kind="(\w+)"')


def card(client: Client, pid: int, query: str = "") -> str:
    response = client.get(f"/admin/prospects/{pid}{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def submit(client: Client, pid: int, form_id: str, **values: str | None) -> Any:
    """Post one of the card's forms as a browser would, with some inputs changed."""
    page = card(client, pid)
    form = read_form(page, form_id)
    action = re.search(rf'<form method="post" action="([^"]+)" id="{form_id}"', page)
    assert action, form_id
    return client.post(action.group(1), data=with_values(form, **values))


def text(html: str) -> str:
    """What the page reads as, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def kinds(page: str) -> list[str]:
    return _KINDS.findall(page)


def count(session_factory: sessionmaker[Session], model: Any) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_sales_day_on_the_card(as_user, staff, add_prospect, session_factory) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id, name="Ana Pop")
    sales = as_user("sales")

    response = submit(
        sales, pid, "contact-form", name="Ion Ionescu", job_title="Director", phone="+40 722 000 111"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/admin/prospects/{pid}#contacts"
    )
    page = card(sales, pid)
    assert "Ion Ionescu" in page and "Primary" in page and 'href="tel:+40 722 000 111"' in page

    # Logging a call that just happened: the form as it comes, saved.
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    assert submit(sales, pid, "log-call-form").status_code == 302
    with session_factory() as session:
        call = session.scalars(select(Activity)).one()
        contact = session.scalars(select(Contact)).one()
        assert (call.kind, call.status, call.direction, call.subject) == (
            ActivityKind.CALL,
            ActivityStatus.HELD,
            Direction.OUTBOUND,
            "Call",
        )
        assert [c.id for c in call.contacts] == [contact.id]
        assert call.owner_id == staff["sales"].id
        assert before - timedelta(minutes=1) <= call.starts_at <= datetime.now(UTC)
        assert session.get(Prospect, pid).last_activity_at == call.starts_at

    tomorrow = today(ZoneInfo("UTC")) + timedelta(days=1)
    response = submit(
        sales,
        pid,
        "activity-form",
        kind="meeting",
        subject="Demo at their office",
        starts_at=f"{tomorrow.isoformat()}T10:00",
        duration_minutes="45",
    )
    assert response.status_code == 302
    page = card(sales, pid)
    upcoming = text(page[page.index("Upcoming") : page.index('id="tasks"')])
    assert "Demo at their office" in upcoming and f"{tomorrow.isoformat()} 10:00\u201310:45" in upcoming

    assert (
        submit(sales, pid, "task-form", name="Send the offer", due_date=tomorrow.isoformat()).status_code
        == 302
    )
    with session_factory() as session:
        task = session.scalars(select(Task)).one()
        assert (task.owner_id, task.due_date, session.get(Prospect, pid).open_tasks) == (
            staff["sales"].id,
            tomorrow,
            1,
        )
    page = card(sales, pid)
    assert f"/admin/prospects/{pid}/tasks/{task.id}/complete" in page
    token = read_form(page, "task-form")["csrf_token"]
    response = sales.post(f"/admin/prospects/{pid}/tasks/{task.id}/complete", data={"csrf_token": token})
    assert response.status_code == 302
    with session_factory() as session:
        assert session.get(Task, task.id).status == TaskStatus.DONE
        assert session.get(Prospect, pid).open_tasks == 0
    page = card(sales, pid)
    assert "No open tasks." in page and "Recently done (1)" in page

    note = "Spoke to Ion.\nOffer: https://example.com/offer?id=1&v=2."
    assert submit(sales, pid, "note-form", body=note).status_code == 302
    page = card(sales, pid)
    assert (
        'Offer: <a href="https://example.com/offer?id=1&amp;v=2" rel="noopener noreferrer nofollow" '
        'target="_blank">https://example.com/offer?id=1&amp;v=2</a>.'
    ) in page
    assert "Spoke to Ion.\nOffer:" in page  # the line break kept (shown by white-space: pre-wrap)
    assert kinds(page)[:5] == ["note", "task_done", "task", "activity", "activity"]


def test_errors_show_beside_the_fields_and_keep_what_was_typed(
    as_user, staff, add_prospect, session_factory
) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    sales = as_user("sales")

    response = submit(sales, pid, "contact-form", name="", email="not-an-email", job_title="CEO")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<details class="disclosure" id="add-contact" open>' in page
    assert '<p class="error" id="contact-email-error">Enter a valid email address.</p>' in page
    assert '<p class="error" id="contact-name-error">Fill this in.</p>' in page
    assert 'value="not-an-email" aria-invalid="true" aria-describedby="contact-email-error"' in page
    assert 'id="contact-job_title" name="job_title" type="text" value="CEO"' in page

    response = submit(sales, pid, "log-call-form", starts_at="yesterday", outcome="No answer")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<details class="disclosure" id="log-call" open>' in page
    assert "Enter a date and time like 2026-12-01 14:30." in page and ">No answer</textarea>" in page

    response = submit(
        sales, pid, "activity-form", starts_at="2030-01-02T10:00", ends_at="2030-01-02T09:00", subject="Lunch"
    )
    assert response.status_code == 400
    assert "The end is before the start." in response.get_data(as_text=True)

    response = submit(sales, pid, "task-form", name=" ", due_date="31/12/2030")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<p class="error" id="task-name-error">Fill this in.</p>' in page
    assert '<p class="error" id="task-due_date-error">Enter a date like 2026-12-31.</p>' in page
    assert 'value="31/12/2030"' in page

    response = submit(sales, pid, "note-form", body="   ")
    assert response.status_code == 400
    assert '<p class="error" id="note-body-error">Fill this in.</p>' in response.get_data(as_text=True)

    for model in (Contact, Activity, Task, Note):
        assert count(session_factory, model) == 0


def test_times_are_typed_and_shown_in_the_instance_zone(
    app, as_user, staff, add_prospect, session_factory
) -> None:  # type: ignore[no-untyped-def]
    app.config["LC_SETTINGS"] = replace(app.config["LC_SETTINGS"], time_zone="Europe/Bucharest")
    pid = add_prospect(owner_id=staff["sales"].id)
    sales = as_user("sales")
    response = submit(
        sales,
        pid,
        "activity-form",
        kind="call",
        subject="Follow-up",
        starts_at="2030-03-04T10:00",
        ends_at="",
    )
    assert response.status_code == 302
    with session_factory() as session:
        activity = session.scalars(select(Activity)).one()
        assert activity.starts_at == datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # EET is UTC+2 in March
        assert activity.ends_at == activity.starts_at + timedelta(minutes=30)
    page = card(sales, pid)
    assert "2030-03-04 10:00\u201310:30" in text(page)
    edit = sales.get(f"/admin/prospects/{pid}/activities/{activity.id}/edit").get_data(as_text=True)
    assert 'name="starts_at" type="datetime-local" value="2030-03-04T10:00"' in edit
    assert 'name="ends_at" type="datetime-local" value="2030-03-04T10:30"' in edit
    # The log-call form starts at "now" on Bucharest's wall clock.
    starts = read_form(page, "log-call-form")["starts_at"]
    local_now = datetime.now(ZoneInfo("Europe/Bucharest")).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(starts) - local_now) < timedelta(minutes=2)


def _records(session_factory: sessionmaker[Session], staff: dict[str, Any], pid: int) -> dict[str, int]:
    """A contact, a planned meeting, an open task and a note on ``pid``, written by its owner."""
    from crm_core.activities.services import log_activity
    from crm_core.contacts.services import add_contact
    from crm_core.notes.services import add_note
    from crm_core.parents import Parent
    from crm_core.tasks.services import create_task

    with transaction(session_factory) as session:
        owner = session.get(Prospect, pid).owner
        parent = Parent.prospect(pid)
        contact = add_contact(session, owner, parent, {"name": "Ion"})
        activity = log_activity(
            session,
            owner,
            parent,
            {
                "kind": "meeting",
                "subject": "Visit",
                "starts_at": "2030-01-02T10:00",
                "contact_ids": [contact.id],
            },
            ZoneInfo("UTC"),
        )
        task = create_task(session, owner, parent, {"name": "Call back"})
        note = add_note(session, owner, parent, {"body": "Warm lead"})
        session.flush()
        return {"contact_id": contact.id, "activity_id": activity.id, "task_id": task.id, "note_id": note.id}


RECORD_ROUTES = [
    ("GET", "/admin/prospects/{pid}"),
    ("GET", "/admin/prospects/{pid}/timeline"),
    ("POST", "/admin/prospects/{pid}/contacts"),
    ("GET", "/admin/prospects/{pid}/contacts/{contact_id}/edit"),
    ("POST", "/admin/prospects/{pid}/contacts/{contact_id}/edit"),
    ("GET", "/admin/prospects/{pid}/contacts/{contact_id}/delete"),
    ("POST", "/admin/prospects/{pid}/contacts/{contact_id}/delete"),
    ("POST", "/admin/prospects/{pid}/activities"),
    ("POST", "/admin/prospects/{pid}/activities/{activity_id}/outcome"),
    ("GET", "/admin/prospects/{pid}/activities/{activity_id}/edit"),
    ("POST", "/admin/prospects/{pid}/activities/{activity_id}/edit"),
    ("GET", "/admin/prospects/{pid}/activities/{activity_id}/delete"),
    ("POST", "/admin/prospects/{pid}/activities/{activity_id}/delete"),
    ("POST", "/admin/prospects/{pid}/tasks"),
    ("POST", "/admin/prospects/{pid}/tasks/{task_id}/complete"),
    ("POST", "/admin/prospects/{pid}/tasks/{task_id}/reopen"),
    ("POST", "/admin/prospects/{pid}/notes"),
    ("GET", "/admin/prospects/{pid}/notes/{note_id}/edit"),
    ("POST", "/admin/prospects/{pid}/notes/{note_id}/edit"),
    ("GET", "/admin/prospects/{pid}/notes/{note_id}/delete"),
    ("POST", "/admin/prospects/{pid}/notes/{note_id}/delete"),
]


def _snapshot(session_factory: sessionmaker[Session]) -> list[Any]:
    with session_factory() as session:
        return [
            sorted(tuple(row) for row in session.execute(select(*model.__table__.columns)))
            for model in (Contact, Activity, Task, Note)
        ]


def test_sales_reach_no_record_of_a_prospect_they_do_not_own(
    as_user, staff, add_prospect, session_factory
) -> None:  # type: ignore[no-untyped-def]
    mine = add_prospect(owner_id=staff["sales"].id)
    theirs = add_prospect(owner_id=staff["sales2"].id)
    ids = _records(session_factory, staff, theirs)
    _records(session_factory, staff, mine)
    before = _snapshot(session_factory)
    sales = as_user("sales")
    token = read_form(card(sales, mine), "note-form")["csrf_token"]
    data = {
        "csrf_token": token,
        "name": "X",
        "body": "X",
        "kind": "call",
        "starts_at": "2030-01-01T10:00",
        "status": "held",
    }
    for method, template in RECORD_ROUTES:
        # Their prospect, and their records through the address of my own prospect.
        for pid in (theirs, mine):
            url = template.format(pid=pid, **ids)
            if pid == mine and "{pid}" in template and not any(f"{{{k}}}" in template for k in ids):
                continue  # my own prospect's pages are mine to use
            response = sales.open(url, method=method, data=data if method == "POST" else None)
            assert response.status_code == 404, (method, url, response.status_code)
    assert _snapshot(session_factory) == before
    # Whoever may see the prospect (marketing: all of them) reaches its records.
    marketing = as_user("marketing")
    for template in (
        "/admin/prospects/{pid}/contacts/{contact_id}/edit",
        "/admin/prospects/{pid}/activities/{activity_id}/delete",
    ):
        assert marketing.get(template.format(pid=theirs, **ids)).status_code == 200


def test_contacts_are_edited_and_deleted_after_a_confirmation(
    as_user, staff, add_prospect, session_factory
) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    ids = _records(session_factory, staff, pid)
    sales = as_user("sales")
    edit_url = f"/admin/prospects/{pid}/contacts/{ids['contact_id']}/edit"
    form = read_form(sales.get(edit_url).get_data(as_text=True), "contact-edit-form")
    assert form["name"] == "Ion" and form.get("is_primary") == "1"
    response = sales.post(edit_url, data=with_values(form, email="bad", department="Sales"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a valid email address." in page and 'value="Sales"' in page
    assert (
        sales.post(edit_url, data=with_values(form, email="ion@example.com", department="Sales")).status_code
        == 302
    )
    with session_factory() as session:
        contact = session.get(Contact, ids["contact_id"])
        assert (contact.email, contact.department) == ("ion@example.com", "Sales")

    delete_url = f"/admin/prospects/{pid}/contacts/{ids['contact_id']}/delete"
    confirm = sales.get(delete_url).get_data(as_text=True)
    assert "Delete this contact?" in confirm and f'action="{delete_url}"' in confirm
    assert count(session_factory, Contact) == 1  # asking deletes nothing
    response = sales.post(delete_url, data={"csrf_token": form["csrf_token"]})
    assert response.status_code == 302
    assert count(session_factory, Contact) == 0
    with session_factory() as session:  # the meeting it was part of stays, without it
        assert session.get(Activity, ids["activity_id"]).contacts == []


def test_a_planned_meeting_is_marked_held_edited_and_deleted(
    as_user, staff, add_prospect, session_factory
) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    ids = _records(session_factory, staff, pid)
    sales = as_user("sales")
    page = card(sales, pid)
    assert "Record what happened" in page
    token = read_form(page, "note-form")["csrf_token"]
    outcome_url = f"/admin/prospects/{pid}/activities/{ids['activity_id']}/outcome"
    response = sales.post(outcome_url, data={"csrf_token": token, "status": "cancelled", "outcome": "x"})
    assert response.status_code == 400
    assert "Choose one of: planned, held, not held." in response.get_data(as_text=True)
    response = sales.post(
        outcome_url, data={"csrf_token": token, "status": "held", "outcome": "Signed.\nNext: offer"}
    )
    assert response.status_code == 302
    with session_factory() as session:
        activity = session.get(Activity, ids["activity_id"])
        assert (activity.status, activity.outcome) == (ActivityStatus.HELD, "Signed.\nNext: offer")
        assert session.get(Prospect, pid).last_activity_at == activity.starts_at
    page = card(sales, pid)
    assert "Nothing planned." in page  # no longer upcoming: it is history, in the timeline
    assert "Held" in text(page[page.index('id="timeline"') :])

    edit_url = f"/admin/prospects/{pid}/activities/{ids['activity_id']}/edit"
    form = read_form(sales.get(edit_url).get_data(as_text=True), "activity-edit-form")
    assert (form["kind"], form["status"], form.getlist("contact_ids")) == (
        "meeting",
        "held",
        [str(ids["contact_id"])],
    )
    response = sales.post(edit_url, data=with_values(form, subject="Visit at HQ", status="not_held"))
    assert response.status_code == 302
    with session_factory() as session:
        activity = session.get(Activity, ids["activity_id"])
        assert (activity.subject, activity.status) == ("Visit at HQ", ActivityStatus.NOT_HELD)
        assert session.get(Prospect, pid).last_activity_at is None

    delete_url = f"/admin/prospects/{pid}/activities/{ids['activity_id']}/delete"
    assert "Delete this meeting?" in sales.get(delete_url).get_data(as_text=True)
    assert sales.post(delete_url, data={"csrf_token": token}).status_code == 302
    assert count(session_factory, Activity) == 0


def test_tasks_are_completed_and_reopened_on_the_card(as_user, staff, add_prospect, session_factory) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    ids = _records(session_factory, staff, pid)
    sales = as_user("sales")
    page = card(sales, pid)
    token = read_form(page, "task-form")["csrf_token"]
    assert "1 open" in page and "Call back" in page
    assert (
        sales.post(
            f"/admin/prospects/{pid}/tasks/{ids['task_id']}/complete", data={"csrf_token": token}
        ).status_code
        == 302
    )
    page = card(sales, pid)
    assert "No open tasks." in page and "Recently done (1)" in page
    assert kinds(page)[0] == "task_done"
    assert (
        sales.post(
            f"/admin/prospects/{pid}/tasks/{ids['task_id']}/reopen", data={"csrf_token": token}
        ).status_code
        == 302
    )
    with session_factory() as session:
        task = session.get(Task, ids["task_id"])
        assert (task.status, task.completed_at, session.get(Prospect, pid).open_tasks) == (
            TaskStatus.OPEN,
            None,
            1,
        )
    # The quick-add form takes only its own fields: a posted status is ignored.
    response = sales.post(
        f"/admin/prospects/{pid}/tasks",
        data={"csrf_token": token, "name": "Quote", "status": "done", "owner_id": str(staff["sales2"].id)},
    )
    assert response.status_code == 302
    with session_factory() as session:
        task = session.scalar(select(Task).where(Task.name == "Quote"))
        assert (task.status, task.owner_id) == (TaskStatus.OPEN, staff["sales2"].id)  # delegated


def test_only_the_author_or_an_admin_may_change_a_note(as_user, staff, add_prospect, session_factory) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    ids = _records(session_factory, staff, pid)  # written by the owner, Sam Sales
    edit_url = f"/admin/prospects/{pid}/notes/{ids['note_id']}/edit"
    delete_url = f"/admin/prospects/{pid}/notes/{ids['note_id']}/delete"
    marketing = as_user("marketing")
    page = card(marketing, pid)
    assert "Warm lead" in page and edit_url not in page and delete_url not in page
    token = read_form(page, "note-form")["csrf_token"]
    for url in (edit_url, delete_url):
        assert marketing.get(url).status_code == 409
        response = marketing.post(url, data={"csrf_token": token, "body": "Mine now"})
        assert response.status_code == 409
        assert "Only the note&#39;s author or an admin can change it." in response.get_data(as_text=True)
    with session_factory() as session:
        assert session.get(Note, ids["note_id"]).body == "Warm lead"

    admin = as_user("admin")
    assert edit_url in card(admin, pid)
    sales = as_user("sales")
    assert edit_url in card(sales, pid)
    form = read_form(sales.get(edit_url).get_data(as_text=True), "note-edit-form")
    assert form["body"] == "Warm lead"
    assert sales.post(edit_url, data=with_values(form, body="")).status_code == 400
    assert sales.post(edit_url, data=with_values(form, body="Warm lead.\nCall in May.")).status_code == 302
    assert "Call in May." in card(sales, pid)
    assert (
        admin.post(
            delete_url, data={"csrf_token": read_form(card(admin, pid), "note-form")["csrf_token"]}
        ).status_code
        == 302
    )
    assert count(session_factory, Note) == 0


def test_the_timeline_pages_and_filters_in_the_address(as_user, staff, add_prospect, session_factory) -> None:  # type: ignore[no-untyped-def]
    start = datetime.now(UTC) - timedelta(days=10)
    pid = add_prospect(
        owner_id=staff["sales"].id,
        created_at=start - timedelta(days=1),
        submission_id="sub-9",
        page_url="https://example.com/p?utm_source=ads",
        attribution={"utm_source": "ads"},
    )
    sales = as_user("sales")
    token = read_form(card(sales, pid), "note-form")["csrf_token"]
    response = sales.post(
        f"/admin/prospects/{pid}/edit", data={"csrf_token": token, "status_id": "", "company": "ACME"}
    )
    assert response.status_code == 302
    with transaction(session_factory) as session:
        for n in range(40):
            session.add(
                Note(
                    parent_type="prospect",
                    parent_id=pid,
                    author_id=staff["sales"].id,
                    body=f"Note {n}",
                    created_at=start + timedelta(hours=n),
                    updated_at=start + timedelta(hours=n),
                )
            )
    page = card(sales, pid)
    assert kinds(page) == ["change"] + ["note"] * 29
    older = re.search(r'href="(/admin/prospects/\d+\?after=[^"#]+)#timeline" data-fragment="([^"]+)"', page)
    assert older, "a Show older link"
    second = card(sales, pid, older.group(1)[len(f"/admin/prospects/{pid}") :].replace("&amp;", "&"))
    assert kinds(second) == ["note"] * 11 + ["captured"]
    assert "← Newest entries" in second and "Show older" not in second
    assert "Captured by the form" in second and "utm_source" in text(second)
    fragment = sales.get(older.group(2).replace("&amp;", "&")).get_data(as_text=True)
    assert kinds(fragment) == kinds(second) and "<html" not in fragment

    notes = card(sales, pid, "?filter=notes")
    assert set(kinds(notes)) == {"note"} and len(kinds(notes)) == 30
    assert 'aria-current="true">Notes</a>' in notes
    assert re.search(r'href="/admin/prospects/\d+\?filter=notes&amp;after=', notes), "paging keeps the filter"
    assert kinds(card(sales, pid, "?filter=changes")) == ["change", "captured"]
    assert kinds(card(sales, pid, "?filter=nonsense&after=garbage")) == kinds(page)


def test_a_status_change_reads_old_to_new_in_the_timeline(as_user, staff, add_prospect, list_ids) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    sales = as_user("sales")
    token = read_form(card(sales, pid), "note-form")["csrf_token"]
    sales.post(
        f"/admin/prospects/{pid}/edit", data={"csrf_token": token, "status_id": str(list_ids["Qualified"])}
    )
    page = card(sales, pid, "?filter=changes")
    assert "Sam Sales changed Status: New → Qualified" in text(page)


def test_editing_an_activity_keeps_a_deactivated_owner(as_user, staff, add_prospect, session_factory) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    ids = _records(session_factory, staff, pid)
    with transaction(session_factory) as session:
        session.get(Activity, ids["activity_id"]).owner_id = staff["sales2"].id
        session.get(type(staff["sales2"]), staff["sales2"].id).active = False
    sales = as_user("sales")
    edit_url = f"/admin/prospects/{pid}/activities/{ids['activity_id']}/edit"
    form = read_form(sales.get(edit_url).get_data(as_text=True), "activity-edit-form")
    assert form["owner_id"] == str(staff["sales2"].id)
    assert sales.post(edit_url, data=with_values(form, subject="Renamed")).status_code == 302
    with session_factory() as session:
        assert session.get(Activity, ids["activity_id"]).owner_id == staff["sales2"].id


def test_a_task_on_the_card_opens_the_full_task_form_and_comes_back(
    as_user, staff, add_prospect, session_factory
) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    ids = _records(session_factory, staff, pid)
    sales = as_user("sales")
    page = card(sales, pid)
    back = f"next=/admin/prospects/{pid}%23tasks"
    edit = f"/admin/tasks/{ids['task_id']}?{back}"
    assert f'href="{edit}"' in page
    assert f'href="/admin/tasks/new?prospect={pid}&amp;{back}"' in page
    form = sales.get(edit).get_data(as_text=True)
    token = read_form(page, "task-form")["csrf_token"]
    response = sales.post(
        edit,
        data={
            "csrf_token": token,
            "name": "Call back",
            "description": "About the offer",
            "next": f"/admin/prospects/{pid}#tasks",
            "status": "open",
            "owner_id": str(staff["sales"].id),
        },
    )
    assert "Call back" in form and response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/prospects/{pid}#tasks")
    with session_factory() as session:
        assert session.get(Task, ids["task_id"]).description == "About the offer"
