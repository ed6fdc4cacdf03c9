"""Every change a webhook or a notification cares about writes its event to
the outbox in the same transaction — whichever path made it — and nothing is
written when the change is rolled back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.events.models import OutboxEvent
from crm_core.events.payloads import expand
from crm_core.events.queries import envelope, mark_dispatched, pending_events
from crm_core.parents import Parent
from crm_core.prospects.services import bulk_delete, bulk_update, create_prospect, update_prospect
from crm_core.tasks.models import TaskStatus
from crm_core.tasks.services import create_task, set_task_status, update_task


def events(session_factory: sessionmaker[Session]) -> list[tuple[str, dict[str, Any]]]:
    with session_factory() as session:
        return [(e.type, e.data) for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]


def test_prospect_changes_record_their_events(session_factory, staff, add_prospect, list_ids) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        created = create_prospect(session, staff["admin"], {"name": "Ana", "email": "ana@example.com"})
    with transaction(session_factory) as session:
        update_prospect(
            session,
            staff["admin"],
            created.id,
            {"status_id": str(list_ids["In progress"]), "company": "ACME"},
        )
    other = add_prospect()
    with transaction(session_factory) as session:
        bulk_update(session, staff["admin"], [other], "status_id", list_ids["Qualified"])
        bulk_delete(session, staff["admin"], [other])
    kinds = [kind for kind, _ in events(session_factory)]
    assert kinds == [
        "prospect.created",
        "prospect.updated",
        "prospect.status_changed",
        "prospect.updated",
        "prospect.status_changed",
        "prospect.deleted",
    ]
    changed = events(session_factory)[2][1]
    assert changed["prospect"]["id"] == created.id and changed["to_status_id"] == list_ids["In progress"]
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        update_prospect(session, staff["admin"], created.id, {"company": "Rolled back"})
        raise RuntimeError("the request failed")
    assert len(events(session_factory)) == 6


def test_web_submissions_record_prospect_created(
    make_form: Callable[..., dict[str, Any]],
    client,
    drain,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    form = make_form()
    for i in range(3):
        client.post(
            f"/f/{form['key']}",
            data={"name": f"L{i}", "email": f"l{i}@x.com"},
            headers={"Origin": "https://example.com"},
        )
    drain()
    created = [data for kind, data in events(session_factory) if kind == "prospect.created"]
    assert sorted(d["prospect"]["name"] for d in created) == ["[Web] L0", "[Web] L1", "[Web] L2"]
    assert all(d["prospect"]["submission_id"] and d["prospect"]["id"] for d in created)


def test_tasks_record_created_assigned_and_completed(session_factory, staff, add_prospect) -> None:  # type: ignore[no-untyped-def]
    parent = Parent.prospect(add_prospect(owner_id=staff["sales"].id))
    with transaction(session_factory) as session:
        mine = create_task(session, staff["sales"], parent, {"name": "Mine"})
        delegated = create_task(
            session, staff["admin"], None, {"name": "For Sam", "owner_id": str(staff["sales"].id)}
        )
        update_task(session, staff["admin"], mine.id, {"name": "Mine", "owner_id": str(staff["sales2"].id)})
        set_task_status(session, staff["sales"], delegated.id, TaskStatus.DONE)
    assert [kind for kind, _ in events(session_factory)] == [
        "task.created",
        "task.created",
        "task.assigned",
        "task.assigned",
        "task.completed",
    ]


def test_pending_events_are_handed_out_once_with_names_expanded(session_factory, staff, list_ids) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        create_prospect(session, staff["admin"], {"name": "Ana", "owner_id": str(staff["sales"].id)})
    with transaction(session_factory) as session:
        [event] = pending_events(session)
        body = envelope(event)
        assert body["id"].startswith("evt_") and body["type"] == "prospect.created" and body["version"] == 1
        data = expand(session, body["data"])
        assert data["prospect"]["owner"] == {
            "id": staff["sales"].id,
            "name": "Sam Sales",
            "email": "sam@example.com",
        }
        assert data["prospect"]["status"]["name"] == "New"
        mark_dispatched(session, [event.id])
    with session_factory() as session:
        assert pending_events(session) == []
