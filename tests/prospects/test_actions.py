"""Inline status, bulk actions, the column chooser: CSRF-protected POSTs that
leave a history entry for every change."""

from __future__ import annotations

from sqlalchemy import select

from crm_core.models import Prospect, ProspectChange
from tests.prospects.conftest import csrf_token


def changes(db, prospect_id: int) -> list[tuple[str, str, dict]]:
    db.expire_all()
    rows = db.scalars(
        select(ProspectChange).where(ProspectChange.prospect_id == prospect_id).order_by(ProspectChange.id)
    )
    return [(row.action, row.user.email if row.user else "", row.changes) for row in rows]


def test_inline_status_change(as_user, add_prospect, list_ids, db) -> None:
    pid = add_prospect(name="Ana")
    admin = as_user("admin")
    token = csrf_token(admin)
    response = admin.post(
        "/admin/prospects/status",
        data={
            "csrf_token": token,
            "prospect_id": pid,
            f"status_{pid}": list_ids["Qualified"],
            f"status_{pid + 1}": list_ids["Converted"],  # other rows' selects come along
            "next": "/admin/?q=ana",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/?q=ana")
    assert db.get(Prospect, pid).status_id == list_ids["Qualified"]
    assert changes(db, pid) == [("updated", "admin@example.com", {"status_id": ["New", "Qualified"]})]


def test_post_without_csrf_token_is_refused(as_user, add_prospect, list_ids, db) -> None:
    pid = add_prospect(name="Ana")
    admin = as_user("admin")
    response = admin.post(
        "/admin/prospects/status", data={"prospect_id": pid, f"status_{pid}": list_ids["Qualified"]}
    )
    assert response.status_code == 400
    response = admin.post("/admin/prospects/bulk", data={"action": "delete", "confirm": "yes", "ids": [pid]})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Prospect, pid).status_id == list_ids["New"]


def test_inline_status_rejects_unknown_status(as_user, add_prospect, list_ids, db) -> None:
    pid = add_prospect(name="Ana")
    admin = as_user("admin")
    admin.post(
        "/admin/prospects/status",
        data={"csrf_token": csrf_token(admin), "prospect_id": pid, f"status_{pid}": "99999"},
    )
    assert db.get(Prospect, pid).status_id == list_ids["New"]
    assert changes(db, pid) == []


def test_bulk_status_and_owner(as_user, add_prospect, staff, list_ids, db) -> None:
    ids = [add_prospect(name=f"Lead {i}") for i in range(3)]
    untouched = add_prospect(name="Not selected")
    admin = as_user("admin")
    token = csrf_token(admin)
    response = admin.post(
        "/admin/prospects/bulk",
        data={"csrf_token": token, "action": "status", "status_id": list_ids["In progress"], "ids": ids},
        follow_redirects=True,
    )
    assert "Status changed on 3 prospect(s)." in response.get_data(as_text=True)
    admin.post(
        "/admin/prospects/bulk",
        data={"csrf_token": token, "action": "owner", "owner_id": staff["sales"].id, "ids": ids[:2]},
    )
    db.expire_all()
    rows = {p.id: p for p in db.scalars(select(Prospect))}
    assert [rows[i].status_id for i in ids] == [list_ids["In progress"]] * 3
    assert [rows[i].owner_id for i in ids] == [staff["sales"].id, staff["sales"].id, None]
    assert rows[untouched].status_id == list_ids["New"]
    assert changes(db, ids[0]) == [
        ("updated", "admin@example.com", {"status_id": ["New", "In progress"]}),
        ("updated", "admin@example.com", {"owner_id": ["", "Sam Sales"]}),
    ]
    # The sales owner now sees exactly those two.
    assert {i["id"] for i in as_user("sales").get("/admin/prospects.json").json["items"]} == set(ids[:2])


def test_bulk_delete_asks_for_confirmation(as_user, add_prospect, db) -> None:
    ids = [add_prospect(name=f"Lead {i}") for i in range(2)]
    keep = add_prospect(name="Keep me")
    admin = as_user("admin")
    token = csrf_token(admin)
    page = admin.post("/admin/prospects/bulk", data={"csrf_token": token, "action": "delete", "ids": ids})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Delete 2 prospects?" in text and 'name="confirm" value="yes"' in text
    assert len(db.scalars(select(Prospect.id)).all()) == 3  # nothing deleted yet
    response = admin.post(
        "/admin/prospects/bulk",
        data={"csrf_token": token, "action": "delete", "confirm": "yes", "ids": ids, "next": "/admin/"},
        follow_redirects=True,
    )
    assert "Deleted 2 prospect(s)." in response.get_data(as_text=True)
    assert db.scalars(select(Prospect.id)).all() == [keep]


def test_bulk_without_selection(as_user) -> None:
    admin = as_user("admin")
    response = admin.post(
        "/admin/prospects/bulk",
        data={"csrf_token": csrf_token(admin), "action": "status"},
        follow_redirects=True,
    )
    assert "Select at least one prospect first." in response.get_data(as_text=True)


def test_columns_can_be_chosen_and_ordered(as_user, add_prospect) -> None:
    add_prospect(name="Ana", email="ana@example.com", phone="+40 722 000 111")
    admin = as_user("admin")
    token = csrf_token(admin)
    order = ["name", "company", "status", "priority", "owner", "source", "email", "phone", "created", "form"]
    admin.post(
        "/admin/prospects/columns",
        data={
            "csrf_token": token,
            "order": order,
            "columns": ["name", "email", "phone", "form"],
            "move": "phone:up",
        },
    )
    page = admin.get("/admin/").get_data(as_text=True)
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert ">Company" not in head and ">Status" not in head
    assert head.index(">Name") < head.index(">Phone") < head.index(">Email") < head.index(">Form")
    # Per user: another user keeps the defaults.
    assert ">Company" in as_user("marketing").get("/admin/").get_data(as_text=True).split("</thead>")[0]
