"""The records around prospects, and the other resources, through the API:
each create / change / delete is the admin's service (primary contacts, task
summaries, last activity, offer totals, note authorship), PATCH changes only
what it sends, and the read-only resources list what the admin shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.events.models import OutboxEvent
from crm_core.models import Role
from tests.api.conftest import ApiClient, ClientFactory, assert_problem


def _prospect(api: ApiClient, **extra: Any) -> dict[str, Any]:
    answer = api.post("/api/v1/prospects", json={"name": "Ana Pop", **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_contacts_keep_one_primary(admin_api: ApiClient) -> None:
    prospect = _prospect(admin_api)
    base = f"/api/v1/prospects/{prospect['id']}/contacts"
    first = admin_api.post(base, json={"name": "Ion", "email": "ion@example.com"}).get_json()
    second = admin_api.post(base, json={"name": "Maria", "is_primary": True}).get_json()
    assert first["is_primary"] is True and second["is_primary"] is True
    listed = admin_api.get(base).get_json()["items"]
    assert [(c["name"], c["is_primary"]) for c in listed] == [("Maria", True), ("Ion", False)]
    patched = admin_api.patch(f"/api/v1/contacts/{first['id']}", json={"job_title": "CEO"}).get_json()
    assert (
        patched["job_title"] == "CEO" and patched["email"] == "ion@example.com" and patched["name"] == "Ion"
    )
    assert admin_api.delete(f"/api/v1/contacts/{second['id']}").status_code == 204
    assert admin_api.get(base).get_json()["items"][0]["is_primary"] is True
    bad = admin_api.post(base, json={"name": "X", "email": "nope", "phone": "abc"})
    assert set(assert_problem(bad, 422)["errors"]) == {"email", "phone"}


def test_tasks_on_a_prospect_and_independent_ones(
    admin_api: ApiClient, api_as: ClientFactory, db: Session
) -> None:
    prospect = _prospect(admin_api)
    task = admin_api.post(
        f"/api/v1/prospects/{prospect['id']}/tasks", json={"name": "Call back", "due_date": "2026-06-01"}
    ).get_json()
    assert task["owner_id"] == admin_api.user.id and task["status"] == "open"
    assert admin_api.get(f"/api/v1/prospects/{prospect['id']}").get_json()["next_task_due"] == "2026-06-01"
    done = admin_api.patch(f"/api/v1/tasks/{task['id']}", json={"status": "done"}).get_json()
    assert done["status"] == "done" and done["completed_at"] is not None and done["name"] == "Call back"
    assert admin_api.get(f"/api/v1/prospects/{prospect['id']}").get_json()["open_tasks"] == 0
    alone = admin_api.post("/api/v1/tasks", json={"name": "Plan Q3", "due_time": "10:00"})
    assert assert_problem(alone, 422)["errors"] == {
        "due_date": ["Give the day too, or leave the time empty."]
    }
    alone = admin_api.post("/api/v1/tasks", json={"name": "Plan Q3"}).get_json()
    assert alone["parent_type"] is None
    assert [t["name"] for t in admin_api.get("/api/v1/tasks?independent=true").get_json()["items"]] == [
        "Plan Q3"
    ]
    assert [t["name"] for t in admin_api.get("/api/v1/tasks?status=done").get_json()["items"]] == [
        "Call back"
    ]
    events = db.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)).all()
    assert events.count("task.created") == 2 and events.count("task.completed") == 1
    sales = api_as(Role.SALES)
    assert sales.get("/api/v1/tasks").get_json()["items"] == []  # not theirs
    assert_problem(sales.get(f"/api/v1/tasks/{alone['id']}"), 404)


def test_activities_refresh_last_activity_and_take_offsets(admin_api: ApiClient) -> None:
    prospect = _prospect(admin_api)
    base = f"/api/v1/prospects/{prospect['id']}/activities"
    contact = admin_api.post(f"/api/v1/prospects/{prospect['id']}/contacts", json={"name": "Ion"}).get_json()
    call = admin_api.post(
        base,
        json={
            "kind": "call",
            "starts_at": "2026-05-01T12:00:00+03:00",
            "duration_minutes": 30,
            "direction": "outbound",
            "contact_ids": [contact["id"]],
        },
    )
    assert call.status_code == 201, call.get_json()
    call = call.get_json()
    assert call["starts_at"] == "2026-05-01T09:00:00+00:00"  # the instance runs on UTC
    assert call["ends_at"] == "2026-05-01T09:30:00+00:00"
    assert call["subject"] == "Call" and call["contact_ids"] == [contact["id"]]
    assert admin_api.get(f"/api/v1/prospects/{prospect['id']}").get_json()["last_activity_at"] is None
    held = admin_api.patch(f"/api/v1/activities/{call['id']}", json={"status": "held"}).get_json()
    assert held["status"] == "held" and held["starts_at"] == call["starts_at"]
    assert (
        admin_api.get(f"/api/v1/prospects/{prospect['id']}").get_json()["last_activity_at"]
        == call["starts_at"]
    )
    other = _prospect(admin_api, email="x@example.com")
    foreign = admin_api.post(
        f"/api/v1/prospects/{other['id']}/activities",
        json={"kind": "meeting", "starts_at": "2026-05-02T10:00", "contact_ids": [contact["id"]]},
    )
    assert assert_problem(foreign, 422)["errors"] == {"contact_ids": ["Choose contacts of this record."]}
    assert [a["id"] for a in admin_api.get(base).get_json()["items"]] == [call["id"]]


def test_notes_belong_to_their_author(admin_api: ApiClient, api_as: ClientFactory) -> None:
    marketing = api_as(Role.MARKETING)
    prospect = _prospect(admin_api)
    note = marketing.post(f"/api/v1/prospects/{prospect['id']}/notes", json={"body": "Line one\r\nline two"})
    assert note.status_code == 201
    note = note.get_json()
    assert note["body"] == "Line one\nline two" and note["author_id"] == marketing.user.id
    other_marketer = api_as(Role.MARKETING)
    assert_problem(
        other_marketer.patch(f"/api/v1/notes/{note['id']}", json={"body": "mine now"}), 403, "forbidden"
    )
    assert (
        marketing.patch(f"/api/v1/notes/{note['id']}", json={"body": "edited"}).get_json()["body"] == "edited"
    )
    assert admin_api.delete(f"/api/v1/notes/{note['id']}").status_code == 204  # an admin may


def test_accounts_offers_and_lines_in_decimal(admin_api: ApiClient, api_as: ClientFactory) -> None:
    account = admin_api.post("/api/v1/accounts", json={"name": "Pop SRL", "website": "pop.ro"}).get_json()
    assert account["website"] == "https://pop.ro" and account["type"] == "company"
    product = admin_api.post(
        "/api/v1/products", json={"code": "W1", "name": "Widget", "price": "19.99", "currency": "RON"}
    ).get_json()
    assert product["price"] == "19.9900"
    offer = admin_api.post(
        "/api/v1/offers", json={"account_id": account["id"], "name": "Widgets", "currency": "ron"}
    ).get_json()
    assert offer["currency"] == "RON" and offer["total"] == "0.0000" and offer["lines"] == []
    with_lines = admin_api.put(
        f"/api/v1/offers/{offer['id']}/lines",
        json={
            "lines": [
                {"product_id": product["id"], "quantity": "3"},
                {"name": "Install", "unit_price": 0.1, "quantity": 3, "discount_pct": "10"},
            ]
        },
    ).get_json()
    assert [line["name"] for line in with_lines["lines"]] == ["Widget", "Install"]
    assert [line["line_total"] for line in with_lines["lines"]] == ["59.9700", "0.2700"]
    assert with_lines["total"] == "60.2400"
    sent = admin_api.get("/api/v1/lists/offer-statuses").get_json()["items"][1]
    moved = admin_api.post(f"/api/v1/offers/{offer['id']}/status", json={"status_id": sent["id"]}).get_json()
    assert moved["status_id"] == sent["id"]
    assert [
        o["name"] for o in admin_api.get(f"/api/v1/offers?account={account['id']}").get_json()["items"]
    ] == ["Widgets"]
    sales = api_as(Role.SALES)
    assert_problem(sales.post("/api/v1/products", json={"code": "X"}), 403, "forbidden")
    assert sales.get("/api/v1/products").get_json()["items"][0]["code"] == "W1"
    own = sales.post("/api/v1/accounts", json={"name": "Sales SRL"}).get_json()
    assert own["owner_id"] == sales.user.id  # sales add accounts for themselves
    assert [a["name"] for a in sales.get("/api/v1/accounts").get_json()["items"]] == ["Sales SRL"]
    assert admin_api.delete(f"/api/v1/accounts/{account['id']}").status_code == 204
    assert_problem(admin_api.get(f"/api/v1/offers/{offer['id']}"), 404)


def test_read_only_resources(admin_api: ApiClient, api_as: ClientFactory, make_form: Any) -> None:
    form = make_form(name="Quote request")
    forms = admin_api.get("/api/v1/forms").get_json()["items"]
    assert [f["name"] for f in forms] == ["Quote request"] and forms[0]["key"] == form["key"]
    assert [f["name"] for f in admin_api.get(f"/api/v1/forms/{form['form_id']}").get_json()["fields"]][
        :2
    ] == [
        "name",
        "email",
    ]
    statuses = admin_api.get("/api/v1/lists/statuses").get_json()["items"]
    assert [(s["name"], s["kind"]) for s in statuses][-1] == ("Converted", "converted")
    assert admin_api.get("/api/v1/lists/sources").get_json()["items"][0]["name"] == "Web form"
    assert [p["name"] for p in admin_api.get("/api/v1/lists/priorities").get_json()["items"]] == [
        "Low",
        "Medium",
        "High",
    ]
    sales = api_as(Role.SALES)
    me = sales.get("/api/v1/users/me").get_json()
    assert me["role"] == "sales" and me["token_scopes"] == ["read", "write"] and "@" in me["email"]
    listed = sales.get("/api/v1/users").get_json()["items"]
    assert all("email" not in user for user in listed)  # emails are for admins
    assert all("email" in user for user in admin_api.get("/api/v1/users").get_json()["items"])
