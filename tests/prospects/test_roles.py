"""Sales see only the prospects they own — in the list, counts, JSON,
detail pages and every action; admins and marketing see all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.models import Prospect, ProspectChange
from tests.prospects.conftest import csrf_token


@pytest.fixture
def owned(add_prospect, staff) -> dict[str, int]:
    return {
        "sam": add_prospect(name="Sam's lead", owner_id=staff["sales"].id, email="same@example.com"),
        "sue": add_prospect(name="Sue's lead", owner_id=staff["sales2"].id, email="same@example.com"),
        "nobody": add_prospect(name="Unassigned lead", owner_id=None),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"Sam's lead", "Sue's lead", "Unassigned lead"}),
        ("marketing", {"Sam's lead", "Sue's lead", "Unassigned lead"}),
        ("sales", {"Sam's lead"}),
        ("sales2", {"Sue's lead"}),
    ],
)
def test_list_json_and_counts(as_user, owned, who: str, expected: set[str]) -> None:
    client = as_user(who)
    body = client.get("/admin/prospects.json").json
    assert {item["name"] for item in body["items"]} == expected
    assert body["total"]["value"] == len(expected)
    # Filtering for someone else's prospects does not widen the view.
    assert client.get("/admin/prospects.json?owner=none&q=lead").json["total"]["value"] == (
        1 if who in ("admin", "marketing") else 0
    )
    page = client.get("/admin/").get_data(as_text=True)
    for name in {"Sam's lead", "Sue's lead", "Unassigned lead"}:
        assert (name.replace("'", "&#39;") in page) == (name in expected)


@pytest.mark.parametrize("path", ["", "/edit", "/delete"])
def test_sales_get_404_for_someone_elses_prospect(as_user, owned, path: str) -> None:
    client = as_user("sales")
    assert client.get(f"/admin/prospects/{owned['sue']}{path}").status_code == 404
    assert client.get(f"/admin/prospects/{owned['nobody']}{path}").status_code == 404
    assert client.get(f"/admin/prospects/{owned['sam']}{path}").status_code == 200
    assert as_user("marketing").get(f"/admin/prospects/{owned['sue']}{path}").status_code == 200


def test_sales_cannot_change_or_delete_someone_elses_prospect(as_user, owned, list_ids, db) -> None:
    client = as_user("sales")
    token = csrf_token(client)
    sue = owned["sue"]
    assert (
        client.post(
            "/admin/prospects/status",
            data={"csrf_token": token, "prospect_id": sue, f"status_{sue}": list_ids["Qualified"]},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/admin/prospects/{sue}/edit", data={"csrf_token": token, "name": "Mine now"}
        ).status_code
        == 404
    )
    assert client.post(f"/admin/prospects/{sue}/delete", data={"csrf_token": token}).status_code == 404
    for action, extra in (("status", {"status_id": list_ids["Qualified"]}), ("owner", {"owner_id": ""})):
        client.post(
            "/admin/prospects/bulk",
            data={"csrf_token": token, "action": action, "ids": [sue, owned["nobody"]], **extra},
        )
    confirm = client.post(
        "/admin/prospects/bulk", data={"csrf_token": token, "action": "delete", "ids": [sue, owned["sam"]]}
    ).get_data(as_text=True)
    assert "Delete 1 prospect?" in confirm and "Sue&#39;s lead" not in confirm
    client.post(
        "/admin/prospects/bulk",
        data={"csrf_token": token, "action": "delete", "confirm": "yes", "ids": [sue, owned["nobody"]]},
    )
    db.expire_all()
    lead = db.get(Prospect, sue)
    assert lead is not None and lead.name == "Sue's lead"
    assert lead.status_id == list_ids["New"] and lead.owner_id is not None
    assert db.get(Prospect, owned["nobody"]) is not None
    assert db.scalar(select(func.count()).select_from(ProspectChange)) == 0


def test_duplicate_warning_only_names_visible_prospects(as_user, owned) -> None:
    sam_page = as_user("sales").get(f"/admin/prospects/{owned['sam']}").get_data(as_text=True)
    assert "Possible duplicate" not in sam_page  # Sue's lead is not Sam's to see
    admin_page = as_user("admin").get(f"/admin/prospects/{owned['sam']}").get_data(as_text=True)
    assert "Possible duplicate" in admin_page and "Sue&#39;s lead" in admin_page


def test_anonymous_visitors_are_sent_to_login(client, owned) -> None:
    for path in ("/admin/", "/admin/prospects.json", f"/admin/prospects/{owned['sam']}"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
