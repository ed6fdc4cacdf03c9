"""The domain of working a prospect: contacts (one primary), notes (the
author's words), activities (the prospect's last activity), tasks (the
prospect's task summary) and who may touch which — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.activities.services import log_activity, set_activity_status
from crm_core.clock import today
from crm_core.contacts.queries import contacts_of
from crm_core.contacts.services import add_contact, delete_contact, update_contact
from crm_core.db import transaction
from crm_core.errors import DomainError, NotFound, ValidationFailed
from crm_core.notes.services import add_note, delete_note, update_note
from crm_core.parents import Parent
from crm_core.prospects.models import Prospect
from crm_core.tasks.models import TaskStatus
from crm_core.tasks.queries import due_count, get_visible_task, tasks_page
from crm_core.tasks.services import create_task, create_tasks_on_prospects, reschedule_task, set_task_status
from crm_core.users.models import User

UTC = ZoneInfo("UTC")


def prospect(session: Session, prospect_id: int) -> Prospect:
    found = session.get(Prospect, prospect_id, populate_existing=True)
    assert found is not None
    return found


def test_the_first_contact_is_primary_and_one_stays_primary(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    parent = Parent.prospect(pid)
    with transaction(session_factory) as session:
        ana = add_contact(session, staff["sales"], parent, {"name": " Ana Pop ", "job_title": "CEO"})
        ion = add_contact(session, staff["sales"], parent, {"name": "Ion", "email": "ion@example.com"})
        assert (ana.name, ana.is_primary, ion.is_primary) == ("Ana Pop", True, False)
        update_contact(session, staff["sales"], ion.id, {"name": "Ion", "is_primary": "on"})
        assert [c.name for c in contacts_of(session, parent) if c.is_primary] == ["Ion"]
        delete_contact(session, staff["sales"], ion.id)
        assert [(c.name, c.is_primary) for c in contacts_of(session, parent)] == [("Ana Pop", True)]


def test_contact_input_is_checked_in_plain_words(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    parent = Parent.prospect(add_prospect())
    with transaction(session_factory) as session, pytest.raises(ValidationFailed) as caught:
        add_contact(
            session,
            staff["admin"],
            parent,
            {"name": "", "email": "nope", "phone": "abc", "job_title": "a\nb"},
        )
    assert caught.value.fields == {
        "name": ["Fill this in."],
        "email": ["Enter a valid email address."],
        "phone": ["Enter a valid phone number."],
        "job_title": ["Line breaks are not allowed here."],
    }


def test_sales_work_only_on_their_own_prospects(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    theirs = Parent.prospect(add_prospect(owner_id=staff["sales2"].id))
    with transaction(session_factory) as session:
        for action in (
            lambda: add_contact(session, staff["sales"], theirs, {"name": "X"}),
            lambda: add_note(session, staff["sales"], theirs, {"body": "hi"}),
            lambda: create_task(session, staff["sales"], theirs, {"name": "Call"}),
        ):
            with pytest.raises(NotFound):
                action()


def test_only_the_author_or_an_admin_changes_a_note(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    parent = Parent.prospect(add_prospect(owner_id=staff["sales"].id))
    with transaction(session_factory) as session:
        note = add_note(
            session, staff["marketing"], parent, {"body": "Line one\r\nLine <b>two</b> https://x.test"}
        )
        assert note.body == "Line one\nLine <b>two</b> https://x.test", "kept as typed"
        with pytest.raises(DomainError, match="author"):
            update_note(session, staff["sales"], note.id, {"body": "mine now"})
        update_note(session, staff["admin"], note.id, {"body": "edited by an admin"})
        delete_note(session, staff["marketing"], note.id)


def test_task_summary_follows_every_task_change(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    parent = Parent.prospect(pid)
    day = date(2030, 1, 10)
    with transaction(session_factory) as session:
        first = create_task(
            session, staff["sales"], parent, {"name": "Call back", "due_date": day.isoformat()}
        )
        create_task(session, staff["sales"], parent, {"name": "Send offer", "due_date": "2030-01-05"})
        assert (prospect(session, pid).open_tasks, prospect(session, pid).next_task_due) == (
            2,
            date(2030, 1, 5),
        )
    with transaction(session_factory) as session:
        second = session.scalar(select(type(first)).where(type(first).name == "Send offer"))
        set_task_status(session, staff["sales"], second.id, TaskStatus.DONE)
        assert (prospect(session, pid).open_tasks, prospect(session, pid).next_task_due) == (1, day)
        assert second.completed_at is not None
        reschedule_task(session, staff["sales"], first.id, {"due_date": "2030-02-01"})
        assert prospect(session, pid).next_task_due == date(2030, 2, 1)
        set_task_status(session, staff["sales"], second.id, TaskStatus.OPEN)
        assert second.completed_at is None and prospect(session, pid).open_tasks == 2


def test_a_task_needs_a_name_and_sane_dates(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session, pytest.raises(ValidationFailed) as caught:
        create_task(
            session, staff["admin"], None, {"name": " ", "start_date": "2030-01-02", "due_date": "2030-01-01"}
        )
    assert caught.value.fields["name"] == ["Fill this in."]
    with transaction(session_factory) as session, pytest.raises(ValidationFailed) as caught:
        create_task(
            session, staff["admin"], None, {"name": "x", "start_date": "2030-01-02", "due_date": "2030-01-01"}
        )
    assert caught.value.fields == {"due_date": ["The due date is before the start date."]}


def test_an_independent_task_and_delegation(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        task = create_task(
            session, staff["admin"], None, {"name": "Plan Q1", "owner_id": str(staff["sales"].id)}
        )
        assert task.parent is None and task.owner_id == staff["sales"].id
        assert get_visible_task(session, staff["sales"], task.id) is task
        with pytest.raises(NotFound):
            get_visible_task(session, staff["sales2"], task.id)


def test_the_tasks_page_groups_by_due_date_in_the_instance_zone(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    zone = ZoneInfo("Pacific/Kiritimati")  # UTC+14: "today" there is often tomorrow in UTC
    day = today(zone)
    with transaction(session_factory) as session:
        for name, due in [
            ("late", day - timedelta(days=1)),
            ("now", day),
            ("soon", day + timedelta(days=3)),
            ("whenever", None),
        ]:
            create_task(
                session, staff["sales"], None, {"name": name, "due_date": due.isoformat() if due else ""}
            )
        create_task(session, staff["sales2"], None, {"name": "not mine", "due_date": day.isoformat()})
        done = create_task(session, staff["sales"], None, {"name": "done", "due_date": day.isoformat()})
        set_task_status(session, staff["sales"], done.id, TaskStatus.DONE)
    with session_factory() as session:
        groups = {g.key: [t.name for t in g.tasks] for g in tasks_page(session, [staff["sales"].id], zone)}
        assert groups == {
            "overdue": ["late"],
            "today": ["now"],
            "upcoming": ["soon"],
            "no_date": ["whenever"],
        }
        with_done = tasks_page(session, [staff["sales"].id], zone, include_done=True)
        assert "done" in [t.name for g in with_done for t in g.tasks]
        assert due_count(session, staff["sales"], zone) == 2


def test_mass_task_creation_goes_to_each_owner_or_a_chosen_user(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    mine = add_prospect(owner_id=staff["sales"].id)
    hers = add_prospect(owner_id=staff["sales2"].id)
    nobody = add_prospect()
    with transaction(session_factory) as session:
        tasks = create_tasks_on_prospects(
            session, staff["admin"], [mine, hers, nobody], {"name": "Follow up"}, assign_to_owners=True
        )
        assert sorted((t.parent_id, t.owner_id) for t in tasks) == sorted(
            [(mine, staff["sales"].id), (hers, staff["sales2"].id), (nobody, staff["admin"].id)]
        )
    with transaction(session_factory) as session:
        tasks = create_tasks_on_prospects(
            session,
            staff["sales"],
            [mine, hers],
            {"name": "Mine only", "owner_id": str(staff["sales"].id)},
            assign_to_owners=False,
        )
        assert [t.parent_id for t in tasks] == [mine], "sales reach only their own prospects"
        assert prospect(session, mine).open_tasks == 2


def test_last_activity_is_the_latest_held_one(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    parent = Parent.prospect(pid)
    zone = ZoneInfo("Europe/Bucharest")
    with transaction(session_factory) as session:
        planned = log_activity(
            session,
            staff["sales"],
            parent,
            {"kind": "meeting", "starts_at": "2030-05-01T10:00", "status": "planned"},
            zone,
        )
        assert prospect(session, pid).last_activity_at is None, "a plan is not an activity yet"
        call = log_activity(
            session,
            staff["sales"],
            parent,
            {
                "kind": "call",
                "starts_at": "2026-03-02 09:30",
                "status": "held",
                "direction": "outbound",
                "duration_minutes": "15",
            },
            zone,
        )
        assert call.subject == "Call" and call.starts_at.hour == 7, "09:30 in Bucharest is 07:30 UTC"
        assert call.ends_at is not None and (call.ends_at - call.starts_at).seconds == 900
        assert prospect(session, pid).last_activity_at == call.starts_at
        set_activity_status(session, staff["sales"], planned.id, "held", outcome="Went well")
        assert prospect(session, pid).last_activity_at == planned.starts_at
        assert planned.direction is None


def test_users_of_records_keep_their_records_when_a_user_goes(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    parent = Parent.prospect(add_prospect(owner_id=staff["sales2"].id))
    with transaction(session_factory) as session:
        note = add_note(session, staff["sales2"], parent, {"body": "kept"})
        note_id = note.id
    with transaction(session_factory) as session:
        session.delete(session.get(User, staff["sales2"].id))
    with session_factory() as session:
        from crm_core.notes.models import Note

        kept = session.get(Note, note_id)
        assert kept is not None and kept.author_id is None
