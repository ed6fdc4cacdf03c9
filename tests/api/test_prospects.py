"""Prospects through the API go through the admin's services: defaults,
history, automatic tasks, events, the conversion rules; the list has the
admin list's filters and keyset cursors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.events.models import OutboxEvent
from crm_core.models import Prospect, ProspectChange, Role, Status, Task
from crm_core.tasks.automation import add_template
from tests.api.conftest import ApiClient, ClientFactory, assert_problem


def _status_id(db: Session, name: str) -> int:
    found = db.scalar(select(Status.id).where(Status.name == name))
    assert found is not None
    return found


def test_create_get_update_delete(admin_api: ApiClient, db: Session) -> None:
    created = admin_api.post(
        "/api/v1/prospects", json={"name": " Ștefan Pop ", "company": "Pop SRL", "email": "stefan@example.ro"}
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["name"] == "Ștefan Pop"  # trimmed, kept as typed
    assert body["status_id"] == _status_id(db, "New")  # the default
    assert body["priority_id"] is not None and body["source_id"] is not None
    assert created.headers["Location"] == f"/api/v1/prospects/{body['id']}"
    assert admin_api.get(created.headers["Location"]).get_json() == body

    changed = admin_api.patch(f"/api/v1/prospects/{body['id']}", json={"phone": "+40 721 000 000"})
    assert changed.status_code == 200
    assert changed.get_json()["phone"] == "+40 721 000 000"
    assert changed.get_json()["company"] == "Pop SRL"  # untouched
    history = db.scalars(select(ProspectChange.action).where(ProspectChange.prospect_id == body["id"])).all()
    assert sorted(history) == ["created", "updated"]
    events = db.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)).all()
    assert events == ["prospect.created", "prospect.updated"]

    deleted = admin_api.delete(f"/api/v1/prospects/{body['id']}")
    assert deleted.status_code == 204 and deleted.get_data() == b""
    assert_problem(admin_api.get(f"/api/v1/prospects/{body['id']}"), 404, "not-found")


def test_domain_rules_answer_422_with_messages_per_field(admin_api: ApiClient, db: Session) -> None:
    answer = admin_api.post(
        "/api/v1/prospects",
        json={"name": "", "email": "not an email", "phone": "call me", "status_id": 99999},
    )
    body = assert_problem(answer, 422, "validation-failed")
    assert set(body["errors"]) == {"name", "email", "phone"}  # the schema's checks first
    answer = admin_api.post("/api/v1/prospects", json={"name": "Ana", "status_id": 99999})
    assert assert_problem(answer, 422)["errors"] == {"status_id": ["Choose a value from the list."]}
    answer = admin_api.post("/api/v1/prospects", json={"name": "Ana", "colour": "red"})
    assert assert_problem(answer, 422)["errors"] == {"colour": ["Unknown field."]}
    answer = admin_api.post("/api/v1/prospects", json={"name": 42})
    assert assert_problem(answer, 422)["errors"] == {"name": ["Not a valid string."]}
    assert db.scalar(select(func.count()).select_from(Prospect)) == 0


def test_status_change_runs_the_status_entry_once(
    admin_api: ApiClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    qualified = _status_id(db, "Qualified")
    with transaction(session_factory) as session:
        add_template(session, {"status_id": str(qualified), "name": "Send the offer", "due_in_days": "2"})
    prospect = admin_api.post("/api/v1/prospects", json={"name": "Ana"}).get_json()
    moved = admin_api.post(f"/api/v1/prospects/{prospect['id']}/status", json={"status_id": qualified})
    assert moved.status_code == 200 and moved.get_json()["status_id"] == qualified
    assert moved.get_json()["open_tasks"] == 1
    again = admin_api.post(f"/api/v1/prospects/{prospect['id']}/status", json={"status_id": qualified})
    assert again.status_code == 200
    assert db.scalars(select(Task.name)).all() == ["Send the offer"]  # entering once, one task
    events = db.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)).all()
    assert events.count("prospect.status_changed") == 1


def test_a_converted_status_is_reached_only_by_converting(admin_api: ApiClient, db: Session) -> None:
    converted = _status_id(db, "Converted")
    prospect = admin_api.post("/api/v1/prospects", json={"name": "Ana", "company": "Pop SRL"}).get_json()
    for answer in (
        admin_api.post(f"/api/v1/prospects/{prospect['id']}/status", json={"status_id": converted}),
        admin_api.patch(f"/api/v1/prospects/{prospect['id']}", json={"status_id": converted}),
        admin_api.post("/api/v1/prospects", json={"name": "Bob", "status_id": converted}),
    ):
        assert "To convert a prospect" in assert_problem(answer, 409, "conflict")["detail"]
    assert (
        admin_api.get(f"/api/v1/prospects/{prospect['id']}").get_json()["status_id"] == prospect["status_id"]
    )
    assert db.scalar(select(func.count()).select_from(Prospect)) == 1

    done = admin_api.post(
        f"/api/v1/prospects/{prospect['id']}/conversion", json={"offer": {"currency": "RON"}}
    )
    assert done.status_code == 201, done.get_data(as_text=True)
    result = done.get_json()
    assert result["account"]["name"] == "Pop SRL" and result["linked"] is False
    assert result["offer"]["currency"] == "RON" and result["offer"]["account_id"] == result["account"]["id"]
    assert result["prospect"]["status_id"] == converted
    assert result["prospect"]["account_id"] == result["account"]["id"]
    assert result["prospect"]["converted_at"] is not None
    # Converted: read-only, and converting again makes nothing twice.
    refused = admin_api.patch(f"/api/v1/prospects/{prospect['id']}", json={"name": "Other"})
    assert_problem(refused, 409, "converted-read-only")
    twice = admin_api.post(f"/api/v1/prospects/{prospect['id']}/conversion", json={})
    assert "already converted" in assert_problem(twice, 409, "converted-read-only")["detail"]
    assert len(admin_api.get("/api/v1/accounts").get_json()["items"]) == 1


def test_converting_next_to_an_existing_company_asks_first(admin_api: ApiClient) -> None:
    existing = admin_api.post(
        "/api/v1/accounts", json={"name": "Pop SRL", "registration_code": "RO123"}
    ).get_json()
    prospect = admin_api.post(
        "/api/v1/prospects", json={"name": "Ana", "company": "Pop SRL", "registration_code": "RO123"}
    ).get_json()
    answer = admin_api.post(f"/api/v1/prospects/{prospect['id']}/conversion", json={})
    body = assert_problem(answer, 409, "possible-duplicate")
    assert body["matches"] == [{"id": existing["id"], "name": "Pop SRL"}]
    linked = admin_api.post(
        f"/api/v1/prospects/{prospect['id']}/conversion", json={"account_id": existing["id"]}
    ).get_json()
    assert linked["linked"] is True and linked["account"]["id"] == existing["id"]


def _names(page: dict[str, Any]) -> list[str]:
    return [row["name"] for row in page["items"]]


def test_list_filters_as_the_admin_list(api_as: ClientFactory, admin_api: ApiClient, db: Session) -> None:
    sales = api_as(Role.SALES)
    in_progress = _status_id(db, "In progress")
    admin_api.post("/api/v1/prospects", json={"name": "Ștefan Ionescu", "email": "stefan@firma.ro"})
    admin_api.post(
        "/api/v1/prospects", json={"name": "Maria", "owner_id": sales.user.id, "status_id": in_progress}
    )
    admin_api.post("/api/v1/prospects", json={"name": "Jonas", "company": "UAB Jonas"})
    assert _names(admin_api.get("/api/v1/prospects?q=stefan").get_json()) == ["Ștefan Ionescu"]
    assert _names(admin_api.get(f"/api/v1/prospects?status={in_progress}").get_json()) == ["Maria"]
    assert _names(
        admin_api.get(f"/api/v1/prospects?owner={sales.user.id}&owner=none&sort=name").get_json()
    ) == [
        "Jonas",
        "Maria",
        "Ștefan Ionescu",
    ]
    assert _names(sales.get("/api/v1/prospects?owner=me").get_json()) == ["Maria"]
    assert _names(admin_api.get("/api/v1/prospects?email=stefan@").get_json()) == ["Ștefan Ionescu"]
    assert _names(admin_api.get("/api/v1/prospects?company=uab").get_json()) == ["Jonas"]
    refused = admin_api.get("/api/v1/prospects?status=x&sort=colour&created_from=yesterday")
    assert set(assert_problem(refused, 422, "validation-failed")["errors"]) == {
        "status.0",
        "sort",
        "created_from",
    }
    backwards = admin_api.get("/api/v1/prospects?created_from=2026-02-01&created_to=2026-01-01")
    assert assert_problem(backwards, 422)["errors"] == {
        "created_to": ["The end date is before the start date."]
    }


def test_keyset_cursors_walk_every_row_once_forwards_and_back(admin_api: ApiClient) -> None:
    for number in range(7):
        admin_api.post("/api/v1/prospects", json={"name": f"P{number}"})
    pages, url = [], "/api/v1/prospects?sort=name&limit=3"
    while url:
        page = admin_api.get(url).get_json()
        pages.append(page)
        url = (
            f"/api/v1/prospects?sort=name&limit=3&after={page['next_cursor']}" if page["next_cursor"] else ""
        )
    assert [_names(p) for p in pages] == [["P0", "P1", "P2"], ["P3", "P4", "P5"], ["P6"]]
    assert pages[0]["prev_cursor"] is None and pages[-1]["next_cursor"] is None
    back = admin_api.get(f"/api/v1/prospects?sort=name&limit=3&before={pages[2]['prev_cursor']}").get_json()
    assert _names(back) == ["P3", "P4", "P5"]
    # A row added meanwhile does not shift the pages after the cursor.
    admin_api.post("/api/v1/prospects", json={"name": "P00"})
    after_first = admin_api.get(f"/api/v1/prospects?sort=name&limit=3&after={pages[0]['next_cursor']}")
    assert _names(after_first.get_json()) == ["P3", "P4", "P5"]
    # A cursor of another sort order, or garbage, is refused rather than silently restarting.
    for bad in (pages[0]["next_cursor"], "garbage"):
        answer = admin_api.get(f"/api/v1/prospects?sort=-created&after={bad}")
        assert "cursor" in assert_problem(answer, 422)["errors"]["after"][0]
    assert_problem(admin_api.get("/api/v1/prospects?limit=0"), 422)
    assert_problem(admin_api.get("/api/v1/prospects?limit=201"), 422)
