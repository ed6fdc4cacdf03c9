"""Settings → Task templates: admins list them per status, add, edit and
delete them (checked in plain words); a prospect entering the status from
the list's inline control gets the task, on the Tasks page of its owner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from crm_core.tasks.models import Assignee, Task, TaskTemplate
from tests.tasks.pages import csrf_token, flashes, groups


def _templates(db) -> list[tuple[str, int, int, Assignee, int | None]]:  # type: ignore[no-untyped-def]
    db.expire_all()
    rows = db.scalars(select(TaskTemplate).order_by(TaskTemplate.id))
    return [(t.name, t.status_id, t.due_in_days, t.assign_to, t.user_id) for t in rows]


def test_add_edit_and_delete_a_template(as_user, list_ids, staff, db) -> None:  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    token = csrf_token(admin)
    qualified = list_ids["Qualified"]
    page = admin.get("/admin/settings/task-templates").get_data(as_text=True)
    assert 'aria-current="page">Task templates</a>' in page
    assert f'href="/admin/settings/task-templates/new?status={qualified}"' in page
    form = admin.get(f"/admin/settings/task-templates/new?status={qualified}").get_data(as_text=True)
    assert f'<option value="{qualified}" selected>Qualified</option>' in form

    refused = admin.post(
        "/admin/settings/task-templates/new",
        data={"csrf_token": token, "status_id": "", "name": "", "due_in_days": "400", "assign_to": "user"},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    for field, message in (
        ("status_id", "Choose a status."),
        ("name", "Fill this in."),
        ("due_in_days", "Use a number of days from 0 to 365."),
        ("user_id", "Choose who gets the task."),
    ):
        assert f'id="err-{field}">{message}' in text, field
    assert _templates(db) == []

    added = admin.post(
        "/admin/settings/task-templates/new",
        data={
            "csrf_token": token,
            "status_id": str(qualified),
            "name": "Send the offer",
            "due_in_days": "3",
            "priority_id": str(list_ids["High"]),
            "assign_to": "owner",
            "user_id": str(staff["sales2"].id),  # ignored: the owner gets it
        },
    )
    assert added.status_code == 302 and added.headers["Location"] == "/admin/settings/task-templates"
    assert _templates(db) == [("Send the offer", qualified, 3, Assignee.OWNER, None)]
    template_id = db.scalar(select(TaskTemplate.id))
    page = admin.get("/admin/settings/task-templates").get_data(as_text=True)
    assert "Task template “Send the offer” added." in flashes(page)
    assert "Due in 3 days" in page and "High priority" in page and "For the prospect\u2019s owner" in page

    edit = admin.get(f"/admin/settings/task-templates/{template_id}").get_data(as_text=True)
    assert 'value="Send the offer"' in edit and 'value="3"' in edit
    saved = admin.post(
        f"/admin/settings/task-templates/{template_id}",
        data={
            "csrf_token": token,
            "status_id": str(qualified),
            "name": "Review the offer",
            "due_in_days": "0",
            "assign_to": "user",
            "user_id": str(staff["sales2"].id),
        },
    )
    assert saved.status_code == 302
    assert _templates(db) == [("Review the offer", qualified, 0, Assignee.USER, staff["sales2"].id)]
    page = admin.get("/admin/settings/task-templates").get_data(as_text=True)
    assert "Due the same day" in page and "For Sue Sales" in page

    assert "The tasks it already created stay." in admin.get(
        f"/admin/settings/task-templates/{template_id}/delete"
    ).get_data(as_text=True)
    deleted = admin.post(f"/admin/settings/task-templates/{template_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302 and _templates(db) == []
    assert admin.get(f"/admin/settings/task-templates/{template_id}").status_code == 404


def test_template_pages_are_for_admins_and_need_the_token(as_user, list_ids, db) -> None:  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    for role in ("marketing", "sales"):
        client = as_user(role)
        assert client.get("/admin/settings/task-templates").status_code == 403
        token = csrf_token(client)
        data = {"csrf_token": token, "status_id": str(list_ids["New"]), "name": "Sneaky"}
        assert client.post("/admin/settings/task-templates/new", data=data).status_code == 403
    forged = admin.post(
        "/admin/settings/task-templates/new", data={"status_id": str(list_ids["New"]), "name": "Forged"}
    )
    assert forged.status_code == 400 and "CSRF" in forged.get_data(as_text=True)
    assert _templates(db) == []


def test_template_names_are_shown_as_text(as_user, list_ids, db) -> None:  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    token = csrf_token(admin)
    name = "<img src=x onerror=alert(1)>"
    admin.post(
        "/admin/settings/task-templates/new",
        data={"csrf_token": token, "status_id": str(list_ids["New"]), "name": name, "description": name},
    )
    page = admin.get("/admin/settings/task-templates").get_data(as_text=True)
    template_id = db.scalar(select(TaskTemplate.id))
    pages = [
        page,
        admin.get(f"/admin/settings/task-templates/{template_id}").get_data(as_text=True),
        admin.get(f"/admin/settings/task-templates/{template_id}/delete").get_data(as_text=True),
    ]
    for shown in pages:
        assert "<img src=x" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown


def test_entering_the_status_from_the_list_puts_the_task_on_the_tasks_page(  # type: ignore[no-untyped-def]
    as_user, add_prospect, list_ids, staff, db, zone_today
) -> None:
    admin = as_user("admin")
    token = csrf_token(admin)
    admin.post(
        "/admin/settings/task-templates/new",
        data={
            "csrf_token": token,
            "status_id": str(list_ids["Qualified"]),
            "name": "Pirmas skambutis",
            "due_in_days": "2",
            "assign_to": "owner",
        },
    )
    pid = add_prospect(name="Jonas", owner_id=staff["sales"].id)
    sam = as_user("sales")
    changed = sam.post(
        "/admin/prospects/status",
        data={
            "csrf_token": csrf_token(sam),
            "prospect_id": str(pid),
            f"status_{pid}": str(list_ids["Qualified"]),
            "next": "/admin/",
        },
    )
    assert changed.status_code == 302
    shown = groups(sam.get("/admin/tasks").get_data(as_text=True))
    assert shown["upcoming"] == ["Pirmas skambutis"]
    task = db.scalars(select(Task)).one()
    assert (task.parent_id, task.owner_id, task.due_date) == (
        pid,
        staff["sales"].id,
        zone_today + timedelta(days=2),
    )
    # Saved again with the same status: nothing more.
    sam.post(
        "/admin/prospects/status",
        data={
            "csrf_token": csrf_token(sam),
            "prospect_id": str(pid),
            f"status_{pid}": str(list_ids["Qualified"]),
        },
    )
    assert db.scalar(select(func.count()).select_from(Task)) == 1
