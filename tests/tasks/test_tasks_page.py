"""The Tasks page: grouped overdue / today / upcoming / no date in the
instance's zone, done ones hidden unless asked, "show more", completing and
rescheduling from the list, one task's add / edit / delete, and the count
beside "Tasks" in the navigation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from crm_core.prospects.models import Prospect
from crm_core.tasks.models import Task, TaskStatus
from tests.tasks.pages import csrf_token, flashes, group_totals, groups, nav_count


def _task(db, task_id: int) -> Task:  # type: ignore[no-untyped-def]
    db.expire_all()
    task = db.get(Task, task_id)
    assert task is not None
    return task


def test_groups_follow_the_instance_zone_and_done_ones_are_hidden(as_user, add_task, zone_today) -> None:  # type: ignore[no-untyped-def]
    utc_today = datetime.now(UTC).date()
    add_task("Late call", due=zone_today - timedelta(days=3))
    add_task("Call today", due=zone_today)
    add_task("Call next week", due=zone_today + timedelta(days=7))
    add_task("Someday", due=None)
    add_task("By UTC's today", due=utc_today)
    add_task("Already done", due=zone_today, status="done")
    add_task("Sue's call", owner="sales2", due=zone_today)

    page = as_user("sales").get("/admin/tasks").get_data(as_text=True)
    shown = groups(page)
    # UTC's today is yesterday or tomorrow where the business is.
    if utc_today < zone_today:
        overdue, upcoming = ["Late call", "By UTC's today"], ["Call next week"]
    else:
        overdue, upcoming = ["Late call"], ["By UTC's today", "Call next week"]
    expected = {"overdue": overdue, "today": ["Call today"], "upcoming": upcoming, "no_date": ["Someday"]}
    assert shown == expected
    assert group_totals(page) == {key: len(names) for key, names in expected.items()}
    assert nav_count(page) == len(expected["overdue"]) + 1, "overdue and today, in the zone"
    assert "Your tasks" in page and 'name="owner"' not in page, "sales have no user picker"

    with_done = groups(as_user("sales").get("/admin/tasks?done=1").get_data(as_text=True))
    assert "Already done" in with_done["today"]


def test_every_group_shows_fifty_then_more(as_user, staff, db, session_factory) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with session_factory.begin() as session:
        session.execute(
            insert(Task),
            [
                {
                    "name": f"Loose end {n:02d}",
                    "owner_id": staff["sales"].id,
                    "status": TaskStatus.OPEN,
                    "description": "",
                    "created_at": now - timedelta(minutes=n),
                    "updated_at": now,
                }
                for n in range(53)
            ],
        )
    client = as_user("sales")
    page = client.get("/admin/tasks").get_data(as_text=True)
    assert len(groups(page)["no_date"]) == 50 and group_totals(page)["no_date"] == 53
    assert groups(page)["no_date"][0] == "Loose end 00", "newest first"
    assert "50 of 53 shown" in page
    more = client.get("/admin/tasks?no_date=100").get_data(as_text=True)
    assert len(groups(more)["no_date"]) == 53 and "Show more" not in more
    assert 'href="/admin/tasks?no_date=100#group-no_date"' in page


def test_complete_reopen_and_reschedule_from_the_list(
    as_user, add_task, add_prospect, staff, db, zone_today
) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    late = add_task("Send the quote", due=zone_today - timedelta(days=1), prospect_id=pid)
    later = add_task("Follow up", due=zone_today + timedelta(days=10), prospect_id=pid)
    client = as_user("sales")
    token = csrf_token(client)
    assert nav_count(client.get("/admin/tasks").get_data(as_text=True)) == 1

    done = client.post(
        f"/admin/tasks/{late}/status",
        data={"csrf_token": token, "status": "done", "next": "/admin/tasks?done=1"},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/admin/tasks?done=1"
    assert _task(db, late).status == TaskStatus.DONE and _task(db, late).completed_at is not None
    page = client.get("/admin/tasks").get_data(as_text=True)
    assert flashes(page) == ["Done: “Send the quote”."]
    assert nav_count(page) == 0 and groups(page)["overdue"] == []
    prospect = db.get(Prospect, pid)
    assert (prospect.open_tasks, prospect.next_task_due) == (1, zone_today + timedelta(days=10))

    moved = client.post(
        f"/admin/tasks/{later}/reschedule",
        data={
            "csrf_token": token,
            "due_date": zone_today.isoformat(),
            "due_time": "23:59",
            "next": "/admin/tasks",
        },
    )
    assert moved.status_code == 302
    task = _task(db, later)
    assert (task.due_date, task.due_time) == (zone_today, time(23, 59))
    page = client.get("/admin/tasks").get_data(as_text=True)
    assert groups(page)["today"] == ["Follow up"] and nav_count(page) == 1
    assert f"“Follow up” is now due on {zone_today.isoformat()} at 23:59." in flashes(page)
    db.expire_all()
    assert db.get(Prospect, pid).next_task_due == zone_today

    for bad, message in (
        ({"due_date": "31.12.2026"}, "Enter a date like 2026-12-31."),
        ({"due_time": "10:00"}, "Give the day too, or leave the time empty."),
    ):
        client.post(f"/admin/tasks/{later}/reschedule", data={"csrf_token": token, **bad})
        assert message in flashes(client.get("/admin/tasks").get_data(as_text=True))
        assert _task(db, later).due_date == zone_today, "a refused date changes nothing"

    reopened = client.post(f"/admin/tasks/{late}/status", data={"csrf_token": token, "status": "open"})
    assert reopened.status_code == 302 and reopened.headers["Location"] == "/admin/tasks"
    assert _task(db, late).status == TaskStatus.OPEN and _task(db, late).completed_at is None
    assert (
        client.post(
            f"/admin/tasks/{late}/status", data={"csrf_token": token, "status": "finished"}
        ).status_code
        == 400
    )


def test_a_new_task_on_a_prospect_independent_or_delegated(
    as_user, add_prospect, staff, db, zone_today
) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(name="Ana Popescu", owner_id=staff["sales"].id)
    client = as_user("sales")
    token = csrf_token(client)
    form = client.get(f"/admin/tasks/new?prospect={pid}&next=/admin/prospects/{pid}").get_data(as_text=True)
    assert "On prospect" in form and "Ana Popescu" in form
    assert f'name="prospect" value="{pid}"' in form and f'name="next" value="/admin/prospects/{pid}"' in form

    refused = client.post(
        "/admin/tasks/new",
        data={"csrf_token": token, "prospect": str(pid), "name": "  ", "due_date": "2026-02-30"},
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert 'id="err-name">Fill this in.' in text and 'id="err-due_date">Enter a date like 2026-12-31.' in text
    assert db.scalar(select(func.count()).select_from(Task)) == 0

    tomorrow = zone_today + timedelta(days=1)
    saved = client.post(
        "/admin/tasks/new",
        data={
            "csrf_token": token,
            "prospect": str(pid),
            "next": f"/admin/prospects/{pid}",
            "name": "Call Ana",
            "due_date": tomorrow.isoformat(),
            "owner_id": str(staff["sales"].id),
        },
    )
    assert saved.status_code == 302 and saved.headers["Location"] == f"/admin/prospects/{pid}"
    task = db.scalars(select(Task)).one()
    assert (task.parent_id, task.owner_id, task.due_date, task.created_by_id) == (
        pid,
        staff["sales"].id,
        tomorrow,
        staff["sales"].id,
    )
    db.expire_all()
    assert db.get(Prospect, pid).open_tasks == 1

    alone = client.post(
        "/admin/tasks/new",
        data={"csrf_token": token, "name": "Plan the week", "owner_id": str(staff["sales2"].id)},
    )
    assert alone.status_code == 302 and alone.headers["Location"] == "/admin/tasks"
    delegated = db.scalars(select(Task).where(Task.name == "Plan the week")).one()
    assert delegated.parent_id is None and delegated.owner_id == staff["sales2"].id
    assert "Task “Plan the week” added for Sue Sales." in flashes(
        client.get("/admin/tasks").get_data(as_text=True)
    )
    evil = client.post("/admin/tasks/new", data={"csrf_token": token, "name": "x", "next": "//evil.example/"})
    assert evil.headers["Location"] == "/admin/tasks", "no open redirect"


def test_edit_and_delete_a_task(as_user, add_task, add_prospect, staff, db) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(owner_id=staff["sales"].id)
    task_id = add_task("Draft the offer", prospect_id=pid)
    client = as_user("sales")
    token = csrf_token(client)
    form = client.get(f"/admin/tasks/{task_id}?next=/admin/tasks").get_data(as_text=True)
    assert 'value="Draft the offer"' in form and 'name="status"' in form
    edited = client.post(
        f"/admin/tasks/{task_id}",
        data={
            "csrf_token": token,
            "name": "Send the offer",
            "status": "in_progress",
            "due_date": "2030-01-15",
            "start_date": "2030-01-20",
            "next": "/admin/tasks",
        },
    )
    assert edited.status_code == 400 and "The due date is before the start date." in edited.get_data(
        as_text=True
    )
    assert _task(db, task_id).name == "Draft the offer"
    edited = client.post(
        f"/admin/tasks/{task_id}",
        data={
            "csrf_token": token,
            "name": "Send the offer",
            "status": "in_progress",
            "due_date": "2030-01-15",
            "next": "/admin/tasks",
        },
    )
    assert edited.status_code == 302 and edited.headers["Location"] == "/admin/tasks"
    task = _task(db, task_id)
    assert (task.name, task.status, task.due_date, task.owner_id) == (
        "Send the offer",
        TaskStatus.IN_PROGRESS,
        date(2030, 1, 15),
        staff["sales"].id,
    )

    confirm = client.get(f"/admin/tasks/{task_id}/delete").get_data(as_text=True)
    assert "Delete the task “Send the offer”?" in confirm
    deleted = client.post(f"/admin/tasks/{task_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302 and deleted.headers["Location"] == "/admin/tasks"
    db.expire_all()
    assert db.get(Task, task_id) is None and db.get(Prospect, pid).open_tasks == 0
    assert client.get(f"/admin/tasks/{task_id}").status_code == 404


def test_the_navigation_count_is_on_every_admin_page(as_user, add_task, zone_today) -> None:  # type: ignore[no-untyped-def]
    add_task("Late", due=zone_today - timedelta(days=1))
    add_task("Today", due=zone_today)
    add_task("Tomorrow", due=zone_today + timedelta(days=1))
    add_task("Someone else's", owner="sales2", due=zone_today)
    client = as_user("sales")
    for path in ("/admin/", "/admin/tasks", "/admin/tasks/new", "/admin/account/password"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert nav_count(response.get_data(as_text=True)) == 2, path
    assert nav_count(as_user("sales2").get("/admin/").get_data(as_text=True)) == 1
    assert nav_count(as_user("admin").get("/admin/").get_data(as_text=True)) == 0
