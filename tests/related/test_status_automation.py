"""Automatic tasks on status change: a status's templates create their tasks
once whenever a prospect *enters* it — edit, inline change, bulk change, a
new prospect by hand or from a web form — and never when the status is saved
unchanged. One service for every path (``crm_core.prospects.status``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import today
from crm_core.db import transaction
from crm_core.errors import ValidationFailed
from crm_core.prospects.models import Prospect
from crm_core.prospects.services import bulk_update, create_prospect, update_prospect
from crm_core.prospects.status import change_status
from crm_core.tasks.automation import add_template, delete_template, list_templates
from crm_core.tasks.models import Task

ZONE = ZoneInfo("Europe/Vilnius")


@pytest.fixture
def first_call(session_factory: sessionmaker[Session], list_ids: dict[str, int], staff) -> int:  # type: ignore[no-untyped-def]
    """The Lithuanian CRM's example: entering "In progress" creates "Pirmas skambutis" for the owner."""
    with transaction(session_factory) as session:
        add_template(
            session,
            {
                "status_id": list_ids["In progress"],
                "name": "Pirmas skambutis",
                "due_in_days": "2",
                "priority_id": str(list_ids["High"]),
            },
        )
        add_template(
            session,
            {
                "status_id": list_ids["In progress"],
                "name": "Manager review",
                "assign_to": "user",
                "user_id": str(staff["admin"].id),
            },
        )
    return list_ids["In progress"]


def tasks(session_factory: sessionmaker[Session], prospect_id: int) -> list[tuple[str, int | None]]:
    with session_factory() as session:
        rows = session.execute(
            select(Task.name, Task.owner_id).where(Task.parent_id == prospect_id).order_by(Task.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_entering_a_status_by_edit_creates_its_tasks_once(
    session_factory,
    staff,
    add_prospect,
    first_call,
    list_ids,  # type: ignore[no-untyped-def]
) -> None:
    pid = add_prospect(owner_id=staff["sales"].id)
    with transaction(session_factory) as session:
        update_prospect(session, staff["sales"], pid, {"status_id": str(first_call)}, zone=ZONE)
    expected = [("Pirmas skambutis", staff["sales"].id), ("Manager review", staff["admin"].id)]
    assert tasks(session_factory, pid) == expected
    with session_factory() as session:
        task = session.scalar(select(Task).where(Task.name == "Pirmas skambutis"))
        assert task.due_date == today(ZONE) + timedelta(days=2) and task.priority_id == list_ids["High"]
        assert session.get(Prospect, pid).open_tasks == 2
    # Saved again with the same status, or another field changed: nothing more.
    with transaction(session_factory) as session:
        update_prospect(
            session, staff["sales"], pid, {"status_id": str(first_call), "company": "ACME"}, zone=ZONE
        )
        change_status(session, staff["sales"], pid, first_call, zone=ZONE)
    assert tasks(session_factory, pid) == expected


def test_inline_bulk_and_new_prospects_run_the_same_rule(
    session_factory,
    staff,
    add_prospect,
    first_call,
    list_ids,  # type: ignore[no-untyped-def]
) -> None:
    a, b, already = (add_prospect(owner_id=staff["sales"].id) for _ in range(3))
    with transaction(session_factory) as session:
        change_status(session, staff["admin"], a, first_call)
        change_status(session, staff["admin"], already, first_call)
    with transaction(session_factory) as session:
        assert bulk_update(session, staff["admin"], [b, already], "status_id", first_call) == 1
        created = create_prospect(session, staff["admin"], {"name": "Walk-in", "status_id": str(first_call)})
    for pid in (a, b, already, created.id):
        assert [name for name, _ in tasks(session_factory, pid)] == ["Pirmas skambutis", "Manager review"], (
            pid
        )
    # Leaving and entering again is a new entry.
    with transaction(session_factory) as session:
        change_status(session, staff["admin"], a, list_ids["New"])
        change_status(session, staff["admin"], a, first_call)
    assert len(tasks(session_factory, a)) == 4


def test_a_web_submission_entering_the_status_gets_the_tasks(
    make_form: Callable[..., dict[str, Any]],
    client,
    drain,
    session_factory,
    first_call,
    staff,  # type: ignore[no-untyped-def]
) -> None:
    form = make_form(status_id=first_call, owner_id=staff["sales"].id)
    for i in range(3):
        answer = client.post(
            f"/f/{form['key']}",
            data={"name": f"Lead {i}", "email": f"l{i}@example.com"},
            headers={"Origin": "https://example.com"},
        )
        assert answer.status_code == 202
    drain()
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Prospect)) == 3
        owners = session.execute(select(Task.owner_id, func.count()).group_by(Task.owner_id)).all()
        assert dict(owners) == {staff["sales"].id: 3, staff["admin"].id: 3}
        assert {p.open_tasks for p in session.scalars(select(Prospect))} == {2}


def test_templates_are_checked_and_deleting_one_keeps_its_tasks(
    session_factory,
    staff,
    add_prospect,
    first_call,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session, pytest.raises(ValidationFailed) as caught:
        add_template(
            session, {"status_id": str(first_call), "name": "", "due_in_days": "-1", "assign_to": "user"}
        )
    assert set(caught.value.fields) == {"name", "due_in_days", "user_id"}, "every mistake at once"
    with transaction(session_factory) as session, pytest.raises(ValidationFailed) as caught:
        add_template(session, {"status_id": str(first_call), "name": "x", "assign_to": "user"})
    assert caught.value.fields == {"user_id": ["Choose who gets the task."]}
    pid = add_prospect(owner_id=staff["sales"].id)
    with transaction(session_factory) as session:
        change_status(session, staff["sales"], pid, first_call)
        for template in list_templates(session):
            delete_template(session, template.id)
    assert len(tasks(session_factory, pid)) == 2
