"""Who sees and changes which tasks through the pages: sales their own tasks
and the tasks on prospects they own, with no user picker; admins and
marketing anyone's. Every POST needs the session's CSRF token, and whatever a
person typed (task names, prospect names) is shown as text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.tasks.models import Task, TaskStatus
from tests.tasks.pages import csrf_token, groups


def test_sales_see_their_tasks_and_the_tasks_on_their_prospects(
    as_user, add_task, add_prospect, staff, db, zone_today
) -> None:  # type: ignore[no-untyped-def]
    mine = add_prospect(name="Sam's lead", owner_id=staff["sales"].id)
    sues = add_prospect(name="Sue's lead", owner_id=staff["sales2"].id)
    own = add_task("Mine", due=zone_today)
    on_my_prospect = add_task("Admin's, on Sam's lead", owner="admin", prospect_id=mine)
    sue_task = add_task("Sue's", owner="sales2", prospect_id=sues)
    delegated = add_task("For Sam, on Sue's lead", owner="sales", prospect_id=sues)
    sam = as_user("sales")
    token = csrf_token(sam)

    page = sam.get("/admin/tasks").get_data(as_text=True)
    assert groups(page)["no_date"] == ["For Sam, on Sue's lead"] and groups(page)["today"] == ["Mine"]
    for crafted in ("owner=all", f"owner={staff['sales2'].id}"):
        assert groups(sam.get(f"/admin/tasks?{crafted}").get_data(as_text=True)) == groups(page), crafted
    # The prospect of a task delegated to Sam is named, without a link Sam could not follow.
    assert "For Sam, on Sue&#39;s lead" in page and "Sue&#39;s lead</span>" in page
    assert f'href="/admin/prospects/{sues}"' not in page

    for task_id in (own, on_my_prospect, delegated):
        assert sam.get(f"/admin/tasks/{task_id}").status_code == 200
    assert sam.get(f"/admin/tasks/{sue_task}").status_code == 404
    for path, data in (
        (f"/admin/tasks/{sue_task}/status", {"status": "done"}),
        (f"/admin/tasks/{sue_task}/reschedule", {"due_date": "2030-01-01"}),
        (f"/admin/tasks/{sue_task}", {"name": "Taken over"}),
        (f"/admin/tasks/{sue_task}/delete", {}),
    ):
        assert sam.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    db.expire_all()
    untouched = db.get(Task, sue_task)
    assert (untouched.name, untouched.status, untouched.due_date) == ("Sue's", TaskStatus.OPEN, None)

    done = sam.post(f"/admin/tasks/{on_my_prospect}/status", data={"csrf_token": token, "status": "done"})
    assert done.status_code == 302, "a task on Sam's own prospect is Sam's to complete"

    # No task on someone else's prospect.
    assert sam.get(f"/admin/tasks/new?prospect={sues}").status_code == 404
    before = db.scalar(select(func.count()).select_from(Task))
    assert (
        sam.post(
            "/admin/tasks/new", data={"csrf_token": token, "prospect": str(sues), "name": "x"}
        ).status_code
        == 404
    )
    assert sam.get("/admin/tasks/new?prospect=abc").status_code == 404
    assert db.scalar(select(func.count()).select_from(Task)) == before


@pytest.mark.parametrize("role", ["admin", "marketing"])
def test_admins_and_marketing_pick_whose_tasks(role, as_user, add_task, staff, zone_today) -> None:  # type: ignore[no-untyped-def]
    add_task("Sam's", owner="sales", due=zone_today)
    add_task("Sue's", owner="sales2", due=zone_today)
    add_task("Own", owner=role, due=zone_today)
    client = as_user(role)
    page = client.get("/admin/tasks").get_data(as_text=True)
    assert 'id="owner" name="owner"' in page and "Your tasks" in page
    assert groups(page)["today"] == ["Own"]
    everyone = client.get("/admin/tasks?owner=all").get_data(as_text=True)
    assert (
        sorted(groups(everyone)["today"]) == ["Own", "Sam's", "Sue's"] and "Everyone&#39;s tasks" in everyone
    )
    sams = client.get(f"/admin/tasks?owner={staff['sales'].id}").get_data(as_text=True)
    assert groups(sams)["today"] == ["Sam's"] and "Tasks of Sam Sales" in sams
    assert f'<option value="{staff["sales"].id}" selected>' in sams


XSS = '<script>alert("t")</script>'
XSS_PROSPECT = '"><img src=x onerror=alert(1)>'


def test_task_and_prospect_names_are_shown_as_text(as_user, add_task, add_prospect, staff) -> None:  # type: ignore[no-untyped-def]
    pid = add_prospect(name=XSS_PROSPECT, owner_id=staff["sales"].id)
    task_id = add_task(XSS, prospect_id=pid, description=XSS)
    client = as_user("sales")
    token = csrf_token(client)
    client.post(f"/admin/tasks/{task_id}/reschedule", data={"csrf_token": token, "due_date": "2031-01-01"})
    pages = {
        "list with flash": client.get("/admin/tasks").get_data(as_text=True),
        "edit": client.get(f"/admin/tasks/{task_id}").get_data(as_text=True),
        "delete": client.get(f"/admin/tasks/{task_id}/delete").get_data(as_text=True),
        "new on the prospect": client.get(f"/admin/tasks/new?prospect={pid}").get_data(as_text=True),
    }
    client.post(f"/admin/tasks/{task_id}/status", data={"csrf_token": token, "status": "done"})
    pages["completed flash"] = client.get("/admin/tasks?done=1").get_data(as_text=True)
    for where, page in pages.items():
        assert "<script>alert" not in page and "<img src=x" not in page, where
    for where in ("list with flash", "edit", "delete", "completed flash"):
        assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in pages[where], where
    for where in ("list with flash", "edit", "new on the prospect"):
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages[where], where


def test_every_task_post_needs_the_csrf_token(app, staff, add_task, add_prospect, db) -> None:  # type: ignore[no-untyped-def]
    from tests.prospects.conftest import login

    pid = add_prospect(owner_id=staff["admin"].id)
    task_id = add_task("Guarded", owner="admin", prospect_id=pid)
    client = login(app.test_client(), staff["admin"])
    posts = [
        ("/admin/tasks/new", {"name": "Forged", "prospect": str(pid)}),
        (f"/admin/tasks/{task_id}", {"name": "Forged", "status": "done"}),
        (f"/admin/tasks/{task_id}/status", {"status": "done"}),
        (f"/admin/tasks/{task_id}/reschedule", {"due_date": "2030-01-01"}),
        (f"/admin/tasks/{task_id}/delete", {}),
        ("/admin/prospects/bulk", {"action": "task", "step": "create", "ids": str(pid), "name": "Forged"}),
    ]
    for path, data in posts:
        for token in (None, "forged-token"):
            sent = data if token is None else {**data, "csrf_token": token}
            response = client.post(path, data=sent)
            assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True), path
    db.expire_all()
    task = db.get(Task, task_id)
    assert (task.name, task.status, task.due_date) == ("Guarded", TaskStatus.OPEN, None)
    assert db.scalar(select(func.count()).select_from(Task)) == 1
