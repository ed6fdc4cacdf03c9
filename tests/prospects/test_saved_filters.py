"""Saved filters: per user, named, reusable, deletable."""

from __future__ import annotations

from sqlalchemy import select

from crm_core.models import SavedFilter
from tests.prospects.conftest import csrf_token


def test_save_reuse_and_delete(as_user, add_prospect, list_ids, staff, db) -> None:
    add_prospect(name="Hot web lead", owner_id=staff["sales"].id, priority_id=list_ids["High"])
    add_prospect(name="Cold lead", owner_id=staff["sales"].id, priority_id=list_ids["Low"])
    sam = as_user("sales")
    token = csrf_token(sam)
    query = f"priority={list_ids['High']}&owner=me&created_from=2026-01-01&bogus=1&status=x"
    response = sam.post(
        "/admin/saved-filters", data={"csrf_token": token, "name": "  My hot  leads ", "query": query}
    )
    assert response.status_code == 302
    saved = db.scalars(select(SavedFilter)).one()
    assert saved.name == "My hot leads"
    assert saved.query == f"created_from=2026-01-01&owner=me&priority={list_ids['High']}"  # normalised

    page = sam.get("/admin/").get_data(as_text=True)
    link = f'href="/admin/?created_from=2026-01-01&amp;owner=me&amp;priority={list_ids["High"]}"'
    assert link in page and ">My hot leads<" in page
    listed = sam.get(f"/admin/prospects.json?{saved.query}").json["items"]
    assert [item["name"] for item in listed] == ["Hot web lead"]

    # Same name again overwrites; another user neither sees nor deletes it.
    sam.post("/admin/saved-filters", data={"csrf_token": token, "name": "My hot leads", "query": "q=hot"})
    db.expire_all()
    assert db.scalars(select(SavedFilter.query)).all() == ["q=hot"]
    sue = as_user("sales2")
    assert "My hot leads" not in sue.get("/admin/").get_data(as_text=True)
    assert (
        sue.post(f"/admin/saved-filters/{saved.id}/delete", data={"csrf_token": csrf_token(sue)}).status_code
        == 404
    )

    sam.post(f"/admin/saved-filters/{saved.id}/delete", data={"csrf_token": token})
    assert db.scalars(select(SavedFilter)).all() == []


def test_a_filter_needs_a_name(as_user, db) -> None:
    client = as_user("admin")
    response = client.post(
        "/admin/saved-filters",
        data={"csrf_token": csrf_token(client), "name": " ", "query": "q=x"},
        follow_redirects=True,
    )
    assert "Give the filter a name." in response.get_data(as_text=True)
    assert db.scalars(select(SavedFilter)).all() == []
