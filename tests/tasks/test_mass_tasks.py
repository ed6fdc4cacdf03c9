"""Mass task creation from the prospects list: select prospects, "Create
task…", fill one form, and each selected prospect the user may see gets its
own identical task — for its owner, or for one chosen user."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_core.prospects.models import Prospect
from crm_core.tasks.models import Task
from tests.tasks.pages import csrf_token, flashes


def _tasks(db) -> list[tuple[int | None, str, int | None]]:  # type: ignore[no-untyped-def]
    db.expire_all()
    rows = db.execute(select(Task.parent_id, Task.name, Task.owner_id).order_by(Task.parent_id, Task.id))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_one_task_on_each_selected_prospect_for_its_owner(as_user, add_prospect, staff, list_ids, db) -> None:  # type: ignore[no-untyped-def]
    sams = add_prospect(name="Ana", owner_id=staff["sales"].id)
    sues = add_prospect(name="Bea", owner_id=staff["sales2"].id)
    nobodys = add_prospect(name="Cleo", owner_id=None)
    add_prospect(name="Not selected", owner_id=staff["sales"].id)
    admin = as_user("admin")
    token = csrf_token(admin)
    ids = [str(sams), str(sues), str(nobodys)]

    listed = admin.get("/admin/").get_data(as_text=True)
    assert 'name="action" value="task"' in listed and "Create task…" in listed
    form = admin.post(
        "/admin/prospects/bulk",
        data={"csrf_token": token, "action": "task", "ids": ids, "next": "/admin/?q=a"},
    )
    text = form.get_data(as_text=True)
    assert form.status_code == 200 and "Create a task on 3 prospects" in text
    assert all(f'name="ids" value="{pid}"' in text for pid in ids)
    assert 'name="next" value="/admin/?q=a"' in text and 'value="owners" checked' in text

    refused = admin.post(
        "/admin/prospects/bulk",
        data={
            "csrf_token": token,
            "action": "task",
            "step": "create",
            "ids": ids,
            "name": "",
            "due_date": "soon",
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="err-name">Fill this in.' in text and 'id="err-due_date">Enter a date like 2026-12-31.' in text
    assert all(f'name="ids" value="{pid}"' in text for pid in ids), "the selection survives the error"
    assert _tasks(db) == []

    created = admin.post(
        "/admin/prospects/bulk",
        data={
            "csrf_token": token,
            "action": "task",
            "step": "create",
            "ids": ids,
            "next": "/admin/?q=a",
            "name": "Call about the fair",
            "description": "Invite them to stand B12.",
            "due_date": "2030-04-01",
            "priority_id": str(list_ids["High"]),
            "assign": "owners",
            "owner_id": str(staff["marketing"].id),  # ignored: each owner gets theirs
        },
    )
    assert created.status_code == 302 and created.headers["Location"] == "/admin/?q=a"
    assert _tasks(db) == [
        (sams, "Call about the fair", staff["sales"].id),
        (sues, "Call about the fair", staff["sales2"].id),
        (nobodys, "Call about the fair", staff["admin"].id),
    ]
    assert "Task “Call about the fair” created on 3 prospects." in flashes(
        admin.get("/admin/").get_data(as_text=True)
    )
    for pid in (sams, sues, nobodys):
        prospect = db.get(Prospect, pid)
        assert (prospect.open_tasks, prospect.next_task_due.isoformat()) == (1, "2030-04-01")


def test_mass_tasks_for_a_chosen_user_and_only_on_visible_prospects(as_user, add_prospect, staff, db) -> None:  # type: ignore[no-untyped-def]
    mine = [add_prospect(owner_id=staff["sales"].id) for _ in range(2)]
    sues = add_prospect(owner_id=staff["sales2"].id)
    sam = as_user("sales")
    token = csrf_token(sam)
    ids = [str(i) for i in (*mine, sues)]
    form = sam.post(
        "/admin/prospects/bulk", data={"csrf_token": token, "action": "task", "ids": ids}
    ).get_data(as_text=True)
    assert "Create a task on 2 prospects" in form and f'name="ids" value="{sues}"' not in form
    sam.post(
        "/admin/prospects/bulk",
        data={
            "csrf_token": token,
            "action": "task",
            "step": "create",
            "ids": ids,
            "name": "Check in",
            "assign": "user",
            "owner_id": str(staff["sales2"].id),
        },
    )
    assert _tasks(db) == [
        (mine[0], "Check in", staff["sales2"].id),
        (mine[1], "Check in", staff["sales2"].id),
    ]

    only_others = sam.post(
        "/admin/prospects/bulk",
        data={
            "csrf_token": token,
            "action": "task",
            "step": "create",
            "ids": [str(sues)],
            "name": "Sneak in",
        },
    )
    assert only_others.status_code == 302
    assert db.scalar(select(func.count()).select_from(Task).where(Task.name == "Sneak in")) == 0
    assert "None of the selected prospects is yours to add a task to." in flashes(
        sam.get("/admin/").get_data(as_text=True)
    )
    nothing = sam.post("/admin/prospects/bulk", data={"csrf_token": token, "action": "task"})
    assert nothing.status_code == 302
    assert "Select at least one prospect first." in flashes(sam.get("/admin/").get_data(as_text=True))
