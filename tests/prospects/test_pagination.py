"""Keyset pages: every row exactly once, forwards and backwards, in every
sort order, also when many rows share the sort value (same created_at)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from crm_core.models import User
from crm_core.prospects.filters import ProspectFilter
from crm_core.prospects.queries import Cursor, count_matching, list_page
from tests.prospects.conftest import T0


@pytest.fixture
def crowd(add_prospect, staff, list_ids) -> list[int]:
    """37 prospects; created_at values repeat in runs of 5 and names repeat too."""
    owners = [staff["sales"].id, staff["sales2"].id, None]
    statuses = [list_ids["New"], list_ids["Qualified"], None]
    return [
        add_prospect(
            name=f"Name {i % 4}",
            company=f"Company {i % 3}",
            email=f"p{i % 6}@example.com",
            phone=f"+40 700 000 {i % 2:03d}",
            owner_id=owners[i % 3],
            status_id=statuses[i % 3],
            created_at=T0 + timedelta(seconds=i // 5),
        )
        for i in range(37)
    ]


def walk(session: Session, viewer: User, flt: ProspectFilter, limit: int) -> tuple[list[int], list[str]]:
    ids: list[int] = []
    cursors: list[str] = []
    page = list_page(session, viewer, flt, limit=limit)
    while True:
        ids += [row.id for row in page.rows]
        if page.next_cursor is None:
            return ids, cursors
        cursors.append(page.next_cursor)
        page = list_page(session, viewer, flt, after=page.next_cursor, limit=limit)


@pytest.mark.parametrize(
    "sort",
    ["-created", "created", "name", "-name", "company", "-email", "phone", "status", "-owner", "priority"],
)
def test_pages_cover_every_row_once_in_order(session_factory, crowd, staff, sort: str) -> None:
    flt = ProspectFilter(sort=sort)
    with session_factory() as session:
        admin = session.get(User, staff["admin"].id)
        everything = list_page(session, admin, flt, limit=200).rows
        ids, cursors = walk(session, admin, flt, limit=7)
        assert ids == [row.id for row in everything]
        assert sorted(ids) == sorted(crowd)  # no duplicates, no gaps
        assert len(cursors) == 5

        # Backwards from the last page gives the same pages in reverse.
        last = list_page(session, admin, flt, after=cursors[-1], limit=7)
        back: list[int] = [row.id for row in last.rows]
        page = last
        while page.prev_cursor:
            page = list_page(session, admin, flt, before=page.prev_cursor, limit=7)
            back = [row.id for row in page.rows] + back
        assert back == ids


def test_cursor_of_another_sort_or_garbage_restarts_at_the_first_page(session_factory, crowd, staff) -> None:
    with session_factory() as session:
        admin = session.get(User, staff["admin"].id)
        first = list_page(session, admin, ProspectFilter(), limit=5)
        for token in (
            "garbage",
            Cursor("name", "Name 1", 3).encode(),
            Cursor("-created", "not a date", 3).encode(),
        ):
            page = list_page(session, admin, ProspectFilter(), after=token, limit=5)
            assert [r.id for r in page.rows] == [r.id for r in first.rows]


def test_pages_over_http_with_filters(as_user, crowd, list_ids) -> None:
    client = as_user("admin")
    url = f"/admin/prospects.json?status={list_ids['New']}&limit=10"
    seen: list[int] = []
    while url:
        body = client.get(url).json
        assert body["total"] == {"value": 13, "kind": "exact", "label": "13"}
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 13


def test_counts_are_capped(session_factory, crowd, staff) -> None:
    with session_factory() as session:
        admin = session.get(User, staff["admin"].id)
        assert count_matching(session, admin, ProspectFilter()).label() == "37"
        capped = count_matching(session, admin, ProspectFilter(q="example"), cap=10)
        assert (capped.value, capped.kind, capped.label()) == (10, "at_least", "10+")
        exact = count_matching(session, admin, ProspectFilter(name="name 1"), cap=10)
        assert (exact.value, exact.kind) == (9, "exact")
