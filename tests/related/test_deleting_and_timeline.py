"""Deleting prospects takes their contacts, activities, tasks and notes with
them — no orphan rows; the timeline shows everything in order, a page at a
time, filtered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from crm_core.activities.models import Activity, activity_contacts
from crm_core.activities.services import log_activity
from crm_core.contacts.models import Contact
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.notes.models import Note
from crm_core.notes.services import add_note
from crm_core.parents import Parent
from crm_core.prospects.services import bulk_delete, delete_prospect, update_prospect
from crm_core.tasks.models import Task, TaskStatus
from crm_core.tasks.services import create_task, set_task_status
from crm_core.timeline import timeline_page

ZONE = ZoneInfo("UTC")


def _work(session: Session, user, pid: int) -> None:  # type: ignore[no-untyped-def]
    parent = Parent.prospect(pid)
    contact = add_contact(session, user, parent, {"name": "Ana"})
    log_activity(
        session,
        user,
        parent,
        {"kind": "call", "starts_at": "2026-03-02T10:00", "status": "held", "contact_ids": [contact.id]},
        ZONE,
    )
    create_task(session, user, parent, {"name": "Call back"})
    add_note(session, user, parent, {"body": "Interested"})


def counts(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Contact, Activity, Task, Note)
        } | {"activity_contacts": session.scalar(select(func.count()).select_from(activity_contacts)) or 0}


def test_deleting_prospects_leaves_no_orphans(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    keep, one, two, three = (add_prospect(owner_id=staff["sales"].id) for _ in range(4))
    with transaction(session_factory) as session:
        for pid in (keep, one, two, three):
            _work(session, staff["sales"], pid)
    assert counts(session_factory) == {
        "contacts": 4,
        "activities": 4,
        "tasks": 4,
        "notes": 4,
        "activity_contacts": 4,
    }
    with transaction(session_factory) as session:
        delete_prospect(session, staff["sales"], one)
        assert bulk_delete(session, staff["sales"], [two, three]) == 2
    assert counts(session_factory) == {
        "contacts": 1,
        "activities": 1,
        "tasks": 1,
        "notes": 1,
        "activity_contacts": 1,
    }
    with session_factory() as session:
        for model in (Contact, Activity, Task, Note):
            assert set(session.scalars(select(model.parent_id))) == {keep}


def test_the_timeline_in_order_paged_and_filtered(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    parent = Parent.prospect(pid)
    user = staff["sales"]
    with transaction(session_factory) as session:
        update_prospect(session, user, pid, {"company": "ACME"})
        _work(session, user, pid)
        task = session.scalar(select(Task).where(Task.parent_id == pid))
        set_task_status(session, user, task.id, TaskStatus.DONE)
    # Spread the records over time so the order is unambiguous.
    base = datetime.now(UTC) + timedelta(hours=1)  # after the edit recorded just now
    with transaction(session_factory) as session:
        for offset, model in enumerate((Activity, Task, Note), start=1):
            session.execute(
                update(model)
                .where(model.parent_id == pid)
                .values(created_at=base + timedelta(minutes=offset))
            )
        session.execute(
            update(Task).where(Task.parent_id == pid).values(completed_at=base + timedelta(minutes=5))
        )
    with session_factory() as session:
        page = timeline_page(session, parent)
        assert [e.kind for e in page.entries] == ["task_done", "note", "task", "activity", "change"]
        assert page.next_cursor is None
        first = timeline_page(session, parent, limit=2)
        second = timeline_page(session, parent, limit=2, after=first.next_cursor)
        third = timeline_page(session, parent, limit=2, after=second.next_cursor)
        assert [e.kind for e in first.entries + second.entries + third.entries] == [
            e.kind for e in page.entries
        ]
        assert third.next_cursor is None
        assert [e.kind for e in timeline_page(session, parent, filter_key="notes").entries] == ["note"]
        assert [e.kind for e in timeline_page(session, parent, filter_key="work").entries] == [
            "task_done",
            "task",
            "activity",
        ]
        assert [e.kind for e in timeline_page(session, parent, filter_key="changes").entries] == ["change"]
        assert timeline_page(session, parent, after="not-a-cursor").entries == page.entries


def test_a_captured_prospect_starts_its_timeline_with_the_capture(session_factory, add_prospect) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(submission_id="s-1", page_url="https://example.com/contact")
    with session_factory() as session:
        entries = timeline_page(session, Parent.prospect(pid)).entries
        assert [e.kind for e in entries] == ["captured"] and entries[
            0
        ].record.page_url == "https://example.com/contact"
