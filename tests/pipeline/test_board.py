"""The prospects board: columns, counts over every matching prospect, keyset
pages per column, the list's filters and role rules, and moves through the
one status change (history, automatic tasks, the conversion rule) — dragged
(JSON) or through the "Move to…" form without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.models import Prospect, ProspectChange, Status
from crm_core.prospects.board import load_board, move_card
from crm_core.prospects.filters import ProspectFilter, parse_filter
from crm_core.prospects.services import delete_prospect
from crm_core.tasks.automation import add_template
from crm_core.tasks.models import Task
from tests.pipeline.conftest import page_token
from tests.prospects.conftest import T0

JSON = {"Accept": "application/json"}


def board_json(client: Any, query: str = "") -> dict[str, Any]:
    """The board page's columns, read back from its HTML: {status name: (count, [card names])}."""
    import re

    html = client.get(f"/admin/board{query}").get_data(as_text=True)
    columns = {}
    for section in re.findall(r'<section class="board-column".*?</section>', html, re.S):
        name = re.search(r'<h2 id="col-\d+-title"><span[^>]*></span>([^<]+)</h2>', section)[1]
        count = int(re.search(r'data-count="(\d+)"', section)[1])
        cards = re.findall(r'class="card-name"[^>]*>([^<]+)</a>', section)
        more = re.search(r'data-more href="([^"]+)"', section)
        columns[name] = (count, cards, more[1].replace("&amp;", "&") if more else None)
    return columns


def test_columns_follow_the_statuses_and_leave_converted_and_junk_off(
    as_user, add_prospect, list_ids
) -> None:
    add_prospect(name="Fresh")
    add_prospect(name="Dud", status_id=list_ids["Unqualified"])
    columns = board_json(as_user("admin"))
    assert list(columns) == ["New", "In progress", "Qualified"]
    assert columns["New"][:2] == (1, ["Fresh"])
    # Asking for a status by the filter shows exactly that column, off-board or not.
    assert list(board_json(as_user("admin"), f"?status={list_ids['Unqualified']}")) == ["Unqualified"]


def test_counts_cover_every_matching_prospect_and_cards_come_in_pages(
    as_user, add_prospect, list_ids, staff
) -> None:
    for n in range(45):
        add_prospect(name=f"Lead {n:02d}", owner_id=staff["sales"].id if n % 3 == 0 else None)
    admin = as_user("admin")
    count, cards, more = board_json(admin)["New"]
    assert count == 45
    assert cards == [f"Lead {n:02d}" for n in range(44, 24, -1)]  # newest first, 20 a page
    second = admin.get(more + "&partial=1", headers=JSON).json
    assert second["html"].count('class="board-card"') == 20
    third = admin.get(second["next"] + "&partial=1", headers=JSON).json
    assert third["html"].count('class="board-card"') == 5 and third["next"] is None
    assert "Lead 00" in third["html"]
    # Without JavaScript, "Load more" is a page of its own.
    page = admin.get(more).get_data(as_text=True)
    assert "Lead 24" in page and "Lead 25" not in page and "45 prospects in this column" in page
    # The list's filters, in the URL, narrow counts and cards alike; sales see their own.
    assert board_json(admin, f"?owner={staff['sales'].id}")["New"][0] == 15
    assert board_json(admin, "?q=lead+4")["New"][0] == 9  # 04, 14, 24, 34 and 40-44
    assert board_json(as_user("sales"))["New"][0] == 15
    assert board_json(as_user("sales2"))["New"][0] == 0


def test_the_count_links_to_the_same_prospects_in_the_list(as_user, add_prospect, list_ids, staff) -> None:
    for _ in range(3):
        add_prospect(source_id=list_ids["Referral"])
    add_prospect(source_id=list_ids["Phone"])
    admin = as_user("admin")
    html = admin.get(f"/admin/board?source={list_ids['Referral']}").get_data(as_text=True)
    import re

    link = re.search(r'<a class="count" href="([^"]+)" data-count="3"', html)
    assert link, html
    assert (
        admin.get(link[1].replace("&amp;", "&").replace("/admin/?", "/admin/prospects.json?")).json["total"][
            "value"
        ]
        == 3
    )


@pytest.fixture
def first_call(session_factory: sessionmaker[Session], list_ids: dict[str, int]) -> None:
    with transaction(session_factory) as session:
        add_template(
            session, {"status_id": list_ids["In progress"], "name": "Pirmas skambutis", "due_in_days": "1"}
        )


def _history(db: Session, prospect_id: int) -> list[dict[str, list[str]]]:
    db.expire_all()
    return [
        c.changes for c in db.scalars(select(ProspectChange).where(ProspectChange.prospect_id == prospect_id))
    ]


def test_a_dragged_move_is_the_one_status_change(
    as_user, add_prospect, list_ids, staff, first_call, db
) -> None:
    lead = add_prospect(name="Ana Pop", owner_id=staff["sales"].id)
    client = as_user("sales")
    answer = client.post(
        "/admin/board/move",
        data={"csrf_token": page_token(client), "prospect_id": lead, "status_id": list_ids["In progress"]},
        headers=JSON,
    )
    assert answer.status_code == 200, answer.json
    assert answer.json == {
        "ok": True,
        "message": "“Ana Pop” moved to In progress.",
        "status_id": list_ids["In progress"],
    }
    assert db.get(Prospect, lead).status_id == list_ids["In progress"]
    assert {"status_id": ["New", "In progress"]} in _history(db, lead)
    tasks = db.scalars(select(Task).where(Task.parent_id == lead)).all()
    assert [(t.name, t.owner_id) for t in tasks] == [("Pirmas skambutis", staff["sales"].id)]
    assert board_json(client)["In progress"][:2] == (1, ["Ana Pop"])


def test_the_move_to_form_works_without_javascript(as_user, add_prospect, list_ids, db) -> None:
    lead = add_prospect(name="Jonas")
    client = as_user("admin")
    back = f"/admin/board?source={list_ids['Web form']}"
    response = client.post(
        "/admin/board/move",
        data={
            "csrf_token": page_token(client),
            "prospect_id": lead,
            "status_id": list_ids["Qualified"],
            "next": back,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == back
    assert "“Jonas” moved to Qualified." in client.get(back).get_data(as_text=True)
    assert db.get(Prospect, lead).status_id == list_ids["Qualified"]
    # An address off the site is never followed back.
    response = client.post(
        "/admin/board/move",
        data={
            "csrf_token": page_token(client),
            "prospect_id": lead,
            "status_id": list_ids["New"],
            "next": "//evil.example",
        },
    )
    assert response.headers["Location"] == "/admin/"


def test_a_drop_on_converted_opens_convert_instead(as_user, add_prospect, list_ids, db) -> None:
    lead = add_prospect(name="Almost a customer", status_id=list_ids["Qualified"])
    client = as_user("admin")
    token = page_token(client)
    answer = client.post(
        "/admin/board/move",
        data={"csrf_token": token, "prospect_id": lead, "status_id": list_ids["Converted"]},
        headers=JSON,
    )
    assert answer.status_code == 409
    assert answer.json["ok"] is False and "Convert" in answer.json["message"]
    assert answer.json["convert_url"].startswith(f"/admin/prospects/{lead}")
    plain = client.post(
        "/admin/board/move",
        data={"csrf_token": token, "prospect_id": lead, "status_id": list_ids["Converted"]},
    )
    assert plain.status_code == 302 and plain.headers["Location"] == answer.json["convert_url"]
    db.expire_all()
    assert db.get(Prospect, lead).status_id == list_ids["Qualified"]
    assert _history(db, lead) == []


def test_a_move_of_a_deleted_or_foreign_prospect_is_refused_and_says_why(
    as_user, add_prospect, list_ids, staff, session_factory
) -> None:
    gone = add_prospect(name="Gone")
    foreign = add_prospect(name="Sue's", owner_id=staff["sales2"].id)
    with transaction(session_factory) as session:
        delete_prospect(session, session.get(type(staff["admin"]), staff["admin"].id), gone)
    client = as_user("sales")
    token = page_token(client)
    for lead in (gone, foreign):
        answer = client.post(
            "/admin/board/move",
            data={"csrf_token": token, "prospect_id": lead, "status_id": list_ids["Qualified"]},
            headers=JSON,
        )
        assert answer.status_code == 404
        assert answer.json["message"].startswith("This prospect is no longer there")
    plain = client.post(
        "/admin/board/move",
        data={"csrf_token": token, "prospect_id": gone, "status_id": list_ids["Qualified"]},
    )
    assert plain.status_code == 302
    assert "This prospect is no longer there" in client.get(plain.headers["Location"]).get_data(as_text=True)
    bad = client.post("/admin/board/move", data={"csrf_token": token, "prospect_id": foreign}, headers=JSON)
    assert bad.status_code == 400


def test_admins_choose_the_columns(as_user, list_ids, db) -> None:
    client = as_user("admin")
    shown = [list_ids["New"], list_ids["Unqualified"]]
    response = client.post(
        "/admin/board/statuses",
        data={"csrf_token": page_token(client), "on_board": shown, "next": "/admin/board"},
    )
    assert response.status_code == 302
    assert list(board_json(client)) == ["New", "Unqualified"]
    db.expire_all()
    assert {s.name for s in db.scalars(select(Status).where(Status.on_board.is_(True)))} == {
        "New",
        "Unqualified",
    }
    refused = client.post("/admin/board/statuses", data={"csrf_token": page_token(client)})
    assert "Keep at least one status on the board." in client.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    sales = as_user("sales")
    assert (
        sales.post(
            "/admin/board/statuses", data={"csrf_token": page_token(sales), "on_board": shown}
        ).status_code
        == 403
    )


def test_a_new_status_gets_its_kinds_board_default(db) -> None:
    db.add_all([Status(name="Lost", kind="junk"), Status(name="Call back", kind="open")])
    db.flush()
    assert {
        s.name: s.on_board for s in db.scalars(select(Status).where(Status.name.in_(["Lost", "Call back"])))
    } == {
        "Lost": False,
        "Call back": True,
    }
    db.rollback()


def test_board_queries_directly(db, add_prospect, list_ids, staff) -> None:
    for n in range(3):
        add_prospect(name=f"Q{n}", status_id=list_ids["Qualified"], created_at=T0 + timedelta(days=n))
    admin = db.get(type(staff["admin"]), staff["admin"].id)
    flt, errors = parse_filter({"created_from": "2026-03-03"})
    assert not errors
    columns = {c.status.name: c for c in load_board(db, admin, flt, limit=1)}
    assert columns["Qualified"].count == 2
    assert [r.name for r in columns["Qualified"].page.cards] == ["Q2"]
    assert columns["Qualified"].page.next_cursor
    assert load_board(db, admin, ProspectFilter(status=(list_ids["Qualified"],)))[0].count == 3
    moved = move_card(db, admin, columns["Qualified"].page.cards[0].id, list_ids["New"])
    assert moved.status_id == list_ids["New"]
    db.rollback()
